"""Precision of the card-prose extractor on the real card sentences of ../shared/data (not a test: it reads ../shared).

Every recorded `provenance_sentences` list is run through cardparse.extract_prose as the snapshot builder runs it
(the entry's sentences joined by newlines). An edge is *confirmed* when the card's own front matter names the same
parent (`base_model`, case-insensitive); the others are listed with their sentence and judged by hand in JUDGED
(true = the sentence really says this model came from that parent). Precision = correct edges / all edges.

    python scripts/prose_precision.py [--show]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from licheck.provenance.cardparse import extract_prose  # noqa: E402
from licheck.rules.apis import load_catalogue  # noqa: E402

DATA = ROOT.parent / "shared" / "data"

# (repo, relation, target) -> is the edge right? Judged by reading the sentence (and the card it quotes).
JUDGED: dict[tuple[str, str, str], bool] = {
    # Right: the sentence says this model came from that parent.
    ("deepseek-ai/deepseek-llm-67b-chat", "finetune", "deepseek-ai/deepseek-llm-67b-base"): True,
    ("deepseek-ai/deepseek-llm-7b-chat", "finetune", "deepseek-ai/deepseek-llm-7b-base"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "distillation", "deepseek-ai/DeepSeek-R1"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "distillation", "deepseek-ai/DeepSeek-R1"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "distillation", "deepseek-ai/DeepSeek-R1"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "distillation", "deepseek-ai/DeepSeek-R1"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "distillation", "deepseek-ai/DeepSeek-R1"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "distillation", "deepseek-ai/DeepSeek-R1"): True,
    ("deepseek-ai/DeepSeek-V3", "distillation", "deepseek-ai/DeepSeek-R1"): True,  # "Knowledge Distillation from"
    ("mistralai/Mistral-7B-Instruct-v0.1", "finetune", "mistralai/Mistral-7B-v0.1"): True,
    ("mistralai/Mistral-7B-Instruct-v0.3", "finetune", "mistralai/Mistral-7B-v0.3"): True,
    ("mistralai/Mixtral-8x22B-Instruct-v0.1", "finetune", "mistralai/Mixtral-8x22B-v0.1"): True,
    ("stabilityai/stable-diffusion-2-1", "finetune", "stabilityai/stable-diffusion-2"): True,
    ("stabilityai/stable-video-diffusion-img2vid-xt", "finetune", "stabilityai/stable-video-diffusion-img2vid"): True,
    ("berkeley-nest/Starling-LM-7B-alpha", "finetune", "openchat/openchat_3.5"): True,
    ("cognitivecomputations/dolphin-2_6-phi-2", "finetune", "microsoft/phi-2"): True,
    ("CompVis/stable-diffusion-v1-4", "finetune", "CompVis/Stable-Diffusion-v1-2"): True,  # Hub ids ignore case
    ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "finetune", "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T"): True,
    ("microsoft/orca-math-word-problems-200k", "generated_by", "api:openai/gpt-4"): True,
    ("HuggingFaceH4/ultrachat_200k", "generated_by", "api:openai/chatgpt"): True,
    ("Open-Orca/Mistral-7B-OpenOrca", "finetune", "mistralai/Mistral-7B-v0.1"): True,
    ("deepseek-ai/DeepSeek-R1-Zero", "finetune", "deepseek-ai/DeepSeek-V3-Base"): True,
    ("Open-Orca/OpenOrca", "generated_by", "api:openai/gpt-4"): True,
    ("Open-Orca/OpenOrca", "generated_by", "api:openai/gpt-3.5"): True,
    ("tatsu-lab/alpaca", "generated_by", "api:openai/text-davinci-003"): True,
    ("tokyotech-llm/Llama-3.1-Swallow-8B-Instruct-v0.2", "finetune", "meta-llama/Llama-3.1-8B-Instruct"): True,
    ("dphn/dolphin-2.9.1-yi-1.5-34b", "distillation", "api:openai/gpt4"): True,
    ("MiniMaxAI/MiniMax-M1-80k", "finetune", "MiniMaxAI/MiniMax-Text-01"): True,
    ("persadian/CropSeek-LLM", "finetune", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "finetune", "Qwen/Qwen2.5-Math-1.5B"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "finetune", "Qwen/Qwen2.5-Math-7B"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "finetune", "Qwen/Qwen2.5-14B"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "finetune", "Qwen/Qwen2.5-32B"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "finetune", "meta-llama/Llama-3.1-8B"): True,
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-70B", "finetune", "meta-llama/Llama-3.3-70B-Instruct"): True,
    ("teknium/OpenHermes-2.5", "generated_by", "api:openai/gpt-4"): True,  # the dataset's own Hub tags
    # Wrong.
    ("Intel/neural-chat-7b-v3-3", "finetune", "mistralai/Mistral-7B-v0.1"): False,  # the sentence is about v3-1
    ("mistralai/Mistral-7B-Instruct-v0.2", "finetune", "mistralai/Mistral-7B-Instruct-v0.1"): False,  # "improved"
    ("unsloth/DeepSeek-R1-BF16", "distillation", "unsloth/DeepSeek-R1"): False,  # about the six distills
    ("opensourcerelease/DeepSeek-R1-bf16", "distillation", "opensourcerelease/DeepSeek-R1"): False,  # same
    ("deepseek-ai/DeepSeek-R1-Zero", "distillation", "deepseek-ai/DeepSeek-R1"): False,  # about the distills
    ("runwayml/stable-diffusion-v1-5", "finetune", "runwayml/Stable-Diffusion-v1-2"): False,  # CompVis's model
    ("ekrombouts/zuster_fietje", "finetune", "bramvanrooy/fietje-2"): False,  # misspelt id (card: fietje-2-instruct)
    ("ykarout/phi-4-deepseek-reasoning", "finetune", "nvidia/Llama-Nemotron-Post-Training-Dataset"): False,  # data
    ("ykarout/phi-4-deepseek-reasoning", "distillation", "api:anthropic/claude-3"): False,  # a prompt, not training
    ("ykarout/phi-4-deepseek-reasoning-fp16", "finetune", "nvidia/Llama-Nemotron-Post-Training-Dataset"): False,
    ("ykarout/phi-4-deepseek-reasoning-fp16", "distillation", "api:anthropic/claude-3"): False,
    ("vicgalle/alpaca-gpt4", "generated_by", "api:openai/text-davinci-003"): False,  # about the original Alpaca
}


def edges() -> list[tuple[str, str, str, str, bool]]:
    api = load_catalogue()
    out = []
    for path in sorted(DATA.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text("utf-8"))
        if not isinstance(entries, list):
            continue
        for e in entries:
            sentences = [s for s in e.get("provenance_sentences") or [] if isinstance(s, str)]
            if not sentences or not isinstance(e.get("repo_id"), str):
                continue
            rid, kind = e["repo_id"], e.get("repo_type", "model")
            bases = (e.get("card_data") or {}).get("base_model")
            declared = {b.lower() for b in (bases if isinstance(bases, list) else [bases]) if isinstance(b, str)}
            for p in extract_prose("\n".join(sentences), rid, api=api, is_dataset=kind == "dataset"):
                out.append((rid, p.relation, p.target, p.sentence, p.target.lower() in declared))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true", help="list every edge not confirmed by the card's base_model")
    args = ap.parse_args()
    found = edges()
    n_sent = sum(
        len(e.get("provenance_sentences") or [])
        for p in sorted(DATA.glob("*.yaml"))
        for e in (yaml.safe_load(p.read_text("utf-8")) or [])
        if isinstance(e, dict)
    )
    confirmed = [x for x in found if x[4]]
    judged = [x for x in found if not x[4] and (x[0], x[1], x[2]) in JUDGED]
    unjudged = [x for x in found if not x[4] and (x[0], x[1], x[2]) not in JUDGED]
    right = len(confirmed) + sum(JUDGED[(x[0], x[1], x[2])] for x in judged)
    for rid, rel, target, sentence, ok in found if args.show else []:
        key = (rid, rel, target)
        if ok:
            continue
        mark = {True: "judged ok", False: "judged WRONG"}.get(JUDGED.get(key), "UNJUDGED")
        print(f"[{mark}] {rid} -{rel}-> {target}\n      {sentence[:220]}")
    print(
        f"{n_sent} sentences, {len(found)} edges: {len(confirmed)} confirmed by base_model, "
        f"{len(judged)} judged by hand, {len(unjudged)} unjudged"
    )
    if found:
        print(f"precision {right}/{len(found) - len(unjudged)} = {right / max(1, len(found) - len(unjudged)):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
