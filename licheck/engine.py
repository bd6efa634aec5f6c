"""The verdict: evaluate a distillation plan against every node of the teacher's and student base's provenance.

Two channels, worst result wins. Output channel: everything in the teacher's closure binds its outputs.
Weight channel: the student base's closure (and the teacher's, with --method weights). Unknown or unreadable
data is never permissive: it yields `review` with the reason.
"""

from __future__ import annotations

import re

from licheck._struct import field, struct
from licheck.domain import (
    VERDICT_RANK,
    WEIGHT_RELATIONS,
    Clause,
    Finding,
    Graph,
    ModelNode,
    Plan,
    Rule,
    Verdict,
)
from licheck.rules import Identification, RuleSet

MULTIMODAL_PIPELINES = {
    "image-text-to-text",
    "visual-question-answering",
    "image-to-text",
    "any-to-any",
    "video-text-to-text",
    "document-question-answering",
    "audio-text-to-text",
}
TEXT_PIPELINES = {"text-generation", "text2text-generation", "fill-mask", "feature-extraction", "text-classification"}
_MM_NAME_RE = re.compile(r"(vision|[-_]vl\b|[-_]vl[-_]|llama-4|scout|maverick|multimodal|omni|llava|cosmos)", re.I)
LICENSEE_FACTS = {"eu", "mau_over", "monthly_revenue_over", "annual_revenue_over"}
TOOL = "licheck"


@struct
class NodeContext:
    node: ModelNode
    path: list[str]
    channels: set[str]
    direct: bool
    role: str  # teacher | student
    children: list[str] = field(default_factory=list)  # nodes of the same closure that name this one as parent


def multimodal(node: ModelNode) -> bool | None:
    tags = {t.lower() for t in node.tags}
    if (node.pipeline_tag or "") in MULTIMODAL_PIPELINES or tags & MULTIMODAL_PIPELINES or "vision" in tags:
        return True
    if _MM_NAME_RE.search(node.id):
        return True
    if (node.pipeline_tag or "") in TEXT_PIPELINES:
        return False
    return None


def _walk(graph: Graph, role: str, method: str) -> dict[str, NodeContext]:
    """Closure of the graph root with, per node, its path, channels and whether the user is directly bound."""
    by_child: dict[str, list] = {}
    for e in graph.edges:
        by_child.setdefault(e.child, []).append(e)
    root = graph.root
    out: dict[str, NodeContext] = {}
    # (node, path, weight_only)
    queue: list[tuple[str, list[str], bool]] = [(root, [root], True)]
    best: dict[str, bool] = {}
    while queue:
        nid, path, weight_only = queue.pop(0)
        if nid in best and (best[nid] or not weight_only):
            continue
        best[nid] = weight_only
        node = graph.nodes.get(nid)
        if node is None:
            continue
        if role == "teacher":
            channels = {"output"} | ({"weight"} if method == "weights" and weight_only else set())
        else:
            channels = {"weight"} if weight_only else {"output"}
        out[nid] = NodeContext(node, path, channels, direct=weight_only, role=role)
        for e in by_child.get(nid, []):
            if e.parent not in path:
                queue.append((e.parent, path + [e.parent], weight_only and e.relation in WEIGHT_RELATIONS))
    for e in graph.edges:
        if e.child in out and e.parent in out and e.child != e.parent and e.child not in out[e.parent].children:
            out[e.parent].children.append(e.child)
    return out


class Auditor:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def audit(self, plan: Plan, teacher: Graph, student: Graph | None) -> Verdict:
        graph = Graph(root=teacher.root)
        graph.merge(teacher)
        graph.cycles = teacher.cycles + (student.cycles if student else [])
        if student is not None:
            graph.merge(student)
        findings: list[Finding] = []
        flags: list[str] = []
        contexts: list[NodeContext] = list(_walk(teacher, "teacher", plan.method).values())
        student_ctx: dict[str, NodeContext] = _walk(student, "student", plan.method) if student else {}
        contexts += list(student_ctx.values())
        # Keyed by side: the same id can be a full node in one graph and a depth-cut `missing` node in the other.
        idents = {(c.role, c.node.id): self.rules.identify(c.node) for c in contexts}
        self._generated = {e.child for e in graph.edges if e.relation == "generated_by"}
        student_families = self._families(student_ctx, idents)

        for cycle in graph.cycles:
            findings.append(
                self._tool_finding(
                    "review", cycle[0], cycle, "cycle in the provenance graph: " + " -> ".join(cycle), "cycle"
                )
            )
        for ctx in contexts:
            findings += self._node_findings(plan, ctx, idents, student_families)
        findings += self.drift_findings(graph, {nid: ident for (_, nid), ident in idents.items()})
        for f in findings:
            rule = self.rules.get(f.rule)
            if rule is not None and rule.origin:
                f.rule_file = rule.origin  # a verdict decided by an organisation's rule names its file
        for f in findings:
            if f.flag and f.flag not in flags:
                flags.append(f.flag)
        verdict = "permitted"
        for f in findings:
            effect_verdict = {"forbid": "forbidden", "review": "review", "obligation": "conditional"}.get(f.effect)
            if f.effect == "obligation" and f.generic:
                effect_verdict = None
            if effect_verdict and VERDICT_RANK[effect_verdict] > VERDICT_RANK[verdict]:
                verdict = effect_verdict
        obligations: list[dict[str, str]] = []
        seen: set[str] = set()
        if verdict in ("permitted", "conditional"):
            for f in findings:
                if f.effect == "obligation" and f.obligation:
                    key = f.obligation.strip().lower()
                    if key in seen:
                        continue
                    seen.add(key)
                    item = {"text": f.obligation, "rule": f.rule, "clause": f.clause or ""}
                    if f.generic:
                        item["generic"] = "true"
                    obligations.append(item)
        return Verdict(verdict, findings, obligations, flags, graph, plan)

    def drift_findings(self, graph: Graph, idents: dict[str, Identification]) -> list[Finding]:
        """A node declaring terms that leave out a non-permissive ancestor licence from another licensor."""
        by_child: dict[str, list] = {}
        for e in graph.edges:
            if e.relation in WEIGHT_RELATIONS:
                by_child.setdefault(e.child, []).append(e)
        out: list[Finding] = []
        for nid, ident in idents.items():
            declared = set(ident.rule_ids)
            if not declared or nid not in graph.nodes:
                continue
            org = graph.nodes[nid].org
            seen = {nid}
            queue = [(nid, [nid])]
            while queue:
                cur, path = queue.pop(0)
                for e in by_child.get(cur, []):
                    if e.parent in seen:
                        continue
                    seen.add(e.parent)
                    queue.append((e.parent, path + [e.parent]))
                    anc = idents.get(e.parent)
                    if anc is None:
                        continue
                    for rid in anc.rule_ids:
                        rule = self.rules.get(rid)
                        if rule is None or rule.permissive or rule.kind != "licence" or rid in declared:
                            continue
                        if org in rule.licensor_orgs:
                            continue  # the licensor relicensing its own model is not drift
                        out.append(
                            Finding(
                                rule=TOOL,
                                clause=None,
                                section=None,
                                effect="info",
                                node=nid,
                                path=path + [e.parent],
                                quote=None,
                                url=None,
                                flag="license_drift",
                                reason=(
                                    f"{nid} declares {', '.join(sorted(declared))} but inherits {rule.title} from "
                                    f"{e.parent}; the ancestor's terms still apply"
                                ),
                            )
                        )
        return out

    # -- per node ---------------------------------------------------------------------------------------------
    def _families(
        self, student_ctx: dict[str, NodeContext], idents: dict[tuple[str, str], Identification]
    ) -> dict[str, object]:
        fam: set[str] = set()
        groups: set[str] = set()
        incomplete = False
        for nid, ctx in student_ctx.items():
            if "weight" not in ctx.channels:
                continue
            ident = idents[("student", nid)]
            if ctx.node.kind == "missing" or ident.unresolved or ident.missing:
                incomplete = True
            for rid in ident.rule_ids + ident.statements:
                r = self.rules.get(rid)
                if r and r.family:
                    fam.add(r.family)
                if r and r.family_group:
                    groups.add(r.family_group)
        return {"families": fam, "groups": groups, "incomplete": incomplete, "present": bool(student_ctx)}

    def _tool_finding(self, effect: str, node: str, path: list[str], reason: str, flag: str) -> Finding:
        return Finding(
            rule=TOOL,
            clause=None,
            section=None,
            effect=effect,
            node=node,
            path=path,
            quote=None,
            url=None,
            reason=reason,
            flag=flag,
        )

    def _node_findings(
        self,
        plan: Plan,
        ctx: NodeContext,
        idents: dict[tuple[str, str], Identification],
        student_families: dict[str, object],
    ) -> list[Finding]:
        node = ctx.node
        out: list[Finding] = []
        where = (
            f"{node.id} ({'teacher' if ctx.role == 'teacher' else 'student base'} side, via {' -> '.join(ctx.path)})"
        )
        if node.kind == "missing":
            out.append(
                self._tool_finding(
                    "review",
                    node.id,
                    ctx.path,
                    f"{where}: could not be read ({node.missing_reason}); its terms are unknown",
                    "node_unreadable",
                )
            )
            return out
        if node.kind == "api":
            return self._api_findings(plan, ctx, student_families)
        ident = idents[(ctx.role, node.id)]
        for problem in node.problems:
            out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {problem}", "card_unreadable"))
        if "base_model" in node.unknown:
            out.append(
                self._tool_finding(
                    "review",
                    node.id,
                    ctx.path,
                    f"{where}: the {node.source} does not record its base models; its ancestry may be incomplete",
                    "metadata_incomplete",
                )
            )
        if node.machine_generated and node.id not in self._generated:
            out.append(
                self._tool_finding(
                    "review",
                    node.id,
                    ctx.path,
                    f"{where}: declared synthetic / machine-generated, but the generating model is not named",
                    "synthetic_data_unknown_generator",
                )
            )
        skip_own = self._relicensed(ctx, idents)
        if ident.missing and not skip_own:
            what = (
                f"its licence is not recorded by the {node.source}"
                if "license" in node.unknown
                else "no licence declared"
            )
            out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {what}", "license_unresolvable"))
        if not skip_own:
            for u in ident.unresolved:
                out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {u}", "license_unresolvable"))
            for r in ident.review:
                out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {r}", "license_needs_review"))
        if ident.disagreement:
            out.append(
                self._tool_finding(
                    "info",
                    node.id,
                    ctx.path,
                    f"{where}: licence sources disagree ({ident.disagreement}); all are applied",
                    "license_sources_disagree",
                )
            )
        groups = [[]] if skip_own else (ident.groups or [[]])
        best: list[Finding] | None = None
        best_rank = 99
        for group in groups:
            rule_ids = list(dict.fromkeys(group + ident.statements))
            fs: list[Finding] = []
            for rid in rule_ids:
                rule = self.rules.get(rid)
                if rule is not None:
                    fs += self._rule_findings(plan, ctx, rule, student_families)
            rank = max((VERDICT_RANK.get(verdict_of(f), 0) for f in fs), default=0)
            if best is None or rank < best_rank:
                best, best_rank = fs, rank
        if len(groups) > 1 and best is not None:
            out.append(
                self._tool_finding(
                    "info",
                    node.id,
                    ctx.path,
                    f"{where}: licence offers a choice (OR); the least restrictive alternative is shown",
                    "license_choice",
                )
            )
        out += best or []
        return out

    def _relicensed(self, ctx: NodeContext, idents: dict[tuple[str, str], Identification]) -> bool:
        """The node's own terms are superseded when its licensor published every child that uses it (in this
        closure) under a licence of its own. One third-party child is enough for the terms to apply: the answer
        never depends on which path the walk found first."""
        if not ctx.children:
            return False
        own = idents[(ctx.role, ctx.node.id)]
        orgs = {o for rid in own.rule_ids if (r := self.rules.get(rid)) is not None for o in r.licensor_orgs}
        for child_id in ctx.children:
            child_ident = idents.get((ctx.role, child_id))
            if child_ident is None or not child_ident.rule_ids:
                return False
            child_org = child_id.split("/", 1)[0].lower()
            if not (child_org in orgs or (not own.rule_ids and child_org == ctx.node.org)):
                return False
        return True

    def _api_findings(self, plan: Plan, ctx: NodeContext, student_families: dict[str, object]) -> list[Finding]:
        node = ctx.node
        from licheck.apis import load_catalogue

        provider = load_catalogue().provider(node.provider or "")
        if provider is None or not provider.terms:
            return [
                self._tool_finding(
                    "review",
                    node.id,
                    ctx.path,
                    f"{node.id}: no terms of service for this API in the rule library",
                    "api_terms_unknown",
                )
            ]
        out: list[Finding] = []
        product = node.id.split("/", 1)[-1]
        for rid in self.rules.with_includes(list(provider.terms_for(product))):
            rule = self.rules.get(rid)
            if rule is None:
                out.append(
                    self._tool_finding(
                        "review", node.id, ctx.path, f"{node.id}: terms rule {rid} missing", "api_terms_unknown"
                    )
                )
                continue
            out += self._rule_findings(plan, ctx, rule, student_families)
        return out

    # -- clause evaluation --------------------------------------------------------------------------------------
    def _rule_findings(
        self, plan: Plan, ctx: NodeContext, rule: Rule, student_families: dict[str, object]
    ) -> list[Finding]:
        out: list[Finding] = []
        for clause in rule.clauses:
            if not set(clause.channels) & ctx.channels:
                continue
            channel = "output" if "output" in ctx.channels and "output" in clause.channels else "weight"
            if clause.methods and ctx.role == "teacher" and plan.method not in clause.methods:
                continue
            if clause.uses and plan.use not in clause.uses:
                continue
            status, facts, unknown = self._conditions(plan, ctx, rule, clause, student_families)
            if status == "false":
                continue
            effect = clause.effect
            reason = clause.reason or clause.obligation or f"{rule.title} {clause.section}"
            obligation = clause.obligation
            if status == "unknown_fact":
                if effect == "permit":
                    continue
                if effect == "forbid":
                    effect = "obligation"
                    obligation = clause.obligation or f"Ensure that {', '.join(unknown)} does not apply"
                    reason = f"depends on licensee facts not given ({', '.join(unknown)}): {reason}"
                elif effect == "obligation":
                    obligation = f"If {', '.join(unknown)}: {clause.obligation or reason}"
            elif status == "unknown_data":
                if effect == "permit":
                    continue
                effect = "review"
                reason = f"cannot tell whether {', '.join(unknown)}: {reason}"
            verification = clause.verification or rule.verification
            if verification == "secondary" and effect in ("forbid", "obligation", "permit"):
                if effect == "permit":
                    continue
                reason = f"clause text not verified against the primary source ({effect} if it holds): {reason}"
                effect = "review"
            out.append(
                Finding(
                    rule=rule.id,
                    clause=clause.id,
                    section=clause.section,
                    effect=effect,
                    node=ctx.node.id,
                    path=ctx.path,
                    quote=clause.quote,
                    url=clause.url or rule.source_url,
                    reason=reason,
                    channel=channel,
                    flag=clause.flag,
                    obligation=obligation if effect == "obligation" else None,
                    generic=clause.generic,
                    triggered_by=facts,
                )
            )
        return out

    def _conditions(
        self, plan: Plan, ctx: NodeContext, rule: Rule, clause: Clause, fam: dict[str, object]
    ) -> tuple[str, list[str], list[str]]:
        facts: list[str] = [f"use={plan.use}", f"method={plan.method}", f"channel={'/'.join(sorted(ctx.channels))}"]
        unknown_fact: list[str] = []
        unknown_data: list[str] = []
        for key, want in clause.when:
            got: bool | None
            if key == "distributed":
                got = plan.distributed
                facts.append("distributed" if got else "internal (--internal)")
            elif key == "commercial":
                got = plan.use == "commercial"
            elif key == "direct":
                got = ctx.direct
                facts.append("used directly" if got else "reached through another party's data or model")
            elif key == "student_in_family":
                got = self._in_family(rule, fam)
                if got is None:
                    unknown_data.append(f"the student base belongs to the {rule.family} family")
                else:
                    facts.append(f"student base {'in' if got else 'outside'} the {rule.family} family")
            elif key == "multimodal":
                got = multimodal(ctx.node)
                if got is None:
                    unknown_data.append(f"{ctx.node.id} is multimodal")
            elif key == "eu":
                got = plan.eu
                if got is None:
                    unknown_fact.append("the licensee is EU-domiciled")
                else:
                    facts.append("EU-domiciled (--eu)" if got else "not EU-domiciled (--no-eu)")
            elif key in ("mau_over", "monthly_revenue_over", "annual_revenue_over"):
                value = {
                    "mau_over": plan.mau,
                    "monthly_revenue_over": plan.monthly_revenue,
                    "annual_revenue_over": plan.annual_revenue,
                }[key]
                label = {
                    "mau_over": "monthly active users",
                    "monthly_revenue_over": "monthly revenue (USD)",
                    "annual_revenue_over": "annual revenue (USD)",
                }[key]
                if value is None:
                    unknown_fact.append(f"{label} exceed {want:,}")
                    continue
                got = value > want
                facts.append(f"{label} {value:,} {'>' if got else '<='} {want:,}")
                if not got:
                    return "false", facts, []
                continue
            else:
                unknown_data.append(f"condition {key}")
                continue
            if got is None:
                continue
            if bool(got) != bool(want):
                return "false", facts, []
        if unknown_fact and not unknown_data:
            return "unknown_fact", facts, unknown_fact
        if unknown_data:
            return ("unknown_fact" if unknown_fact else "unknown_data"), facts, unknown_fact or unknown_data
        return "true", facts, []

    @staticmethod
    def _in_family(rule: Rule, fam: dict[str, object]) -> bool | None:
        families = fam["families"]
        groups = fam["groups"]
        assert isinstance(families, set) and isinstance(groups, set)
        if rule.family and rule.family in families:
            return True
        if rule.family_group and rule.family_group in groups:
            return None  # same group, another version: version-exact text does not settle it
        if fam["incomplete"]:
            return None
        return False


def verdict_of(f: Finding) -> str:
    if f.effect == "forbid":
        return "forbidden"
    if f.effect == "review":
        return "review"
    if f.effect == "obligation" and not f.generic:
        return "conditional"
    return "permitted"
