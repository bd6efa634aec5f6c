"""A finding's verdict and a set of findings settled into one verdict with its obligations."""

from __future__ import annotations

from collections.abc import Sequence

from licheck.domain import VERDICT_RANK, Effect, Finding, VerdictLevel


def verdict_of(f: Finding) -> str:
    if f.effect == Effect.FORBID:
        return VerdictLevel.FORBIDDEN
    if f.effect == Effect.REVIEW:
        return VerdictLevel.REVIEW
    if f.effect == Effect.OBLIGATION and not f.generic:
        return VerdictLevel.CONDITIONAL
    return VerdictLevel.PERMITTED


def settle(findings: Sequence[Finding]) -> tuple[str, list[dict[str, str]]]:
    """The worst verdict of the findings and, unless it is forbidden, their obligations (each text once). One place
    for the Auditor and `licheck check`, which settles a result again after waivers.

    A `review` keeps its obligations: they bind whatever the open questions settle to (a plan allowed after review
    still owes them), and procurement needs them listed. A `forbidden` lists none: no set of duties makes the plan
    allowed, and a to-do list under FORBIDDEN would read as one; its findings still show every duty."""
    verdict: str = VerdictLevel.PERMITTED
    for f in findings:
        v = verdict_of(f)
        if VERDICT_RANK[v] > VERDICT_RANK[verdict]:
            verdict = v
    obligations: list[dict[str, str]] = []
    if verdict == VerdictLevel.FORBIDDEN:
        return verdict, obligations
    seen: set[str] = set()
    for f in findings:
        if f.effect == Effect.OBLIGATION and f.obligation and f.obligation.strip().lower() not in seen:
            seen.add(f.obligation.strip().lower())
            item = {"text": f.obligation, "rule": f.rule, "clause": f.clause or ""}
            if f.generic:
                item["generic"] = "true"
            obligations.append(item)
    return verdict, obligations
