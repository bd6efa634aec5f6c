"""The verdict: evaluate a distillation plan against every node of the teacher's and student base's provenance.

Two channels, worst result wins. Output channel: everything in the teacher's closure binds its outputs.
Weight channel: the student base's closure (and the teacher's, with --method weights). Unknown or unreadable
data is never permissive: it yields `review` with the reason.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from licheck.domain import (
    INCOMPLETE,
    VERDICT_RANK,
    WEIGHT_RELATIONS,
    Effect,
    Finding,
    Graph,
    Plan,
    Verdict,
)
from licheck.engine.clauses import CONDITIONS, NODE_CONDITIONS, NodeContext, rule_findings  # noqa: F401 - moved names stay importable here
from licheck.engine.closure import governed_by_base, relicence_bit, relicensed, walk
from licheck.engine.drift import TOOL, drift_findings
from licheck.engine.nodes import STRONG_RELATION_SOURCES, _file_match, licence_known, unnamed_licence
from licheck.engine.settle import open_questions, tool_settle
from licheck.engine.verdicts import settle, verdict_of
from licheck.rules.ruleset import Identification, RuleSet

if TYPE_CHECKING:
    pass


def _walk(graph: Graph, role: str, method: str) -> dict[str, NodeContext]:
    """Closure of the graph root with, per node, its path, channels and whether the user is directly bound."""
    by_child: dict[str, list[tuple[str, bool]]] = {}
    for e in graph.edges:
        by_child.setdefault(e.child, []).append((e.parent, e.relation in WEIGHT_RELATIONS))
    reached = walk(graph.root, lambda nid: by_child.get(nid, ()), lambda nid: nid in graph.nodes)
    out: dict[str, NodeContext] = {}
    for nid, (path, weight_only) in reached.items():
        if role == "teacher":
            channels = {"output"} | ({"weight"} if method == "weights" and weight_only else set())
        else:
            channels = {"weight"} if weight_only else {"output"}
        out[nid] = NodeContext(graph.nodes[nid], path, channels, direct=weight_only, role=role)
    for e in graph.edges:
        if e.child in out and e.parent in out and e.child != e.parent and e.child not in out[e.parent].children:
            out[e.parent].children.append(e.child)
    return out


class Auditor:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def audit(
        self, plan: Plan, teacher: Graph, student: Graph | None, *, governed: Collection[str] | None = None
    ) -> Verdict:
        """`governed`: the teacher-side nodes whose unnamed licence is read from their bases, when the caller
        decided it on the full graph (the scan's memo judging one node without its parents); else computed."""
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
        self._bases: dict[tuple[str, str], list[str]] = {}
        self._governed: set[tuple[str, str]] = set()
        self._weight_parents: dict[tuple[str, str], list[str]] = {}
        for role, side in (("teacher", teacher), ("student", student)):
            if side is not None:
                self._find_governed(role, side, idents, governed if role == "teacher" else None)
        student_families = self._families(student_ctx, idents)

        for cycle in graph.cycles:
            findings.append(
                self._tool_finding(
                    "review", cycle[0], cycle, "cycle in the provenance graph: " + " -> ".join(cycle), "cycle"
                )
            )
        for ctx in contexts:
            findings += self._node_findings(plan, ctx, idents, student_families)
        findings += drift_findings(self.rules, graph, {nid: ident for (_, nid), ident in idents.items()})
        for f in findings:
            rule = self.rules.get(f.rule)
            if rule is not None and rule.origin:
                f.rule_file = rule.origin  # a verdict decided by an organisation's rule names its file
        for f in findings:
            if f.flag and f.flag not in flags:
                flags.append(f.flag)
        verdict, obligations = settle(findings)
        return Verdict(verdict, findings, obligations, flags, graph, plan, open_questions(findings))

    # -- per node ---------------------------------------------------------------------------------------------
    def _families(
        self, student_ctx: dict[str, NodeContext], idents: dict[tuple[str, str], Identification]
    ) -> dict[str, object]:
        fam: set[str] = set()
        groups: set[str] = set()
        ids: set[str] = set()  # the weight-channel student nodes that were read (own_models looks them up)
        rule_ids: set[str] = set()
        incomplete = False
        for nid, ctx in student_ctx.items():
            if "weight" not in ctx.channels:
                continue
            ident = idents[("student", nid)]
            if ctx.node.kind == "missing" or (
                (ident.unresolved or ident.missing) and ("student", nid) not in self._governed
            ):
                incomplete = True
            if ctx.node.kind != "missing":
                ids.add(nid)
            for rid in ident.rule_ids + ident.statements:
                rule_ids.add(rid)
                r = self.rules.get(rid)
                if r and r.family:
                    fam.add(r.family)
                if r and r.family_group:
                    groups.add(r.family_group)
        return {
            "families": fam,
            "groups": groups,
            "ids": ids,
            "rules": rule_ids,
            "incomplete": incomplete,
            "present": bool(student_ctx),
        }

    def _tool_finding(self, effect: str, node: str, path: list[str], reason: str, flag: str) -> Finding:
        """Every finding licheck makes itself; a review gets what would settle it here (engine/settle.py)."""
        settle, ask = tool_settle(flag, node, path, reason) if effect == Effect.REVIEW else (None, None)
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
            settle=settle,
            ask=ask,
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
        # Untrusted data first, then what was not read completely (stable: the order findings always had).
        for problem in sorted(node.problems, key=lambda p: p.flag == INCOMPLETE):
            out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {problem.reason}", problem.flag))
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
        governed = (ctx.role, node.id) in self._governed
        if governed and not skip_own:
            out.append(self._governed_finding(ctx, where, idents))
        elif ident.missing and not skip_own:
            what = (
                f"its licence is not recorded by the {node.source}"
                if "license" in node.unknown
                else "no licence declared"
            )
            what += self._parents_terms(ctx, idents)
            out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {what}", "license_unresolvable"))
        if not skip_own and not governed:
            for u in ident.unresolved:
                u += self._parents_terms(ctx, idents)
                out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {u}", "license_unresolvable"))
            for r in ident.review:
                out.append(self._tool_finding("review", node.id, ctx.path, f"{where}: {r}", "license_needs_review"))
        match = _file_match(node.license.file) if node.license.file else None
        if match is not None and match.rule and match.rule in ident.rule_ids and not skip_own:
            out.append(
                self._tool_finding(
                    "info", node.id, ctx.path, f"{where}: licence {match.rule} {match.evidence()}", "license_from_file"
                )
            )
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
        # A licence bound to the repo id is the node's own licence too: superseded with it when relicensed.
        statements = [r for r in ident.statements if not (skip_own and self._kind(r) == "licence")]
        best: list[Finding] | None = None
        best_rank = 99
        for group in groups:
            rule_ids = list(dict.fromkeys(group + statements))
            fs: list[Finding] = []
            for rid in rule_ids:
                rule = self.rules.get(rid)
                if rule is not None:
                    fs += rule_findings(plan, ctx, rule, student_families)
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

    def _find_governed(
        self,
        role: str,
        side: Graph,
        idents: dict[tuple[str, str], Identification],
        decided: Collection[str] | None,
    ) -> None:
        """Unnamed-licence quantisations of this side whose licence is read from their bases.

        Only a quantisation by strong evidence (declared `base_model_relation: quantized` or quantised files): a
        quantiser adds no work of their own, so with no licence named the base's terms are the only ones there
        are. A Hub relation tag or card prose alone could mislabel a fine-tune, whose author may have set terms of
        their own; adapters and merges are new work too, so they keep `review` (see _parents_terms)."""
        for e in side.edges:
            if e.relation in WEIGHT_RELATIONS:
                self._weight_parents.setdefault((role, e.child), []).append(e.parent)
            if e.relation == "quantized" and e.relation_source in STRONG_RELATION_SOURCES:
                self._bases.setdefault((role, e.child), []).append(e.parent)
        if decided is not None:
            self._governed |= {(role, nid) for nid in decided}
            return
        candidates: dict[str, list[str]] = {}
        for (r, nid), bases in self._bases.items():
            node = side.nodes.get(nid)
            if r == role and node is not None and (role, nid) in idents and unnamed_licence(node, idents[(role, nid)]):
                candidates[nid] = bases

        def known(pid: str) -> bool:
            node = side.nodes.get(pid)
            ident = idents.get((role, pid))
            return node is not None and ident is not None and licence_known(node, ident)

        self._governed |= {(role, nid) for nid in governed_by_base(candidates, known)}

    def _terms_through(
        self, role: str, nid: str, idents: dict[tuple[str, str], Identification], seen: set[str]
    ) -> list[str]:
        """Rule ids that bind a governed quantisation: its bases' own, or theirs in turn."""
        out: list[str] = []
        for pid in self._bases.get((role, nid), []):
            if pid in seen:
                continue
            seen.add(pid)
            ident = idents.get((role, pid))
            found = (ident.rule_ids + ident.statements) if ident else []
            if (role, pid) in self._governed:
                found = self._terms_through(role, pid, idents, seen)
            out += [r for r in found if r not in out]
        return out

    def _governed_finding(self, ctx: NodeContext, where: str, idents: dict[tuple[str, str], Identification]) -> Finding:
        bases = self._bases.get((ctx.role, ctx.node.id), [])
        terms = self._terms_through(ctx.role, ctx.node.id, idents, {ctx.node.id})
        what = "license: other without license_name or license_link" if ctx.node.license.card else "no licence field"
        bound = f"; its terms are those of {', '.join(terms)}, evaluated on the base" if terms else ""
        return self._tool_finding(
            "info",
            ctx.node.id,
            ctx.path,
            f"{where}: the quantiser named no licence of its own ({what}); a quantisation of "
            f"{', '.join(bases)} is governed by its base's licence{bound}",
            "license_from_base",
        )

    def _parents_terms(self, ctx: NodeContext, idents: dict[tuple[str, str], Identification]) -> str:
        """For an adapter, merge or fine-tune naming no licence: which terms bind it when every parent's licence is
        known. It stays `review`: unlike a quantisation it is its author's own work, whose terms are unknown."""
        node = ctx.node
        ident = idents[(ctx.role, node.id)]
        parents = self._weight_parents.get((ctx.role, node.id), [])
        if not parents or not unnamed_licence(node, ident) or (ctx.role, node.id) in self._bases:
            return ""
        terms: list[str] = []
        for pid in parents:
            pid_ident = idents.get((ctx.role, pid))
            if pid_ident is None or pid_ident.missing:
                return ""
            if (ctx.role, pid) in self._governed:
                found = self._terms_through(ctx.role, pid, idents, {pid})
            elif pid_ident.unresolved or pid_ident.review or not (pid_ident.rule_ids or pid_ident.statements):
                return ""
            else:
                found = pid_ident.rule_ids + pid_ident.statements
            terms += [r for r in found if r not in terms]
        return (
            f"; every parent's licence is known, so its weights are bound by {', '.join(terms)} (evaluated on the "
            f"parents), but the terms of its own author are unknown: ask the author of {node.id} for its licence"
        )

    def _kind(self, rule_id: str) -> str | None:
        rule = self.rules.get(rule_id)
        return rule.kind if rule is not None else None

    def _relicensed(self, ctx: NodeContext, idents: dict[tuple[str, str], Identification]) -> bool:
        """The node's own terms are superseded when its licensor published every child that uses it (in this
        closure) under a licence of its own. One third-party child is enough for the terms to apply: the answer
        never depends on which path the walk found first."""
        own = idents[(ctx.role, ctx.node.id)]
        orgs = {o for rid in own.rule_ids if (r := self.rules.get(rid)) is not None for o in r.licensor_orgs}

        def bit(child_id: str) -> bool:
            child_ident = idents.get((ctx.role, child_id))
            has_rules = child_ident is not None and bool(child_ident.rule_ids)
            return relicence_bit(child_id, has_rules, orgs, bool(own.rule_ids), ctx.node.org)

        return relicensed(ctx.children, bit)

    def _api_findings(self, plan: Plan, ctx: NodeContext, student_families: dict[str, object]) -> list[Finding]:
        node = ctx.node
        from licheck.rules.apis import load_catalogue

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
            out += rule_findings(plan, ctx, rule, student_families)
        return out
