"""Waivers applied to one result, and the findings about the policy file itself (expired and unused waivers)."""

from __future__ import annotations

from licheck.check.context import CheckContext
from licheck.check.results import POLICY_RULE, CheckFinding, CheckResult, Location, located, tool_finding
from licheck.policy import Waiver


def apply_waivers(res: CheckResult, ctx: CheckContext) -> set[Waiver]:
    """Move findings with a live waiver to `waived`; return the waivers that matched something."""
    used: set[Waiver] = set()
    keep: list[CheckFinding] = []
    for cf in res.findings:
        waiver = (
            ctx.policy.waiver_for(cf.finding)
            if cf.finding.rule != POLICY_RULE or cf.finding.clause not in ("waiver-expired",)
            else None
        )
        if waiver is not None:
            used.add(waiver)
        if waiver is not None and not waiver.expired(ctx.today) and cf.finding.effect != "permit":
            cf.waiver = waiver
            res.waived.append(cf)
        else:
            keep.append(cf)
    res.findings = keep
    return used


def policy_result(ctx: CheckContext, used: set[Waiver], run_plans: bool) -> CheckResult | None:
    """Findings about the policy file itself: expired waivers (violations) and, on whole-repo runs, unused ones."""
    policy = ctx.policy
    if policy.path is None or not policy.waivers:
        return None
    path = ctx.rel(policy.path)
    res = CheckResult("policy", path, 1, path)
    for w in policy.waivers:
        loc = Location(path, w.line)
        if w.expired(ctx.today):
            reason = (
                f"waiver {w.key} ({w.reason}, {w.ticket}, approved by {w.approver}) expired on "
                f"{w.expires.isoformat()}; renew it or fix the finding"
            )
            f = tool_finding(w.subject, "forbid", reason, "waiver_expired", clause="waiver-expired", rule=POLICY_RULE)
            res.findings.append(located(f, loc, violation=True))
        elif w not in used and run_plans:
            reason = f"waiver {w.key} ({w.ticket}) matched no finding; remove it if the finding is gone"
            f = tool_finding(w.subject, "info", reason, "waiver_unused", clause="waiver-unused", rule=POLICY_RULE)
            res.findings.append(located(f, loc))
    return res if res.findings else None
