"""Engine semantics on small graphs built from real licence ids (no network)."""

from __future__ import annotations

from licheck.domain import Edge, Evidence, Graph, LicenseInfo, ModelNode, Plan
from licheck.engine.auditor import Auditor
from licheck.rules.ruleset import load_rules

RULES = load_rules()


def node(nid: str, *lic: str, name: str | None = None, kind: str = "model", pipeline: str | None = None) -> ModelNode:
    return ModelNode(id=nid, kind=kind, license=LicenseInfo(card=list(lic), license_name=name), pipeline_tag=pipeline)


def graph(root: ModelNode, *edges: tuple[ModelNode, ModelNode, str]) -> Graph:
    g = Graph(root=root.id, nodes={root.id: root})
    for child, parent, rel in edges:
        g.nodes.setdefault(child.id, child)
        g.nodes.setdefault(parent.id, parent)
        g.edges.append(Edge(child.id, parent.id, rel, "test", [Evidence("test", "test")]))
    return g


def audit(teacher: Graph, student: Graph | None = None, **plan) -> object:
    return Auditor(RULES).audit(
        Plan(teacher=teacher.root, student=student.root if student else None, **plan), teacher, student
    )


def test_multi_hop_drift_is_flagged_and_ancestor_terms_apply():
    llama = node("meta-llama/Llama-2-13b-hf", "llama2")
    sft = node("example-org/chat-13b-sft", "apache-2.0")
    top = node("example-org/SuperChat-13B", "mit")
    student = graph(top, (top, sft, "finetune"), (sft, llama, "finetune"))
    v = audit(graph(node("deepseek-ai/DeepSeek-R1", "mit")), student, mau=10)
    assert v.verdict == "conditional"
    assert "license_drift" in v.flags
    assert any(f.rule == "llama-2" and f.node == "meta-llama/Llama-2-13b-hf" for f in v.findings)


def test_same_licensor_relicensing_is_not_drift_and_supersedes_parent_terms():
    base = node("deepseek-ai/DeepSeek-V3-Base", "other", name="deepseek")
    r1 = node("deepseek-ai/DeepSeek-R1", "mit")
    v = audit(graph(r1, (r1, base, "finetune")), None)
    assert v.verdict == "permitted", [(f.rule, f.effect, f.reason) for f in v.findings]
    assert "license_drift" not in v.flags


def test_third_party_relabel_of_deepseek_licence_is_drift():
    base = node("deepseek-ai/DeepSeek-V3", "other", name="deepseek")
    child = node("someone/v3-finetune", "mit")
    v = audit(graph(child, (child, base, "finetune")), None)
    assert v.verdict == "conditional" and "license_drift" in v.flags


def test_quantization_and_adapter_inherit_everything():
    llama = node("meta-llama/Llama-2-7b-chat-hf", "llama2")
    for rel in ("quantized", "adapter", "merge", "finetune"):
        q = node("someone/q", "apache-2.0")
        v = audit(graph(q, (q, llama, rel)), graph(node("Qwen/Qwen2.5-7B", "apache-2.0")))
        assert v.verdict == "forbidden", rel


def test_or_expression_takes_the_least_restrictive_choice_and_unknown_alternative_is_review():
    v = audit(graph(node("org/dual", "llama2 OR MIT")), graph(node("Qwen/Qwen2.5-7B", "apache-2.0")))
    assert v.verdict == "permitted" and "license_choice" in v.flags
    v = audit(graph(node("org/dual2", "MIT OR my-own")), None)
    assert v.verdict == "review"


def test_missing_licensee_fact_gives_conditional_with_threshold():
    v = audit(graph(node("meta-llama/Llama-3.1-8B-Instruct", "llama3.1")), None)
    assert v.verdict == "conditional"
    assert any("700" in o["text"] for o in v.obligations)
    v = audit(graph(node("meta-llama/Llama-3.1-8B-Instruct", "llama3.1")), None, mau=800_000_000)
    assert v.verdict == "forbidden"


def test_eu_multimodal_exclusion_needs_both_facts():
    vision = node("meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2", pipeline="image-text-to-text")
    text = node("meta-llama/Llama-3.2-3B-Instruct", "llama3.2", pipeline="text-generation")
    assert audit(graph(vision), None, eu=True, mau=1).verdict == "forbidden"
    assert audit(graph(vision), None, eu=False, mau=1).verdict == "conditional"
    assert audit(graph(text), None, eu=True, mau=1).verdict == "conditional"


def test_self_exclusion_is_version_exact():
    teacher = graph(node("meta-llama/Meta-Llama-3-8B-Instruct", "llama3"))
    assert audit(teacher, graph(node("meta-llama/Meta-Llama-3-8B", "llama3")), mau=1).verdict == "conditional"
    assert audit(teacher, graph(node("meta-llama/Llama-3.1-8B", "llama3.1")), mau=1).verdict == "review"
    assert audit(teacher, graph(node("Qwen/Qwen2.5-7B", "apache-2.0")), mau=1).verdict == "forbidden"
    assert audit(teacher, None, mau=1).verdict == "forbidden"  # trained from scratch: still "another LLM"


def test_unreadable_student_ancestor_blocks_permitted():
    student = node("org/student", "apache-2.0")
    gone = ModelNode(id="org/gone", kind="missing", missing_reason="not found")
    v = audit(graph(node("deepseek-ai/DeepSeek-R1", "mit")), graph(student, (student, gone, "finetune")))
    assert v.verdict == "review"


def test_api_teacher_direct_vs_through_a_dataset():
    api = ModelNode(id="api:openai/gpt-4o", kind="api", provider="openai")
    assert audit(graph(api), None).verdict == "forbidden"
    ds = node("datasets/org/synthetic", "mit", kind="dataset")
    v = audit(graph(ds, (ds, api, "generated_by")), None)
    assert v.verdict == "review" and "api_output_provenance" in v.flags


def test_internal_research_drops_distribution_duties():
    gemma = graph(node("google/gemma-2-9b-it", "gemma"))
    dist = audit(gemma, None)
    internal = audit(gemma, None, use="research", internal=True)
    assert {f.clause for f in internal.findings} < {f.clause for f in dist.findings}


def test_weights_method_pulls_teacher_weight_duties():
    teacher = graph(node("meta-llama/Llama-3.1-8B", "llama3.1"))
    outputs = {f.clause for f in audit(teacher, None, mau=1).findings}
    weights = {f.clause for f in audit(teacher, None, mau=1, method="weights").findings}
    assert "LLAMA31-1biii" in weights and "LLAMA31-1biii" not in outputs


def test_card_text_licence_is_applied_with_the_metadata(hub_env, cli):
    hub_env.add_model(
        "org/saba", card_data={"license": "other"}, readme="---\nlicense: other\n---\n- **License:** qwen-research\n"
    )
    doc = cli("audit", "org/saba", "--format", "json").json()
    assert doc["verdict"] == "forbidden" and "license_sources_disagree" in doc["flags"]
    hub_env.add_model(
        "org/gpt4data", card_data={"license": "mit"}, readme="---\nlicense: mit\n---\nLicense: cc-by-nc-4.0\n"
    )
    doc = cli("audit", "org/gpt4data", "--format", "json").json()
    assert doc["verdict"] == "forbidden"


def test_relicensing_needs_every_child_to_be_the_licensor_whatever_the_walk_order():
    base = node("deepseek-ai/DeepSeek-V3-Base", "other", name="deepseek")
    r1 = node("deepseek-ai/DeepSeek-R1", "mit")
    sft = node("third/v3-sft", "mit")
    merge = node("third/r1-v3-merge", "mit")
    for order in ((r1, sft), (sft, r1)):
        g = graph(
            merge,
            (merge, order[0], "merge"),
            (merge, order[1], "merge"),
            (r1, base, "finetune"),
            (sft, base, "finetune"),
        )
        v = audit(g, None)
        assert v.verdict == "conditional", order
        assert any(f.rule == "deepseek-license-1.0" and f.node == base.id for f in v.findings)
