"""The embedded snapshot: renames kept as data and followed offline like a Hub redirect; roots vs unknown ancestry."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from licheck.provenance import snapshot
from licheck.provenance.records import RepoRecord
from licheck.provenance.snapshot import Snapshot, load_snapshot

ROOT = Path(__file__).resolve().parent.parent


def write_snapshot(folder: Path, records: list[RepoRecord], aliases: dict[str, str], why: dict[str, str]) -> Snapshot:
    snapshot.write_snapshot(folder, records, {"snapshot_date": "2026-12-03", "aliases": aliases, "alias_sources": why})
    return Snapshot(folder)


@pytest.fixture
def renamed(tmp_path: Path) -> Snapshot:
    """Facts copied from the shared flagship data: the 3.1 Instruct card names its base by the pre-rename id."""
    base = RepoRecord(id="meta-llama/Llama-3.1-8B", kind="model", card_data={"license": "llama3.1"})
    child = RepoRecord(
        id="meta-llama/Llama-3.1-8B-Instruct",
        kind="model",
        card_data={"license": "llama3.1", "base_model": "meta-llama/Meta-Llama-3.1-8B"},
    )
    why = {"meta-llama/Meta-Llama-3.1-8B": "the Hub's tag names it meta-llama/Llama-3.1-8B"}
    return write_snapshot(tmp_path, [base, child], {"meta-llama/Meta-Llama-3.1-8B": "meta-llama/Llama-3.1-8B"}, why)


def test_old_id_returns_the_canonical_record_and_says_what_was_asked(renamed):
    rec = renamed.get("meta-llama/Meta-Llama-3.1-8B")
    assert rec is not None and rec.id == "meta-llama/Llama-3.1-8B"
    assert rec.requested_id == "meta-llama/Meta-Llama-3.1-8B"
    assert renamed.get("meta-llama/Llama-3.1-8B").requested_id is None
    assert renamed.get("meta-llama/Meta-Llama-3.1-8B-Instruct") is None  # only recorded renames are followed


def test_offline_resolver_follows_a_recorded_rename_and_says_so(renamed):
    from licheck.provenance.resolver import ProvenanceResolver
    from licheck.provenance.sources import LayeredSource

    resolver = ProvenanceResolver(LayeredSource(None, None, renamed, offline=True))
    graph = resolver.resolve("meta-llama/Llama-3.1-8B-Instruct")
    assert "meta-llama/Meta-Llama-3.1-8B" not in graph.nodes
    assert graph.nodes["meta-llama/Llama-3.1-8B"].kind == "model"
    assert [e.parent for e in graph.edges] == ["meta-llama/Llama-3.1-8B"]
    note = [w for w in graph.warnings if "is now meta-llama/Llama-3.1-8B" in w]
    assert note and "embedded snapshot records the rename" in note[0] and "the Hub's tag" in note[0]

    root = resolver.resolve("meta-llama/Meta-Llama-3.1-8B")  # asking for the old id directly
    assert root.root == "meta-llama/Llama-3.1-8B"
    assert root.nodes[root.root].requested_id == "meta-llama/Meta-Llama-3.1-8B"
    assert any("embedded snapshot records the rename" in w for w in root.warnings)


def test_embedded_renames_are_sourced_and_never_shadow_a_record():
    snap = load_snapshot()
    assert snap.aliases, "the shared data shows Llama 3.1 renames (id_as_seen, Hub tags)"
    keys = set(snap.keys())
    for old, new in snap.aliases.items():
        assert old not in keys and new in keys
        assert snap.alias_sources.get(old)
    assert snap.get("meta-llama/Meta-Llama-3.1-8B").id == "meta-llama/Llama-3.1-8B"


def _build_module():
    spec = importlib.util.spec_from_file_location("build_snapshot", ROOT / "scripts" / "build_snapshot.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_whole_front_matter_without_base_model_is_a_root_partial_is_not():
    build = _build_module()
    api = None
    full = {"repo_id": "o/root", "card_data": {"license": "mit"}, "visibility": "full", "source": {}}
    rec, _ = build._record(full, api)
    assert rec.unknown == []
    partial = dict(full, visibility="partial", unknown=["base_model"])
    rec, _ = build._record(partial, api)
    assert "base_model" in rec.unknown
    header = {"repo_id": "o/h", "card_data": {}, "visibility": "header", "unknown": ["license"], "source": {}}
    rec, _ = build._record(header, api)
    assert {"license", "base_model"} <= set(rec.unknown)


def test_build_reads_a_rename_only_from_the_hubs_own_tag_for_the_same_owner():
    build = _build_module()
    entry = {"card_data": {"base_model": "meta-llama/Meta-Llama-3.1-8B"}}
    tags = ["base_model:meta-llama/Llama-3.1-8B", "base_model:finetune:meta-llama/Llama-3.1-8B"]
    assert build._tag_rename(entry, tags) == ("meta-llama/Meta-Llama-3.1-8B", "meta-llama/Llama-3.1-8B")
    assert build._tag_rename(entry, ["base_model:someone/else"]) is None  # another owner: not a rename
    assert build._tag_rename(entry, tags + ["base_model:meta-llama/Llama-3.1-70B"]) is None  # ambiguous
    assert build._tag_rename({"card_data": {"base_model": ["a/x", "a/y"]}}, ["base_model:a/z"]) is None
