"""What a person sees of a scan: the text summary and a progress bar on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def render_text(summary: dict[str, Any]) -> str:
    """The human summary: counts per verdict, drift patterns, unknown licences, how the work was done."""
    lines = [
        f"licheck scan {summary['dump']}: {summary['models']:,} models ({summary['records']:,} records"
        f", {summary['duplicate_ids']:,} duplicate ids, {summary['unreadable_lines']:,} unreadable lines)"
    ]
    plan = summary["plan"]
    lines.append(
        f"plan: use={plan['use']} method={plan['method']} "
        f"{'internal' if plan['internal'] else 'distributed'} student={plan['student'] or '(from scratch)'}"
    )
    lines.append("")
    lines.append("verdicts")
    total = max(1, summary["models"])
    for v, c in summary["verdicts"].items():
        lines.append(f"  {v:<12} {c:>10,}  {100 * c / total:5.1f}%")
    lines.append("")
    lines.append("most common licence drift (declared licence over an ancestor's)")
    for d in summary["drift_patterns"] or [{"pattern": "(none)", "models": 0}]:
        lines.append(f"  {d['models']:>10,}  {d['pattern']}")
    lines.append("")
    lines.append("unknown licences, by models affected (the licence is in their ancestry)")
    for u in summary["unknown_licenses"] or [{"license": "(none)", "models": 0}]:
        lines.append(f"  {u['models']:>10,}  {u['license']}")
    lines.append(f"  {summary['undeclared_licence_in_ancestry']:>10,}  models with an undeclared licence in ancestry")
    s = summary["stats"]
    lines.append("")
    lines.append(
        f"work: {s['routes']}; {s['classes']} classes, {s['closure_states']:,} closure states, "
        f"{s['signatures']} signatures, {s['auditor_runs']} Auditor runs; "
        f"{s['seconds']['total']} s (read {s['seconds']['read']}, ancestry {s['seconds']['ancestry']}, "
        f"verdicts {s['seconds']['verdicts']})"
    )
    lines.append(f"self-check: {summary['verified']} sampled models audited again, all equal")
    if summary["output"]:
        lines.append(f"per-model results: {summary['output']}")
    from licheck.textsafe import clean_lines

    return clean_lines(lines)


def progress_bar() -> tuple[Callable[[str, int, int], None], Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal; otherwise a no-op."""
    if not sys.stderr.isatty():
        return (lambda _phase, _done, _total: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    bar.start()
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        t = tasks.get(phase)
        if t is None:
            t = tasks[phase] = bar.add_task(phase, total=max(total, 1))
        bar.update(t, completed=done, total=max(total, 1))

    return update, bar.stop
