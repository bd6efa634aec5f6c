"""The policy's licence and model allow/deny lists applied to one result (the matching itself is licheck.policy's)."""

from __future__ import annotations

from licheck.check.context import CheckContext
from licheck.check.results import POLICY_RULE, CheckResult, Location, located, tool_finding


def apply_policy_lists(res: CheckResult, ctx: CheckContext) -> None:
    """Licence and model allow/deny lists: deny reaches the whole provenance, allow the models named directly."""
    policy = ctx.policy
    if not (policy.allow_licenses or policy.deny_licenses or policy.allow_models or policy.deny_models):
        return
    loc = Location(res.path, res.line)
    where = f" ({policy.relpath(policy.path)})" if policy.path else ""
    seen: set[tuple[str, str]] = set()

    def add(clause: str, node: str, reason: str) -> None:
        if (clause, node.lower()) in seen:
            return
        seen.add((clause, node.lower()))
        f = tool_finding(node, "forbid", reason + where, "policy_violation", clause=clause, rule=POLICY_RULE)
        res.findings.append(located(f, loc, violation=True))

    nodes = list(res.graph.nodes.values()) if res.graph else []
    for node in nodes:
        ids = [node.id, node.requested_id or "", node.id.split(":", 1)[-1]]
        pat = policy.model_denied(ids)
        if pat:
            add("model-deny", node.id, f"{node.id} is on the policy's model deny list ({pat})")
        if node.kind in ("model", "dataset") and (policy.allow_licenses or policy.deny_licenses):
            hit = policy.licence_verdict(node, ctx.rules)
            if hit:
                add(hit[0], node.id, hit[1])
    direct: list[str] = []
    if res.kind == "plan" and res.plan is not None:
        direct = [x for x in (res.plan.teacher, res.plan.student) if x]
    elif res.kind == "card" and res.graph is not None:
        direct = [e.parent for e in res.graph.edges if e.child == res.subject]
    elif res.kind == "code":
        direct = [res.subject]
        pat = policy.model_denied([res.subject])
        if pat:
            add("model-deny", res.subject, f"{res.subject} is on the policy's model deny list ({pat})")
    for model in direct:
        canonical = [model]
        if res.graph is not None and model in res.graph.nodes:
            canonical.append(res.graph.nodes[model].id)
        if model.startswith(("./", "../", "/")):
            continue  # a local folder is the organisation's own model
        if not policy.model_allowed(canonical + [model.split(":", 1)[-1]]):
            add("model-not-allowed", model, f"{model} is not on the policy's model allow list")
