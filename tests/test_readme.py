"""The README's examples are real: its policy example loads, and its two set-up commands are what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_policy_example_is_valid(tmp_path):
    from licheck.policy import load_policy

    block = re.search(r"### Organisation policy.*?```yaml\n(.*?)```", README, re.S).group(1)
    (tmp_path / "legal" / "licences").mkdir(parents=True)
    path = tmp_path / "licheck.yaml"
    path.write_text(block)
    policy = load_policy(path)
    assert policy.strictness == "standard"
    assert len(policy.plans) == 1 and len(policy.waivers) == 1


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install ".[test]" && python -m pytest' in README
    assert 'pip install -q ".[test]" && python -m pytest' in ci
