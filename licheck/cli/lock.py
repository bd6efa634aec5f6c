"""`licheck lock`: pin a repository's approved provenance in licheck.lock, re-pin it, or verify it (CI).

Only typer and `cli.common` are imported at load time; the check and lock machinery when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from licheck.cli.common import MAX_DEPTH, run_command


def lock(
    paths: Optional[list[Path]] = typer.Argument(
        None, help="Model cards, folders or licheck.yaml, as for `licheck check` (default: the current folder)."
    ),
    update: bool = typer.Option(
        False, "--update", help="Re-pin after a person has reviewed the differences (rewrites licheck.lock)."
    ),
    check: bool = typer.Option(
        False, "--check", help="CI: never write; exit 1 when licheck.lock is missing or differs from the repository."
    ),
    offline: bool = typer.Option(
        False,
        "--offline/--online",
        help="--offline: pin from the cache and the embedded snapshot (says it could not revalidate live); "
        "--online: re-read every node from the Hub.",
    ),
    policy: Optional[Path] = typer.Option(
        None, "--policy", help="Policy file (default: licheck.yaml, else \\[tool.licheck] in pyproject.toml)."
    ),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="Extra rule folder (repeatable)."),
    max_depth: int = MAX_DEPTH,
) -> None:
    """Write licheck.lock at the repository root: every card's and plan's nodes (sha, licences, rule editions),
    verdict and obligations. `licheck check` then fails on any difference until `licheck lock --update`.

    Exit 0 written or up to date, 1 differences not written (or --check found any), 2 error (malformed lock too).
    """

    def body() -> int:
        from licheck.lock.run import run_lock

        return run_lock(
            [str(p) for p in paths or []],
            update=update,
            check=check,
            offline=offline,
            policy=str(policy) if policy is not None else None,
            rules=[str(r) for r in rules or []],
            max_depth=max_depth,
        )

    run_command(body)
