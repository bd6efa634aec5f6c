"""The record cache: atomic writes, corrupt entries discarded and refetched, shared by concurrent processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from licheck.provenance.cache import RecordCache
from licheck.provenance.records import RepoRecord


def test_roundtrip_and_ttl(tmp_path):
    cache = RecordCache(tmp_path, ttl=3600)
    rec = RepoRecord(id="org/m", kind="model", sha="a" * 40, card_data={"license": "mit"})
    cache.put("org/m", None, rec)
    got = cache.get("org/m", None)
    assert got is not None and got.card_data == {"license": "mit"} and got.source == "cache"
    expired = RecordCache(tmp_path, ttl=-1)
    assert expired.get("org/m", None) is None
    assert expired.get("org/m", None, allow_stale=True) is not None
    cache.put("org/m", "a" * 40, rec)
    assert expired.get("org/m", "a" * 40) is not None  # a commit never goes stale


def test_corrupt_entries_are_discarded(tmp_path):
    cache = RecordCache(tmp_path)
    cache.put("org/m", None, RepoRecord(id="org/m", kind="model", card_data={"license": "mit"}))
    (path,) = [p for p in tmp_path.rglob("*.json")]
    for garbage in [b"", b"{", b"\x00\xff", json.dumps({"stored_at": 1, "checksum": "x", "record": {}}).encode()]:
        path.write_bytes(garbage)
        assert cache.get("org/m", None) is None
        assert not path.exists()
        cache.put("org/m", None, RepoRecord(id="org/m", kind="model"))
    # A tampered record whose checksum no longer matches is not trusted.
    entry = json.loads(path.read_text())
    entry["record"]["card_data"] = {"license": "mit"}
    path.write_text(json.dumps(entry))
    assert cache.get("org/m", None) is None


def test_corrupt_cache_is_refetched_through_the_cli(hub_env, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("LICHECK_CACHE_DIR", str(tmp_path / "c"))
    hub_env.add_model("org/m", card_data={"license": "apache-2.0"})
    assert cli("audit", "org/m", "--format", "json").json()["verdict"] == "permitted"
    for p in (tmp_path / "c").rglob("*.json"):
        p.write_text("{ truncated")
    hub_env.clear_log()
    res = cli("audit", "org/m", "--format", "json")
    assert res.exit_code == 0 and res.json()["verdict"] == "permitted"
    assert hub_env.count("/api/models/org/m") == 1  # refetched, once


def test_unwritable_cache_costs_speed_not_correctness(hub_env, cli, tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LICHECK_CACHE_DIR", str(blocker / "sub"))
    hub_env.add_model("org/m", card_data={"license": "apache-2.0"})
    res = cli("audit", "org/m", "--format", "json")
    assert res.exit_code == 0 and res.json()["verdict"] == "permitted"


WRITER = """
import sys
from pathlib import Path
from licheck.provenance.cache import RecordCache
from licheck.provenance.records import RepoRecord
cache = RecordCache(Path(sys.argv[1]))
n = int(sys.argv[2])
for i in range(200):
    rec = RepoRecord(id="org/shared", kind="model", card_data={"license": "mit", "n": n, "i": i})
    cache.put("org/shared", None, rec)
    got = cache.get("org/shared", None)
    assert got is None or got.card_data["license"] == "mit", got
"""


def test_concurrent_processes_share_the_cache(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(n)], env=env) for n in range(4)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    got = RecordCache(tmp_path).get("org/shared", None)
    assert got is not None and got.card_data["license"] == "mit"
    assert not [p for p in tmp_path.rglob(".tmp-*")]  # no half-written files left behind
