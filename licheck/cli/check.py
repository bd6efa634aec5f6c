"""`licheck check`: check a repository's model cards and distillation plans.

Only typer and `cli.common` are imported at load time: `licheck --help` and the other commands must not pay for
the check machinery.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from licheck.cli.common import MAX_DEPTH, REFRESH, format_choice, run_command
from licheck.formats import choices

CheckFormat = format_choice("CheckFormat", choices("check"))


def check(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Model cards (README.md), folders or licheck.yaml to check (default: the current folder)."
    ),
    fmt: CheckFormat = typer.Option(CheckFormat.text, "--format", help="Output format."),
    offline: bool = typer.Option(
        False,
        "--offline/--online",
        help="--offline: only the cache and the embedded snapshot, never the network (what the pre-commit hooks "
        "use); --online: ask the Hub, falling back to cache and snapshot.",
    ),
    strict: bool = typer.Option(False, "--strict", help="A `review` verdict fails the check too (exit 3)."),
    scan_code: bool = typer.Option(
        False, "--scan-code", help="Also report Hub models loaded in Python code (from_pretrained, hf_hub_download...)."
    ),
    policy: Optional[Path] = typer.Option(
        None,
        "--policy",
        help="Policy file (default: licheck.yaml, else \\[tool.licheck] in pyproject.toml, searched upwards).",
    ),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="Extra rule folder (repeatable)."),
    refresh: bool = REFRESH,
    max_depth: int = MAX_DEPTH,
) -> None:
    """Check model cards, licheck.yaml plans (and code) of a repository.

    Exit 0 ok, 1 forbidden or a policy violation, 3 review under --strict (or strictness: paranoid), 2 error.
    """

    def body() -> int:
        from licheck.check import run_check

        return run_check(
            [str(p) for p in paths or []],
            fmt.value,
            offline=offline,
            strict=strict,
            scan_code=scan_code,
            policy=str(policy) if policy is not None else None,
            rules=[str(r) for r in rules or []],
            refresh=refresh,
            max_depth=max_depth,
        )

    run_command(body)
