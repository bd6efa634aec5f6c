"""A model card checked as a local model: audited with its ancestors, then its licence drift and its duties.

A card is treated as a local model whose ancestors bind it through its weights, against the same provenance
graph and rule library `licheck audit` uses.
"""

from __future__ import annotations

import re
from pathlib import Path

from licheck.check.cardread import card_subject, model_name, read_card
from licheck.check.context import CheckContext
from licheck.check.drift import drift
from licheck.check.duties import card_duties
from licheck.check.results import TOOL, CheckResult, Location, located, tool_finding
from licheck.domain import Graph, ModelNode
from licheck.errors import LicheckError
from licheck.provenance.evidence import UNREAD


def rename_root(graph: Graph, old: str, new: str) -> None:
    """The resolver names a local root by the path it was given; the check names it by its repository path."""
    node = graph.nodes.pop(old, None)
    if node is not None:
        node.id = new
        graph.nodes[new] = node
    for e in graph.edges:
        if e.child == old:
            e.child = new
        if e.parent == old:
            e.parent = new
    graph.root = new
    graph.warnings = [w.replace(old, new) for w in graph.warnings]
    unread = f"{UNREAD}{old}: "  # pseudo-parents named after the root (evidence.unread_parent)
    for nid in [n for n in graph.nodes if n.startswith(unread)]:
        node = graph.nodes.pop(nid)
        node.id = f"{UNREAD}{new}: {nid[len(unread) :]}"
        graph.nodes[node.id] = node
    for e in graph.edges:
        if e.parent.startswith(unread):
            e.parent = f"{UNREAD}{new}: {e.parent[len(unread) :]}"


def check_card(readme: Path, ctx: CheckContext) -> CheckResult | None:
    """The card's result (None when the README is no model card); an unreadable card is review, never skipped."""
    from licheck.engine.auditor import Auditor

    card, problem = read_card(readme)
    if card is None and problem is None:
        return None
    folder = readme.parent.resolve()
    subject = card_subject(folder, ctx.policy.base)
    path = ctx.rel(readme)
    res = CheckResult("card", path, card.key_line("license") if card and card.data else 1, subject)
    if problem is not None or card is None:
        m = re.match(r"line (\d+): ", problem or "")
        res.findings.append(
            located(
                tool_finding(subject, "review", f"{path}: {problem}", "card_unreadable"),
                Location(path, int(m.group(1)) if m else 1),
            )
        )
        return res
    try:
        graph = ctx.open_session().resolver().resolve(str(folder))
    except LicheckError as exc:
        res.error = str(exc)
        res.findings.append(located(tool_finding(subject, "review", str(exc), "card_unreadable"), Location(path, 1)))
        return res
    rename_root(graph, graph.root, subject)
    plan = ctx.policy.make_plan(subject, subject, {})
    # The card's model is a derivative of its ancestors: audit it as a student whose base is the card itself, so
    # weight ancestors bind through the weight channel and declared teachers (distillation edges) through outputs.
    verdict = Auditor(ctx.rules).audit(plan, Graph(root=subject), graph)
    res.graph, res.plan = verdict.graph, plan
    res.sources = ctx.open_session().sources_summary(graph)
    res.warnings = list(graph.warnings)
    res.detail = f"{model_name(card, folder)} ({_declared(graph.nodes[subject])})"
    # The card's own licence binds its recipients, not its author: keep only the tool findings about the card.
    findings = [f for f in verdict.findings if f.node != subject or f.rule == TOOL]
    drifted = drift(graph, subject, ctx.rules)
    if drifted:  # the violation says what the engine's drift note says, and which `license:` to write: say it once
        findings = [f for f in findings if not (f.flag == "license_drift" and f.effect == "info" and f.node == subject)]
    license_line = card.key_line("license") or card.key_line("license_name")
    base_line = card.key_line("base_model")
    for f in findings:
        if f.node == subject:
            line = license_line or 1
        else:
            via = f.path[1] if len(f.path) > 1 else f.node
            line = card.line_mentioning(via) or base_line or 1
        res.findings.append(located(f, Location(path, line)))
    for f in drifted:
        res.findings.append(located(f, Location(path, license_line or base_line or 1), violation=True))
    duties, res.duties = card_duties(card, folder, subject, findings, ctx.rules, path)
    res.findings += duties
    return res


def _declared(node: ModelNode) -> str:
    lic = node.license
    parts = list(lic.card) + ([f"license_name {lic.license_name}"] if lic.license_name else [])
    return "license " + ", ".join(parts) if parts else "no licence declared"
