"""Issue 11 items 2 and 4 end to end, through the fake Hub with real records (tests/fixtures/hub_records.yaml).

Item 2: a carve-out naming the licensor's own models ("excluding Tongyi Qianwen or derivative works thereof") is
decided by the rule's `own_models` data, looked up on the student base and its weight ancestry.
Item 4: a condition that cannot apply (Llama 3.3's EU sentence on multimodal models) is settled from what the
records say, and a node's modality from its pipeline tag or tags; only a record without them leaves it open.
"""

from __future__ import annotations

from typing import Any

from tests import hubdata


def _audit(cli: Any, teacher: str, *args: str) -> dict[str, Any]:
    res = cli("audit", teacher, *args, "--format", "json")
    assert res.exit_code in (0, 1, 3), res.stderr
    return res.json()


def _clauses(doc: dict[str, Any], effect: str | None = None) -> set[str]:
    return {f["clause"] for f in doc["findings"] if f["clause"] and (effect is None or f["effect"] == effect)}


def test_qwen2_72b_into_alibabas_apache_qwen2_7b_is_inside_the_carve_out(hub_env, cli) -> None:
    hubdata.load(hub_env, "Qwen/Qwen2-72B", "Qwen/Qwen2-7B")
    doc = _audit(cli, "Qwen/Qwen2-72B", "--student", "Qwen/Qwen2-7B")
    assert doc["verdict"] == "conditional", [(f["clause"], f["effect"], f["reason"]) for f in doc["findings"]]
    carve = next(f for f in doc["findings"] if f["clause"] == "TQ2023-5b-CARVE")
    assert carve["effect"] == "obligation" and "excluding Tongyi Qianwen" in carve["quote"]
    assert any("Qwen/Qwen2-7B matches Qwen/*" in t for t in carve["triggered_by"])
    assert "TQ2023-5b" not in _clauses(doc)
    assert "TQ2023-4" in _clauses(doc, "obligation")  # the 100 M MAU gate stays open without --mau
    assert "carve_out_relied" in doc["flags"]


def test_qwen2_72b_into_mistral_is_outside_the_carve_out(hub_env, cli) -> None:
    hubdata.load(hub_env, "Qwen/Qwen2-72B", "mistralai/Mistral-7B-v0.1")
    doc = _audit(cli, "Qwen/Qwen2-72B", "--student", "mistralai/Mistral-7B-v0.1", "--mau", "1000")
    assert doc["verdict"] == "forbidden"
    assert "TQ2023-5b" in _clauses(doc, "forbid") and "TQ2023-5b-CARVE" not in _clauses(doc)


def test_qwen_carve_out_with_an_unreadable_student_stays_review(hub_env, cli) -> None:
    hubdata.load(hub_env, "Qwen/Qwen2-72B")
    hub_env.add_model("example-org/unnamed", card_data={"license": "other"})
    doc = _audit(cli, "Qwen/Qwen2-72B", "--student", "example-org/unnamed", "--mau", "1000")
    assert doc["verdict"] == "review"
    (ban,) = [f for f in doc["findings"] if f["clause"] == "TQ2023-5b"]
    assert ban["effect"] == "review" and "Tongyi Qianwen" in ban["reason"]


def test_llama_2_teacher_with_a_llama_3_1_student_is_forbidden(hub_env, cli) -> None:
    hubdata.load(hub_env, "meta-llama/Llama-2-7b", "meta-llama/Llama-3.1-8B")
    doc = _audit(cli, "meta-llama/Llama-2-7b", "--student", "meta-llama/Llama-3.1-8B", "--mau", "1000")
    assert doc["verdict"] == "forbidden"
    assert "LLAMA2-1bv" in _clauses(doc, "forbid") and "LLAMA2-1bv-CARVE" not in _clauses(doc)


def test_llama_2_teacher_into_a_llama_2_derivative_relies_on_the_carve_out(hub_env, cli) -> None:
    # inceptionai/jais-adapted-7b: an Apache-2.0 fine-tune whose base_model is meta-llama/Llama-2-7b.
    hubdata.load(hub_env, "meta-llama/Llama-2-7b", "inceptionai/jais-adapted-7b")
    doc = _audit(cli, "meta-llama/Llama-2-7b", "--student", "inceptionai/jais-adapted-7b", "--mau", "1000")
    assert "LLAMA2-1bv" not in _clauses(doc)
    assert "LLAMA2-1bv-CARVE" in _clauses(doc, "obligation")
    assert doc["verdict"] != "forbidden"


def test_llama_3_3_eu_licensee_is_conditional_although_the_record_has_no_pipeline_tag(hub_env, cli) -> None:
    hubdata.load(hub_env, "meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-3.1-70B", "Qwen/Qwen2-7B")
    doc = _audit(cli, "meta-llama/Llama-3.3-70B-Instruct", "--student", "Qwen/Qwen2-7B", "--eu", "--mau", "1000")
    assert doc["verdict"] == "conditional", [(f["clause"], f["effect"], f["reason"]) for f in doc["findings"]]
    assert not [f for f in doc["findings"] if f["effect"] == "review"]
    assert "LLAMA33-AUP-EU" in _clauses(doc, "permit")


def test_llama_3_2_text_model_for_an_eu_licensee_is_settled_by_its_pipeline_tag(hub_env, cli) -> None:
    hubdata.load(hub_env, "meta-llama/Llama-3.2-1B", "Qwen/Qwen2-7B")
    doc = _audit(cli, "meta-llama/Llama-3.2-1B", "--student", "Qwen/Qwen2-7B", "--eu", "--mau", "1000")
    assert doc["verdict"] == "conditional"
    assert "LLAMA32-AUP-EU" not in _clauses(doc)


def test_llama_3_2_node_without_pipeline_tag_or_tags_leaves_the_eu_question_open(hub_env, cli) -> None:
    hubdata.load(hub_env, "Qwen/Qwen2-7B")
    hub_env.add_model("example-org/llama-3.2-variant", card_data={"license": "llama3.2"}, tags=[], auto_tags=False)
    doc = _audit(cli, "example-org/llama-3.2-variant", "--student", "Qwen/Qwen2-7B", "--eu", "--mau", "1000")
    assert doc["verdict"] == "review"
    (eu,) = [f for f in doc["findings"] if f["clause"] == "LLAMA32-AUP-EU"]
    assert eu["effect"] == "review" and "multimodal" in eu["reason"]
    doc = _audit(cli, "example-org/llama-3.2-variant", "--student", "Qwen/Qwen2-7B", "--no-eu", "--mau", "1000")
    assert "LLAMA32-AUP-EU" not in _clauses(doc)  # not EU-domiciled: the sentence does not concern the licensee


def test_a_text_task_tag_settles_modality_when_the_pipeline_tag_is_absent(hub_env, cli) -> None:
    hubdata.load(hub_env, "Qwen/Qwen2-7B")
    tags = ["transformers", "text-generation", "license:llama3.2"]
    hub_env.add_model("example-org/llama-3.2-tagged", card_data={"license": "llama3.2"}, tags=tags, auto_tags=False)
    doc = _audit(cli, "example-org/llama-3.2-tagged", "--student", "Qwen/Qwen2-7B", "--eu", "--mau", "1000")
    assert "LLAMA32-AUP-EU" not in _clauses(doc)
    assert doc["verdict"] == "conditional", [(f["clause"], f["effect"], f["reason"]) for f in doc["findings"]]


def test_the_licensors_card_settles_modality_for_its_own_model_when_the_record_says_nothing(hub_env, cli) -> None:
    """rules/model-modalities.yaml: Meta's card calls Llama 3.2 1B/3B "text in/text out"; only Meta's own repos."""
    hubdata.load(hub_env, "Qwen/Qwen2-7B")
    bare = {"card_data": {"license": "llama3.2"}, "tags": [], "auto_tags": False}
    hub_env.add_model("meta-llama/Llama-3.2-1B-Instruct", **bare)
    doc = _audit(cli, "meta-llama/Llama-3.2-1B-Instruct", "--student", "Qwen/Qwen2-7B", "--eu", "--mau", "1000")
    assert "LLAMA32-AUP-EU" not in _clauses(doc, "review")
    assert doc["verdict"] == "conditional", [(f["clause"], f["effect"], f["reason"]) for f in doc["findings"]]
    hub_env.add_model("example-org/Llama-3.2-1B-Instruct-ft", **bare)  # a third party's repo: its record decides
    doc = _audit(cli, "example-org/Llama-3.2-1B-Instruct-ft", "--student", "Qwen/Qwen2-7B", "--eu", "--mau", "1000")
    assert doc["verdict"] == "review" and "LLAMA32-AUP-EU" in _clauses(doc, "review")


def test_nvidias_card_settles_that_nemotron_4_340b_instruct_is_no_cosmos_model(hub_env, cli) -> None:
    """rules/model-modalities.yaml: NVIDIA's card calls Nemotron-4-340B-Instruct an English chat LLM, so the 2025
    NVIDIA Open Model License's "Built on NVIDIA Cosmos" duty (Cosmos Models are multimodal) is not asked."""
    hubdata.load(hub_env, "Qwen/Qwen2-7B")
    card = {"license": "other", "license_name": "nvidia-open-model-license"}
    hub_env.add_model("nvidia/Nemotron-4-340B-Instruct", card_data=card, tags=[], auto_tags=False)
    doc = _audit(cli, "nvidia/Nemotron-4-340B-Instruct", "--student", "Qwen/Qwen2-7B")
    assert doc["verdict"] == "conditional", [(f["clause"], f["effect"], f["reason"]) for f in doc["findings"]]
    assert not any("COSMOS" in c for c in _clauses(doc, "review"))
    hub_env.add_model("example-org/Nemotron-4-340B-Instruct", card_data=card, tags=[], auto_tags=False)
    doc = _audit(cli, "example-org/Nemotron-4-340B-Instruct", "--student", "Qwen/Qwen2-7B")  # not NVIDIA's repo
    assert doc["verdict"] == "review" and any("COSMOS" in c for c in _clauses(doc, "review"))


# -- a student initialised from the teacher's own weights (--method weights, no --student): C016 -----------------
def test_llama_2_weights_initialising_a_student_from_scratch_is_a_derivative_inside_the_carve_out(hub_env, cli) -> None:
    hubdata.load(hub_env, "meta-llama/Llama-2-7b-chat-hf")
    doc = _audit(cli, "meta-llama/Llama-2-7b-chat-hf", "--method", "weights")
    assert doc["verdict"] == "conditional", [(f["clause"], f["effect"], f["reason"]) for f in doc["findings"]]
    assert "LLAMA2-1bv" not in _clauses(doc)
    assert {"LLAMA2-1bv-CARVE", "LLAMA2-1bi", "LLAMA2-2"} <= _clauses(doc, "obligation")
    carve = next(f for f in doc["findings"] if f["clause"] == "LLAMA2-1bv-CARVE")
    assert any("initialised from the weights of meta-llama/Llama-2-7b-chat-hf" in t for t in carve["triggered_by"])


def test_llama_2_quantisation_as_weight_source_reaches_the_carve_out_through_its_base(hub_env, cli) -> None:
    # TheBloke/Llama-2-7B-Chat-GGML: `license: other`, base meta-llama/Llama-2-7b-chat-hf, GGML files.
    hubdata.load(hub_env, "TheBloke/Llama-2-7B-Chat-GGML", "meta-llama/Llama-2-7b-chat-hf")
    doc = _audit(cli, "TheBloke/Llama-2-7B-Chat-GGML", "--method", "weights", "--mau", "1000")
    assert "LLAMA2-1bv" not in _clauses(doc) and "LLAMA2-1bv-CARVE" in _clauses(doc, "obligation")


def test_llama_2_weights_with_a_non_llama_student_base_stay_forbidden(hub_env, cli) -> None:
    hubdata.load(hub_env, "meta-llama/Llama-2-7b-chat-hf", "mistralai/Mistral-7B-v0.1")
    doc = _audit(cli, "meta-llama/Llama-2-7b-chat-hf", "--method", "weights", "--student", "mistralai/Mistral-7B-v0.1")
    assert doc["verdict"] == "forbidden"
    assert "LLAMA2-1bv" in _clauses(doc, "forbid") and "LLAMA2-1bv-CARVE" not in _clauses(doc)


def test_llama_2_outputs_into_a_student_from_scratch_stay_forbidden(hub_env, cli) -> None:
    hubdata.load(hub_env, "meta-llama/Llama-2-7b-chat-hf")
    for method in ("outputs", "logits"):
        doc = _audit(cli, "meta-llama/Llama-2-7b-chat-hf", "--method", method, "--mau", "1000")
        assert doc["verdict"] == "forbidden", method
        assert "LLAMA2-1bv" in _clauses(doc, "forbid") and "LLAMA2-1bv-CARVE" not in _clauses(doc)


def test_weights_of_a_model_only_distilled_from_llama_2_do_not_make_its_student_a_llama_2_derivative() -> None:
    """The teacher's weights descend from Mistral; Llama 2 only reached it through distillation (output channel):
    a student initialised from those weights is not Llama 2's derivative, so its ban still applies."""
    from licheck.domain import Edge, Evidence, Graph, LicenseInfo, ModelNode, Plan
    from licheck.engine.auditor import Auditor
    from licheck.rules.ruleset import load_rules

    def node(nid: str, lic: str) -> ModelNode:
        return ModelNode(id=nid, kind="model", license=LicenseInfo(card=[lic]), pipeline_tag="text-generation")

    teacher = node("example-org/mistral-distilled", "apache-2.0")
    g = Graph(root=teacher.id, nodes={teacher.id: teacher})
    for parent, lic, rel in (
        ("mistralai/Mistral-7B-v0.1", "apache-2.0", "finetune"),
        ("meta-llama/Llama-2-7b-chat-hf", "llama2", "distillation"),
    ):
        g.nodes[parent] = node(parent, lic)
        g.edges.append(Edge(teacher.id, parent, rel, "test", [Evidence("test", "test")]))
    v = Auditor(load_rules()).audit(Plan(teacher=teacher.id, method="weights", mau=1000), g, None)
    assert v.verdict == "forbidden"
    assert any(f.clause == "LLAMA2-1bv" and f.effect == "forbid" for f in v.findings)
