"""Faults from the Hub, injected with the fake Hub at the root and at an ancestor.

For every fault: no traceback, a one-line reason, the failing ancestor shown as `missing`, and never a
`permitted`/`conditional` verdict when a node that could change it was not read. A fault on the root with no
cache or snapshot to fall back on is a tool error (exit 2).
"""

from __future__ import annotations

import pytest

ROOT = "acme/child"
PARENT = "acme/parent"


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setenv("LICHECK_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("LICHECK_HTTP_RETRIES", "2")
    monkeypatch.setenv("LICHECK_MAX_RETRY_WAIT", "0.2")


def serve_pair(hub):
    hub.add_model(PARENT, card_data={"license": "apache-2.0"})
    hub.add_model(ROOT, card_data={"license": "apache-2.0", "base_model": PARENT})


def no_traceback(res):
    text = res.stdout + res.stderr
    assert "Traceback" not in text and 'File "' not in text


FAULTS = {
    "http500": dict(status=500),
    "http502": dict(status=502),
    "http503": dict(status=503),
    "gated401": dict(status=401),
    "forbidden403": dict(status=403, headers={"X-Error-Code": ""}),
    "notfound404": dict(status=404),
    "not_json": dict(body=b"<html>not json</html>"),
    "truncated_json": dict(body=b'{"id": "acme/parent", "cardData": {"lic'),
    "connection_dropped": dict(close=True),
    "stall": dict(delay=3),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_on_ancestor_gives_review(name, hub_env, cli, fast):
    serve_pair(hub_env)
    hub_env.fault(f"/api/models/{PARENT}", **FAULTS[name])
    res = cli("audit", ROOT, "--format", "json")
    no_traceback(res)
    doc = res.json()
    assert doc["verdict"] == "review", doc["findings"]
    assert res.exit_code == 3
    parent = {n["id"]: n for n in doc["graph"]["nodes"]}[PARENT]
    assert parent["kind"] == "missing" and parent["missing_reason"]
    assert "\n" not in parent["missing_reason"]


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_on_root_without_fallback_is_a_tool_error(name, hub_env, cli, fast):
    serve_pair(hub_env)
    hub_env.fault(f"/api/models/{ROOT}", **FAULTS[name])
    res = cli("audit", ROOT, "--format", "json")
    no_traceback(res)
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("licheck: error:") and ROOT in lines[0]


def test_stall_is_bounded_in_time(hub_env, cli, fast):
    import time

    serve_pair(hub_env)
    hub_env.fault(f"/api/models/{PARENT}", delay=10)
    start = time.monotonic()
    res = cli("audit", ROOT, "--format", "json")
    assert res.json()["verdict"] == "review"
    assert time.monotonic() - start < 8


def test_transient_429_is_retried_honouring_retry_after(hub_env, cli, fast, monkeypatch):
    monkeypatch.setenv("LICHECK_MAX_RETRY_WAIT", "2")
    serve_pair(hub_env)
    fault = hub_env.fault(f"/api/models/{PARENT}", status=429, times=1, headers={"Retry-After": "1"})
    import time

    start = time.monotonic()
    res = cli("audit", ROOT, "--format", "json")
    assert res.json()["verdict"] == "permitted"
    assert fault.hits == 1
    assert time.monotonic() - start >= 0.9  # waited as the header asked


def test_transient_503_on_root_is_retried(hub_env, cli, fast):
    serve_pair(hub_env)
    hub_env.fault(f"/api/models/{ROOT}", status=503, times=1)
    res = cli("audit", ROOT, "--format", "json")
    assert res.exit_code == 0 and res.json()["verdict"] == "permitted"


def test_redirect_loop(hub_env, cli, fast):
    serve_pair(hub_env)
    hub_env.redirect_loop(PARENT)
    res = cli("audit", ROOT, "--format", "json")
    no_traceback(res)
    parent = {n["id"]: n for n in res.json()["graph"]["nodes"]}[PARENT]
    assert parent["kind"] == "missing" and "redirect" in parent["missing_reason"]
    assert res.exit_code == 3


def test_connection_refused_on_root(cli, monkeypatch, fast):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    res = cli("audit", "acme/not-in-snapshot", "--format", "json")
    no_traceback(res)
    assert res.exit_code == 2 and "127.0.0.1:9 could not be reached" in res.stderr


def test_readme_fault_makes_node_missing_not_permitted(hub_env, cli, fast):
    serve_pair(hub_env)
    hub_env.fault(f"/{PARENT}/resolve/", status=500)
    res = cli("audit", ROOT, "--format", "json")
    assert res.json()["verdict"] == "review"


def test_token_is_never_printed_cached_or_sent_elsewhere(hub_env, cli, monkeypatch, tmp_path):
    from tests.fakehub import FakeHub

    token = "hf_SECRETtokenDoNotLeak1234567890"
    monkeypatch.setenv("HF_TOKEN", token)
    cache = tmp_path / "cache-token"
    monkeypatch.setenv("LICHECK_CACHE_DIR", str(cache))
    other = FakeHub().start()
    try:
        other.add_model("elsewhere/model", card_data={"license": "mit"})
        hub_env.add_model(PARENT, card_data={"license": "apache-2.0"})
        hub_env.add_model(ROOT, card_data={"license": "apache-2.0", "base_model": [PARENT, "acme/moved"]})
        # A redirect from the configured Hub to another host (another origin: different port).
        hub_env.fault(
            "/api/models/acme/moved", status=307, headers={"Location": other.url + "/api/models/elsewhere/model"}
        )
        outputs = []
        for fmt in ("json", "text"):
            res = cli("audit", ROOT, "--format", fmt)
            outputs.append(res.stdout + res.stderr)
            outputs.append(cli("chain", ROOT, "--format", fmt).stdout)
        assert any(a == f"Bearer {token}" for a in hub_env.authorizations)  # the Hub did get it
        assert other.authorizations == []  # the other host never did
    finally:
        other.stop()
    assert all(token not in out for out in outputs)
    for path in cache.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="replace")
