"""Rule example cases (the `examples:` of each rule file), run by `licheck rules test` and by pytest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from licheck.domain import Edge, Evidence, Graph, LicenseInfo, ModelNode, Plan
from licheck.engine.auditor import Auditor
from licheck.provenance.ids import parse_subject
from licheck.rules.apis import load_catalogue
from licheck.rules.ruleset import RuleSet


@dataclass
class ExampleResult:
    rule: str
    name: str
    ok: bool
    message: str = ""


def _node(spec: dict[str, Any]) -> ModelNode:
    subj = parse_subject(spec["id"], api_lookup=load_catalogue().is_product)
    kind = spec.get("kind") or subj.kind
    if kind == "api":
        provider = subj.repo_id.split("/", 1)[0]
        return ModelNode(id=subj.id, kind="api", source="example", provider=provider)
    lic = spec.get("license")
    lic_list = [lic] if isinstance(lic, str) else list(lic or [])
    return ModelNode(
        id=subj.id,
        kind="dataset" if kind == "dataset" else "model",
        source="example",
        license=LicenseInfo(
            card=lic_list, license_name=spec.get("license_name"), license_link=spec.get("license_link")
        ),
        pipeline_tag=spec.get("pipeline_tag"),
    )


def _graph(spec: dict[str, Any]) -> Graph:
    """A graph from an example node and its declared `parents` (recursively)."""
    root = _node(spec)
    graph = Graph(root=root.id, nodes={root.id: root})
    stack = [(root.id, spec)]
    while stack:
        child, s = stack.pop()
        for p in s.get("parents") or []:
            parent = _node(p["node"])
            graph.nodes.setdefault(parent.id, parent)
            graph.edges.append(
                Edge(child, parent.id, p["relation"], "example", [Evidence("example", "declared in the rule example")])
            )
            stack.append((parent.id, p["node"]))
    return graph


def run_example(rules: RuleSet, rule_id: str, ex: dict[str, Any]) -> ExampleResult:
    tg = _graph(ex["teacher"])
    teacher = tg.nodes[tg.root]
    sg = _graph(ex["student"]) if ex.get("student") else None
    plan = Plan(teacher=teacher.id, student=sg.root if sg else None, **(ex.get("plan") or {}))
    verdict = Auditor(rules).audit(plan, tg, sg)
    problems = []
    if verdict.verdict != ex["expect"]:
        why = "; ".join(
            f"{f.effect} {f.rule}:{f.clause} ({f.reason[:80]})"
            for f in verdict.findings
            if f.effect in ("forbid", "review", "obligation") and not f.generic
        )
        problems.append(f"expected {ex['expect']}, got {verdict.verdict} [{why}]")
    fired = {f.clause for f in verdict.findings}
    missing = [c for c in ex.get("expect_clauses", []) if c not in fired]
    if missing:
        problems.append(f"clauses not in findings: {missing}")
    unwanted = [c for c in ex.get("expect_no_clauses", []) if c in fired]
    if unwanted:
        problems.append(f"clauses that must not fire did: {unwanted}")
    return ExampleResult(rule_id, ex["name"], not problems, "; ".join(problems))


def run_examples(rules: RuleSet) -> list[ExampleResult]:
    out = []
    for rule in sorted(rules.rules.values(), key=lambda r: r.id):
        for ex in rule.examples:
            out.append(run_example(rules, rule.id, ex))
    return out
