"""`licheck scan`: every verdict equals the real resolver + Auditor over the same records (no timed tests).

The reference is `licheck audit ID --offline` with the dump as the only data: the dump's records are written as a
real snapshot folder, read through LayeredSource(offline) by ProvenanceResolver, judged by Auditor. The scan's
fast extractor is also checked field by field against evidence.py.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licheck.domain import Plan
from licheck.engine.auditor import Auditor
from licheck.errors import LicheckError
from licheck.provenance.evidence import _file_relation, _file_relation_each, edge_specs, license_info, parent_edges
from licheck.provenance.ids import parse_subject
from licheck.provenance.records import listing_truncated
from licheck.provenance.resolver import ProvenanceResolver
from licheck.provenance.snapshot import Snapshot
from licheck.provenance.sources import LayeredSource
from licheck.rules.apis import load_catalogue
from licheck.rules.ruleset import load_rules
from licheck.scan import evaluate_batch, evaluator, index_records
from licheck.scan.records import DumpError, Facts, record_from_hub

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


# -- the reference: audit --offline over a snapshot holding only the dump --------------------------------------------
def write_snapshot(folder: Path, records: list[Any]) -> list[str]:
    """The dump as a real snapshot folder (snapshot.jsonl + snapshot-index.json); returns the keys in order."""
    recs: dict[str, Any] = {}
    for d in records:
        try:
            rec = record_from_hub(d)
        except DumpError:
            continue
        recs[rec.key] = rec  # a later record with the same id wins, at the first one's position
    index, offset = {}, 0
    with (folder / "snapshot.jsonl").open("wb") as fh:
        for key, rec in recs.items():
            line = json.dumps(rec.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
            index[key] = [offset, len(line)]
            fh.write(line + b"\n")
            offset += len(line) + 1
    (folder / "snapshot-index.json").write_text(json.dumps({"index": index, "aliases": {}}), encoding="utf-8")
    return list(recs)


def reference_verdicts(folder: Path, records: list[Any], plan: Plan, max_depth: int = 20) -> dict[str, str]:
    keys = write_snapshot(folder, records)
    snapshot = Snapshot(folder)
    assert len(snapshot) == len(keys)
    resolver = ProvenanceResolver(LayeredSource(None, None, snapshot, offline=True), max_depth=max_depth)
    auditor = Auditor(load_rules())
    student = resolver.resolve(plan.student) if plan.student else None
    out = {}
    for key in keys:
        try:
            if parse_subject(key).kind == "local":
                out[key] = "error"  # the scan never reads local folders named by a dump
                continue
            graph = resolver.resolve(key)
            out[key] = auditor.audit(plan.for_teacher(key), graph, student).verdict
        except LicheckError:
            out[key] = "error"
    return out


def scan_verdicts(records: list[Any], plan: Plan, max_depth: int = 20) -> dict[str, dict[str, Any]]:
    rules = load_rules()
    index, store = index_records(records, rules)
    return {r["id"]: r for r in evaluate_batch(index.keys, index, plan, rules, store=store, max_depth=max_depth)}


def assert_same(tmp_path: Path, records: list[Any], plan: Plan, max_depth: int = 20) -> dict[str, dict[str, Any]]:
    ref = reference_verdicts(tmp_path, records, plan, max_depth)
    got = scan_verdicts(records, plan, max_depth)
    assert set(ref) == set(got)
    wrong = {k: (ref[k], got[k]["verdict"], got[k]["via"]) for k in ref if ref[k] != got[k]["verdict"]}
    assert not wrong, f"{len(wrong)} verdicts differ (reference, scan, route): {list(wrong.items())[:10]}"
    return got


def real_records() -> list[dict[str, Any]]:
    """Real Hub records: the model records of licheck's embedded snapshot (built from the 2025 Hub scrape and the
    recorded flagship cards), in the Hub API's shape. Tests never read ../shared."""
    from licheck.provenance.snapshot import load_snapshot

    snap = load_snapshot()
    out = []
    for key in snap.keys():
        rec = snap.get(key)
        if rec is None or rec.kind != "model" or rec.unknown or rec.prose or rec.prose_licenses:
            continue  # dumps carry API records only: no card prose, no fields the source could not see
        out.append(
            {
                "id": rec.id,
                "sha": rec.sha,
                "cardData": rec.card_data,
                "tags": rec.tags,
                "siblings": [{"rfilename": s} for s in rec.siblings],
                "gated": rec.gated,
            }
        )
    assert len(out) > 1500
    return out


# -- hand-made records for every awkward case ----------------------------------------------------------------------
def rec(
    rid: str,
    card: dict[str, Any] | None = None,
    tags: list[str] | None = None,
    files: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    d = {
        "id": rid,
        "sha": "0" * 40,
        "cardData": card or {},
        "tags": tags or [],
        "siblings": [{"rfilename": f} for f in files or ["README.md", "config.json"]],
    }
    d.update(extra)
    return d


def awkward_records() -> list[dict[str, Any]]:
    out = [
        rec("meta-llama/Llama-3.1-8B", {"license": "llama3.1"}),
        rec("meta-llama/Llama-3.1-8B-Instruct", {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"}),
        rec("user/l31-ft", {"license": "apache-2.0", "base_model": "meta-llama/Llama-3.1-8B"}),
        # a merge reaching the base through a same-licensor child and a third party: relicensing bits disagree
        rec("user/l31-merge", {"base_model": ["meta-llama/Llama-3.1-8B-Instruct", "user/l31-ft"]}, ["merge"]),
        rec("user/l31-merge-ft", {"license": "mit", "base_model": "user/l31-merge"}),
        rec("user/l31-merge-rev", {"base_model": ["user/l31-ft", "meta-llama/Llama-3.1-8B-Instruct"]}),
        rec("deepseek-ai/DeepSeek-V3-Base", {"license": "other", "license_name": "deepseek"}),
        rec("deepseek-ai/DeepSeek-R1", {"license": "mit", "base_model": "deepseek-ai/DeepSeek-V3-Base"}),
        rec("someone/r1-distill", {"license": "apache-2.0", "base_model": "deepseek-ai/DeepSeek-R1"}),
        # the licensor's own child is found first, but a third party also builds on the base: its terms apply
        rec("third/v3-sft", {"license": "mit", "base_model": "deepseek-ai/DeepSeek-V3-Base"}),
        rec("third/r1-v3-merge", {"license": "mit", "base_model": ["deepseek-ai/DeepSeek-R1", "third/v3-sft"]}),
        # cycles, one through a case-variant id, and a self-reference by case
        rec("loop/a", {"license": "mit", "base_model": "loop/b"}),
        rec("loop/b", {"license": "mit", "base_model": "LOOP/A"}),
        rec("loop/child", {"license": "mit", "base_model": "loop/a"}),
        rec("Self/Ref", {"license": "mit", "base_model": "self/ref"}),
        # parents outside the dump, invalid ids, API products, datasets
        rec("x/dangling", {"license": "mit", "base_model": "nobody/gone"}),
        rec("x/odd-licence", {"license": "my-own-licence", "base_model": "user/l31-ft"}),
        rec("x/other-named", {"license": "other", "license_name": "acme-research", "base_model": "x/odd-licence"}),
        rec("x/invalid-base", {"license": "mit", "base_model": ["./local/path", 42, "https://example.com/m"]}),
        rec("x/api-base", {"license": "mit", "base_model": "openai/gpt-4o"}),
        rec(
            "x/trained",
            {"license": "mit", "base_model": "x/dangling", "datasets": ["d/one", "datasets/d/two"]},
            ["dataset:d/one", "dataset:d/three"],
        ),
        rec(
            "d/one",
            {"license": "cc-by-4.0", "tags": ["synthetic"], "base_model": "x/api-base"},
            ["GPT-4"],
            repoType="dataset",
        ),
        rec("d/two", {"license": "cc-by-nc-4.0"}, ["GPT-4"], repoType="dataset"),
        rec("datasets/d/three", {"license": "mit", "annotations_creators": ["machine-generated"]}),
        # relations from files, tags and the card; licences through tags, other + name, gate headings, SPDX
        rec(
            "q/gguf",
            {"base_model": "meta-llama/Llama-3.1-8B-Instruct"},
            ["base_model:finetune:x/y"],
            ["README.md", "model.Q4_K_M.gguf"],
        ),
        rec(
            "q/adapter",
            {"license": "other", "license_name": "llama3.1"},
            ["base_model:adapter:user/l31-ft"],
            ["sub/adapter_config.json"],
        ),
        rec("q/declared", {"base_model": ["user/l31-ft"], "base_model_relation": "Quantized"}, ["license:mit"]),
        rec("q/tag-only", {}, ["base_model:merge:user/l31-ft", "base_model:meta-llama/Llama-3.1-8B", "license:gemma"]),
        rec("q/gate", {"extra_gated_prompt": "### LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nmore", "base_model": "a/b"}),
        rec("q/spdx", {"license": "apache-2.0 OR mit", "base_model": "user/l31-ft"}),
        rec("q/list", {"license": ["mit", "llama3.1"], "base_model": "user/l31-ft"}),
        rec("q/vision-llama", {"license": "llama3.2", "pipeline_tag": "image-text-to-text"}),
        rec("q/text-llama", {"license": "llama3.2"}, pipeline_tag="text-generation"),
        rec("q/llama32-ft", {"license": "mit", "base_model": ["q/vision-llama", "q/text-llama"]}),
        # ids `audit` reads differently: an API product, a models/ prefix, an invalid id, a local path
        rec("openai/gpt-4o", {"license": "mit"}),
        rec("models/foo", {"license": "mit"}),
        rec("bad--id/x", {"license": "mit"}),
        rec("./local", {"license": "mit"}),
        rec("foo", {"license": "apache-2.0", "base_model": "Meta-Llama/llama-3.1-8b"}),
        # duplicates: the later record wins
        rec("dup/model", {"license": "mit"}),
        rec("dup/model", {"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"}),
    ]
    # a checkpoint chain deeper than the depth limit
    prev = "meta-llama/Llama-3.1-8B"
    for i in range(26):
        lic = {"license": "mit"} if i % 3 else {}
        out.append(rec(f"chain/ckpt-{i}", {**lic, "base_model": prev}))
        prev = f"chain/ckpt-{i}"
    out.append(rec("chain/forbidden-top", {"license": "cc-by-nc-4.0"}))
    out.append(rec("chain/ckpt-x", {"license": "mit", "base_model": ["chain/ckpt-25", "chain/forbidden-top"]}))
    out.append("not an object")
    out.append({"no": "id"})
    return out


PLANS = [
    Plan(teacher="*"),
    Plan(teacher="*", student="meta-llama/Llama-3.1-8B", method="weights"),
    Plan(teacher="*", use="research", internal=True, eu=True, mau=10**9),
    Plan(teacher="*", student="user/l31-merge", method="logits", eu=False),
]


@pytest.mark.parametrize("plan", PLANS, ids=["default", "student-weights", "research-internal", "merge-student"])
def test_awkward_records_match_audit(tmp_path: Path, plan: Plan) -> None:
    got = assert_same(tmp_path, awkward_records(), plan)
    assert {r["via"] for r in got.values()} >= {"memo", "audit", "error"}


@pytest.mark.parametrize("max_depth", [0, 1, 3])
def test_depth_limits_match_audit(tmp_path: Path, max_depth: int) -> None:
    assert_same(tmp_path, awkward_records(), Plan(teacher="*"), max_depth)


def test_student_deeper_than_the_depth_limit_matches_audit(tmp_path: Path) -> None:
    """The student graph cuts nodes at the depth limit that teachers read in full (the Auditor keys by id)."""
    got = assert_same(tmp_path, awkward_records(), Plan(teacher="*", student="chain/ckpt-25"), max_depth=4)
    assert got["chain/ckpt-20"]["via"] == got["chain/ckpt-22"]["via"] == "audit"  # the cut node and below


def test_real_records_match_audit(tmp_path: Path) -> None:
    """Every real Hub model record of the embedded snapshot: scan == audit --offline, record by record."""
    records = real_records()
    got = assert_same(tmp_path, records, Plan(teacher="*"))
    assert len(got) == len({r["id"] for r in records}) > 1500
    assert got["deepseek-ai/DeepSeek-R1"]["verdict"] == "permitted"


def test_real_records_match_audit_with_student(tmp_path: Path) -> None:
    assert_same(tmp_path, real_records(), Plan(teacher="*", student="meta-llama/Llama-2-7b-chat-hf"))


def generated(n: int, seed: int) -> list[dict[str, Any]]:
    from gen_dump import Generator, calibrate

    gen = Generator(n, seed, calibrate(None))  # the constants recorded in gen_dump.py: tests never read ../shared
    gen.build()
    return [gen.record(i) for i in range(len(gen.ids))]


def test_generated_sample_matches_audit(tmp_path: Path) -> None:
    """A generated dump (families, merges, adapters, GGUF, dangling and case-variant parents, cycles)."""
    records = generated(2500, seed=7)
    random.Random(3).shuffle(records)
    assert_same(tmp_path, records, Plan(teacher="*"))


def test_generated_sample_with_shallow_depth_matches_audit(tmp_path: Path) -> None:
    records = generated(1500, seed=11)
    assert_same(tmp_path, records, Plan(teacher="*", method="weights"), max_depth=2)


def test_closure_states_agree_with_the_auditor() -> None:
    """Every model the fold judges from its closure state gets what the Auditor says on its own graph, and the
    models it cannot describe (cycles, depth cuts) are handed to the Auditor."""
    rules = load_rules()
    records = awkward_records() + generated(1500, seed=5)
    index, store = index_records(records, rules)
    ev = evaluator(index, store, Plan(teacher="*"), rules)
    routes = {"memo": 0, "audit": 0}
    for i in range(index.n):
        if i in ev._special:
            continue
        verdict, route = ev.verdict(i)
        routes[route] += 1
        assert ev.closure.needs_engine(i) == (route == "audit"), index.keys[i]
        assert verdict == ev.judge.audit(index.keys[i]), index.keys[i]
    assert routes["memo"] > 1000 and routes["audit"] > 0, routes


# -- the reader uses evidence.py itself; its one-pass sibling scan against the name-by-name definition ----------
def reader_matches(facts: Facts, d: Any) -> None:
    try:
        record = record_from_hub(d)
    except DumpError:
        with pytest.raises(DumpError):
            facts.record(d)
        return
    key, _kind, label, edges = facts.record(d)
    assert key == record.key
    assert edges == [(e.parent, e.relation) for e in parent_edges(record, facts.api)[0]]
    info = license_info(record)
    assert label[1] == (
        tuple(info.card),
        info.license_name,
        info.license_link,
        tuple(info.tags),
        info.gated_prompt_head,
    )
    assert _file_relation(record.siblings) == _file_relation_each(record.siblings)
    explained = edge_specs(record, facts.api)[0]
    bare, warnings = edge_specs(record, facts.api, explain=False)
    assert [e[:3] for e in bare] == [e[:3] for e in explained] and warnings == []
    assert all(e[3] == [] for e in bare)


def test_long_listing_is_flagged_once() -> None:
    """The dump reader hands the whole listing to new_record, which keeps 5000 names and records the cut once."""
    names = [{"rfilename": f"f{i}.bin"} for i in range(5003)] + [{"rfilename": 7}]
    record = record_from_hub({"id": "a/b", "siblings": names, "tags": ["x", 3, "license:mit"]})
    assert len(record.siblings) == 5000 and record.tags == ["x", "license:mit"]
    assert [p.reason for p in record.problems] == [listing_truncated(5003)]


def test_reader_equals_evidence_on_real_and_generated_records() -> None:
    facts = Facts(load_rules(), load_catalogue())
    records = awkward_records() + generated(1500, seed=3) + real_records()
    for d in records:
        reader_matches(facts, d)


_ids = st.sampled_from(
    [
        "a/b",
        "A/B",
        "meta-llama/Llama-3.1-8B",
        "openai/gpt-4o",
        "x",
        "bad--id",
        "./p",
        "",
        " a/b ",
        "https://huggingface.co/a/b",
        "datasets/d/e",
        "self/me",
        "Self/Me",
        "a/b/c",
    ]
)
_values = st.one_of(_ids, st.integers(), st.none(), st.lists(_ids, max_size=4), st.dictionaries(_ids, _ids, max_size=1))
_tag = st.one_of(
    st.builds(
        lambda p, rel: f"base_model:{rel}{p}",
        _ids,
        st.sampled_from(["", "finetune:", "adapter:", "merge:", "bogus:", "a:b:"]),
    ),
    st.builds(lambda p: f"dataset:{p}", _ids),
    st.builds(lambda p: f"license:{p}", st.sampled_from(["mit", "llama2", "other", "Apache-2.0"])),
    st.sampled_from(["transformers", "region:us", "vision", 7]),
)
_files = st.lists(
    st.sampled_from(
        [
            "adapter_config.json",
            "a/adapter_config.json",
            "x.GGUF",
            "m.gguf.part1of2",
            "ggml-model.bin",
            "mergekit_config.yml",
            "quantize_config.json",
            "w.safetensors",
            "AWQ.txt",
            "n\nx.gguf",
            "ſmeaſurement.json",
            "measurement.json",
            3,
            None,
        ]
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(
    base=_values,
    relation=st.sampled_from([None, "finetune", " Adapter ", "merge", "bogus", 3]),
    datasets=_values,
    tags=st.lists(_tag, max_size=6),
    files=_files,
    lic=st.one_of(
        st.none(),
        st.sampled_from(["mit", " llama2 ", "other", "", "Apache-2.0 OR MIT"]),
        st.lists(st.sampled_from(["mit", "gemma", 1]), max_size=3),
        st.integers(),
    ),
    name=st.sampled_from([None, "", " exaone ", "llama4"]),
    gate=st.sampled_from([None, "", "# LLAMA 2 COMMUNITY LICENSE AGREEMENT\nx", "  \n  "]),
    rid=st.sampled_from(["self/me", "a/b", "Self/Me"]),
)
def test_reader_equals_evidence_on_generated_cards(base, relation, datasets, tags, files, lic, name, gate, rid) -> None:
    card: dict[str, Any] = {}
    for k, v in (
        ("base_model", base),
        ("base_model_relation", relation),
        ("datasets", datasets),
        ("license", lic),
        ("license_name", name),
        ("extra_gated_prompt", gate),
    ):
        if v is not None:
            card[k] = v
    d = {"id": rid, "cardData": card, "tags": tags, "siblings": [{"rfilename": f} for f in files]}
    reader_matches(_FACTS, d)


_FACTS = Facts(load_rules(), load_catalogue())


# -- the command ----------------------------------------------------------------------------------------------------
def write_jsonl(path: Path, records: list[Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for d in records:
            fh.write((json.dumps(d) if not isinstance(d, str) else d) + "\n")
        fh.write("{broken json\n")


def test_cli_scan_writes_results_and_summary(cli, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    write_jsonl(dump, awkward_records())
    out = tmp_path / "results.jsonl"
    res = cli("scan", str(dump), "--output", str(out), "--format", "json", "--workers", "1")
    assert res.exit_code == 0, res.stderr
    summary = res.json()
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == summary["models"] == len({r["id"] for r in lines})
    assert sum(summary["verdicts"].values()) == summary["models"]
    assert summary["unreadable_lines"] == 3 and summary["duplicate_ids"] == 1
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left behind
    by_id = {r["id"]: r for r in lines}
    assert by_id["loop/child"]["depth"] is None and by_id["loop/child"]["via"] == "audit"
    assert by_id["x/dangling"]["missing_parents"] == ["nobody/gone"] and by_id["x/dangling"]["incomplete"]
    assert by_id["user/l31-ft"]["roots"] == ["meta-llama/Llama-3.1-8B"]
    assert "apache-2.0 over llama-3.1" in by_id["user/l31-ft"]["drift"]
    assert by_id["bad--id/x"]["verdict"] == "error"
    unknown = {u["license"]: u["models"] for u in summary["unknown_licenses"]}
    assert unknown["my-own-licence"] == 2 and unknown["other:acme-research"] == 1
    assert by_id["x/other-named"]["unknown"] == ["my-own-licence", "other:acme-research"]
    text = cli("scan", str(dump), "--workers", "1")
    assert text.exit_code == 0 and "verdicts" in text.stdout and "drift" in text.stdout


def test_generated_dump_file_scan_equals_the_auditor(tmp_path: Path) -> None:
    """A dump file written by benchmarks/gen_dump.py, scanned end to end (JSON Lines reader in two worker
    processes, fold, Auditor): every model's verdict is the Auditor's over the same records."""
    from gen_dump import generate

    from licheck.scan import run_scan

    dump = tmp_path / "gen.jsonl"
    generate(2000, dump, seed=13, real=None)
    out = tmp_path / "results.jsonl"
    summary = run_scan(
        str(dump), Plan(teacher="*"), load_rules(), output=str(out), workers=2, verify=20, chunk_bytes=128 * 1024
    )
    records = [json.loads(x) for x in dump.read_text(encoding="utf-8").splitlines() if x.strip()]
    ref = reference_verdicts(tmp_path, records, Plan(teacher="*"))
    got = {r["id"]: r["verdict"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert summary["models"] == len(ref) == len(got) > 1900
    wrong = {k: (ref[k], got.get(k)) for k in ref if ref[k] != got.get(k)}
    assert not wrong, f"{len(wrong)} verdicts differ (Auditor, scan): {list(wrong.items())[:10]}"
    assert summary["stats"]["routes"]["memo"] > 1000, summary["stats"]["routes"]


def test_cli_scan_results_equal_evaluate_batch(cli, tmp_path: Path) -> None:
    records = generated(800, seed=2)
    dump = tmp_path / "dump.jsonl"
    write_jsonl(dump, records)
    out = tmp_path / "r.jsonl"
    assert cli("scan", str(dump), "-o", str(out), "--workers", "2").exit_code == 0
    rules = load_rules()
    index, store = index_records(records, rules)
    batch = evaluate_batch(records[:300], index, Plan(teacher="*"), rules, store=store)
    written = {json.loads(x)["id"]: json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()}
    for r in batch:
        assert written[r["id"]] == r


def test_cli_scan_errors_are_one_line(cli, tmp_path: Path) -> None:
    res = cli("scan", str(tmp_path / "missing.jsonl"))
    assert res.exit_code == 2 and "dump not found" in res.stderr
    dump = tmp_path / "d.jsonl"
    write_jsonl(dump, awkward_records())
    res = cli("scan", str(dump), "--student", "nobody/absent")
    assert res.exit_code == 2 and "--student" in res.stderr
    pq = tmp_path / "d.parquet"
    pq.write_bytes(b"PAR1" + b"\0" * 16)
    res = cli("scan", str(pq))
    assert res.exit_code == 2
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        assert "pyarrow" in res.stderr


def test_self_check_stops_a_scan_the_engine_disagrees_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the memo ever drifts from the engine (a new per-node dependency, say), the scan fails instead of lying."""
    from licheck import scan

    dump = tmp_path / "d.jsonl"
    write_jsonl(dump, awkward_records())
    monkeypatch.setattr(scan.Judge, "signature_verdict", lambda self, sig, rep: "permitted")
    with pytest.raises(scan.ScanConsistencyError, match="self-check"):
        scan.run_scan(str(dump), Plan(teacher="*"), load_rules(), workers=1, verify=50)


def test_real_records_match_audit_weights_from_scratch(tmp_path: Path) -> None:
    """A student initialised from each teacher's weights (--method weights, no --student): the own-models carve-out
    for the teacher's own derivative (engine/family.py) is decided per node, so the fold agrees with the audit."""
    got = assert_same(tmp_path, real_records(), Plan(teacher="*", method="weights"))
    assert got["meta-llama/Llama-2-7b-chat-hf"]["verdict"] == "conditional"
