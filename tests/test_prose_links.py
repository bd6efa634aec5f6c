"""Card-prose links the flagship cards use (issue 10 item 6): weak, quoted, and no false parents from ordinary
sentences. The sentences are verbatim from the recorded cards (copied here: tests never read ../shared)."""

from __future__ import annotations

import pytest

from licheck.provenance.cardparse import extract_prose
from licheck.rules.apis import load_catalogue
from tests import hubdata

R1_TABLE_ROW = (
    "| DeepSeek-R1-Distill-Qwen-32B  | [Qwen2.5-32B](https://huggingface.co/Qwen/Qwen2.5-32B) | "
    "[🤗 HuggingFace](https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Qwen-32B)   |"
)

LINKS = [
    (
        "MiniMaxAI/MiniMax-M1-80k",
        "The model is developed based on our previous [MiniMax-Text-01 model](https://huggingface.co/MiniMaxAI/"
        "MiniMax-Text-01), which contains a total of 456 billion parameters with 45.9 billion parameters activated "
        "per token.",
        ("finetune", "MiniMaxAI/MiniMax-Text-01", "based-on statement"),
    ),
    (
        "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.2",
        "Note: Llama-3.1-Swallow-8B-Instruct-v0.2 model was continually pre-trained from the "
        "meta-llama/Llama-3.1-8B-Instruct and then instruction-tuned with our instruction datasets.",
        ("finetune", "meta-llama/Llama-3.1-8B-Instruct", "based-on statement"),
    ),
    (
        "deepseek-ai/deepseek-llm-7b-chat",
        "`deepseek-llm-7b-chat` is a 7B parameter model initialized from `deepseek-llm-7b-base` and fine-tuned on "
        "extra instruction data.",
        ("finetune", "deepseek-ai/deepseek-llm-7b-base", "same-org model named in a based-on statement"),
    ),
    (
        "deepseek-ai/DeepSeek-R1-Zero",
        "DeepSeek-R1-Zero & DeepSeek-R1 are trained based on DeepSeek-V3-Base.",
        ("finetune", "deepseek-ai/DeepSeek-V3-Base", "same-org model named in a based-on statement"),
    ),
    (
        "mistralai/Mistral-7B-Instruct-v0.3",
        "The Mistral-7B-Instruct-v0.3 Large Language Model (LLM) is an instruct fine-tuned version of the "
        "Mistral-7B-v0.3.",
        ("finetune", "mistralai/Mistral-7B-v0.3", "same-org model named in a based-on statement"),
    ),
    (
        "CompVis/stable-diffusion-v1-4",
        "The **Stable-Diffusion-v1-4** checkpoint was initialized with the weights of the "
        "[Stable-Diffusion-v1-2](https:/steps/huggingface.co/CompVis/stable-diffusion-v1-2)",
        ("finetune", "CompVis/Stable-Diffusion-v1-2", "same-org model named in a based-on statement"),
    ),
]


@pytest.mark.parametrize(("repo", "text", "want"), LINKS, ids=[r for r, _, _ in LINKS])
def test_flagship_lineage_sentences(repo: str, text: str, want: tuple[str, str, str]) -> None:
    got = extract_prose(text, repo, api=load_catalogue())
    assert [(p.relation, p.target, p.pattern) for p in got] == [want]
    assert got[0].sentence == text.strip()


def test_distill_table_row_alone_names_the_base_and_the_teacher() -> None:
    got = extract_prose(R1_TABLE_ROW, "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B")
    assert {(p.relation, p.target) for p in got} == {
        ("finetune", "Qwen/Qwen2.5-32B"),
        ("distillation", "deepseek-ai/DeepSeek-R1"),
    }
    # Another model's row names neither.
    assert extract_prose(R1_TABLE_ROW, "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B") == []


NOT_LINKS = [
    ("cognitivecomputations/dolphin-2.6-mistral-7b-dpo", "This model is based on Mistral-7b"),
    ("dphn/dolphin-2.9.1-yi-1.5-34b", "This model is based on Yi-1.5-34b, and is governed by apache 2.0 license."),
    (
        "selfmaker/llama2-7B-xsum",
        "The model is a fine-tuned version of Llama-2-7b-chat-hf using int8 quantization and LoRA.",
    ),
    ("Qwen/QwQ-32B", "QwQ is based on Qwen2.5, whose code has been in the latest Hugging face `transformers`."),
    ("deepseek-ai/Janus-Pro-7B", "Janus-Pro is constructed based on the DeepSeek-LLM-1.5b-base/DeepSeek-LLM-7b-base."),
    (
        "qwen/qwen-7b",
        "Additionally, based on the pretrained Qwen-7B, we release Qwen-7B-Chat, a large-model-based AI assistant, "
        "which is trained with alignment techniques.",
    ),
    (
        "tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.2",
        "Llama 3.1 Swallow is a series of large language models (8B, 70B) that were built by continual pre-training "
        "on the Meta Llama 3.1 models.",
    ),
    (
        "deepseek-ai/DeepSeek-Coder-V2-Instruct",
        "Specifically, DeepSeek-Coder-V2 is further pre-trained from an intermediate checkpoint of DeepSeek-V2 with "
        "additional 6 trillion tokens.",
    ),
    ("google/vaultgemma-1b", "It is pre-trained from the ground up using Differential Privacy (DP)."),
    (
        "stabilityai/stable-diffusion-2-1",
        "- **Model Description:** This is a model that can be used to generate and modify images based on text "
        "prompts.",
    ),
    (
        "meta-llama/Llama-Guard-3-8B",
        "The model is trained to predict safety labels on the 14 categories shown below, based on the [MLCommons "
        "taxonomy](https://mlcommons.org/2024/04/mlc-aisafety-v0-5-poc/) of 13 hazards.",
    ),
    (
        "lmsys/vicuna-13b-v1.5-16k",
        "- **Model type:** An auto-regressive language model based on the transformer architecture",
    ),
]


@pytest.mark.parametrize(("repo", "text"), NOT_LINKS, ids=[r for r, _ in NOT_LINKS])
def test_ordinary_sentences_name_no_parent(repo: str, text: str) -> None:
    assert extract_prose(text, repo, api=load_catalogue()) == []


@pytest.mark.parametrize(
    "text",
    [
        "developed based on " + "A-1" * 100_000,
        "initialized with the weights of the " + "`[" * 100_000,
        "continually pre-trained from " + "x-" * 100_000 + "/",
        "trained based on " + "Ab-" * 60_000 + "1",
        "| Org-Distill-" + "-Distill-" * 50_000 + " |",
    ],
    ids=["bare-name", "brackets", "hyphens", "segments", "distill-row"],
)
def test_new_patterns_are_linear_on_pathological_input(text: str) -> None:
    # Completes (a catastrophic regex would hang the suite); results stay bounded.
    assert len(extract_prose(text, "org/Ab-Distill-Org-1", api=load_catalogue())) < 10


def test_through_the_hub_weak_quoted_and_a_wrong_guess_dropped(hub_env, cli) -> None:
    hubdata.load(hub_env, "meta-llama/Llama-3.1-8B")
    text = LINKS[0][1]
    card = {"license": "other"}
    hub_env.add_model("MiniMaxAI/MiniMax-Text-01", card_data={"license": "other"})
    hub_env.add_model("MiniMaxAI/MiniMax-M1-80k", card_data=card, readme=hubdata.readme(card, text))
    doc = cli("chain", "MiniMaxAI/MiniMax-M1-80k", "--format", "json").json()
    (e,) = doc["graph"]["edges"]
    assert e["parent"] == "MiniMaxAI/MiniMax-Text-01" and e["relation_source"] == "prose"
    assert e["evidence"][0]["weak"] is True and "\u201cThe model is developed based on" in e["evidence"][0]["detail"]

    body = "Acme-Chat-7B is trained based on Acme-Base-7B with our own data."
    hub_env.add_model(
        "acme/Acme-Chat-7B", card_data={"license": "mit"}, readme=hubdata.readme({"license": "mit"}, body)
    )
    doc = cli("chain", "acme/Acme-Chat-7B", "--format", "json").json()
    assert doc["graph"]["edges"] == [] and any("guessed from card prose" in w for w in doc["warnings"])
