"""`licheck scan`: evaluate a whole dump of Hub records.

Only typer and `cli.common`/`cli.options` are imported at load time; the scan machinery is imported when the
command runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

import typer

from licheck.cli.common import MAX_DEPTH, format_choice, run_command
from licheck.cli.options import plan_options
from licheck.formats import choices

ScanFormat = format_choice("ScanFormat", choices("scan"))


@plan_options
def scan(
    dump: Path = typer.Argument(..., help="Hub model records: JSON Lines (one API answer per line) or Parquet."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write per-model results here as JSON Lines (atomically)."
    ),
    fmt: ScanFormat = typer.Option(ScanFormat.text, "--format", help="Summary format."),
    plan: Optional[dict[str, Any]] = None,  # replaced by the plan flags (cli/options.py)
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="Extra rule folder (repeatable)."),
    max_depth: int = MAX_DEPTH,
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Parser processes for JSON Lines."),
    top: int = typer.Option(15, "--top", min=1, help="How many drift patterns and unknown licences to list."),
    verify: int = typer.Option(
        200, "--verify", min=0, help="Audit this many sampled models again with the full engine (0: off)."
    ),
) -> None:
    """Evaluate every model of a dump as a teacher: ancestry, licences, drift and verdict for one plan.

    Same plan flags as `audit`; default: distill outputs into a commercially distributed student trained from scratch.

    Each verdict equals `licheck audit ID --offline` with the dump as the only data. Exit 0; 2 on an error, also
    when the dump has no readable record.
    """

    def body() -> int:
        import json
        import sys

        from licheck.errors import UsageError
        from licheck.rules.ruleset import load_rules
        from licheck.scan import default_plan, progress_bar, render_text, run_scan

        if max_depth < 0 or max_depth > 10_000:
            raise UsageError("--max-depth must be between 0 and 10000")
        if output is not None and output.resolve() == dump.resolve():
            raise UsageError("--output must not be the dump itself")
        scan_plan = default_plan(**(plan or {}))
        ruleset = load_rules(list(rules or []))
        # Results go to a temporary file next to --output and replace it only after a scan that read a record.
        staged = output.with_name(f".{output.name}.licheck-partial") if output is not None else None
        update, stop = progress_bar()
        try:
            summary = run_scan(
                str(dump),
                scan_plan,
                ruleset,
                output=str(staged) if staged else None,
                max_depth=max_depth,
                workers=workers,
                top=top,
                verify=verify,
                progress=update,
            )
            if not summary["records"]:
                raise UsageError(_no_record(dump, summary))
            if staged is not None:
                os.replace(staged, output)
                summary["output"] = str(output)
        finally:
            stop()
            if staged is not None and staged.exists():
                staged.unlink()
        if fmt is ScanFormat.json:
            sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(render_text(summary))
        return 0

    run_command(body)


def _no_record(dump: Path, summary: dict[str, Any]) -> str:
    """One line: the dump had no readable record (an empty file, or every line unreadable: the first reason)."""
    bad = summary.get("unreadable_lines") or 0
    if not bad:
        return f"{dump}: no record in the file"
    first = (summary.get("unreadable_examples") or [{}])[0].get("error", "")
    return f"{dump}: no readable record ({bad} unreadable line{'s' if bad != 1 else ''}; first: {first})"
