"""`licheck lock` against `licheck check` on the same repository, warm: target lock <= 2x check (issue 13).

Usage (after `pip install .`): python benchmarks/bench_lock.py [--runs 7]

Creates a temporary repository with 20 model cards (fine-tunes of embedded-snapshot models) and 5 licheck.yaml
plans, warms the cache with one check, then times whole-process runs, offline (cache and embedded snapshot, the
pre-commit form), in this order: `licheck check --offline` without a lock; `licheck lock --offline` (the first
run writes licheck.lock, the timed runs find it up to date, so each one still runs the whole check and the
comparison); `licheck check --offline` with the lock present (the check plus the comparison). Prints the medians
and the ratio lock / check.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile

from bench_audit import arg, licheck_command, timed  # the same whole-process timer (run from benchmarks/)

BASES = [
    ("meta-llama/Llama-3.1-8B", "llama3.1"),
    ("mistralai/Mistral-7B-v0.1", "apache-2.0"),
    ("Qwen/Qwen3-4B", "apache-2.0"),
    ("Qwen/Qwen2.5-7B", "apache-2.0"),
    ("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "llama3.1"),
    ("microsoft/phi-2", "mit"),
    ("tiiuae/falcon-7b", "apache-2.0"),
    ("google/gemma-7b", "gemma"),
    ("meta-llama/Llama-2-7b-chat-hf", "llama2"),
    ("microsoft/Phi-3-mini-4k-instruct", "mit"),
]
PLANS = [
    ("deepseek-ai/DeepSeek-R1", "Qwen/Qwen2.5-0.5B"),
    ("Qwen/Qwen3-32B", "Qwen/Qwen3-4B"),
    ("meta-llama/Llama-3.1-8B", "mistralai/Mistral-7B-v0.1"),
    ("microsoft/phi-2", "Qwen/Qwen2.5-0.5B"),
    ("google/gemma-7b", "Qwen/Qwen3-4B"),
]
TARGET = 2.0


def make_repo(root: str) -> None:
    for i in range(20):
        base, licence = BASES[i % len(BASES)]
        folder = os.path.join(root, "models", f"m{i:02d}")
        os.makedirs(folder)
        with open(os.path.join(folder, "README.md"), "w") as fh:
            fh.write(f"---\nlicense: {licence}\nbase_model: {base}\nmodel_name: Llama-m{i:02d}\n---\n# m{i:02d}\n")
    with open(os.path.join(root, "licheck.yaml"), "w") as fh:
        fh.write("plans:\n")
        for i, (teacher, student) in enumerate(PLANS):
            fh.write(f"  - {{name: plan{i}, teacher: {teacher}, student: {student}}}\n")
    os.makedirs(os.path.join(root, ".git"))


def main() -> int:
    runs = arg("--runs", 7)
    licheck = licheck_command()
    if not licheck:
        print("licheck is not installed next to this interpreter (pip install .)")
        return 2
    with tempfile.TemporaryDirectory() as repo, tempfile.TemporaryDirectory() as cache:
        make_repo(repo)
        env = dict(os.environ, LICHECK_CACHE_DIR=cache)
        check = [licheck, "check", "--offline"]
        lock = [licheck, "lock", "--offline"]
        subprocess.run(check, cwd=repo, env=env, stdout=subprocess.DEVNULL, check=False)  # warm
        t_check = [timed(check, env, cwd=repo) for _ in range(runs)]
        first = subprocess.run(lock, cwd=repo, env=env, capture_output=True, text=True, check=False)
        if first.returncode != 0 or not os.path.exists(os.path.join(repo, "licheck.lock")):
            print(f"licheck lock failed (exit {first.returncode}): {first.stdout}{first.stderr}")
            return 2
        t_lock = [timed(lock, env, cwd=repo) for _ in range(runs)]
        t_checked = [timed(check, env, cwd=repo) for _ in range(runs)]
    c, lk, cl = (statistics.median(t) for t in (t_check, t_lock, t_checked))
    print(first.stdout.strip().splitlines()[-1])
    print(
        f"warm, offline, 20 cards + 5 plans, median of {runs} whole-process runs: check {c * 1000:.0f} ms, "
        f"lock {lk * 1000:.0f} ms ({lk / c:.2f}x check; target <= {TARGET:.0f}x), check with the lock present "
        f"{cl * 1000:.0f} ms ({cl / c:.2f}x)"
    )
    print("reproduce: pip install . && python benchmarks/bench_lock.py")
    return 0 if lk <= TARGET * c else 1


if __name__ == "__main__":
    sys.exit(main())
