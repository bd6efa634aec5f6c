"""The check report as text a person reads in a pre-commit or CI log: one line per result, its findings below."""

from __future__ import annotations

from licheck.check.results import CheckFinding, CheckReport
from licheck.errors import EXIT_ERROR, EXIT_FORBIDDEN, EXIT_REVIEW
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
        for q in r.open_questions():
            out.append(f"    to settle: {q['settle']}; ask {q['ask']}")
        said = {(cf.finding.rule, cf.finding.clause) for cf in shown}
        for d in r.duties:
            if (d["rule"], d["clause"]) in said:
                continue  # a missing duty is already a finding above, with its quote; JSON keeps the duty list
            kind = "duty" if d["required"] else ("recommended" if d.get("recommended_by") else "generic duty")
            out.append(f"    {kind} {d['status']}: {d['duty']}: {d['detail']} ({d['rule']} {d['clause']})")
        for cf in r.waived:
            w = cf.waiver
            tag = f"WAIVED ({w.reason}, {w.ticket}, {w.approver}, until {w.expires.isoformat()})" if w else "WAIVED"
            out += _finding_lines(cf, tag)
    out.append(summary_line(report))
    if any(r.verdict == "review" for r in report.results) and not report.review_fails:
        out.append("(review does not fail the check; use --strict or strictness: paranoid to make it fail)")
    return clean_lines(out)


_NOUNS = {"card": "model card", "plan": "plan", "code": "model loaded in code", "policy": "policy entry"}
_NOUNS["lock"] = "lock file"  # the licheck.lock comparison (licheck.lock.hook)
_PLURALS = {"model loaded in code": "models loaded in code", "policy entry": "policy entries"}
_FAILS = {EXIT_FORBIDDEN: "forbidden", EXIT_ERROR: "error", EXIT_REVIEW: "review fails"}


def summary_line(report: CheckReport) -> str:
    """The last line, a sentence: what each kind of result came to, then whether the check fails and its exit code
    (e.g. `summary: 1 plan forbidden, 2 model cards permitted; the check fails (forbidden): exit 1`)."""
    counts: dict[tuple[str, str], int] = {}
    for r in report.results:
        key = (r.kind, "could not be checked" if r.error else r.verdict)
        counts[key] = counts.get(key, 0) + 1
    parts = []
    for (kind, verdict), n in counts.items():
        noun = _NOUNS.get(kind, kind)
        parts.append(f"{n} {noun if n == 1 else _PLURALS.get(noun, noun + 's')} {verdict}")
    s = report.summary()
    extra = [f"{s['violations']} policy violation{'s' if s['violations'] != 1 else ''}"] if s["violations"] else []
    extra += [f"{s['waived']} waived"] if s["waived"] else []
    code = report.exit_code
    outcome = f"the check fails ({_FAILS[code]})" if code in _FAILS else "the check passes"
    return "; ".join(["summary: " + (", ".join(parts) or "nothing to check"), *extra, f"{outcome}: exit {code}"])


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
