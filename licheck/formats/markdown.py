"""Markdown report a procurement reviewer can read, sign off and archive.

Why Markdown: it renders on GitHub, GitLab and most wikis and ticket systems, diffs well in a repository, and its
Mermaid block draws the provenance graph without any other tool. Everything that came from a model card or the
Hub (ids, reasons, evidence) is escaped: a card must not be able to inject links, HTML or Mermaid syntax.
"""

from __future__ import annotations

import re
from typing import Any

from licheck.errors import VERDICT_EXIT
from licheck.formats import _common as c

VERDICT_MEANING = {
    "permitted": "allowed; at most the generic notice duties of an open licence",
    "conditional": "allowed only if the listed licence-specific obligations are met",
    "forbidden": "a clause prohibits it, or no right is granted",
    "review": "the texts do not settle it, or data is missing, unknown or unreadable",
}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`]+$")


def inline(text: Any) -> str:
    """One line of untrusted text, safe inside a paragraph, list item or table cell."""
    s = " ".join(str(text).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def code(text: Any) -> str:
    """An id as inline code (ids never contain backticks; anything that does is escaped as text instead)."""
    s = " ".join(str(text).split())
    return f"`{s.replace('|', chr(92) + '|')}`" if s and "`" not in s else inline(s)


def link(url: Any, label: Any | None = None) -> str:
    """A link only for plain http(s) URLs; anything else is shown as escaped text."""
    if not isinstance(url, str) or not _SAFE_URL.match(url):
        return inline(url if label is None else f"{label} ({url})")
    target = url.replace("(", "%28").replace(")", "%29")
    return f"[{inline(label if label is not None else url)}]({target})"


def _mermaid_text(text: Any) -> str:
    """Text inside a quoted Mermaid label: entity codes for everything that could end or restyle the label."""
    s = " ".join(str(text).split())
    for ch, ent in (
        ("#", "#35;"),
        ("&", "#38;"),
        ('"', "#quot;"),
        ("<", "#lt;"),
        (">", "#gt;"),
        ("`", "#96;"),
        ("|", "#124;"),
    ):
        s = s.replace(ch, ent)
    return s


def mermaid(doc: c.Doc) -> list[str]:
    """The provenance graph as `graph TD`: parents above children, each edge labelled with its relation.

    Node ids are synthetic (n0, n1, ...) in graph order: Hub ids contain / . : which Mermaid ids cannot.
    """
    graph = doc.get("graph") or {}
    nodes = [n for n in graph.get("nodes") or [] if isinstance(n, dict) and "id" in n]
    edges = list(graph.get("edges") or [])
    ids: dict[str, str] = {}
    for n in nodes:
        ids.setdefault(str(n["id"]), f"n{len(ids)}")
    for e in edges:
        for end in (str(e.get("parent")), str(e.get("child"))):
            ids.setdefault(end, f"n{len(ids)}")
    by_id = {str(n["id"]): n for n in nodes}
    lines = ["```mermaid", "graph TD"]
    for nid, mid in ids.items():
        node = by_id.get(nid)
        kind = c.node_kind(node, nid)
        lic = ", ".join(c.declared_licences(node)) or ("terms of service" if kind == "api" else "no licence declared")
        label = f"{_mermaid_text(nid)}<br/>{_mermaid_text(kind + ' · ' + lic)}"
        lines.append(f'    {mid}["{label}"]')
    for e in edges:
        rel = _mermaid_text(e.get("relation"))
        lines.append(f'    {ids[str(e.get("parent"))]} -->|"{rel}"| {ids[str(e.get("child"))]}')
    q = doc.get("query") or {}
    roots = [r for r in (doc.get("root") or q.get("teacher"), q.get("student")) if isinstance(r, str) and r in ids]
    missing = [ids[n] for n, node in by_id.items() if node.get("kind") == "missing"]
    apis = [ids[n] for n, node in by_id.items() if node.get("kind") == "api"]
    lines.append("    classDef root stroke-width:3px")
    lines.append("    classDef missing stroke-dasharray:5 5")
    lines.append("    classDef api fill:#f4ecf7")
    for cls, members in (("root", [ids[r] for r in roots]), ("missing", missing), ("api", apis)):
        if members:
            lines.append(f"    class {','.join(dict.fromkeys(members))} {cls}")
    lines.append("```")
    return lines


def _plan(q: dict[str, Any], doc: c.Doc, nodes: dict[str, c.Node]) -> list[str]:
    teacher = str(q.get("teacher") or doc.get("root"))
    root = str(doc.get("root") or teacher)  # the canonical id (openai/gpt-4o is api:openai/gpt-4o)
    student = q.get("student")
    t_url = c.artifact_url(root, nodes)
    s_url = c.artifact_url(student, nodes) if isinstance(student, str) else None
    facts = c.licensee_facts(q)
    shown = code(teacher) + (f" (read as {code(root)})" if root != teacher else "")
    return [
        "| Plan | |",
        "|---|---|",
        f"| Teacher | {shown}" + (f" ({link(t_url, 'Hub page')})" if t_url else "") + " |",
        "| Student base | "
        + (code(student) + (f" ({link(s_url, 'Hub page')})" if s_url else "") if student else "trained from scratch")
        + " |",
        f"| Use | {inline(q.get('use'))} |",
        f"| Distribution | {'internal only' if q.get('internal') else 'distributed or offered to third parties'} |",
        f"| Method | {inline(q.get('method'))} (what of the teacher trains the student) |",
        f"| Licensee facts | {inline(', '.join(facts)) if facts else 'not given'} |",
    ]


def _finding(i: int, f: c.Finding, nodes: dict[str, c.Node], doc: c.Doc) -> list[str]:
    head = f"{i}. {inline(str(f.get('effect', '')).upper())} · {inline(f.get('rule'))}"
    if f.get("clause"):
        head += f" {code(f['clause'])}"
    if f.get("section"):
        head += f" (section {inline(f['section'])})"
    head += f" on {code(f.get('node'))}"
    out = [f"#### {head}", "", f"- **Why:** {inline(f.get('reason', ''))}"]
    path = f.get("path") or []
    if len(path) > 1:
        out.append("- **Path:** " + " → ".join(code(p) for p in path))
    bits = []
    if f.get("channel"):
        bits.append(f"channel {inline(f['channel'])}")
    if f.get("flag"):
        bits.append(f"flag {code(f['flag'])}")
    if f.get("triggered_by"):
        bits.append("plan facts: " + inline(", ".join(str(t) for t in f["triggered_by"])))
    if f.get("violation"):
        bits.append("repository or policy violation")
    if bits:
        out.append("- **Context:** " + "; ".join(bits))
    uri, line = c.finding_location(f, nodes, doc)
    if isinstance(f.get("location"), dict):
        shown = f"{uri} line {line}" if line else uri
        out.append(f"- **Location:** {link(uri, shown) if _SAFE_URL.match(uri) else inline(shown)}")
    else:
        out.append(f"- **Artifact:** {link(uri)}")
    if f.get("url"):
        out.append(f"- **Clause source:** {link(f['url'])}")
    if f.get("rule_file"):
        out.append(f"- **Rule file:** {code(f['rule_file'])} (organisation rule, not the packaged library)")
    quote = f.get("quote")
    if quote:
        out.append("")
        out += ["> " + inline(part) for part in str(quote).splitlines() if part.strip()]
    if isinstance(f.get("waiver"), dict):
        out.append(f"- **Waiver:** {inline(c.waiver_text(f['waiver']))}")
    out.append("")
    return out


def _sources(doc: c.Doc) -> list[str]:
    out = [
        "| Node | Kind | Declared licence | Governing licences (concluded) | Source | Recorded | Commit |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in (doc.get("graph") or {}).get("nodes") or []:
        nid = str(n.get("id"))
        kind = c.node_kind(n, nid)
        url = c.hub_url(nid, kind)
        ident = code(nid) + (f" ({link(url, 'Hub')})" if url else "")
        declared = c.declared_licences(n)
        lic = inline(", ".join(declared)) or ("—" if kind != "api" else "terms of service")
        concluded = c.concluded_licences(doc, nid)
        governing = inline(", ".join(concluded)) or "—"
        if concluded and not c.same_licences(declared, concluded):
            governing = f"**{governing}** (differs from declared)"
        source = inline(n.get("source", ""))
        if kind == "missing" and n.get("missing_reason"):
            source += f" (missing: {inline(n['missing_reason'])})"
        if n.get("unknown_fields"):
            source += f"; not recorded: {inline(', '.join(n['unknown_fields']))}"
        revision = code(n["revision"]) if n.get("revision") else ("—" if kind == "api" else "not recorded")
        out.append(
            f"| {ident} | {inline(kind)} | {lic} | {governing} | {source} "
            f"| {inline(n.get('source_date') or '—')} | {revision} |"
        )
    src = doc.get("sources") or {}
    notes: list[str] = []
    counts = ", ".join(f"{inline(k)}: {inline(v)}" for k, v in (src.get("nodes_by_source") or {}).items())
    if counts:
        notes.append(f"Nodes by source: {counts}.")
    if src.get("snapshot_date"):
        used = (src.get("nodes_by_source") or {}).get("snapshot")
        notes.append(
            f"Embedded snapshot of {inline(src['snapshot_date'])}"
            + (f" ({inline(src['snapshot_records'])} records)" if src.get("snapshot_records") else "")
            + (", used for the nodes marked snapshot." if used else ", not used.")
        )
    if src.get("offline"):
        notes.append("Run offline (no Hub requests).")
    elif src.get("endpoint"):
        notes.append(f"Hub endpoint: {inline(src['endpoint'])}.")
    if notes:
        out += ["", " ".join(notes)]
    return out


def _section(doc: c.Doc, title_prefix: str) -> list[str]:
    q = doc.get("query") or {}
    nodes = {str(n.get("id")): n for n in (doc.get("graph") or {}).get("nodes") or []}
    verdict = str(doc.get("verdict"))
    student = q.get("student")
    is_check = isinstance(doc.get("path"), str) and bool(doc["path"])
    title = f"{code(q.get('teacher') or doc.get('root'))} → " + (code(student) if student else "student from scratch")
    if is_check and not nodes:
        title = f"{inline(doc.get('kind') or 'file')} {code(doc['path'])}"
    out = [f"## {title_prefix}{title}", ""]
    if is_check:
        line = doc.get("line")
        where = code(doc["path"]) + (f" line {line}" if isinstance(line, int) and not isinstance(line, bool) else "")
        out += [f"Checked {inline(doc.get('kind') or 'file')}: {where}", ""]
    if nodes or not is_check:  # a check of a policy file has no plan and no graph
        out += ["### Plan", ""] + _plan(q, doc, nodes) + [""]
    # `licheck check` exits by its own rules (policy strictness); a plain audit's exit code follows the verdict.
    exit_note = f" (exit code {VERDICT_EXIT[verdict]})." if verdict in VERDICT_EXIT and not is_check else "."
    out += [
        "### Verdict",
        "",
        f"**{inline(verdict.upper())}**: {inline(VERDICT_MEANING.get(verdict, ''))}{exit_note}",
    ]
    if doc.get("flags"):
        out += ["", "Flags: " + ", ".join(code(x) for x in doc["flags"])]
    out += ["", "### Obligations", ""]
    obligations = doc.get("obligations") or []
    if obligations:
        for o in obligations:
            tag = " (generic notice duty)" if o.get("generic") else ""
            out.append(f"- [ ] {inline(o.get('text'))} ({inline(o.get('rule'))} {code(o.get('clause'))}){tag}")
    elif verdict in ("forbidden", "review"):
        out.append(f"None listed: the verdict is {inline(verdict)}, so no set of obligations makes the plan allowed.")
    else:
        out.append("None.")
    questions = doc.get("open_questions") or []
    if questions:
        out += ["", "### To settle", ""]
        for q in questions:
            where = f"{inline(q.get('rule'))} {code(q.get('clause') or q.get('flag'))} on {code(q.get('node'))}"
            out.append(f"- {inline(q.get('settle'))}; ask {inline(q.get('ask'))} ({where})")
    out += ["", "### Findings", ""]
    findings = c.sorted_findings(doc)
    if not findings:
        out += ["No findings.", ""]
    for i, f in enumerate(findings, 1):
        out += _finding(i, f, nodes, doc)
    waived = list(doc.get("waived") or [])
    if waived:
        out += ["### Waived findings", "", "Accepted exceptions, listed so that nothing is hidden.", ""]
        for i, f in enumerate(waived, 1):
            out += _finding(i, f, nodes, doc)
    out += ["### Provenance", ""] + (
        _provenance(doc) if nodes else ["No provenance graph: this result is about a file."]
    )
    warnings = doc.get("warnings") or []
    if warnings:
        out += ["", "### Warnings", ""] + [f"- {inline(w)}" for w in warnings]
    out.append("")
    return out


def _provenance(doc: c.Doc) -> list[str]:
    """The Mermaid graph, the evidence behind each edge, and where each node's facts came from."""
    out = mermaid(doc)
    edges = (doc.get("graph") or {}).get("edges") or []
    if edges:
        out += ["", "| Child | Parent | Relation | Decided by | Evidence |", "|---|---|---|---|---|"]
        for e in edges:
            ev = "; ".join(
                inline(x.get("detail", "")) + (" (weak)" if x.get("weak") else "") for x in e.get("evidence") or []
            )
            out.append(
                f"| {code(e.get('child'))} | {code(e.get('parent'))} | {inline(e.get('relation'))} "
                f"| {inline(e.get('relation_source', ''))} | {ev} |"
            )
    return out + ["", "### Data sources", ""] + _sources(doc)


def render(docs: list[c.Doc]) -> str:
    """One report; several documents (e.g. from `licheck check`) become numbered sections under one header."""
    first = docs[0] if docs else {}
    out = [
        "# licheck distillation licence audit",
        "",
        f"> {c.DISCLAIMER}",
        "",
        f"Generated {inline(c.generated_at(docs))} by licheck {inline(first.get('tool_version', ''))} "
        f"(rules {inline(first.get('rules_version', ''))}, audit schema {inline(first.get('schema_version', ''))}).",
        "",
    ]
    if not docs:
        out += ["No audits.", ""]
    if len(docs) > 1:
        out += ["| # | Teacher | Student base | Verdict |", "|---|---|---|---|"]
        for i, d in enumerate(docs, 1):
            q = d.get("query") or {}
            student = code(q["student"]) if q.get("student") else "from scratch"
            out.append(f"| {i} | {code(q.get('teacher'))} | {student} | **{inline(str(d.get('verdict')).upper())}** |")
        out.append("")
    for i, d in enumerate(docs, 1):
        out += _section(d, f"{i}. " if len(docs) > 1 else "")
    return "\n".join(out).rstrip("\n") + "\n"
