"""Offline evaluation: everyday flagship distillation questions, answered from the embedded snapshot only (issue 10).

Usage (after `pip install .`):
    python benchmarks/eval_flagships.py [--refused] [--verbose]

Each question is `licheck audit TEACHER [--student S] [flags]` with the default plan (commercial use, distributed
student, output distillation). The expected verdict is a careful reading of the licence texts (clauses.md §1/§2
readings of the primary texts in ../shared/licenses) applied to the licence the model's own Hub card declares;
`review` is expected only where the texts themselves leave the question open. Runs with HF_HUB_OFFLINE=1 and an
empty cache, or with --refused against a Hub endpoint that refuses connections (no offline flag). Reports how many
verdicts are right, and every answer more permissive than the expected one (the worst kind of error).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile

R1 = "deepseek-ai/DeepSeek-R1-Distill-"
S = "Qwen/Qwen3-4B"  # an Apache-2.0 student base, for questions that name one
# (teacher, extra args, expected verdict, why)
QUESTIONS: list[tuple[str, list[str], str, str]] = [
    (R1 + "Llama-8B", [], "conditional", "base Llama-3.1-8B: Llama 3.1 naming, AUP, 700M MAU"),
    (R1 + "Llama-70B", [], "conditional", "base Llama-3.3-70B-Instruct: Llama 3.3 terms"),
    (R1 + "Qwen-1.5B", [], "permitted", "base Qwen2.5-Math-1.5B (Apache-2.0); R1 MIT allows distillation"),
    (R1 + "Qwen-7B", [], "permitted", "base Qwen2.5-Math-7B (Apache-2.0)"),
    (R1 + "Qwen-14B", [], "permitted", "base Qwen2.5-14B (Apache-2.0)"),
    (R1 + "Qwen-32B", [], "permitted", "base Qwen2.5-32B (Apache-2.0)"),
    ("deepseek-ai/DeepSeek-R1", [], "permitted", "MIT + explicit distillation statement"),
    ("deepseek-ai/DeepSeek-R1", ["--student", "meta-llama/Llama-3.1-8B"], "conditional", "student base Llama 3.1"),
    ("Qwen/Qwen3-0.6B", [], "permitted", "Apache-2.0"),
    ("Qwen/Qwen3-4B", [], "permitted", "Apache-2.0"),
    ("Qwen/Qwen3-8B", [], "permitted", "Apache-2.0"),
    ("Qwen/Qwen3-14B", [], "permitted", "Apache-2.0"),
    ("Qwen/Qwen3-32B", ["--student", S], "permitted", "Apache-2.0 both sides"),
    ("Qwen/Qwen3-30B-A3B", [], "permitted", "Apache-2.0"),
    ("Qwen/Qwen3-235B-A22B", [], "permitted", "Apache-2.0"),
    ("Qwen/Qwen2.5-7B-Instruct", [], "permitted", "Apache-2.0"),
    ("Qwen/Qwen2.5-72B-Instruct", [], "conditional", "Qwen License 2024: Built with Qwen, 100M MAU"),
    ("Qwen/Qwen2.5-3B-Instruct", [], "forbidden", "Qwen Research License: non-commercial only"),
    ("meta-llama/Llama-3.1-8B-Instruct", [], "conditional", "Llama 3.1: Llama name prefix"),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct", [], "conditional", "old id of Llama-3.1-8B-Instruct (renamed)"),
    ("meta-llama/Llama-3.1-70B-Instruct", ["--student", S], "conditional", "Llama 3.1"),
    ("meta-llama/Llama-3.3-70B-Instruct", [], "conditional", "Llama 3.3"),
    ("meta-llama/Llama-3.2-1B-Instruct", [], "conditional", "Llama 3.2 (text model: no EU exclusion)"),
    ("meta-llama/Llama-3.2-3B-Instruct", [], "conditional", "Llama 3.2"),
    ("meta-llama/Meta-Llama-3-8B-Instruct", [], "forbidden", "Llama 3 1.b.v: no improving other LLMs"),
    ("meta-llama/Llama-2-7b-chat-hf", [], "forbidden", "Llama 2 1.b.v"),
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", ["--no-eu"], "conditional", "Llama 4, non-EU licensee"),
    ("google/gemma-2-9b-it", [], "conditional", "Gemma: the student is a Model Derivative"),
    ("google/gemma-3-27b-it", [], "conditional", "Gemma"),
    ("google/gemma-3-1b-it", [], "conditional", "Gemma"),
    ("matrixportal/gemma-7b-it-GGUF", [], "conditional", "GGUF of gemma-7b-it: Gemma terms"),
    ("mistralai/Mistral-7B-Instruct-v0.2", [], "permitted", "Apache-2.0"),
    ("mistralai/Mistral-7B-Instruct-v0.3", [], "permitted", "Apache-2.0"),
    ("mistralai/Mixtral-8x7B-Instruct-v0.1", [], "permitted", "Apache-2.0"),
    ("mistralai/Mistral-Small-24B-Instruct-2501", [], "permitted", "Apache-2.0"),
    ("mistralai/Mistral-Large-Instruct-2407", [], "forbidden", "Mistral Research License"),
    ("moonshotai/Kimi-K2-Instruct", [], "conditional", "Modified MIT: 'Kimi K2' above 100M MAU / $20M"),
    ("moonshotai/Kimi-K2-Instruct-0905", ["--student", S], "conditional", "Modified MIT"),
    ("MiniMaxAI/MiniMax-M1-80k", [], "permitted", "Apache-2.0"),
    ("openai/gpt-oss-20b", [], "permitted", "Apache-2.0 + usage policy"),
    ("openai/gpt-oss-120b", [], "permitted", "Apache-2.0 + usage policy"),
    ("microsoft/phi-4", [], "permitted", "MIT"),
    ("microsoft/Phi-3-mini-4k-instruct", [], "permitted", "MIT"),
    ("black-forest-labs/FLUX.1-schnell", [], "permitted", "Apache-2.0"),
    ("black-forest-labs/FLUX.1-dev", [], "forbidden", "FLUX.1 [dev] Non-Commercial License"),
    ("allenai/OLMo-2-1124-7B", [], "permitted", "Apache-2.0"),
    ("tiiuae/falcon-7b-instruct", [], "permitted", "Apache-2.0; its RefinedWeb data is TII's own (RULE-5)"),
    ("nvidia/Llama-3.1-Nemotron-70B-Instruct-HF", [], "conditional", "Llama 3.1 through its base"),
    ("CohereForAI/c4ai-command-r-plus", [], "forbidden", "CC-BY-NC-4.0"),
    ("datasets/tatsu-lab/alpaca", [], "forbidden", "CC BY-NC 4.0 + research-only statement"),
    ("datasets/teknium/OpenHermes-2.5", [], "review", "GPT-4 outputs: the trainer is not a party (RULE-10)"),
    ("openai/gpt-4o", [], "forbidden", "OpenAI terms: no competing models"),
]
ORDER = {"forbidden": 0, "review": 1, "conditional": 2, "permitted": 3}  # higher = more permissive


def main() -> int:
    refused = "--refused" in sys.argv
    verbose = "--verbose" in sys.argv
    right = 0
    worse: list[str] = []
    wrong: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "LICHECK_"))}
        env.update(LICHECK_CACHE_DIR=os.path.join(tmp, "cache"), HF_HOME=os.path.join(tmp, "hf"))
        if refused:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                env["HF_ENDPOINT"] = f"http://127.0.0.1:{s.getsockname()[1]}"
        else:
            env["HF_HUB_OFFLINE"] = "1"
        for teacher, extra, expected, why in QUESTIONS:
            cmd = [sys.executable, "-m", "licheck", "audit", teacher, *extra, "--format", "json"]
            res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            try:
                got = json.loads(res.stdout)["verdict"]
            except (ValueError, KeyError):
                got = (
                    f"error (exit {res.returncode}): {res.stderr.strip().splitlines()[-1][:100] if res.stderr else ''}"
                )
            line = f"{teacher} {' '.join(extra)}: got {got}, expected {expected} ({why})"
            if got == expected:
                right += 1
            else:
                wrong.append(line)
                if got in ORDER and ORDER[got] > ORDER[expected]:
                    worse.append(line)
            if verbose:
                print(("ok   " if got == expected else "MISS ") + line)
    n = len(QUESTIONS)
    mode = "Hub refusing connections" if refused else "HF_HUB_OFFLINE=1"
    print(f"{right}/{n} right offline ({mode}), {100 * right / n:.0f} %; more permissive than the texts: {len(worse)}")
    for line in wrong:
        print("  miss:", line)
    for line in worse:
        print("  TOO PERMISSIVE:", line)
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
