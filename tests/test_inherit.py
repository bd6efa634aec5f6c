"""Issue 10 item 3: an unnamed-licence quantisation is read through its base; adapters and merges stay review."""

from __future__ import annotations

from pathlib import Path

import pytest

from licheck.domain import Edge, Evidence, Graph, LicenseInfo, ModelNode, Plan
from licheck.engine.auditor import Auditor, governed_by_base
from licheck.rules.ruleset import load_rules

RULES = load_rules()
LLAMA = ("meta-llama/Llama-3.1-8B-Instruct", ["llama3.1"])


def node(nid: str, lic: list[str], **kw: object) -> ModelNode:
    unknown = kw.pop("unknown", [])
    return ModelNode(id=nid, kind="model", license=LicenseInfo(card=lic, **kw), unknown=list(unknown))  # type: ignore[arg-type]


def chain(*links: tuple[ModelNode, ModelNode, str, str]) -> Graph:
    g = Graph(root=links[0][0].id)
    for child, parent, rel, source in links:
        g.nodes.setdefault(child.id, child)
        g.nodes.setdefault(parent.id, parent)
        g.edges.append(Edge(child.id, parent.id, rel, source, [Evidence("test", source)]))
    return g


def audit(g: Graph, **kw: object):
    return Auditor(RULES).audit(Plan(teacher=g.root), g, None, **kw)  # type: ignore[arg-type]


def base() -> ModelNode:
    return node(LLAMA[0], list(LLAMA[1]))


def flags(v) -> set[str]:
    return {f.flag for f in v.findings if f.flag}


def test_unnamed_quant_by_declared_relation_or_files_is_governed_by_its_base():
    alone = audit(chain((node("x/only", ["llama3.1"]), base(), "quantized", "base_model_relation")))
    for source in ("base_model_relation", "file"):
        for lic in (["other"], []):
            q = node("someone/Llama-3.1-8B-Instruct-GGUF", lic)
            v = audit(chain((q, base(), "quantized", source)))
            assert v.verdict == "conditional" == alone.verdict, (source, lic, [f.reason for f in v.findings])
            got = [f for f in v.findings if f.flag == "license_from_base"]
            assert len(got) == 1 and got[0].effect == "info" and got[0].node == q.id
            assert "named no licence of its own" in got[0].reason and "llama-3.1" in got[0].reason
            assert any(f.rule == "llama-3.1" and f.node == LLAMA[0] for f in v.findings)
            assert "license_unresolvable" not in flags(v)


def test_weak_evidence_of_quantisation_keeps_review():
    for source in ("tag", "prose", "default", "multiple_base_models"):
        q = node("someone/q-gguf", ["other"])
        v = audit(chain((q, base(), "quantized", source)))
        assert v.verdict == "review" and "license_unresolvable" in flags(v), source


def test_named_or_half_named_licence_is_not_read_from_the_base():
    for kw in ({"license_name": "my-licence"}, {"license_link": "LICENSE"}, {"gated_prompt_head": "MY TERMS"}):
        q = node("someone/q-gguf", ["other"], **kw)
        v = audit(chain((q, base(), "quantized", "file")))
        assert v.verdict == "review", kw
    unk = node("someone/q-gguf", ["unknown"])
    assert audit(chain((unk, base(), "quantized", "file"))).verdict == "review"
    unseen = node("someone/q-gguf", [], unknown=["license"])  # the snapshot did not record the licence
    assert audit(chain((unseen, base(), "quantized", "file"))).verdict == "review"


def test_quant_that_names_a_licence_keeps_both():
    q = node("someone/q-gguf", ["mit"])
    v = audit(chain((q, base(), "quantized", "file")))
    assert v.verdict == "conditional" and "license_drift" in v.flags and "license_from_base" not in flags(v)
    assert any(f.rule == "llama-3.1" for f in v.findings) and any(f.rule == "mit" for f in v.findings)


def test_unknown_base_licence_keeps_review():
    p = node("someone/base", ["other"])
    q = node("someone/q-gguf", ["other"])
    v = audit(chain((q, p, "quantized", "file")))
    assert v.verdict == "review" and "license_from_base" not in flags(v)


def test_quant_of_a_quant_reads_through_both_and_a_cycle_never_does():
    q1 = node("a/q1", ["other"])
    q2 = node("b/q2", [])
    v = audit(chain((q2, q1, "quantized", "file"), (q1, base(), "quantized", "base_model_relation")))
    assert v.verdict == "conditional", [f.reason for f in v.findings]
    assert {f.node for f in v.findings if f.flag == "license_from_base"} == {"a/q1", "b/q2"}
    loop = chain((q2, q1, "quantized", "file"), (q1, q2, "quantized", "file"), (q1, base(), "quantized", "file"))
    assert audit(loop).verdict == "review"


def test_two_bases_need_both_known():
    other = node("someone/unlicensed", ["other"])
    q = node("someone/q", ["other"])
    g = chain((q, base(), "quantized", "file"), (q, other, "quantized", "file"))
    assert audit(g).verdict == "review"


def test_adapter_and_merge_without_licence_stay_review_and_say_which_terms_bind():
    for rel, source in (("adapter", "file"), ("merge", "file"), ("finetune", "default")):
        a = node("someone/lora", ["other"])
        v = audit(chain((a, base(), rel, source)))
        assert v.verdict == "review", rel
        msg = next(f.reason for f in v.findings if f.flag == "license_unresolvable" and f.node == a.id)
        assert "bound by llama-3.1" in msg and "ask the author" in msg, msg
    a = node("someone/lora", ["other"])
    v = audit(chain((a, node("x/unknown", ["other"]), "adapter", "file")))
    msg = next(f.reason for f in v.findings if f.flag == "license_unresolvable" and f.node == a.id)
    assert "bound by" not in msg


def test_caller_decided_governed_set_replaces_the_computed_one():
    q = node("someone/q", ["other"])
    g = Graph(root=q.id, nodes={q.id: q}, edges=[Edge(q.id, LLAMA[0], "quantized", "file", [])])
    assert audit(g).verdict == "review"
    assert audit(g, governed={q.id}).verdict == "permitted"  # the base's own findings come with the base


def test_governed_by_base_is_a_least_fixed_point():
    bases = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["k"], "e": ["d", "k"], "f": ["a", "k"]}
    for order in (list(bases), list(reversed(bases))):
        got = governed_by_base({k: bases[k] for k in order}, lambda x: x == "k")
        assert got == {"d", "e"}
    deep = {f"n{i}": [f"n{i + 1}"] for i in range(5000)}
    assert len(governed_by_base(deep, lambda x: x == "n5000")) == 5000


# -- the scan re-enacts it: `licheck scan` == `licheck audit --offline` ---------------------------------------------
def quant_records() -> list[dict[str, object]]:
    from tests.test_scan import rec

    llama = "meta-llama/Llama-3.1-8B"
    gguf = ["README.md", "model.Q4_K_M.gguf"]
    out = [
        rec(llama, {"license": "llama3.1"}),
        rec("x/unlicensed", {"license": "other"}),
        rec("g/files", {"license": "other", "base_model": llama}, files=gguf),
        rec("g/declared", {"base_model": llama, "base_model_relation": "quantized"}),
        rec("g/tag-only", {"license": "other"}, ["base_model:quantized:" + llama]),
        rec("g/of-gguf", {"license": "other", "base_model": "g/files"}, files=["awq_model.safetensors"]),
        rec("g/unknown-base", {"license": "other", "base_model": "x/unlicensed"}, files=gguf),
        rec("g/two", {"license": "other", "base_model": [llama, "x/unlicensed"]}, files=gguf),
        rec("g/dangling", {"license": "other", "base_model": "nobody/gone"}, files=gguf),
        rec("g/case", {"license": "other", "base_model": "META-LLAMA/llama-3.1-8b"}, files=gguf),
        rec("g/named", {"license": "other", "license_name": "llama3.1", "base_model": llama}, files=gguf),
        rec("g/invalid", {"license": "other", "base_model": [llama, "./local"], "base_model_relation": "quantized"}),
        rec("c/q1", {"license": "other", "base_model": "c/q2"}, files=gguf),
        rec("c/q2", {"license": "other", "base_model": ["c/q1", llama]}, files=gguf),
        rec("c/q3", {"license": "other", "base_model": "c/q1"}, files=gguf),
        rec("f/mit-ft", {"license": "mit", "base_model": "g/files"}),
        rec("f/unnamed-ft", {"license": "other", "base_model": "g/files"}),
        rec("f/lora", {"license": "other", "base_model": "g/declared"}, files=["adapter_config.json"]),
    ]
    prev = llama
    for i in range(6):
        out.append(rec(f"deep/q{i}", {"license": "other", "base_model": prev}, files=gguf))
        prev = f"deep/q{i}"
    return out


@pytest.mark.parametrize(
    ("plan", "depth"),
    [
        (Plan(teacher="*"), 20),
        (Plan(teacher="*", student="g/of-gguf", method="weights"), 20),
        (Plan(teacher="*"), 2),
        (Plan(teacher="*", student="deep/q5"), 3),
    ],
    ids=["default", "quant-student", "depth-2", "deep-student"],
)
def test_scan_equals_audit_on_quantisations(tmp_path: Path, plan: Plan, depth: int) -> None:
    from tests.test_scan import assert_same, awkward_records

    got = assert_same(tmp_path, quant_records() + awkward_records(), plan, depth)
    if depth == 20 and plan.student is None:
        verdicts = {k: got[k]["verdict"] for k in ("g/files", "g/declared", "g/of-gguf", "g/case", "deep/q5")}
        assert set(verdicts.values()) == {"conditional"}, verdicts
        for k in ("g/tag-only", "g/unknown-base", "g/two", "g/dangling", "c/q1", "c/q3", "f/unnamed-ft", "f/lora"):
            assert got[k]["verdict"] == "review", k


def test_a_licence_bound_to_the_repo_id_is_superseded_by_its_licensors_relicensing(hub_env, cli) -> None:
    """MiniMax-Text-01's licence is identified by its repo id (its card names none). MiniMax's own child published
    under Apache-2.0 is not bound by it; a third party's child of the same model still is."""
    text01 = "MiniMaxAI/MiniMax-Text-01"
    hub_env.add_model(text01, card_data={"pipeline_tag": "text-generation"})
    hub_env.add_model("MiniMaxAI/child-m", card_data={"license": "apache-2.0", "base_model": text01})
    hub_env.add_model("acme/child-m", card_data={"license": "apache-2.0", "base_model": text01})
    own = cli("audit", "MiniMaxAI/child-m", "--format", "json").json()
    assert own["verdict"] == "permitted"
    assert not [f for f in own["findings"] if f["rule"].startswith("minimax-01")]
    third = cli("audit", "acme/child-m", "--format", "json").json()
    assert third["verdict"] != "permitted"
    assert [f for f in third["findings"] if f["rule"].startswith("minimax-01") and f["node"] == text01]
