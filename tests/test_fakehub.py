"""The fake Hub must satisfy the REAL huggingface_hub client; these tests pin that.

Each test also records which exception the real client (huggingface_hub 2.4.0, httpx2)
raises for a given server behaviour, so licheck's own tests can rely on it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi, hf_hub_download, hf_hub_url
from huggingface_hub.errors import (
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import ExpandModelProperty_T
from huggingface_hub.utils import get_session, hf_raise_for_status

from tests.fakehub import FakeHub, compute_tags, fake_hub, hub_env, parse_front_matter

# Fixtures imported into this module so it works without a conftest.py.
__all__ = ["fake_hub", "hub_env"]

EXPAND: list[ExpandModelProperty_T] = [
    "cardData",
    "tags",
    "sha",
    "lastModified",
    "gated",
    "siblings",
]
CARD = {
    "license": "apache-2.0",
    "base_model": ["org/base", "org/other-parent"],
    "base_model_relation": "adapter",
    "datasets": ["org/ds1", "org/ds2"],
    "library_name": "peft",
}


def api(hub: FakeHub) -> HfApi:
    return HfApi(endpoint=hub.url)


# ------------------------------------------------------------------ metadata API
def test_model_info_expand_and_revision(hub_env: FakeHub) -> None:
    sha = hub_env.add_model("org/child", card_data=CARD, files={"adapter_config.json": "{}"})
    info = api(hub_env).model_info("org/child", revision=sha, expand=EXPAND)

    assert info.id == "org/child"
    assert info.sha == sha
    assert info.card_data is not None
    assert info.card_data.license == "apache-2.0"
    assert info.card_data.base_model == ["org/base", "org/other-parent"]
    assert info.card_data.get("base_model_relation") == "adapter"
    assert info.tags == [
        "dataset:org/ds1",
        "dataset:org/ds2",
        "base_model:org/base",
        "base_model:adapter:org/base",
        "license:apache-2.0",
    ]
    assert [s.rfilename for s in info.siblings or []] == [
        "README.md",
        "adapter_config.json",
    ]
    assert info.gated is False
    assert info.last_modified is not None and info.last_modified.year == 2025
    # expand restricts the answer: keys that were not asked for are absent.
    assert info.author is None and info.library_name is None
    method, path = hub_env.requests[-1]
    assert method == "GET"
    assert path == f"/api/models/org/child/revision/{sha}?" + "&".join(f"expand={e}" for e in EXPAND)


def test_model_info_full_record_and_expand_brackets(hub_env: FakeHub) -> None:
    hub_env.add_model("org/m", card_data={"license": "mit", "pipeline_tag": "text-generation"})
    info = api(hub_env).model_info("org/m")
    assert info.author == "org"
    assert info.pipeline_tag == "text-generation"
    assert info.private is False and info.disabled is False
    assert info.sha is not None and len(info.sha) == 40
    assert info.base_models is None  # expand-only key
    # The Hub docs spell it expand[]=...; the fake accepts both.
    r = get_session().get(f"{hub_env.url}/api/models/org/m", params={"expand[]": ["sha"]})
    assert set(r.json()) == {"_id", "id", "sha"}


def test_revision_quoting_history_and_unknown_revision(hub_env: FakeHub) -> None:
    old = hub_env.add_model("org/m", card_data={"license": "other"})
    new = hub_env.add_model("org/m", card_data={"license": "mit"})
    pr = hub_env.add_model("org/m", card_data={"license": "apache-2.0"}, ref="refs/pr/3")
    assert len({old, new, pr}) == 3
    client = api(hub_env)
    assert client.model_info("org/m").sha == new  # main moved to the latest commit on main
    old_card = client.model_info("org/m", revision=old).card_data
    assert old_card is not None and old_card.license == "other"
    assert client.model_info("org/m", revision="refs/pr/3").sha == pr
    assert hub_env.requests[-1][1] == "/api/models/org/m/revision/refs%2Fpr%2F3"
    with pytest.raises(RevisionNotFoundError):
        client.model_info("org/m", revision="nope")


def test_dataset_info(hub_env: FakeHub) -> None:
    sha = hub_env.add_dataset("org/ds", card_data={"license": ["cc-by-4.0", "mit"]})
    info = api(hub_env).dataset_info("org/ds", expand=["cardData", "tags", "sha"])
    assert info.id == "org/ds" and info.sha == sha
    assert info.card_data is not None
    assert info.card_data.license == ["cc-by-4.0", "mit"]
    assert info.tags == ["license:cc-by-4.0", "license:mit"]
    assert hub_env.count("/api/datasets/org/ds") == 1
    with pytest.raises(RepositoryNotFoundError):
        api(hub_env).model_info("org/ds")  # right id, wrong repo type


def test_unknown_repo(hub_env: FakeHub) -> None:
    with pytest.raises(RepositoryNotFoundError) as err:
        api(hub_env).model_info("org/missing")
    assert err.value.response.status_code == 404
    assert err.value.response.headers["X-Error-Code"] == "RepoNotFound"


def test_gate_api_and_files(hub_env: FakeHub, tmp_path: Path) -> None:
    hub_env.add_model("org/gated", card_data={"license": "llama3.1"})
    hub_env.gate("org/gated")
    with pytest.raises(GatedRepoError) as err:  # GatedRepoError before RepositoryNotFoundError
        api(hub_env).model_info("org/gated")
    assert err.value.response.status_code == 401
    assert isinstance(err.value, RepositoryNotFoundError)  # it is a subclass
    with pytest.raises(GatedRepoError):
        hf_hub_download("org/gated", "README.md", cache_dir=tmp_path, endpoint=hub_env.url)


def test_add_model_gated_is_realistic(hub_env: FakeHub, tmp_path: Path) -> None:
    """Real Hub, anonymous: gated metadata and README are readable, other files not."""
    hub_env.add_model(
        "org/g",
        card_data={"license": "other"},
        gated="manual",
        files={"config.json": "{}"},
    )
    assert api(hub_env).model_info("org/g").gated == "manual"
    readme = hf_hub_download("org/g", "README.md", cache_dir=tmp_path, endpoint=hub_env.url)
    assert "license: other" in Path(readme).read_text()
    with pytest.raises(GatedRepoError):
        hf_hub_download("org/g", "config.json", cache_dir=tmp_path, endpoint=hub_env.url)


def test_rename_307_is_followed(hub_env: FakeHub, tmp_path: Path) -> None:
    hub_env.add_model("google-bert/bert-base-uncased", card_data={"license": "apache-2.0"})
    hub_env.rename("bert-base-uncased", "google-bert/bert-base-uncased")
    info = api(hub_env).model_info("bert-base-uncased", expand=["cardData", "sha"])
    assert info.id == "google-bert/bert-base-uncased"
    assert info.card_data is not None  # query string survived the redirect
    assert [p for _, p in hub_env.requests] == [
        "/api/models/bert-base-uncased?expand=cardData&expand=sha",
        "/api/models/google-bert/bert-base-uncased?expand=cardData&expand=sha",
    ]
    path = hf_hub_download("bert-base-uncased", "README.md", cache_dir=tmp_path, endpoint=hub_env.url)
    assert "apache-2.0" in Path(path).read_text()


def test_rename_moves_registered_repo(hub_env: FakeHub) -> None:
    sha = hub_env.add_model("old/name", card_data={"license": "mit"})
    hub_env.rename("old/name", "new/name")
    info = api(hub_env).model_info("old/name", revision=sha)
    assert (info.id, info.sha) == ("new/name", sha)


def test_redirect_loop(hub_env: FakeHub) -> None:
    hub_env.add_model("org/loop")
    hub_env.redirect_loop("org/loop")
    with pytest.raises(httpx2.TooManyRedirects):
        api(hub_env).model_info("org/loop")
    assert hub_env.count("/api/models/org/loop") == 21  # first request + httpx2's 20 redirects


# ------------------------------------------------------------------ files
def test_readme_via_session_get(hub_env: FakeHub) -> None:
    sha = hub_env.add_model("org/m", card_data=CARD)
    url = hf_hub_url("org/m", "README.md", revision=sha, endpoint=hub_env.url)
    r = get_session().get(url)
    hf_raise_for_status(r)
    assert r.headers["X-Repo-Commit"] == sha
    assert r.headers["ETag"].startswith('"') and "X-Xet-Hash" not in r.headers
    assert r.text.startswith("---\nlicense: apache-2.0\n")
    assert parse_front_matter(r.text) == CARD

    missing = get_session().get(hf_hub_url("org/m", "LICENSE", revision=sha, endpoint=hub_env.url))
    with pytest.raises(RemoteEntryNotFoundError):
        hf_raise_for_status(missing)
    assert missing.headers["X-Repo-Commit"] == sha


def test_readme_without_front_matter_and_without_readme(hub_env: FakeHub) -> None:
    hub_env.add_model("org/plain")
    hub_env.add_model("org/none", readme=False)
    hub_env.add_model("org/own", readme="---\nlicense: mit\nbase_model: a/b\n---\n# hi\n")
    assert api(hub_env).model_info("org/plain").card_data is None
    none = api(hub_env).model_info("org/none")
    assert none.siblings == [] and none.card_data is None
    own = api(hub_env).model_info("org/own")
    assert own.card_data is not None and own.card_data.base_model == "a/b"  # parsed from the README
    assert own.tags == ["base_model:a/b", "base_model:finetune:a/b", "license:mit"]
    r = get_session().get(hf_hub_url("org/none", "README.md", endpoint=hub_env.url))
    with pytest.raises(RemoteEntryNotFoundError):
        hf_raise_for_status(r)


def test_hf_hub_download_model_and_dataset(hub_env: FakeHub, tmp_path: Path) -> None:
    sha = hub_env.add_model("org/m", card_data=CARD, files={"adapter_config.json": b'{"r": 8}'})
    path = hf_hub_download(
        "org/m",
        "adapter_config.json",
        revision=sha,
        cache_dir=tmp_path,
        endpoint=hub_env.url,
    )
    assert json.loads(Path(path).read_bytes()) == {"r": 8}
    assert Path(path).parts[-4:] == (
        "models--org--m",
        "snapshots",
        sha,
        "adapter_config.json",
    )
    assert [m for m, _ in hub_env.requests] == ["HEAD", "GET"]

    dsha = hub_env.add_dataset("org/ds", card_data={"license": "mit"})
    dpath = hf_hub_download(
        "org/ds",
        "README.md",
        repo_type="dataset",
        cache_dir=tmp_path,
        endpoint=hub_env.url,
    )
    assert "license: mit" in Path(dpath).read_text()
    assert hub_env.count("/datasets/org/ds/resolve/main/README.md") == 2
    assert dsha in dpath

    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download("org/m", "nope.json", revision=sha, cache_dir=tmp_path, endpoint=hub_env.url)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(
            "org/m",
            "README.md",
            revision="v9",
            cache_dir=tmp_path,
            endpoint=hub_env.url,
        )
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("org/zzz", "README.md", cache_dir=tmp_path, endpoint=hub_env.url)


def test_hub_env_patches_import_time_constants(hub_env: FakeHub) -> None:
    """Without endpoint= or cache_dir=, the client still uses the fake + temp cache."""
    hub_env.add_model("org/m", card_data={"license": "mit"})
    assert HfApi().model_info("org/m").id == "org/m"
    path = hf_hub_download("org/m", "README.md")
    assert "/hf/hub/models--org--m/" in path
    assert all(not p.startswith("/api/agent-harnesses") for _, p in hub_env.requests)


def test_files_metadata_sizes(hub_env: FakeHub) -> None:
    hub_env.add_model("org/m", files={"LICENSE": "MIT License\n"})
    info = api(hub_env).model_info("org/m", files_metadata=True)
    sizes = {s.rfilename: s.size for s in info.siblings or []}
    assert sizes["LICENSE"] == len("MIT License\n")


# ------------------------------------------------------------------ faults
def test_fault_503_forever_and_once(hub_env: FakeHub) -> None:
    hub_env.add_model("org/m")
    client = api(hub_env)
    fault = hub_env.fault("/api/models/org/m", status=503)
    with pytest.raises(HfHubHTTPError) as err:
        client.model_info("org/m")
    assert type(err.value) is HfHubHTTPError and err.value.response.status_code == 503
    hub_env.clear_faults()

    once = hub_env.fault("/api/models/org/m", status=503, times=1)
    with pytest.raises(HfHubHTTPError):
        client.model_info("org/m")  # model_info does not retry
    assert client.model_info("org/m").id == "org/m"
    assert (fault.hits, once.hits) == (1, 1)


def test_hf_hub_download_retries_a_5xx_head_itself(hub_env: FakeHub, tmp_path: Path) -> None:
    hub_env.add_model("org/m")
    hub_env.fault("/org/m/resolve/", status=502, times=1)
    hf_hub_download("org/m", "README.md", cache_dir=tmp_path, endpoint=hub_env.url)
    assert [m for m, _ in hub_env.requests] == ["HEAD", "HEAD", "GET"]


def test_hf_hub_download_non_retryable_head_error(hub_env: FakeHub, tmp_path: Path) -> None:
    """A non-retryable HEAD error without a repo/gate code -> LocalEntryNotFoundError.

    Retryable ones (429, 5xx, dropped connections) are retried with 1-2-4-8-8 s backoff,
    so making EVERY resolve request fail that way costs ~23 s: use ``times=`` instead.
    """
    hub_env.add_model("org/m")
    hub_env.fault("/org/m/resolve/", status=403, headers={"X-Error-Code": ""})
    with pytest.raises(LocalEntryNotFoundError) as err:
        hf_hub_download("org/m", "README.md", cache_dir=tmp_path, endpoint=hub_env.url)
    cause = err.value.__cause__
    assert isinstance(cause, HfHubHTTPError) and cause.response.status_code == 403
    assert hub_env.count("/org/m/resolve/") == 1


def test_fault_429_retry_after(hub_env: FakeHub) -> None:
    hub_env.add_model("org/m")
    hub_env.fault("/api/", status=429, headers={"Retry-After": "7"})
    with pytest.raises(HfHubHTTPError) as err:
        api(hub_env).model_info("org/m")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert "rate limit" in str(err.value)  # from the default RateLimit header


def test_fault_auth_statuses(hub_env: FakeHub) -> None:
    hub_env.add_model("org/m")
    for status in (401, 403):
        hub_env.fault("/api/models/org/m", status=status, times=1)
        with pytest.raises(GatedRepoError):
            api(hub_env).model_info("org/m")
    hub_env.fault("/api/models/org/m", status=404, times=1)
    with pytest.raises(RepositoryNotFoundError):
        api(hub_env).model_info("org/m")
    hub_env.fault("/api/models/org/m", status=401, headers={"X-Error-Code": ""}, times=1)
    with pytest.raises(HfHubHTTPError) as err:  # bare 401 on http:// is NOT mapped to RepoNotFound
        api(hub_env).model_info("org/m")
    assert not isinstance(err.value, RepositoryNotFoundError)


def test_fault_bad_bodies(hub_env: FakeHub) -> None:
    hub_env.add_model("org/m")
    hub_env.fault("/api/models/org/m", body=b"not json", times=1)
    with pytest.raises(json.JSONDecodeError):  # raw r.json() error, not wrapped by huggingface_hub
        api(hub_env).model_info("org/m")
    hub_env.fault("/api/models/org/m", body=b'{"id": "org/m", "tags": [', times=1)
    with pytest.raises(json.JSONDecodeError):
        api(hub_env).model_info("org/m")
    hub_env.fault("/api/models/org/m", body=b'{"sha": "x"}', times=1)
    with pytest.raises(KeyError):  # valid JSON without "id": ModelInfo(**data) fails
        api(hub_env).model_info("org/m")


def test_fault_delay_and_close(hub_env: FakeHub) -> None:
    hub_env.add_model("org/m")
    hub_env.fault("/api/models/org/m", delay=1.0, times=1)
    start = time.monotonic()
    with pytest.raises(httpx2.ReadTimeout):  # an httpx2.TimeoutException, not an HfHubHTTPError
        api(hub_env).model_info("org/m", timeout=0.2)
    assert time.monotonic() - start < 0.9

    hub_env.fault("/api/models/org/m", delay=0.05, times=1)  # a short stall then normal service
    assert api(hub_env).model_info("org/m").id == "org/m"

    hub_env.fault("/api/models/org/m", close=True, times=1)
    with pytest.raises(httpx2.RemoteProtocolError):
        api(hub_env).model_info("org/m")
    assert api(hub_env).model_info("org/m").id == "org/m"


def test_log_count_and_clear(fake_hub: FakeHub) -> None:
    fake_hub.add_model("org/m")
    r = get_session().get(f"{fake_hub.url}/api/models/org/m/tree/main")
    assert r.status_code == 404 and "X-Error-Code" not in r.headers  # unknown route
    assert get_session().get(f"{fake_hub.url}/nothing").status_code == 404
    assert fake_hub.count("/api/") == 1 and len(fake_hub.requests) == 2
    fake_hub.clear_log()
    assert fake_hub.requests == []


def test_context_manager_and_default_sha() -> None:
    import hashlib

    with FakeHub() as hub:
        sha = hub.add_model("org/m")
        assert sha == hashlib.sha1(b"org/m").hexdigest()
        assert hub.url.startswith("http://127.0.0.1:")
        assert get_session().get(f"{hub.url}/api/models/org/m").json()["sha"] == sha
    with pytest.raises(httpx2.ConnectError):
        get_session().get(f"{hub.url}/api/models/org/m")


def test_compute_tags_first_base_only() -> None:
    assert compute_tags({"base_model": "a/b", "license": "mit"}, ["gguf"]) == [
        "gguf",
        "base_model:a/b",
        "base_model:finetune:a/b",
        "license:mit",
    ]
