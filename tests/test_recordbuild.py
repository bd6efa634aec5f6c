"""One record builder (records.new_record + recordbuild) and one `problems` concept (issue 12 item 5).

A record from the Hub, from the cache and from a local folder is held to the same shape; a file cut at a cap and
a card that cannot be trusted are the same kind of thing (a Problem: -> review), stored and shown as the two
lists of reasons they always were.
"""

from __future__ import annotations

import json
from pathlib import Path

from licheck.domain import INCOMPLETE, UNTRUSTED, Problem
from licheck.provenance import recordbuild
from licheck.provenance.cache import RecordCache
from licheck.provenance.records import MAX_SIBLINGS, MAX_TAGS, RepoRecord, new_record

L2 = "meta-llama/Llama-2-7b-hf"


def test_new_record_keeps_only_typed_capped_facts() -> None:
    files = [f"f{i}.bin" for i in range(MAX_SIBLINGS + 3)]
    rec = new_record(
        "org/m",
        "model",
        sha=12,
        gated=None,
        card={"license": "mit", "secret": "not ours to store"},
        tags=["a", 3, None] + ["t"] * (MAX_TAGS + 5),
        files=files + [None],
        pipeline_tag=["text-generation"],
    )
    assert rec.sha is None and rec.gated is False and rec.pipeline_tag is None
    assert rec.card_data == {"license": "mit"}
    assert rec.tags[0] == "a" and len(rec.tags) == MAX_TAGS
    assert rec.siblings == files[:MAX_SIBLINGS]
    assert [p.flag for p in rec.problems] == [INCOMPLETE]
    assert f"{MAX_SIBLINGS + 3:,} files" in rec.problems[0].reason


def test_problems_are_stored_as_the_two_lists_of_reasons_and_read_back(tmp_path: Path) -> None:
    rec = RepoRecord("org/m", "model", sha="a" * 40)
    rec.problems += [Problem("README.md cut", INCOMPLETE), Problem("front matter repeats key license")]
    data = rec.to_json()
    assert data["incomplete"] == ["README.md cut"] and data["problems"] == ["front matter repeats key license"]
    cache = RecordCache(tmp_path)
    cache.put("org/m", None, rec)
    back = cache.get("org/m", None)
    assert back is not None and back.problems == rec.problems
    assert RepoRecord("org/x", "model").to_json()["incomplete"] == []  # the stored shape keeps both keys


def test_unread_configs_mean_what_they_always_meant() -> None:
    rec = RepoRecord("org/m", "model")
    recordbuild.add_config(rec, "adapter_config.json", None)  # unread adapter: nothing (no base -> review later)
    recordbuild.add_config(rec, "mergekit_config.yml", None)  # unread merge: a merge of unknown models
    assert rec.file_parents == {"mergekit_config.yml": []} and rec.problems == []
    recordbuild.add_config(rec, "sub/adapter_config.json", json.dumps({"base_model_name_or_path": L2}))
    assert rec.file_parents["sub/adapter_config.json"] == [L2]


def test_both_kinds_of_problem_make_review_under_their_own_flags(hub_env, cli) -> None:
    """A card whose front matter repeats a key (untrusted) with a listing over the cap (incomplete)."""
    readme = "---\nlicense: apache-2.0\nlicense: mit\n---\n# m\n"
    hub_env.add_model(
        "acme/odd",
        card_data={"license": "apache-2.0"},
        readme=readme,
        siblings=["README.md"] + [f"shards/p{i:05d}.bin" for i in range(MAX_SIBLINGS + 1)],
    )
    doc = cli("audit", "acme/odd", "--format", "json").json()
    assert doc["verdict"] == "review"
    node = next(n for n in doc["graph"]["nodes"] if n["id"] == "acme/odd")
    assert any("file listing truncated" in r for r in node["incomplete"])
    assert any("repeats key license" in r for r in node["problems"])
    flags = {f.get("flag") for f in doc["findings"] if f.get("node") == "acme/odd" and f["effect"] == "review"}
    assert {INCOMPLETE, UNTRUSTED} <= flags
