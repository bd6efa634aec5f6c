"""The fast entry point and stored results: served only while every input is unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "licheck", *args], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout.strip() else {})


def strip(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "generated_at"}


def test_fast_path_matches_full_cli(hub_env, cli):
    hub_env.add_model("meta-llama/Llama-2-7b-hf", card_data={"license": "llama2"})
    hub_env.add_model("org/ft", card_data={"license": "mit", "base_model": "meta-llama/Llama-2-7b-hf"})
    code, fast = run("audit", "org/ft", "--student", "org/ft", "--format", "json")
    full = cli("audit", "org/ft", "--student", "org/ft", "--format", "json")
    assert code == full.exit_code
    assert strip(fast)["verdict"] == strip(full.json())["verdict"]
    assert strip(fast)["findings"] == strip(full.json())["findings"]


def test_repeated_audit_is_served_without_requests_and_invalidated_by_changes(hub_env, tmp_path):
    hub_env.add_model("org/m", card_data={"license": "apache-2.0"})
    code1, first = run("audit", "org/m", "--format", "json")  # cold: fetched, not stored
    code2, second = run("audit", "org/m", "--format", "json")  # warm: computed from cache, stored
    hub_env.clear_log()
    code3, third = run("audit", "org/m", "--format", "json")  # served from the stored result
    assert code1 == code2 == code3 == 0
    assert strip(second) == strip(third)
    assert [r for r in hub_env.requests if not r[1].startswith("/api/agent")] == []
    # Touching the cached record (e.g. a refresh by another process) invalidates the stored result.
    cache = os.environ["LICHECK_CACHE_DIR"]
    records = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(cache, "records")) for f in fs]
    assert records
    for path in records:
        os.utime(path, ns=(1, 1))
    code4, fourth = run("audit", "org/m", "--format", "json")
    assert code4 == 0 and fourth["verdict"] == "permitted"


def test_results_with_faults_are_never_stored(hub_env, monkeypatch):
    monkeypatch.setenv("LICHECK_HTTP_RETRIES", "0")
    hub_env.add_model("org/p", card_data={"license": "apache-2.0"})
    hub_env.add_model("org/c", card_data={"license": "apache-2.0", "base_model": "org/p"})
    hub_env.fault("/api/models/org/p", status=503, times=1)
    code, doc = run("audit", "org/c", "--format", "json")
    assert code == 3 and doc["verdict"] == "review"
    code, doc = run("audit", "org/c", "--format", "json")  # the fault is over: the answer must change
    assert code == 0 and doc["verdict"] == "permitted"


def test_offline_result_invalidated_when_the_cache_learns_a_record(hub_env, monkeypatch):
    hub_env.add_model("org/new", card_data={"license": "apache-2.0"})
    code, doc = run("audit", "org/new", "--offline", "--format", "json")
    assert code == 2  # neither cache nor snapshot knows it
    assert run("audit", "org/new", "--format", "json")[0] == 0  # online: now cached
    code, doc = run("audit", "org/new", "--offline", "--format", "json")
    assert code == 0 and doc["verdict"] == "permitted"


def test_fast_check_entry_matches_full_cli(tmp_path, cli, monkeypatch):
    card = tmp_path / "models" / "m" / "README.md"
    card.parent.mkdir(parents=True)
    card.write_text("---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-chat-hf\n---\n# m\n")
    (tmp_path / "licheck.yaml").write_text("plans:\n  - {name: p, teacher: deepseek-ai/DeepSeek-R1}\n")
    monkeypatch.chdir(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "licheck", "check", "--offline", "--format", "json"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    full = cli("check", "--offline", "--format", "json")
    assert proc.returncode == full.exit_code == 1
    fast_doc, full_doc = json.loads(proc.stdout), full.json()
    assert [r["verdict"] for r in fast_doc["results"]] == [r["verdict"] for r in full_doc["results"]]
    bad = subprocess.run(
        [sys.executable, "-m", "licheck", "check", "--bogus"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
