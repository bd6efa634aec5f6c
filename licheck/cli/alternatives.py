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
        from licheck.domain import Plan
        from licheck.engine.alternatives import alternatives as find
        from licheck.errors import UsageError
        from licheck.formats.text import render_alternatives
        from licheck.rules.ruleset import load_rules

        if not 1 <= limit <= 1000:
            raise UsageError("--limit must be between 1 and 1000")
        options = source_options(offline, refresh, max_depth, revision, rules, time_budget)
        found, session = find(Plan(teacher=teacher, **(plan or {})), options, load_rules(options.rules_dirs))
        print_notice(session)
        found.alternatives = found.alternatives[:limit]
        doc = found.to_json(SCHEMA_VERSION, __version__)
        sys.stdout.write(report.dumps(doc) + "\n" if fmt is Fmt.json else render_alternatives(doc))
        return EXIT_OK

    run_command(body)
