"""`licheck chain`: provenance from every evidence source, against the fake Hub with the real client."""

from __future__ import annotations

import json

import pytest

from tests import hubdata


def edges(doc):
    return {(e["child"], e["parent"]): e for e in doc["graph"]["edges"]}


def nodes(doc):
    return {n["id"]: n for n in doc["graph"]["nodes"]}


def chain(cli, *args):
    res = cli("chain", *args, "--format", "json")
    assert res.exit_code == 0, res.stderr
    return res.json()


def test_ggml_repo_tagged_finetune_is_quantized_by_file_evidence(hub_env, cli):
    hubdata.load(hub_env, "TheBloke/Llama-2-7B-Chat-GGML", "meta-llama/Llama-2-7b-chat-hf")
    doc = chain(cli, "TheBloke/Llama-2-7B-Chat-GGML")
    e = edges(doc)[("TheBloke/Llama-2-7B-Chat-GGML", "meta-llama/Llama-2-7b-chat-hf")]
    assert e["relation"] == "quantized"
    assert e["relation_source"] == "file"
    details = " ".join(ev["detail"] for ev in e["evidence"])
    assert "ggmlv3" in details and "Hub tag says finetune" in details
    assert nodes(doc)["meta-llama/Llama-2-7b-chat-hf"]["license"]["license"] == "llama2"
    assert nodes(doc)["TheBloke/Llama-2-7B-Chat-GGML"]["revision"] == "76cd63c351ae389e1d4b91cab2cf470aab11864b"


def test_lora_adapter_detected_from_adapter_config(hub_env, cli):
    hubdata.load(hub_env, "Chanblock/Llama-2-7b-chat-hf-finetuned-250_remates", "meta-llama/Llama-2-7b-chat-hf")
    doc = chain(cli, "Chanblock/Llama-2-7b-chat-hf-finetuned-250_remates")
    e = edges(doc)[("Chanblock/Llama-2-7b-chat-hf-finetuned-250_remates", "meta-llama/Llama-2-7b-chat-hf")]
    assert (e["relation"], e["relation_source"]) == ("adapter", "file")
    sources = {ev["source"] for ev in e["evidence"]}
    assert {"card.base_model", "tag", "file", "prose"} <= sources


def test_adapter_without_base_model_reads_adapter_config(hub_env, cli):
    hub_env.add_model("meta-llama/Llama-2-7b-chat-hf", card_data={"license": "llama2"})
    cfg = json.dumps({"base_model_name_or_path": "meta-llama/Llama-2-7b-chat-hf", "peft_type": "LORA"})
    hub_env.add_model("someone/lora-no-card", card_data={"license": "apache-2.0"}, files={"adapter_config.json": cfg})
    doc = chain(cli, "someone/lora-no-card")
    e = edges(doc)[("someone/lora-no-card", "meta-llama/Llama-2-7b-chat-hf")]
    assert e["relation"] == "adapter"
    assert any("adapter_config.json" in ev["detail"] for ev in e["evidence"])


def test_multi_parent_merge_tagged_with_first_parent_only(hub_env, cli):
    hubdata.load(
        hub_env,
        "Kelly70/Kelly",
        "deepseek-ai/DeepSeek-R1",
        "microsoft/Phi-4-multimodal-instruct",
        "datasets/HuggingFaceFW/fineweb",
    )
    doc = chain(cli, "Kelly70/Kelly")
    e = edges(doc)
    for parent in ("deepseek-ai/DeepSeek-R1", "microsoft/Phi-4-multimodal-instruct"):
        assert e[("Kelly70/Kelly", parent)]["relation"] == "merge"
        assert e[("Kelly70/Kelly", parent)]["relation_source"] == "multiple_base_models"
    assert e[("Kelly70/Kelly", "datasets/HuggingFaceFW/fineweb")]["relation"] == "trained_on"


def test_mergekit_config_names_every_parent(hub_env, cli):
    recipe = (
        "merge_method: ties\nbase_model: mistralai/Mistral-Small-24B-Instruct-2501\n"
        "models:\n  - model: mistralai/Mistral-Small-24B-Instruct-2501\n  - model: example-org/other-24b\n"
    )
    hubdata.load(
        hub_env,
        "arcee-ai/Arcee-Blitz",
        "mistralai/Mistral-Small-24B-Instruct-2501",
        files={"mergekit_config.yml": recipe},
    )
    hub_env.add_model("example-org/other-24b", card_data={"license": "apache-2.0"})
    doc = chain(cli, "arcee-ai/Arcee-Blitz")
    e = edges(doc)
    assert e[("arcee-ai/Arcee-Blitz", "mistralai/Mistral-Small-24B-Instruct-2501")]["relation"] == "merge"
    assert e[("arcee-ai/Arcee-Blitz", "example-org/other-24b")]["relation"] == "merge"


def test_deepseek_distill_table_row_and_distillation_statement(hub_env, cli):
    hubdata.load(
        hub_env, "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B", "deepseek-ai/DeepSeek-R1"
    )
    doc = chain(cli, "deepseek-ai/DeepSeek-R1-Distill-Llama-8B")
    e = edges(doc)
    base = e[("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B")]
    assert base["relation"] == "finetune" and base["relation_source"] == "prose"
    assert base["evidence"][0]["weak"] is True
    assert "Llama-3.1-8B" in base["evidence"][0]["detail"]
    teacher = e[("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "deepseek-ai/DeepSeek-R1")]
    assert teacher["relation"] == "distillation"
    # The table row for the Qwen distill must not become a parent of the Llama distill.
    assert ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "Qwen/Qwen2.5-Math-1.5B") not in e


def test_dataset_generated_by_api_model(hub_env, cli):
    hubdata.load(hub_env, "datasets/tatsu-lab/alpaca", "datasets/teknium/OpenHermes-2.5")
    doc = chain(cli, "datasets/tatsu-lab/alpaca")
    e = edges(doc)[("datasets/tatsu-lab/alpaca", "api:openai/text-davinci-003")]
    assert e["relation"] == "generated_by" and e["evidence"][0]["weak"]
    assert nodes(doc)["api:openai/text-davinci-003"]["kind"] == "api"
    doc = chain(cli, "datasets/teknium/OpenHermes-2.5")
    e = edges(doc)[("datasets/teknium/OpenHermes-2.5", "api:openai/gpt-4")]
    assert (e["relation"], e["relation_source"]) == ("generated_by", "tag")


def test_cycle_is_detected_and_walk_stops(hub_env, cli):
    hub_env.add_model("org/a", card_data={"license": "mit", "base_model": "org/b"})
    hub_env.add_model("org/b", card_data={"license": "mit", "base_model": "org/a"})
    doc = chain(cli, "org/a")
    assert set(nodes(doc)) == {"org/a", "org/b"}
    assert any("cycle" in w for w in doc["warnings"])
    res = cli("audit", "org/a", "--format", "json")
    assert res.json()["verdict"] == "review" and res.exit_code == 3


def test_self_reference_is_ignored(hub_env, cli):
    hub_env.add_model("org/selfish", card_data={"license": "mit", "base_model": "org/selfish"})
    doc = chain(cli, "org/selfish")
    assert doc["graph"]["edges"] == []


def test_404_parent_becomes_missing_and_audit_is_review(hub_env, cli):
    hub_env.add_model("org/child", card_data={"license": "apache-2.0", "base_model": "org/deleted-parent"})
    doc = chain(cli, "org/child")
    missing = nodes(doc)["org/deleted-parent"]
    assert missing["kind"] == "missing" and "not found" in missing["missing_reason"]
    res = cli("audit", "org/child", "--format", "json")
    assert res.json()["verdict"] == "review"
    assert "node_unreadable" in res.json()["flags"]


def test_renamed_parent_follows_redirect_to_canonical_id(hub_env, cli):
    hub_env.add_model("meta-llama/Llama-3.1-8B", card_data={"license": "llama3.1"})
    hub_env.rename("meta-llama/Meta-Llama-3.1-8B", "meta-llama/Llama-3.1-8B")
    hub_env.add_model("org/ft", card_data={"license": "llama3.1", "base_model": "meta-llama/Meta-Llama-3.1-8B"})
    doc = chain(cli, "org/ft")
    assert ("org/ft", "meta-llama/Llama-3.1-8B") in edges(doc)
    assert "meta-llama/Meta-Llama-3.1-8B" not in nodes(doc)
    assert any("redirected" in w for w in doc["warnings"])


def test_gated_parent_is_missing_with_reason(hub_env, cli):
    hub_env.add_model("org/gated-base", card_data={"license": "llama3.1"})
    hub_env.gate("org/gated-base")
    hub_env.add_model("org/ft2", card_data={"license": "llama3.1", "base_model": "org/gated-base"})
    doc = chain(cli, "org/ft2")
    assert nodes(doc)["org/gated-base"]["kind"] == "missing"
    assert "gated" in nodes(doc)["org/gated-base"]["missing_reason"]


def test_depth_limit_warns_and_leaves_missing_nodes(hub_env, cli):
    for i in range(6):
        hub_env.add_model(f"org/m{i}", card_data={"license": "mit", "base_model": f"org/m{i + 1}"})
    hub_env.add_model("org/m6", card_data={"license": "mit"})
    doc = chain(cli, "org/m0", "--max-depth", "3")
    assert any("depth limit 3" in w for w in doc["warnings"])
    assert nodes(doc)["org/m4"]["kind"] == "missing"
    assert "org/m5" not in nodes(doc)


def test_revision_pins_root_and_every_node_records_its_sha(hub_env, cli):
    old = hub_env.add_model("org/relic", card_data={"license": "llama2"})
    hub_env.add_model("org/relic", card_data={"license": "mit"})
    doc = chain(cli, "org/relic", "--revision", old)
    assert nodes(doc)["org/relic"]["revision"] == old
    assert nodes(doc)["org/relic"]["license"]["license"] == "llama2"


def test_requests_per_node_cold_and_warm(hub_env, cli):
    hubdata.load(hub_env, "TheBloke/Llama-2-7B-Chat-GGML", "meta-llama/Llama-2-7b-chat-hf")
    hub_env.clear_log()
    doc = chain(cli, "TheBloke/Llama-2-7B-Chat-GGML")
    n = len(doc["graph"]["nodes"])
    hub_reqs = [r for r in hub_env.requests if not r[1].startswith("/api/agent")]
    assert len(hub_reqs) <= 2 * n
    hub_env.clear_log()
    chain(cli, "TheBloke/Llama-2-7B-Chat-GGML")
    assert [r for r in hub_env.requests if not r[1].startswith("/api/agent")] == []


def test_offline_uses_snapshot_and_says_so(cli, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens: must not be needed
    doc = chain(cli, "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "--offline")
    e = edges(doc)[("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B")]
    assert e["relation"] == "finetune"
    assert nodes(doc)["meta-llama/Llama-3.1-8B"]["license"]["license"] == "llama3.1"
    assert {n["source"] for n in doc["graph"]["nodes"]} == {"snapshot"}
    assert doc["sources"]["snapshot_date"]


def test_unreachable_hub_falls_back_to_snapshot_with_warning(cli, monkeypatch, hub_env):
    hub_env.fault("/api/models/deepseek-ai/DeepSeek-R1", status=503)
    doc = chain(cli, "deepseek-ai/DeepSeek-R1")
    assert nodes(doc)["deepseek-ai/DeepSeek-R1"]["source"] == "snapshot"
    assert any("503" in w and "snapshot" in w for w in doc["warnings"])


def test_hf_hub_offline_env_means_offline(cli, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    doc = chain(cli, "deepseek-ai/DeepSeek-R1")
    assert doc["sources"]["offline"] is True


def test_local_folder(tmp_path, hub_env, cli):
    hubdata.load(hub_env, "meta-llama/Llama-2-7b-chat-hf")
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\nbase_model: meta-llama/Llama-2-7b-chat-hf\n---\nhello\n")
    (model / "adapter_config.json").write_text('{"base_model_name_or_path": "meta-llama/Llama-2-7b-chat-hf"}')
    doc = chain(cli, str(model))
    (e,) = [x for x in doc["graph"]["edges"]]
    assert e["parent"] == "meta-llama/Llama-2-7b-chat-hf" and e["relation"] == "adapter"


def test_text_output_is_a_tree(hub_env, cli):
    hubdata.load(hub_env, "TheBloke/Llama-2-7B-Chat-GGML", "meta-llama/Llama-2-7b-chat-hf")
    res = cli("chain", "TheBloke/Llama-2-7B-Chat-GGML")
    assert res.exit_code == 0
    assert "quantized" in res.stdout and "llama2" in res.stdout


@pytest.mark.parametrize("bad", ["../../etc/passwd-model/x", "a/b/c/d", "org/na me", "https://evil.example/x/y", ""])
def test_invalid_ids_are_usage_errors(cli, bad):
    res = cli("chain", bad, "--offline")
    assert res.exit_code == 2
    assert "Traceback" not in res.stdout + res.stderr


def test_local_folder_config_name_or_path_is_weak_evidence(tmp_path, hub_env, cli):
    hubdata.load(hub_env, "meta-llama/Llama-2-7b-chat-hf")
    model = tmp_path / "cfg-model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: mit\n---\nhello\n")
    (model / "config.json").write_text('{"_name_or_path": "meta-llama/Llama-2-7b-chat-hf"}')
    doc = chain(cli, str(model))
    (e,) = doc["graph"]["edges"]
    assert e["parent"] == "meta-llama/Llama-2-7b-chat-hf" and e["evidence"][0]["weak"] is True
    (model / "config.json").write_text('{"_name_or_path": "../models/qwen2.5-math-1.5b-instruct"}')
    assert chain(cli, str(model))["graph"]["edges"] == []


def test_readme_is_read_even_when_the_server_lists_no_files(hub_env, cli):
    hubdata.load(hub_env, "meta-llama/Llama-3.1-8B", "deepseek-ai/DeepSeek-R1")
    body = hubdata.RECORDS["deepseek-ai/DeepSeek-R1-Distill-Llama-8B"]["body"]
    card = {"license": "mit"}
    hub_env.add_model(
        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", card_data=card, readme=hubdata.readme(card, body), siblings=[]
    )
    doc = chain(cli, "deepseek-ai/DeepSeek-R1-Distill-Llama-8B")
    assert ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "meta-llama/Llama-3.1-8B") in edges(doc)
    res = cli("audit", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "--format", "json")
    assert res.json()["verdict"] == "conditional"


def test_a_wrong_same_org_guess_from_prose_is_dropped_not_blocking(hub_env, cli):
    card = {"license": "mit"}
    body = "This model was fine-tuned on samples generated by MadeUp-Model-9 by our team."
    hub_env.add_model("acme/student-1", card_data=card, readme=hubdata.readme(card, body))
    doc = chain(cli, "acme/student-1")
    assert doc["graph"]["edges"] == [] and any("guessed from card prose" in w for w in doc["warnings"])
    # An explicit id that 404s still blocks a clean verdict.
    body2 = "This model was distilled from acme/Deleted-Teacher-7B."
    hub_env.add_model("acme/student-2", card_data=card, readme=hubdata.readme(card, body2))
    assert cli("audit", "acme/student-2", "--format", "json").json()["verdict"] == "review"
