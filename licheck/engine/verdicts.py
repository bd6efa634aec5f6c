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
    """The worst verdict of the findings and, when that is permitted or conditional, their obligations (each
    text once). One place for the Auditor and `licheck check`, which settles a result again after waivers."""
    verdict: str = VerdictLevel.PERMITTED
    for f in findings:
        v = verdict_of(f)
        if VERDICT_RANK[v] > VERDICT_RANK[verdict]:
            verdict = v
    obligations: list[dict[str, str]] = []
    if verdict not in (VerdictLevel.PERMITTED, VerdictLevel.CONDITIONAL):
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
