"""`licheck alternatives`: teachers that would be permitted or conditional under the same plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from licheck.cli.common import (
    MAX_DEPTH,
    OFFLINE,
    REFRESH,
    REVISION,
    TIME_BUDGET,
    format_choice,
    print_notice,
    run_command,
    source_options,
)
from licheck.cli.options import plan_options
from licheck.errors import EXIT_OK

Fmt = format_choice("AltFmt", ("text", "json"))


@plan_options
def alternatives(
    teacher: str = typer.Argument(..., help="The teacher you asked about (Hub model or API model)."),
    plan: Optional[dict[str, Any]] = None,  # replaced by the plan flags (cli/options.py)
    fmt: Fmt = typer.Option(Fmt.text, "--format", help="Output format."),
    limit: int = typer.Option(10, "--limit", help="How many alternatives to list (1-1000)."),
    offline: bool = OFFLINE,
    refresh: bool = REFRESH,
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="Extra rule folder (repeatable)."),
    revision: Optional[str] = REVISION,
    max_depth: int = MAX_DEPTH,
    time_budget: Optional[float] = TIME_BUDGET,
) -> None:
    """Teachers of the same task and size class that are permitted or conditional under the same plan.

    Every suggestion is audited by the engine under your plan; candidates come from the embedded snapshot (read
    offline, no Hub request per candidate).
    """

    def body() -> int:
        from licheck import SCHEMA_VERSION, __version__, report
        from licheck.alternatives import alternatives as find
        from licheck.domain import Plan
        from licheck.errors import UsageError
        from licheck.rules import load_rules

        if not 1 <= limit <= 1000:
            raise UsageError("--limit must be between 1 and 1000")
        options = source_options(offline, refresh, max_depth, revision, rules, time_budget)
        found, session = find(Plan(teacher=teacher, **(plan or {})), options, load_rules(options.rules_dirs))
        print_notice(session)
        found.alternatives = found.alternatives[:limit]
        if fmt is Fmt.json:
            sys.stdout.write(report.dumps(found.to_json(SCHEMA_VERSION, __version__)) + "\n")
        else:
            sys.stdout.write(render_text(found))
        return EXIT_OK

    run_command(body)


def render_text(found: Any) -> str:
    """Plain lines under 80 columns: one suggestion per line, its reason indented under it."""
    import textwrap

    what = ", ".join(x for x in (found.task, found.size and f"~{found.size}") if x) or "any task"
    out = textwrap.wrap(f"Alternatives to {found.teacher} ({what}) under the same plan:", 80, break_long_words=False)
    if not found.alternatives:
        out.append(f"  none permitted or conditional among {found.considered} candidates of the {found.source}")
    for a in found.alternatives:
        out.append(f"  {a.verdict.upper():<11} {a.id}" + (f"  [{a.size}]" if a.size else ""))
        out += textwrap.wrap(a.why, 80, initial_indent=" " * 14, subsequent_indent=" " * 14, break_long_words=False)
    tail = f"({found.considered} candidates audited, from the {found.source}; "
    tail += "`licheck audit ID` lists each one's obligations)"
    out += textwrap.wrap(tail, 80, break_long_words=False)
    return "\n".join(out) + "\n"
