"""Licence drift of a card: a restrictive ancestor licence (another licensor's) that the card's `license` omits.

Not engine.Auditor.drift_findings, on purpose: that one is an `info` note on every node that declares a licence;
this one is a repository violation (forbid) on the card alone, which also fires when the card declares nothing,
counts licence statements, treats licences of one licensor as one, lets the licensor's own relicensing on the way
supersede, and names the `license:` value to write.
"""

from __future__ import annotations

from typing import Any

from licheck.domain import WEIGHT_RELATIONS, Finding, Graph
from licheck.rules.ruleset import RuleSet


def _weight_closure(graph: Graph, root: str) -> dict[str, list[str]]:
    """Ancestors whose weights are in the root (fine-tune, adapter, quantisation, merge), with a path to each."""
    by_child: dict[str, list[Any]] = {}
    for e in graph.edges:
        by_child.setdefault(e.child, []).append(e)
    paths = {root: [root]}
    queue = [root]
    while queue:
        cur = queue.pop(0)
        for e in by_child.get(cur, []):
            if e.relation in WEIGHT_RELATIONS and e.parent not in paths:
                paths[e.parent] = paths[cur] + [e.parent]
                queue.append(e.parent)
    return paths


def drift(graph: Graph, subject: str, rules: RuleSet) -> list[Finding]:
    """Licence drift: an ancestor's non-permissive licence (another licensor's) missing from the card's `license`.

    The engine already applies the ancestor's clauses whatever the card says; the drift finding is about the card
    misinforming its users. Same-licensor relicensing on the way (DeepSeek-R1 MIT over DeepSeek-V3) supersedes.
    """
    own = rules.identify(graph.nodes[subject])
    declared = set(own.rule_ids) | set(own.statements)
    licensors = {r.licensor for rid in declared if (r := rules.get(rid)) is not None and r.licensor}
    out: list[Finding] = []
    seen: set[str] = set()
    for nid, path in _weight_closure(graph, subject).items():
        node = graph.nodes.get(nid)
        if nid == subject or node is None or node.kind not in ("model", "dataset"):
            continue
        ident = rules.identify(node)
        for rid in dict.fromkeys(ident.rule_ids + ident.statements):
            rule = rules.get(rid)
            if rule is None or rule.kind != "licence" or rule.permissive or rid in seen:
                continue
            if rid in declared or (rule.licensor and rule.licensor in licensors):
                continue
            between = path[1:-1]
            if any(n.split("/", 1)[0].lower() in rule.licensor_orgs for n in between):
                continue  # the licensor itself published a descendant under another licence
            seen.add(rid)
            hub = rule.identifiers.get("hub", ())
            names = rule.identifiers.get("license_name", ())
            fix = f"license: {hub[0]}" if hub else (f"license: other, license_name: {names[0]}" if names else rule.id)
            stated = ", ".join(graph.nodes[subject].license.card) or "no licence"
            out.append(
                Finding(
                    rule=rid,
                    clause="license-drift",
                    section=None,
                    effect="forbid",
                    node=subject,
                    path=path,
                    quote=None,
                    url=rule.source_url,
                    reason=(
                        f"licence drift: the card declares {stated}, but its ancestor {nid} "
                        f"(via {' -> '.join(path)}) is under the {rule.title}, which still binds this model; "
                        f"declare it ({fix})"
                    ),
                    flag="license_drift",
                )
            )
    return out
