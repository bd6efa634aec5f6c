"""Issue 14: hostile or careless transport and storage never turn into a wrong `permitted` (or a hang).

Local folders and the local fake Hub only (its stream/drip routes for huge and slow answers).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from licheck.provenance.hub import MAX_FILE_BYTES

L2 = "meta-llama/Llama-2-7b-hf"  # in the embedded snapshot (licence llama2)


def run_fast(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m licheck ...` in a subprocess, as users run it (warm runs reuse the record cache)."""
    return subprocess.run(
        [sys.executable, "-m", "licheck", *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        cwd=cwd,
        timeout=120,
    )


def nodes(doc: dict) -> dict[str, dict]:
    return {n["id"]: n for n in doc["graph"]["nodes"]}


def findings_text(doc: dict) -> str:
    return json.dumps(doc["findings"])


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setenv("LICHECK_HTTP_TIMEOUT", "1")
    monkeypatch.setenv("LICHECK_HTTP_RETRIES", "1")
    monkeypatch.setenv("LICHECK_MAX_RETRY_WAIT", "0.2")


# -- 1. local folders are read afresh on every run -------------------------------------------------------------------
def test_local_folder_result_follows_the_folder_contents(tmp_path):
    env = dict(os.environ, LICHECK_CACHE_DIR=str(tmp_path / "cache"), HF_HUB_OFFLINE="1")
    first, second = tmp_path / "a", tmp_path / "b"
    for where, licence in ((first, "mit"), (second, "llama2")):
        (where / "m").mkdir(parents=True)
        (where / "m" / "README.md").write_text(f"---\nlicense: {licence}\n---\n# m\n", encoding="utf-8")
    for _ in range(3):  # cold, then warm runs
        res = run_fast("audit", "./m", "--format", "json", cwd=first, env=env)
        assert json.loads(res.stdout)["verdict"] == "permitted", res.stderr
    # Another folder at the same relative path, with a licence that forbids distillation.
    other = json.loads(run_fast("audit", "./m", "--format", "json", cwd=second, env=env).stdout)
    assert other["verdict"] != "permitted"
    # The same folder after its card changed.
    (first / "m" / "README.md").write_text("---\nlicense: llama2\n---\n# m\n", encoding="utf-8")
    changed = json.loads(run_fast("audit", "./m", "--format", "json", cwd=first, env=env).stdout)
    assert changed["verdict"] == other["verdict"] != "permitted"


# -- 6b. a truncated file listing is a reason for review ------------------------------------------------------------
def _many_files(n: int, last: str) -> list[str]:
    return ["README.md"] + [f"shards/part-{i:05d}.bin" for i in range(n)] + [last]


def test_truncated_file_listing_hiding_an_adapter_is_review(hub_env, cli):
    hub_env.add_model(
        "acme/huge-adapter",
        card_data={"license": "apache-2.0"},
        siblings=_many_files(5200, "adapter_config.json"),
        files={"adapter_config.json": json.dumps({"base_model_name_or_path": L2})},
    )
    doc = cli("audit", "acme/huge-adapter", "--format", "json").json()
    assert doc["verdict"] == "review"
    assert "file listing truncated (5,202 files" in findings_text(doc)
    assert nodes(doc)["acme/huge-adapter"]["incomplete"]


def test_listing_at_the_cap_is_not_flagged(hub_env, cli):
    hub_env.add_model("acme/big", card_data={"license": "apache-2.0"}, siblings=_many_files(4998, "config.json"))
    doc = cli("audit", "acme/big", "--format", "json").json()
    assert doc["verdict"] == "permitted" and "file listing truncated" not in findings_text(doc)


def test_truncated_listing_scan_equals_audit(tmp_path):
    from licheck.domain import Plan
    from tests.test_scan import assert_same

    sib = [{"rfilename": n} for n in _many_files(5100, "adapter_config.json")]
    records = [
        {"id": "acme/trunc", "cardData": {"license": "apache-2.0"}, "tags": ["license:apache-2.0"], "siblings": sib},
        {
            "id": "acme/small",
            "cardData": {"license": "apache-2.0"},
            "tags": ["license:apache-2.0"],
            "siblings": sib[:9],
        },
        {"id": "acme/child", "cardData": {"license": "apache-2.0", "base_model": "acme/trunc"}, "siblings": sib[:3]},
    ]
    got = assert_same(tmp_path, records, Plan(teacher="*"))
    assert got["acme/trunc"]["verdict"] == got["acme/child"]["verdict"] == "review"
    assert got["acme/small"]["verdict"] == "permitted"


# -- 8. a slow Hub is abandoned within the run's time budget ----------------------------------------------------------
def test_slow_drip_parent_falls_back_to_snapshot_with_a_notice(hub_env, cli, quick, monkeypatch):
    monkeypatch.setenv("LICHECK_TIME_BUDGET", "2")
    hub_env.add_model("acme/ft", card_data={"license": "llama2", "base_model": L2})
    drip = hub_env.drip(f"/api/models/{L2}", interval=0.3, head=b'{"id": "' + L2.encode() + b'", ')
    start = time.monotonic()
    res = cli("audit", "acme/ft", "--format", "json")
    elapsed = time.monotonic() - start
    assert elapsed < 2 + 1.5, elapsed  # the budget, plus at most one drip interval and start-up
    assert drip.hits >= 1
    doc = res.json()
    assert nodes(doc)[L2]["source"] == "snapshot"
    assert doc["verdict"] != "permitted"
    notice = [line for line in res.stderr.splitlines() if line.startswith("licheck: notice:")]
    assert len(notice) == 1 and "time budget of 2 s" in notice[0] and "1 node" in notice[0]


def test_slow_drip_parent_nowhere_else_is_review(hub_env, cli, quick, monkeypatch):
    monkeypatch.setenv("LICHECK_TIME_BUDGET", "1.5")
    hub_env.add_model("acme/ft", card_data={"license": "apache-2.0", "base_model": "acme/slow"})
    hub_env.add_model("acme/slow", card_data={"license": "apache-2.0"})
    hub_env.drip("/api/models/acme/slow", interval=0.3)
    start = time.monotonic()
    doc = cli("audit", "acme/ft", "--format", "json").json()
    assert time.monotonic() - start < 1.5 + 1.5
    assert doc["verdict"] == "review"
    assert nodes(doc)["acme/slow"]["kind"] == "missing"
    assert "time budget" in nodes(doc)["acme/slow"]["missing_reason"]


@pytest.mark.parametrize("declare_length", [True, False])
def test_slow_drip_readme_is_bounded_and_flag_overrides_env(hub_env, cli, quick, monkeypatch, declare_length):
    """Also without Content-Length, where the cut connection would otherwise look like the end of the card."""
    monkeypatch.setenv("LICHECK_TIME_BUDGET", "60")
    hub_env.add_model("acme/slowcard", card_data={"license": "apache-2.0"})
    hub_env.stream(
        "/acme/slowcard/resolve/",
        size=10**6,
        chunk=1,
        interval=0.3,
        head="---\nlicense: apache-2.0\n---\n",
        declare_length=declare_length,
    )
    start = time.monotonic()
    res = cli("audit", "acme/slowcard", "--format", "json", "--time-budget", "1.5")
    assert time.monotonic() - start < 1.5 + 1.5
    assert res.exit_code == 2 and "time budget of 1.5 s" in res.stderr  # the root is nowhere else: fail closed


def test_time_budget_flag_is_checked(cli):
    res = cli("audit", "acme/x", "--format", "json", "--time-budget", "0")
    assert res.exit_code == 2 and "--time-budget" in res.stderr


def test_hf_hub_timeouts_are_honoured(monkeypatch):
    from licheck.provenance.hub import HubClient

    monkeypatch.delenv("LICHECK_HTTP_TIMEOUT", raising=False)
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "3")
    monkeypatch.setenv("HF_HUB_DOWNLOAD_TIMEOUT", "7")
    client = HubClient("http://127.0.0.1:9")
    assert (client.timeout, client.download_timeout) == (3.0, 7.0)
    monkeypatch.setenv("LICHECK_HTTP_TIMEOUT", "2")
    assert HubClient("http://127.0.0.1:9").download_timeout == 2.0


# -- 9. unbounded reads -------------------------------------------------------------------------------------------
def test_readme_over_the_cap_is_review_and_not_read_further(hub_env, cli):
    hub_env.add_model("acme/bigcard", card_data={"license": "apache-2.0"})
    body = hub_env.stream(
        "/acme/bigcard/resolve/",
        size=MAX_FILE_BYTES + 4096,
        head="---\nlicense: apache-2.0\n---\n",
        declare_length=False,
    )
    doc = cli("audit", "acme/bigcard", "--format", "json").json()
    assert doc["verdict"] == "review"
    assert "card too large to read" in findings_text(doc)
    assert body.hits == 1


def test_huge_readme_stops_the_download(hub_env, cli):
    hub_env.add_model("acme/hugecard", card_data={"license": "apache-2.0"})
    body = hub_env.stream("/acme/hugecard/resolve/", size=256 * 1024 * 1024, declare_length=False)
    doc = cli("audit", "acme/hugecard", "--format", "json").json()
    assert doc["verdict"] == "review"
    time.sleep(0.2)
    assert body.sent < 32 * 1024 * 1024  # the client hung up soon after the cap (socket buffers aside)


def test_local_readme_over_the_cap_is_review(tmp_path, cli):
    model = tmp_path / "m"
    model.mkdir()
    (model / "README.md").write_bytes(b"---\nlicense: apache-2.0\n---\n" + b"x" * MAX_FILE_BYTES)
    doc = cli("audit", str(model), "--offline", "--format", "json").json()
    assert doc["verdict"] == "review" and "card too large to read" in findings_text(doc)


# -- 10. cache poisoning from the answered id -----------------------------------------------------------------------
def test_answer_claiming_another_id_never_overwrites_its_cache(hub_env, cli):
    hub_env.add_model(L2, card_data={"license": "llama2"})
    assert cli("audit", L2, "--format", "json").json()["verdict"] != "permitted"  # cached under L2
    hub_env.add_model("poison/x", card_data={"license": "apache-2.0"}, extra={"id": L2})
    doc = cli("audit", "poison/x", "--format", "json")
    assert doc.exit_code == 2 and "another repository" in doc.stderr  # the root's answer is not used
    hub_env.add_model("acme/kid", card_data={"license": "apache-2.0", "base_model": "poison/x"})
    kid = cli("audit", "acme/kid", "--format", "json").json()
    assert kid["verdict"] == "review" and nodes(kid)["poison/x"]["kind"] == "missing"
    offline = cli("audit", L2, "--offline", "--format", "json").json()
    assert nodes(offline)[L2]["license"]["license"] == "llama2"
    assert offline["verdict"] != "permitted"


def test_genuine_rename_is_followed_and_cached_under_the_asked_id(hub_env, cli):
    hub_env.add_model("old-org/model", card_data={"license": "apache-2.0"})
    hub_env.rename("old-org/model", "new-org/model")
    doc = cli("audit", "old-org/model", "--format", "json").json()
    assert list(nodes(doc)) == ["new-org/model"] and doc["verdict"] == "permitted"
    assert nodes(doc)["new-org/model"]["requested_id"] == "old-org/model"
    from licheck.provenance.cache import RecordCache

    cache = RecordCache(endpoint=hub_env.url)
    assert cache.get("old-org/model", None) is not None
    assert cache.get("new-org/model", None) is None


def test_cache_is_keyed_by_endpoint(tmp_path):
    from licheck.provenance.cache import RecordCache
    from licheck.provenance.records import RepoRecord

    RecordCache(tmp_path, endpoint="http://evil.example").put(L2, None, RepoRecord(id=L2, kind="model"))
    assert RecordCache(tmp_path, endpoint="https://huggingface.co").get(L2, None) is None
    assert RecordCache(tmp_path, endpoint="http://evil.example").get(L2, None) is not None


# -- 11. credentials, future-dated records, output mode -------------------------------------------------------------
def test_endpoint_credentials_are_redacted_everywhere(hub_env, tmp_path, quick):
    url = hub_env.url.replace("http://", "http://someone:s3cr3t-pw@")
    hub_env.add_model("acme/p", card_data={"license": "apache-2.0"})
    hub_env.add_model("acme/c", card_data={"license": "apache-2.0", "base_model": "acme/p"})
    hub_env.add_model("acme/gone", card_data={"license": "apache-2.0", "base_model": "acme/dead"})
    hub_env.fault("/api/models/acme/dead", close=True)
    env = dict(os.environ, HF_ENDPOINT=url)
    outs = [run_fast("audit", "acme/c", "--format", "json", env=env) for _ in range(3)]  # cold, then warm
    outs.append(run_fast("audit", "acme/gone", "--format", "json", env=env))
    assert json.loads(outs[0].stdout)["sources"]["endpoint"].startswith("http://***@127.0.0.1")
    assert json.loads(outs[-1].stdout)["verdict"] == "review"
    for res in outs:
        assert "s3cr3t" not in res.stdout + res.stderr
    cache = Path(os.environ["LICHECK_CACHE_DIR"])
    for path in cache.rglob("*"):
        if path.is_file():
            assert b"s3cr3t" not in path.read_bytes(), path


def test_redact_url():
    from licheck.paths import redact_url

    assert redact_url("https://u:p@hub.example:8443/x") == "https://***@hub.example:8443/x"
    assert redact_url("https://hub.example/a@b") == "https://hub.example/a@b"
    assert redact_url("https://huggingface.co") == "https://huggingface.co"


def test_future_dated_cache_record_is_stale(tmp_path):
    from licheck.provenance.cache import RecordCache
    from licheck.provenance.records import RepoRecord

    cache = RecordCache(tmp_path)
    cache.put("org/m", None, RepoRecord(id="org/m", kind="model", sha="a" * 40))
    cache.put("org/m", "a" * 40, RepoRecord(id="org/m", kind="model", sha="a" * 40))
    for revision in (None, "a" * 40):
        path = cache.path_for("org/m", revision)
        entry = json.loads(path.read_text())
        entry["stored_at"] = time.time() + 365 * 24 * 3600
        path.write_text(json.dumps(entry))
        assert cache.get("org/m", revision) is None  # never fresh, pinned or not
        assert cache.get("org/m", revision, allow_stale=True) is not None  # still a fallback when offline


def _scan(cli, tmp_path: Path, out: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": "acme/m", "cardData": {"license": "mit"}}) + "\n", encoding="utf-8")
    res = cli("scan", str(dump), "--output", str(out), "--format", "json", "--workers", "1")
    assert res.exit_code == 0, res.stderr
    assert out.read_text(encoding="utf-8").strip()


def test_scan_output_keeps_the_mode_of_the_file_it_replaces(cli, tmp_path):
    out = tmp_path / "results.jsonl"
    out.write_text("old\n", encoding="utf-8")
    os.chmod(out, 0o644)
    _scan(cli, tmp_path, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    fresh = tmp_path / "fresh.jsonl"
    mask = os.umask(0o022)
    try:
        _scan(cli, tmp_path, fresh)
    finally:
        os.umask(mask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


# -- a corporate proxy: HTTP(S)_PROXY is honoured by licheck's own HTTP client ---------------------------------------
def test_requests_go_through_the_proxy_the_environment_names(hub_env, tmp_path):
    """licheck's client has its own (budget) transport, and httpx reads the proxy variables only for a client without
    one; the fake Hub answers absolute-form request targets, so it stands in for the proxy of a Hub it cannot reach
    directly (`hub.invalid` never resolves)."""
    hub_env.add_model("acme/proxied-7b", card_data={"license": "apache-2.0"})
    env = dict(os.environ, HF_ENDPOINT="http://hub.invalid", HTTP_PROXY=hub_env.url, LICHECK_CACHE_DIR=str(tmp_path))
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        env.pop(name, None)
    res = run_fast("audit", "acme/proxied-7b", "--time-budget", "5", "--format", "json", env=env)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["verdict"] == "permitted" and nodes(doc)["acme/proxied-7b"]["source"] == "hub", res.stderr
    assert any(path.startswith("http://hub.invalid/api/models/acme/proxied-7b") for _, path in hub_env.requests)
    # NO_PROXY names the host: the request goes direct (and cannot reach hub.invalid), never through the proxy.
    hub_env.clear_log()
    env.update(NO_PROXY="hub.invalid", LICHECK_CACHE_DIR=str(tmp_path / "fresh"))
    res = run_fast("audit", "acme/proxied-7b", "--time-budget", "5", "--format", "json", env=env)
    assert res.returncode == 2 and "could not be reached" in res.stderr, res.stderr
    assert not hub_env.requests


def test_a_proxy_httpx_cannot_use_is_a_one_line_error(tmp_path):
    pytest.importorskip("huggingface_hub")
    try:
        import socksio  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("socksio is installed: a SOCKS proxy is usable here")
    env = dict(
        os.environ,
        HTTPS_PROXY="socks5://127.0.0.1:9",
        HTTP_PROXY="socks5://127.0.0.1:9",
        LICHECK_CACHE_DIR=str(tmp_path),
        HF_ENDPOINT="http://hub.invalid",
    )
    env.pop("HF_HUB_OFFLINE", None)
    res = run_fast("audit", "acme/x-7b", "--time-budget", "5", env=env)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.strip().count("\n") == 0 and "proxy set in the environment cannot be used" in res.stderr
