"""Warm pre-commit run: `licheck check --offline` (the real entry point, the Typer CLI) on a repository with one
model card and one plan, target <= 150 ms wall (issue 12).

Usage (after `pip install .`): python benchmarks/bench_check.py [--runs 11]

Creates a temporary repository (a Llama-3.1 fine-tune card and a licheck.yaml plan), runs the check once to warm
the cache (compiled rules, validated policy), then times whole-process runs and prints the median.
Where the time goes: `python -X importtime -m licheck check --offline` in such a repository.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from bench_audit import cpu, timed  # the same whole-process timer (run as a script from benchmarks/)

CARD = """---
license: llama3.1
base_model: meta-llama/Llama-3.1-8B
model_name: Llama-3.1-8B-my-model
---
# Llama-3.1-8B-my-model
"""
POLICY = """plans:
  - name: r1-into-qwen
    teacher: deepseek-ai/DeepSeek-R1
    student: Qwen/Qwen2.5-0.5B
    use: commercial
"""


def main() -> int:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 11
    licheck = shutil.which("licheck", path=os.path.dirname(sys.executable)) or shutil.which("licheck")
    if not licheck:
        print("licheck is not installed next to this interpreter (pip install .)")
        return 2
    with tempfile.TemporaryDirectory() as repo, tempfile.TemporaryDirectory() as cache:
        os.makedirs(os.path.join(repo, "models", "my-model"))
        with open(os.path.join(repo, "models", "my-model", "README.md"), "w") as fh:
            fh.write(CARD)
        with open(os.path.join(repo, "licheck.yaml"), "w") as fh:
            fh.write(POLICY)
        env = dict(os.environ, LICHECK_CACHE_DIR=cache)
        cmd = [licheck, "check", "--offline"]
        subprocess.run(cmd, cwd=repo, env=env, stdout=subprocess.DEVNULL, check=False)
        times = [timed(cmd, env, cwd=repo) for _ in range(runs)]
    med = statistics.median(times)
    print(
        f"warm `licheck check --offline`, 1 card + 1 plan: median {med * 1000:.0f} ms wall, {cpu(cmd) * 1000:.0f} ms "
        f"CPU over {runs} runs (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); target <= 150 ms wall"
    )
    print("reproduce: pip install . && python benchmarks/bench_check.py")
    return 0 if med <= 0.15 else 1


if __name__ == "__main__":
    sys.exit(main())
