"""Adapter and merge configs in sub-folders are file evidence (issue 10 item 5), through the fake Hub and local
folders: the most specific copy wins (root, else the shallowest sub-folder), one extra request at most, pinned to
the sha; several copies naming different bases are all followed, with a warning."""

from __future__ import annotations

import json
from pathlib import Path

from licheck.provenance.evidence import config_level, parent_edges
from licheck.provenance.records import RepoRecord
from tests import hubdata

BASE = "meta-llama/Llama-2-7b-chat-hf"  # a real record of tests/fixtures/hub_records.yaml
OTHER = "meta-llama/Llama-2-7b"


def adapter(base: str) -> str:
    return json.dumps({"base_model_name_or_path": base, "peft_type": "LORA"})


def chain(cli, target: str) -> dict:
    res = cli("chain", target, "--format", "json")
    assert res.exit_code == 0, res.stderr
    return res.json()


def test_config_level_orders_by_specificity() -> None:
    names = ["checkpoint-1000/adapter_config.json", "checkpoint-500/adapter_config.json", "a/b/c/adapter_config.json"]
    assert config_level(names, "adapter_config.json") == [
        "checkpoint-500/adapter_config.json",
        "checkpoint-1000/adapter_config.json",
    ]
    assert config_level(["x/adapter_config.json", "adapter_config.json"], "adapter_config.json") == [
        "adapter_config.json"
    ]
    assert config_level(["run/ckpt/adapter_config.json"], "adapter_config.json") == ["run/ckpt/adapter_config.json"]
    assert config_level(["a/b/c/adapter_config.json", "my_adapter_config.json"], "adapter_config.json") == []


def test_hub_subfolder_adapter_is_read_once_pinned_to_the_sha(hub_env, cli) -> None:
    hubdata.load(hub_env, BASE)
    sha = hub_env.add_model(
        "acme/lora",
        card_data={"license": "mit"},
        files={"adapter/adapter_config.json": adapter(BASE), "adapter/adapter_model.safetensors": "x"},
    )
    hub_env.clear_log()
    doc = chain(cli, "acme/lora")
    (e,) = doc["graph"]["edges"]
    assert e["parent"] == BASE and e["relation"] == "adapter" and e["relation_source"] == "file"
    details = [ev["detail"] for ev in e["evidence"]]
    assert f"adapter/adapter_config.json names {BASE}" in details and "file adapter/adapter_config.json" in details
    reads = [p for _m, p in hub_env.requests if p.startswith("/acme/lora/resolve/")]
    assert reads == [f"/acme/lora/resolve/{sha}/README.md", f"/acme/lora/resolve/{sha}/adapter/adapter_config.json"]


def test_hub_checkpoints_cost_one_request_and_the_root_file_wins(hub_env, cli) -> None:
    hubdata.load(hub_env, BASE)
    files = {f"checkpoint-{n}/adapter_config.json": adapter(BASE) for n in (1000, 500, 1500)}
    hub_env.add_model("acme/ckpts", card_data={"license": "mit"}, files=files)
    hub_env.clear_log()
    assert [e["parent"] for e in chain(cli, "acme/ckpts")["graph"]["edges"]] == [BASE]
    reads = [p for _m, p in hub_env.requests if p.startswith("/acme/ckpts/resolve/")]
    assert len(reads) == 2 and reads[1].endswith("/checkpoint-500/adapter_config.json")

    hub_env.add_model(
        "acme/rooted",
        card_data={"license": "mit"},
        files={"adapter_config.json": adapter(BASE), "old/adapter_config.json": adapter("acme/never-read")},
    )
    hub_env.clear_log()
    assert [e["parent"] for e in chain(cli, "acme/rooted")["graph"]["edges"]] == [BASE]
    assert not any("old/" in p for _m, p in hub_env.requests)


def test_hub_subfolder_mergekit_names_the_merged_models(hub_env, cli) -> None:
    hubdata.load(hub_env, BASE, "meta-llama/Llama-2-7b")
    recipe = f"merge_method: slerp\nbase_model: {BASE}\nmodels:\n  - model: {BASE}\n  - model: {OTHER}\n"
    hub_env.add_model("acme/merged", card_data={"license": "llama2"}, files={"recipe/mergekit_config.yml": recipe})
    edges = chain(cli, "acme/merged")["graph"]["edges"]
    assert {(e["parent"], e["relation"]) for e in edges} == {(BASE, "merge"), (OTHER, "merge")}


def test_card_base_model_still_saves_the_request(hub_env, cli) -> None:
    hubdata.load(hub_env, BASE)
    hub_env.add_model(
        "acme/declared",
        card_data={"license": "mit", "base_model": BASE},
        files={"adapter/adapter_config.json": adapter(BASE)},
    )
    hub_env.clear_log()
    (e,) = chain(cli, "acme/declared")["graph"]["edges"]
    assert e["relation"] == "adapter" and not any("adapter_config" in p for _m, p in hub_env.requests)


def test_local_checkpoints_with_different_bases_are_all_parents_with_a_warning(tmp_path: Path, hub_env, cli) -> None:
    hubdata.load(hub_env, BASE, "meta-llama/Llama-2-7b")
    model = tmp_path / "my-lora"
    for n, base in ((100, BASE), (200, OTHER)):
        (model / f"checkpoint-{n}").mkdir(parents=True)
        (model / f"checkpoint-{n}" / "adapter_config.json").write_text(adapter(base))
    (model / "runs" / "deep" / "deeper").mkdir(parents=True)
    (model / "runs" / "deep" / "deeper" / "adapter_config.json").write_text(adapter("acme/never-read"))
    (model / "README.md").write_text("---\nlicense: mit\n---\nhello\n")
    doc = chain(cli, str(model))
    assert {(e["parent"], e["relation"]) for e in doc["graph"]["edges"]} == {(BASE, "adapter"), (OTHER, "adapter")}
    assert any("2 copies of adapter_config.json name different parents" in w for w in doc["warnings"])


def test_local_subfolder_outside_the_folder_is_not_read(tmp_path: Path, hub_env, cli) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "adapter_config.json").write_text(adapter(BASE))
    model = tmp_path / "m"
    (model / "adapter").mkdir(parents=True)
    (model / "adapter" / "adapter_config.json").symlink_to(outside / "adapter_config.json")
    (model / "linked").symlink_to(outside, target_is_directory=True)
    (model / "README.md").write_text("---\nlicense: mit\n---\n")
    assert chain(cli, str(model))["graph"]["edges"] == []


def test_same_base_in_every_copy_gives_no_warning() -> None:
    rec = RepoRecord(
        "acme/x",
        "model",
        siblings=["a/adapter_config.json", "b/adapter_config.json"],
        file_parents={"a/adapter_config.json": [BASE], "b/adapter_config.json": [BASE]},
    )
    edges, warnings = parent_edges(rec)
    assert [(e.parent, e.relation) for e in edges] == [(BASE, "adapter")] and warnings == []
    assert edges[0].evidence[0].detail == f"a/adapter_config.json, b/adapter_config.json names {BASE}"
