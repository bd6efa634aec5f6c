"""Warm pre-commit run: `licheck check --offline` on a repository with one model card and one plan (target <= 300 ms).

Usage (after `pip install .`): python benchmarks/bench_check.py [--runs 11]

Creates a temporary repository (a Llama-3.1 fine-tune card and a licheck.yaml plan), runs the check once to warm
the cache (compiled rules, validated policy), then times whole-process runs and prints the median.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

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
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(cmd, cwd=repo, env=env, stdout=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - start)
    med = statistics.median(times)
    print(f"warm `licheck check --offline`, 1 card + 1 plan: median {med * 1000:.0f} ms over {runs} runs "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}); target <= 300 ms")
    print("reproduce: pip install . && python benchmarks/bench_check.py")
    return 0 if med <= 0.3 else 1


if __name__ == "__main__":
    sys.exit(main())
