"""Shared fixtures: the fake Hub (tests/fakehub.py) and an in-process CLI runner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

pytest_plugins = ["tests.fakehub"]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Any):
    """Run `licheck ...` in-process; caches go to a temp folder unless the test set LICHECK_CACHE_DIR."""
    import os

    if "LICHECK_CACHE_DIR" not in os.environ:
        monkeypatch.setenv("LICHECK_CACHE_DIR", str(tmp_path / "licheck-cache"))
    from licheck.cli.app import app

    runner = CliRunner()

    def run(*args: str) -> CliResult:
        res = runner.invoke(app, list(args), catch_exceptions=False)
        return CliResult(res.exit_code, res.stdout, res.stderr)

    return run
