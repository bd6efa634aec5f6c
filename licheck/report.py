"""Rendering: JSON documents (stable key names other tools read) and human text (rich, imported lazily)."""

from __future__ import annotations

import json
import time
from typing import Any

from licheck import SCHEMA_VERSION, __version__
from licheck.domain import Graph, Verdict

DISCLAIMER = "licheck reports what licence and terms texts say about a plan; it is not legal advice."


def chain_json(graph: Graph, sources: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "root": graph.root,
        "graph": graph.to_json(),
        "warnings": graph.warnings,
        "sources": sources,
    }


def audit_json(v: Verdict, sources: dict[str, Any], rules_version: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "rules_version": rules_version,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "query": v.plan.to_json(),
        "verdict": v.verdict,
        "obligations": v.obligations,
        "findings": [f.to_json() for f in v.findings],
        "flags": v.flags,
        "graph": v.graph.to_json(),
        "root": v.graph.root,
        "warnings": v.graph.warnings,
        "sources": sources,
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False)


# -- text ---------------------------------------------------------------------------------------------------------
def term(text: object, *, multiline: bool = False) -> str:
    """`textsafe.clean`, then rich markup escaped (`[green]` in a card prints as text, not as a colour)."""
    from rich.markup import escape

    from licheck.textsafe import clean

    return escape(clean(text, multiline=multiline))


def _licence_label(node: Any) -> str:
    lic = node.license
    parts = list(lic.card) or [f"tag:{t}" for t in lic.tags]
    if lic.license_name:
        parts.append(f"name={lic.license_name}")
    if not parts and lic.gated_prompt_head:
        parts.append(f"gate: {lic.gated_prompt_head[:40]}")
    return ", ".join(parts) if parts else "no licence declared"


def _source_label(node: Any) -> str:
    if node.kind == "missing":
        return f"missing: {node.missing_reason}"
    if node.kind == "api":
        return f"API ({node.provider or 'unknown provider'})"
    label = node.source
    if node.source_date:
        label += f" {node.source_date}"
    if node.revision:
        label += f" @{node.revision[:10]}"
    return label


def _tree(graph: Graph, root: str | None = None) -> Any:
    from rich.tree import Tree

    root = root or graph.root
    by_child: dict[str, list[Any]] = {}
    for e in graph.edges:
        by_child.setdefault(e.child, []).append(e)

    def label(nid: str) -> str:
        node = graph.nodes.get(nid)
        if node is None:
            return f"[bold]{term(nid)}[/]"
        style = "red" if node.kind == "missing" else ("magenta" if node.kind == "api" else "bold")
        return (
            f"[{style}]{term(nid)}[/] [cyan]\\[{term(_licence_label(node))}][/] [dim]({term(_source_label(node))})[/]"
        )

    tree = Tree(label(root))
    seen = {root}

    def grow(t: Any, nid: str, depth: int) -> None:
        for e in by_child.get(nid, []):
            ev = e.evidence[0].detail if e.evidence else ""
            ev = ev if len(ev) < 90 else ev[:87] + "..."
            branch = t.add(
                f"[yellow]{term(e.relation)}[/] [dim]({term(e.relation_source)}: {term(ev)})[/] " + label(e.parent)
            )
            if e.parent not in seen and depth < 50:
                seen.add(e.parent)
                grow(branch, e.parent, depth + 1)
            elif e.parent in seen:
                branch.add("[dim](already shown)[/]")

    grow(tree, root, 0)
    return tree


def _console(stream: Any = None) -> Any:
    from rich.console import Console

    return Console(file=stream, highlight=False, soft_wrap=False, width=None)


def print_chain(graph: Graph, sources: dict[str, Any], stream: Any = None) -> None:
    con = _console(stream)
    con.print(_tree(graph))
    _print_sources(con, sources)
    for w in graph.warnings:
        con.print(f"[yellow]warning:[/] {term(w)}")


def _print_sources(con: Any, sources: dict[str, Any]) -> None:
    counts = ", ".join(f"{k}: {v}" for k, v in sources.get("nodes_by_source", {}).items())
    line = f"[dim]data: {counts}"
    if sources.get("nodes_by_source", {}).get("snapshot"):
        line += f"; embedded snapshot built {sources.get('snapshot_date')}"
        dates = sources.get("snapshot_record_dates") or []
        if dates:
            age = _age_days(dates[0])
            line += f", its records here dated {dates[0]}" + (f" to {dates[-1]}" if len(dates) > 1 else "")
            line += f" (oldest {age} days old)" if age is not None else ""
        else:
            line += ", record dates not known"
    if sources.get("offline"):
        line += "; offline"
    con.print(line + "[/]")


def _age_days(date: Any) -> int | None:
    if not isinstance(date, str):
        return None
    try:
        then = time.mktime(time.strptime(date[:10], "%Y-%m-%d"))
    except ValueError:
        return None
    return max(0, int((time.time() - then) // 86400))


VERDICT_STYLE = {
    "permitted": "bold green",
    "conditional": "bold yellow",
    "review": "bold magenta",
    "forbidden": "bold red",
}


def print_audit(v: Verdict, sources: dict[str, Any], stream: Any = None) -> None:
    from rich.panel import Panel

    con = _console(stream)
    con.print(f"[dim]{DISCLAIMER}[/]")
    p = v.plan
    plan = (
        f"teacher {p.teacher} -> student {'base ' + p.student if p.student else 'trained from scratch'}; "
        f"use {p.use}, {'internal only' if p.internal else 'distributed'}, method {p.method}"
    )
    facts = [
        f"MAU {p.mau:,}" if p.mau is not None else None,
        f"monthly revenue ${p.monthly_revenue:,}" if p.monthly_revenue is not None else None,
        f"annual revenue ${p.annual_revenue:,}" if p.annual_revenue is not None else None,
        ("EU-domiciled" if p.eu else "not EU-domiciled") if p.eu is not None else None,
    ]
    facts_s = ", ".join(f for f in facts if f)
    con.print(
        Panel(
            f"[{VERDICT_STYLE[v.verdict]}]{v.verdict.upper()}[/]\n{term(plan)}"
            + (f"\nlicensee: {term(facts_s)}" if facts_s else ""),
            title="verdict",
            expand=False,
        )
    )
    if v.obligations:
        con.print("[bold]Obligations[/]")
        for o in v.obligations:
            tag = " [dim](generic notice duty)[/]" if o.get("generic") else ""
            con.print(f"  - {term(o['text'], multiline=True)} [dim]({term(o['rule'])} {term(o['clause'])})[/]{tag}")
    order = {"forbid": 0, "review": 1, "obligation": 2, "info": 3, "permit": 4}
    shown = sorted(v.findings, key=lambda f: (order.get(f.effect, 9), f.generic))
    con.print("[bold]Findings[/]")
    permits = [f for f in shown if f.effect == "permit"]
    shown = [f for f in shown if f.effect != "permit"]
    if not shown:
        con.print("  [dim](no restrictions found)[/]")
    for f in shown:
        style = {"forbid": "red", "review": "magenta", "obligation": "yellow", "permit": "green"}.get(f.effect, "dim")
        head = f"{f.rule}" + (f" {f.clause} (section {f.section})" if f.clause else "")
        con.print(f"  [{style}]{f.effect.upper()}[/] {term(head)} on [bold]{term(f.node)}[/]")
        if len(f.path) > 1:
            con.print(f"      path: {term(' -> '.join(f.path))}")
        con.print(f"      why: {term(f.reason)}")
        if f.quote:
            q = f.quote if len(f.quote) < 400 else f.quote[:397] + "..."
            con.print(f"      [italic]\u201c{term(q, multiline=True)}\u201d[/]")
        if f.url:
            con.print(f"      source: {term(f.url)}")
        if f.rule_file:
            con.print(f"      rule file: {term(f.rule_file)} (organisation rule, not the packaged library)")
        if f.triggered_by:
            con.print(f"      [dim]plan facts: {term(', '.join(f.triggered_by))}[/]")
    if permits:
        con.print("[bold]Permissions relied on[/]")
        for f in permits:
            con.print(
                f"  [green]PERMIT[/] {term(f.rule)} {term(f.clause or '')} (section {term(f.section or '')})"
                f" on {term(f.node)} [dim]{term(f.url or '')}[/]"
                + (f" rule file: {term(f.rule_file)}" if f.rule_file else "")
            )
    con.print("[bold]Provenance[/]")
    con.print(_tree(v.graph, v.graph.root))
    roots = {e.child for e in v.graph.edges} | set(v.graph.nodes)
    if v.plan.student and v.plan.student in roots and v.plan.student != v.graph.root:
        con.print(_tree(v.graph, v.plan.student))
    _print_sources(con, sources)
    for w in v.graph.warnings:
        con.print(f"[yellow]warning:[/] {term(w)}")
