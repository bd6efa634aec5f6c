"""`licheck check`: check a repository's model cards and distillation plans (registered on the main app).

Only typer (and the main app) is imported at load time: `licheck --help` and the other commands must not pay for
the check machinery.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from licheck.cli import MAX_DEPTH, REFRESH, _options, _run, app


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


@app.command()
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
        import sys

        from licheck import check as checking
        from licheck import report
        from licheck.errors import UsageError
        from licheck.policy import find_policy, load_policy

        targets = list(paths or [Path(".")])
        if policy is not None and not policy.is_file():
            raise UsageError(f"policy file not found: {policy}")
        policy_path = policy if policy is not None else find_policy(targets[0] if targets[0].exists() else Path("."))
        loaded = load_policy(policy_path)
        options = checking.CheckOptions(
            service=_options(offline, refresh, max_depth, None, rules), strict=strict, scan_code=scan_code
        )
        result = checking.check_repo(targets, options, loaded)
        if fmt is CheckFormat.json:
            sys.stdout.write(report.dumps(result.to_json()) + "\n")
        elif fmt is CheckFormat.text:
            sys.stdout.write(checking.render_text(result))
        else:
            from licheck import formats

            sys.stdout.write(formats.render(fmt.value, result.audit_docs()))
        return result.exit_code

    _run(body)
