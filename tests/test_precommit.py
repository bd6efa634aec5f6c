"""The pre-commit hooks, for real: pre-commit installs licheck from a commit of this working tree and runs it.

Why not call `licheck check` directly: what users run is pre-commit's own virtualenv with licheck pip-installed
from the hook repository at a rev, so packaging (package data, the `licheck` entry point, dependencies) and the
hook definitions in .pre-commit-hooks.yaml are part of what is tested. The install needs PyPI; the hooks
themselves run --offline (cache + embedded snapshot).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# Everything of the working tree except VCS data and generated caches (uncommitted changes included).
IGNORE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".mypy_cache",
    "*.egg-info",
    ".venv",
    "build",
    "dist",
)
DRIFTING = "---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-chat-hf\n---\n# chat-ft\n"
FIXED = "---\nlicense: llama2\nbase_model: meta-llama/Llama-2-7b-chat-hf\n---\n# chat-ft\n"
NOTICE = (
    "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved."
)


def test_hook_definitions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) >= {"licheck", "licheck-card"}
    whole, per_card = hooks["licheck"], hooks["licheck-card"]
    assert whole["pass_filenames"] is False and whole["entry"] == "licheck check"
    assert per_card["entry"] == "licheck check" and per_card.get("pass_filenames", True) is True
    for hook in hooks.values():
        assert hook["language"] == "python" and "--offline" in hook["args"]
    pattern = re.compile(per_card["files"])
    assert all(pattern.search(p) for p in ("README.md", "models/a/README.md"))
    assert not any(pattern.search(p) for p in ("docs/readme.md", "README.md.bak", "NOT_README.md"))


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.mark.slow
def test_pre_commit_blocks_a_drifting_card_and_passes_once_fixed(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit", reason="pip install '.[test]' installs pre-commit")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HF_ENDPOINT", "HF_HUB_OFFLINE")}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        LICHECK_CACHE_DIR=str(tmp_path / "licheck-cache"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="licheck test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="licheck test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )
    # pre-commit installs from a git repository at a rev: commit the CURRENT working tree into a throwaway clone.
    src = tmp_path / "licheck-src"
    shutil.copytree(ROOT, src, ignore=IGNORE)
    _git("init", "-q", cwd=src, env=env)
    _git("add", "-A", cwd=src, env=env)
    _git("commit", "-q", "-m", "working tree under test", cwd=src, env=env)
    rev = _git("rev-parse", "HEAD", cwd=src, env=env)

    proj = tmp_path / "project"
    folder = proj / "models" / "chat-ft"
    folder.mkdir(parents=True)
    _git("init", "-q", cwd=proj, env=env)
    config = {"repos": [{"repo": str(src), "rev": rev, "hooks": [{"id": "licheck"}, {"id": "licheck-card"}]}]}
    (proj / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (folder / "README.md").write_text(DRIFTING, encoding="utf-8")
    _git("add", "-A", cwd=proj, env=env)

    def pre_commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
            cwd=proj,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    started = time.monotonic()
    failed = pre_commit()
    install_and_run = time.monotonic() - started
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    assert re.search(r"licheck \(model cards and distillation plans\)\.+Failed", out), out
    assert re.search(r"licheck \(changed model cards\)\.+Failed", out), out
    assert "VIOLATION llama-2 license-drift on ./models/chat-ft at models/chat-ft/README.md:2" in out
    assert "; offline" in out  # the hooks never asked the network

    (folder / "README.md").write_text(FIXED, encoding="utf-8")
    (folder / "LICENSE").write_text("LLAMA 2 COMMUNITY LICENSE AGREEMENT\n", encoding="utf-8")
    (folder / "NOTICE").write_text(NOTICE + "\n", encoding="utf-8")
    _git("add", "-A", cwd=proj, env=env)
    passed = pre_commit()
    out = passed.stdout + passed.stderr
    assert passed.returncode == 0, out
    assert re.search(r"licheck \(model cards and distillation plans\)\.+Passed", out), out
    assert re.search(r"licheck \(changed model cards\)\.+Passed", out), out
    print(f"pre-commit install + first run {install_and_run:.1f}s")
