"""The check report as text a person reads in a pre-commit or CI log: one line per result, its findings below."""

from __future__ import annotations

from typing import Any

from licheck.check.results import CheckFinding, CheckReport
from licheck.textsafe import clean_lines

_ORDER = {"forbid": 0, "review": 1, "obligation": 2, "info": 3, "permit": 4}


def render_text(report: CheckReport) -> str:
    """Plain text (no colour: it is read in pre-commit and CI logs)."""
    out: list[str] = []
    s = report.summary()
    head = f"licheck check: {s['results']} result(s)"
    if s["by_kind"]:
        head += " (" + ", ".join(f"{n} {k}" for k, n in s["by_kind"].items()) + ")"
    head += f"; policy {s['policy'] or 'none (built-in defaults)'}, strictness {s['strictness']}"
    head += ", review fails" if report.review_fails else ""
    head += "; offline" if report.offline else ""
    out.append(head)
    for r in report.results:
        where = f"{r.path}:{r.line}" if r.line else r.path
        label = "ERROR" if r.error else r.verdict.upper()
        out.append(f"{label:<12} {r.kind:<6} {where}  {r.subject}" + (f"  [{r.detail}]" if r.detail else ""))
        if r.error:
            out.append(f"    error: {r.error}")
        shown = sorted(
            (f for f in r.findings if f.finding.effect in ("forbid", "review", "info")),
            key=lambda f: (not f.violation, _ORDER.get(f.finding.effect, 9)),
        )
        for cf in shown:
            out += _finding_lines(cf, "VIOLATION" if cf.violation else cf.finding.effect.upper())
        for o in r.obligations:
            if not o.get("generic"):
                out.append(f"    must: {o['text']} ({o['rule']} {o['clause']})")
        for cf in r.waived:
            w = cf.waiver
            tag = f"WAIVED ({w.reason}, {w.ticket}, {w.approver}, until {w.expires.isoformat()})" if w else "WAIVED"
            out += _finding_lines(cf, tag)
    out.append(summary_line(s))
    if any(r.verdict == "review" for r in report.results) and not report.review_fails:
        out.append("(review does not fail the check; use --strict or strictness: paranoid to make it fail)")
    return clean_lines(out)


def summary_line(s: dict[str, Any]) -> str:
    """The last line, from CheckReport.summary(): counts per verdict, violations, waivers, errors, exit code."""
    verdicts = ", ".join(f"{n} {v}" for v, n in s["by_verdict"].items() if n)
    tail = f"summary: {verdicts or 'nothing to check'}; {s['violations']} violation(s), {s['waived']} waived"
    if s["errors"]:
        tail += f", {s['errors']} error(s)"
    return tail + f"; exit {s['exit_code']}"


def _finding_lines(cf: CheckFinding, label: str) -> list[str]:
    f = cf.finding
    head = f"{f.rule}" + (f" {f.clause}" if f.clause else "") + (f" (section {f.section})" if f.section else "")
    where = f" at {cf.location.uri}:{cf.location.line}" if cf.location and cf.location.line else ""
    lines = [f"    {label} {head} on {f.node}{where}", f"        {f.reason}"]
    if f.rule_file:
        lines.append(f"        rule file: {f.rule_file}")
    if f.quote and f.effect == "forbid":
        q = f.quote if len(f.quote) < 300 else f.quote[:297] + "..."
        lines.append(f"        \u201c{q}\u201d")
    return lines
