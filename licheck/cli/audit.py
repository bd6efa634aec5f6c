"""`licheck chain` and `licheck audit`: one model's provenance graph, and the verdict on one distillation plan."""

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
from licheck.errors import EXIT_OK, VERDICT_EXIT

Fmt = format_choice("Fmt", ("text", "json", "markdown", "sarif", "cyclonedx", "spdx"))
FORMAT = typer.Option(Fmt.text, "--format", help="Output format.")


def chain(
    model_id: str = typer.Argument(..., help="org/name, datasets/org/name, api:provider/model or ./local-folder"),
    fmt: Fmt = FORMAT,
    offline: bool = OFFLINE,
    refresh: bool = REFRESH,
    max_depth: int = MAX_DEPTH,
    revision: Optional[str] = REVISION,
    time_budget: Optional[float] = TIME_BUDGET,
) -> None:
    """Show the provenance graph of a model: every model, dataset and API it came from."""

    def body() -> int:
        from licheck import report, service

        if fmt not in (Fmt.text, Fmt.json):
            from licheck.errors import UsageError

            raise UsageError("licheck chain supports --format text or json")
        options = source_options(offline, refresh, max_depth, revision, None, time_budget)
        graph, session = service.chain(model_id, options)
        print_notice(session)
        sources = session.sources_summary(graph)
        if fmt is Fmt.json:
            sys.stdout.write(report.dumps(report.chain_json(graph, sources)) + "\n")
        else:
            report.print_chain(graph, sources)
        return EXIT_OK

    run_command(body)


@plan_options
def audit(
    teacher: str = typer.Argument(
        ..., help="Teacher: Hub model, datasets/ORG/NAME, or API model (openai/gpt-4o, api:...)"
    ),
    plan: Optional[dict[str, Any]] = None,  # replaced by the plan flags (cli/options.py)
    fmt: Fmt = FORMAT,
    offline: bool = OFFLINE,
    refresh: bool = REFRESH,
    rules: Optional[list[Path]] = typer.Option(
        None, "--rules", help="Extra rule folder (repeatable); overrides rule ids."
    ),
    revision: Optional[str] = REVISION,
    max_depth: int = MAX_DEPTH,
    time_budget: Optional[float] = TIME_BUDGET,
) -> None:
    """May I distill TEACHER into a student? Exit 0 permitted/conditional, 1 forbidden, 3 review, 2 error."""

    def body() -> int:
        from licheck import report, service
        from licheck.domain import Plan
        from licheck.rules import load_rules

        options = source_options(offline, refresh, max_depth, revision, rules, time_budget)
        ruleset = load_rules(options.rules_dirs)
        verdict, session = service.audit(Plan(teacher=teacher, **(plan or {})), options, ruleset)
        print_notice(session)
        sources = session.sources_summary(verdict.graph)
        if fmt is Fmt.json:
            sys.stdout.write(report.dumps(report.audit_json(verdict, sources, ruleset.version)) + "\n")
        elif fmt is Fmt.text:
            report.print_audit(verdict, sources)
        else:
            from licheck import formats

            sys.stdout.write(formats.render(fmt.value, [report.audit_json(verdict, sources, ruleset.version)]))
        return VERDICT_EXIT[verdict.verdict]

    run_command(body)
