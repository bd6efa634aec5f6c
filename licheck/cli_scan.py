"""`licheck scan`: evaluate a whole dump of Hub records (registered on the main app).

Only typer and the main app are imported at load time; the scan machinery is imported when the command runs.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from licheck.cli import MAX_DEPTH, Method, Use, _run, app


class ScanFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def scan(
    dump: Path = typer.Argument(..., help="Hub model records: JSON Lines (one API answer per line) or Parquet."),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Write per-model results here as JSON Lines (atomically)."
    ),
    fmt: ScanFormat = typer.Option(ScanFormat.text, "--format", help="Summary format."),
    student: Optional[str] = typer.Option(None, "--student", help="Student base model, read from the dump."),
    use: Use = typer.Option(Use.commercial, "--use", help="Intended use of the student."),
    internal: bool = typer.Option(False, "--internal", help="The student is never distributed."),
    method: Method = typer.Option(Method.outputs, "--method", help="What of each teacher trains the student."),
    mau: Optional[int] = typer.Option(None, "--mau", min=0, help="Licensee's monthly active users."),
    monthly_revenue: Optional[int] = typer.Option(None, "--monthly-revenue", min=0, help="Monthly revenue, USD."),
    annual_revenue: Optional[int] = typer.Option(None, "--annual-revenue", min=0, help="Annual revenue, USD."),
    eu: Optional[bool] = typer.Option(None, "--eu/--no-eu", help="Licensee is (not) domiciled in the EU."),
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

    Each verdict equals `licheck audit ID --offline` with the dump as the only data. Exit 0, or 2 on an error.
    """

    def body() -> int:
        import json
        import sys

        from licheck.errors import UsageError
        from licheck.rules import load_rules
        from licheck.scan import default_plan, progress_bar, render_text, run_scan

        if max_depth < 0 or max_depth > 10_000:
            raise UsageError("--max-depth must be between 0 and 10000")
        if output is not None and output.resolve() == dump.resolve():
            raise UsageError("--output must not be the dump itself")
        plan = default_plan(
            student=student,
            use=use.value,
            internal=internal,
            method=method.value,
            mau=mau,
            monthly_revenue=monthly_revenue,
            annual_revenue=annual_revenue,
            eu=eu,
        )
        ruleset = load_rules(list(rules or []))
        update, stop = progress_bar()
        try:
            summary = run_scan(
                str(dump),
                plan,
                ruleset,
                output=str(output) if output else None,
                max_depth=max_depth,
                workers=workers,
                top=top,
                verify=verify,
                progress=update,
            )
        finally:
            stop()
        if fmt is ScanFormat.json:
            sys.stdout.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(render_text(summary))
        return 0

    _run(body)
