"""A rule's clauses evaluated on one node context: channel, method and use filters, the `when:` conditions (plan facts
and the node conditions answered from the graph), and what an unknown answer or a secondary text makes of the effect.

Split from auditor.py (which walks the graph and decides which rules bind which node) so each stays small."""

from __future__ import annotations

from dataclasses import dataclass, field

from licheck.domain import Clause, Effect, Finding, ModelNode, Plan, Rule
from licheck.engine.facts import CONDITIONS as PLAN_CONDITIONS
from licheck.engine.facts import Asked, Condition, boolean
from licheck.engine.family import student_in_family
from licheck.engine.nodes import multimodal
from licheck.engine.settle import clause_settle


@dataclass(slots=True)
class NodeContext:
    node: ModelNode
    path: list[str]
    channels: set[str]
    direct: bool
    role: str  # teacher | student
    children: list[str] = field(default_factory=list)  # nodes of the same closure that name this one as parent


def rule_findings(plan: Plan, ctx: NodeContext, rule: Rule, student_families: dict[str, object]) -> list[Finding]:
    out: list[Finding] = []
    for clause in rule.clauses:
        if not set(clause.channels) & ctx.channels:
            continue
        channel = "output" if "output" in ctx.channels and "output" in clause.channels else "weight"
        if clause.methods and ctx.role == "teacher" and plan.method not in clause.methods:
            continue
        if clause.uses and plan.use not in clause.uses:
            continue
        status, facts, unknown = _conditions(plan, ctx, rule, clause, student_families)
        if status == "false":
            continue
        effect = clause.effect
        reason = clause.reason or clause.obligation or f"{rule.title} {clause.section}"
        obligation = clause.obligation
        if status == "unknown_fact":
            if effect == Effect.PERMIT:
                continue
            if effect == Effect.FORBID:
                effect = Effect.OBLIGATION
                obligation = clause.obligation or f"Ensure that {', '.join(unknown)} does not apply"
                reason = f"depends on licensee facts not given ({', '.join(unknown)}): {reason}"
            elif effect == Effect.OBLIGATION:
                obligation = f"If {', '.join(unknown)}: {clause.obligation or reason}"
        elif status == "unknown_data":
            if effect == Effect.PERMIT:
                continue
            effect = Effect.REVIEW
            reason = f"cannot tell whether {', '.join(unknown)}: {reason}"
        verification = clause.verification or rule.verification
        if verification == "secondary" and effect in (Effect.FORBID, Effect.OBLIGATION, Effect.PERMIT):
            if effect == Effect.PERMIT:
                continue
            reason = f"clause text not verified against the primary source ({effect} if it holds): {reason}"
            effect = Effect.REVIEW
        url = clause.url or rule.source_url
        settle, ask = clause_settle(clause, status, unknown, url) if effect == Effect.REVIEW else (None, None)
        out.append(
            Finding(
                rule=rule.id,
                clause=clause.id,
                section=clause.section,
                effect=effect,
                node=ctx.node.id,
                path=ctx.path,
                quote=clause.quote,
                url=url,
                reason=reason,
                channel=channel,
                flag=clause.flag_met if status == "true" and clause.flag_met else clause.flag,
                obligation=obligation if effect == Effect.OBLIGATION else None,
                generic=clause.generic,
                triggered_by=facts,
                settle=settle,
                ask=ask,
            )
        )
    return out


def _conditions(
    plan: Plan, ctx: NodeContext, rule: Rule, clause: Clause, fam: dict[str, object]
) -> tuple[str, list[str], list[str]]:
    """The clause's `when:` conditions, each answered by the registry (planfacts.CONDITIONS + NODE_CONDITIONS)."""
    facts: list[str] = [f"use={plan.use}", f"method={plan.method}", f"channel={'/'.join(sorted(ctx.channels))}"]
    unknown_fact: list[str] = []
    unknown_data: list[str] = []
    asked = Asked(plan, ctx, rule, fam)
    for key, want in clause.when:
        cond = CONDITIONS.get(key)
        if cond is None:
            unknown_data.append(f"condition {key}")
            continue
        answer = cond.evaluate(asked, want)
        if answer.fact:
            facts.append(answer.fact)
        if answer.holds is None:
            (unknown_data if cond.missing == "data" else unknown_fact).append(answer.unknown or f"condition {key}")
        elif not answer.holds:
            return "false", facts, []
    if unknown_fact and not unknown_data:
        return "unknown_fact", facts, unknown_fact
    if unknown_data:
        return ("unknown_fact" if unknown_fact else "unknown_data"), facts, unknown_fact or unknown_data
    return "true", facts, []


# The rule conditions answered from the graph, not from the plan (those are declared in licheck.engine.facts).
NODE_CONDITIONS: tuple[Condition, ...] = (
    Condition(
        "direct",
        {"type": "boolean"},
        lambda a, want: boolean(a.ctx.direct, want, "used directly", "reached through another party's data or model"),
    ),
    Condition("student_in_family", {"type": "boolean"}, student_in_family, missing="data"),
    Condition(
        "multimodal",
        {"type": "boolean"},
        lambda a, want: boolean(multimodal(a.ctx.node), want, None, None, f"{a.ctx.node.id} is multimodal"),
        missing="data",
    ),
)
CONDITIONS: dict[str, Condition] = {**PLAN_CONDITIONS, **{c.key: c for c in NODE_CONDITIONS}}
