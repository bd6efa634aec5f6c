"""Text a person reads in a terminal: verdict and to-do list first, the evidence after, wrapped to the width.

Built from the same JSON documents as every other format (report.audit_json / report.chain_json). Each finding
wraps under its own indent; URLs and other long words are never split (a URL longer than the line stands alone on
its line). Card and rule strings pass textsafe.clean, so control characters are shown, never obeyed.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
import time
from typing import Any

from licheck.formats._common import DISCLAIMER
from licheck.textsafe import clean

DEFAULT_WIDTH = 80
_ORDER = {"forbid": 0, "review": 1, "obligation": 2, "info": 3, "permit": 4}
_COLOUR = {"forbid": "31", "review": "35", "obligation": "33", "permit": "32", "info": "2"}
_VERDICT_COLOUR = {"permitted": "1;32", "conditional": "1;33", "review": "1;35", "forbidden": "1;31"}
SHORT_QUOTE = 240  # characters of a forbid/review quote shown without --verbose


def width() -> int:
    """COLUMNS if set, else the terminal's width, else (not a terminal) 80; never below 40."""
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 0:
        return max(40, int(cols))
    if sys.stdout.isatty():
        return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)
    return DEFAULT_WIDTH


def wrap(text: object, indent: str, cols: int, first: str | None = None) -> list[str]:
    """`text` cleaned and wrapped at spaces only: continuation lines keep `indent`; URLs stay whole."""
    return textwrap.wrap(
        " ".join(clean(text).split()),
        width=cols,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [(indent if first is None else first).rstrip()]


def _paint(text: str, code: str | None, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour and code else text


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def render(docs: list[dict[str, Any]], verbose: bool = False) -> str:
    """One or more audit documents as text; `verbose` adds every finding's full quote."""
    cols, colour = width(), _colour()
    blocks = ["\n".join(_audit_lines(doc, cols, colour, verbose)) for doc in docs]
    return "\n\n".join(blocks) + "\n"


def render_chain(doc: dict[str, Any]) -> str:
    cols = width()
    lines = _tree_lines(doc["graph"], doc["root"], cols) + _sources_lines(doc.get("sources") or {}, cols)
    for w in doc.get("warnings") or []:
        lines += wrap(w, "    ", cols, first="warning: ")
    return "\n".join(lines) + "\n"


# -- audit ----------------------------------------------------------------------------------------------------------
def _plan_text(q: dict[str, Any]) -> tuple[str, str]:
    student = f"student base {q['student']}" if q.get("student") else "student trained from scratch"
    plan = (
        f"{q['teacher']} -> {student}; use {q['use']}, {'internal only' if q.get('internal') else 'distributed'}, "
        f"method {q['method']}"
    )
    facts = [
        f"MAU {q['mau']:,}" if q.get("mau") is not None else None,
        f"monthly revenue ${q['monthly_revenue']:,}" if q.get("monthly_revenue") is not None else None,
        f"annual revenue ${q['annual_revenue']:,}" if q.get("annual_revenue") is not None else None,
        ("EU-domiciled" if q["eu"] else "not EU-domiciled") if q.get("eu") is not None else None,
    ]
    return plan, ", ".join(f for f in facts if f)


def _head(f: dict[str, Any]) -> str:
    head = f["rule"] + (f" {f['clause']}" if f.get("clause") else "")
    return head + (f" (section {f['section']})" if f.get("section") else "")


def _audit_lines(doc: dict[str, Any], cols: int, colour: bool, verbose: bool) -> list[str]:
    verdict = doc["verdict"]
    plan, facts = _plan_text(doc["query"])
    label = _paint(verdict.upper(), _VERDICT_COLOUR.get(verdict), colour)
    out = wrap(plan, "    ", cols, first=f"{verdict.upper()}: ")
    out[0] = label + out[0][len(verdict) :]
    if facts:
        out += wrap(facts, "    ", cols, first="    licensee: ")
    out += _settle_lines(doc.get("open_questions") or [], cols)
    obligations = doc.get("obligations") or []
    todo: dict[str, int] = {}
    if obligations:
        out += ["", f"To do ({len(obligations)}):"]
        for n, o in enumerate(obligations, 1):
            tag = f"[{o['rule']} {o['clause']}" + (", generic notice duty]" if o.get("generic") else "]")
            out += wrap(f"{o['text']} {tag}", "    ", cols, first=f"{n:>2}. ")
            todo.setdefault(o["text"], n)
    generic = {(o["rule"], o["clause"]) for o in obligations if o.get("generic")}
    findings = sorted(
        doc.get("findings") or [],
        key=lambda f: (_ORDER.get(f["effect"], 9), (f["rule"], f.get("clause")) in generic),
    )
    shown = [f for f in findings if f["effect"] != "permit"]
    permits = [f for f in findings if f["effect"] == "permit"]
    out += ["", "Findings:"]
    if not shown:
        out.append("  (no restrictions found)")
    for group in _grouped(shown):
        out += _finding_lines(group, cols, colour, verbose, todo)
    if permits:
        out += ["", "Permissions relied on:"]
        for group in _grouped(permits):
            out += _finding_lines(group, cols, colour, verbose, todo)
    urls: dict[str, list[str]] = {}
    for f in findings:
        if f.get("url") and f["rule"] not in urls.setdefault(f["url"], []):
            urls[f["url"]].append(f["rule"])
    if urls:
        out += ["", "Texts quoted (primary sources):"]
        for url, rules in urls.items():
            out += wrap(", ".join(rules) + ":", "    ", cols, first="  ") + _url_lines(url, "    ", cols)
    graph = doc["graph"]
    out += ["", "Provenance:"] + _tree_lines(graph, doc["root"], cols)
    student = doc["query"].get("student")
    ids = {e["child"] for e in graph["edges"]} | {n["id"] for n in graph["nodes"]}
    if student and student in ids and student != doc["root"]:
        out += _tree_lines(graph, student, cols)
    out += _sources_lines(doc.get("sources") or {}, cols)
    for w in doc.get("warnings") or []:
        out += wrap(w, "    ", cols, first="warning: ")
    out += _alternatives_lines(doc, cols)
    out += [""] + wrap(DISCLAIMER, "", cols)
    return out


def _settle_lines(questions: list[dict[str, Any]], cols: int) -> list[str]:
    """A review's open questions: what fact or document would settle each, and whom to ask (engine/settle.py)."""
    if not questions:
        return []
    out = ["", f"To settle ({len(questions)}):"]
    for n, q in enumerate(questions, 1):
        where = f"{q['rule']} {q['clause']}" if q.get("clause") else f"{q['rule']} {q.get('flag') or ''}".strip()
        out += wrap(f"{q['settle']}; ask {q['ask']} [{where} on {q['node']}]", "    ", cols, first=f"{n:>2}. ")
    return out


def _alternatives_lines(doc: dict[str, Any], cols: int) -> list[str]:
    """On a forbidden or review answer, the allowed teachers first found (engine.alternatives) and how to see more."""
    if "alternatives" not in doc:
        return []
    out = ["", "Allowed instead, under the same plan:"]
    if not doc["alternatives"]:
        out.append("  (no permitted or conditional teacher of the same task and size found in the snapshot)")
    for a in doc["alternatives"]:
        out += wrap(f"{a['verdict'].upper()} {a['id']}: {a['why']}", "      ", cols, first="  ")
    if doc.get("alternatives_command"):
        out += wrap(f"more: {doc['alternatives_command']}", "    ", cols, first="  ")
    return out


def render_alternatives(doc: dict[str, Any]) -> str:
    """`licheck alternatives` as text: one suggestion per line, its reason wrapped under it."""
    cols = width()
    what = ", ".join(x for x in (doc["task"], doc["size"] and f"~{doc['size']}") if x) or "any task"
    out = wrap(f"Alternatives to {doc['teacher']} ({what}) under the same plan:", "  ", cols, first="")
    if not doc["alternatives"]:
        out.append(f"  none permitted or conditional among {doc['considered']} candidates of the {doc['source']}")
    for a in doc["alternatives"]:
        out.append(f"  {a['verdict'].upper():<11} {a['id']}" + (f"  [{a['size']}]" if a["size"] else ""))
        out += wrap(a["why"], " " * 14, cols)
    tail = f"({doc['considered']} candidates audited, from the {doc['source']}; `licheck audit ID` lists each one's"
    out += wrap(tail + " obligations)", "", cols)
    return "\n".join(out) + "\n"


def _grouped(findings: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Findings that say the same thing (same clause, reason, quote and plan facts) about several nodes, together."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for f in findings:
        key = tuple(str(f.get(k)) for k in ("effect", "rule", "clause", "section", "reason", "quote", "rule_file"))
        groups.setdefault(key + (tuple(f.get("triggered_by") or ()),), []).append(f)
    return list(groups.values())


def _finding_lines(
    group: list[dict[str, Any]], cols: int, colour: bool, verbose: bool, todo: dict[str, int]
) -> list[str]:
    f = group[0]
    effect = f["effect"]
    label = effect.upper()
    ind = "    "
    if len(group) == 1:
        lines = wrap(f"{label} {_head(f)} on {f['node']}", "      ", cols, first="  ")
        if len(f.get("path") or []) > 1:
            lines += wrap(" -> ".join(f["path"]), ind + "      ", cols, first=ind + "path: ")
    else:
        lines = wrap(f"{label} {_head(f)}", "      ", cols, first="  ")
        nodes = [g["node"] + (f" (via {g['path'][-2]})" if len(g.get("path") or []) > 1 else "") for g in group]
        lines += wrap("; ".join(nodes), ind + "    ", cols, first=ind + "on: ")
    lines[0] = "  " + _paint(label, _COLOUR.get(effect), colour) + lines[0][2 + len(label) :]
    if f["reason"] in todo and effect == "obligation":
        lines.append(f"{ind}why: to-do {todo[f['reason']]} above")
    elif effect != "permit":
        lines += wrap(f["reason"], ind + "     ", cols, first=ind + "why: ")
    quote = f.get("quote")
    if quote and (verbose or effect in ("forbid", "review")):
        q = quote if verbose or len(quote) <= SHORT_QUOTE else quote[: SHORT_QUOTE - 3].rstrip() + "..."
        lines += wrap(f"\u201c{q}\u201d", ind + " ", cols, first=ind)
    if f.get("rule_file"):
        org = f"{f['rule_file']} (organisation rule, not the packaged library)"
        lines += wrap(org, ind + "  ", cols, first=ind + "rule file: ")
    if f.get("triggered_by") and effect != "permit":
        lines += wrap(", ".join(f["triggered_by"]), ind + "  ", cols, first=ind + "plan facts: ")
    return lines


def _url_lines(url: str, indent: str, cols: int) -> list[str]:
    """A URL on its own line, never split (a URL longer than the line is the one thing that may exceed it)."""
    return [indent + clean(url)]


# -- provenance tree ------------------------------------------------------------------------------------------------
def _licence_label(node: dict[str, Any]) -> str:
    lic = node.get("license") or {}
    card = lic.get("license")
    parts = list(card) if isinstance(card, list) else ([card] if card else [])
    parts = parts or [f"tag:{t}" for t in lic.get("tags") or []]
    if lic.get("license_name"):
        parts.append(f"name={lic['license_name']}")
    if not parts and lic.get("gated_prompt_head"):
        parts.append(f"gate: {lic['gated_prompt_head'][:40]}")
    return ", ".join(parts) if parts else "no licence declared"


def _source_label(node: dict[str, Any]) -> str:
    if node["kind"] == "missing":
        return f"missing: {node.get('missing_reason')}"
    if node["kind"] == "api":
        return f"API ({node.get('provider') or 'unknown provider'})"
    label = node.get("source", "")
    if node.get("source_date"):
        label += f" {node['source_date']}"
    if node.get("revision"):
        label += f" @{node['revision'][:10]}"
    return label


def _tree_lines(graph: dict[str, Any], root: str, cols: int) -> list[str]:
    nodes = {n["id"]: n for n in graph["nodes"]}
    by_child: dict[str, list[dict[str, Any]]] = {}
    for e in graph["edges"]:
        by_child.setdefault(e["child"], []).append(e)

    def label(nid: str) -> str:
        node = nodes.get(nid)
        return nid if node is None else f"{nid} [{_licence_label(node)}] ({_source_label(node)})"

    out = wrap(label(root), "    ", cols, first="")
    seen = {root}

    def grow(nid: str, prefix: str, depth: int) -> None:
        edges = by_child.get(nid, [])
        for i, e in enumerate(edges):
            last = i == len(edges) - 1
            branch, cont = ("└── ", "    ") if last else ("├── ", "│   ")
            ev = e["evidence"][0]["detail"] if e.get("evidence") else ""
            ev = ev if len(ev) < 90 else ev[:87] + "..."
            text = f"{e['relation']} ({e['relation_source']}: {ev}) {label(e['parent'])}"
            out.extend(wrap(text, prefix + cont + "    ", cols, first=prefix + branch))
            if e["parent"] not in seen and depth < 50:
                seen.add(e["parent"])
                grow(e["parent"], prefix + cont, depth + 1)
            elif e["parent"] in seen:
                out.append(prefix + cont + "└── (already shown)")

    grow(root, "", 0)
    return out


def _sources_lines(sources: dict[str, Any], cols: int) -> list[str]:
    by_source = sources.get("nodes_by_source") or {}
    line = "data: " + ", ".join(f"{k}: {v}" for k, v in by_source.items())
    if by_source.get("snapshot"):
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
    return wrap(line, "    ", cols, first="")


def _age_days(date: Any) -> int | None:
    if not isinstance(date, str):
        return None
    try:
        then = time.mktime(time.strptime(date[:10], "%Y-%m-%d"))
    except ValueError:
        return None
    return max(0, int((time.time() - then) // 86400))
