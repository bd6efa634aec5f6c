"""Licence drift: a node whose declared terms leave out a non-permissive ancestor licence (an `info` note in the
audit; `licheck check` turns drift on a card into a violation, see licheck/check/drift.py)."""

from __future__ import annotations

from licheck.domain import WEIGHT_RELATIONS, Finding, Graph
from licheck.rules.ruleset import Identification, RuleSet

TOOL = "licheck"  # rule id of the findings licheck makes itself (not quoted from a licence)


def drift_findings(rules: RuleSet, graph: Graph, idents: dict[str, Identification]) -> list[Finding]:
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
                    rule = rules.get(rid)
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
