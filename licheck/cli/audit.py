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
from licheck.formats import choices

Fmt = format_choice("Fmt", choices("audit"))
ChainFmt = format_choice("ChainFmt", choices("chain"))


def chain(
    model_id: str = typer.Argument(..., help="org/name, datasets/org/name, api:provider/model or ./local-folder"),
    fmt: ChainFmt = typer.Option("text", "--format", help="Output format."),
    offline: bool = OFFLINE,
    refresh: bool = REFRESH,
    max_depth: int = MAX_DEPTH,
    revision: Optional[str] = REVISION,
    time_budget: Optional[float] = TIME_BUDGET,
) -> None:
    """Show the provenance graph of a model: every model, dataset and API it came from."""

    def body() -> int:
        from licheck import report, service

        options = source_options(offline, refresh, max_depth, revision, None, time_budget)
        graph, session = service.chain(model_id, options)
        print_notice(session)
        doc = report.chain_json(graph, session.sources_summary(graph))
        if fmt.value == "json":
            sys.stdout.write(report.dumps(doc) + "\n")
        else:
            from licheck.formats.text import render_chain

            sys.stdout.write(render_chain(doc))
        return EXIT_OK

    run_command(body)


@plan_options
def audit(
    teacher: str = typer.Argument(
        ..., help="Teacher: Hub model, datasets/ORG/NAME, or API model (openai/gpt-4o, api:...)"
    ),
    plan: Optional[dict[str, Any]] = None,  # replaced by the plan flags (cli/options.py)
    fmt: Fmt = typer.Option("text", "--format", help="Output format."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Text: quote every clause in full."),
    alternatives: bool = typer.Option(
        False,
        "--alternatives",
        help="Add teachers allowed under the same plan (text adds three on a forbidden or review answer anyway).",
    ),
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
        from licheck import formats, report, service
        from licheck.domain import Plan
        from licheck.rules.ruleset import load_rules

        options = source_options(offline, refresh, max_depth, revision, rules, time_budget)
        ruleset = load_rules(options.rules_dirs)
        verdict, session = service.audit(Plan(teacher=teacher, **(plan or {})), options, ruleset)
        print_notice(session)
        doc = report.audit_json(verdict, session.sources_summary(verdict.graph), ruleset.version)
        if alternatives or (fmt.value == "text" and verdict.verdict in ("forbidden", "review")):
            _add_alternatives(doc, verdict.plan, options, ruleset, 10 if alternatives else 3)
        sys.stdout.write(formats.render(fmt.value, [doc], verbose=verbose))
        return VERDICT_EXIT[verdict.verdict]

    run_command(body)


def _add_alternatives(doc: dict[str, Any], plan: Any, options: Any, ruleset: Any, limit: int) -> None:
    """The first allowed teachers under the same plan (each audited by the engine), and the command for more."""
    import shlex

    from licheck.engine.alternatives import alternatives
    from licheck.engine.facts import command_flags

    found, _session = alternatives(plan, options, ruleset)
    doc["alternatives"] = [a.to_json() for a in found.alternatives[:limit]]
    doc["alternatives_command"] = shlex.join(["licheck", "alternatives", plan.teacher, *command_flags(plan)])
