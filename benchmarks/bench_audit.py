"""Warm audit whole-process time vs `python -c "import huggingface_hub"` (issue 5, target ratio <= 1.0).

Usage (after a regular, non-editable install: `pip install .`):
    python benchmarks/bench_audit.py [--rounds 7] [--runs 11]

Runs the two commands alternately (rounds x runs each), takes medians, and prints the ratio for:
  - repeat: the same `licheck audit deepseek-ai/DeepSeek-R1 --offline --format json` again (the stored result
    is re-validated against every input and served),
  - new query: a warm audit whose answer is not stored yet (records from cache/snapshot, rules compiled),
    forced with --refresh-free variation of the plan (a different --mau each run).
An editable install (pip install -e) adds an import hook that slows every import of both commands; measure
with a regular install.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def main() -> int:
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 7
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 11
    py = sys.executable
    licheck = shutil.which("licheck", path=os.path.dirname(py)) or shutil.which("licheck")
    if not licheck:
        print("licheck is not installed next to this interpreter (pip install .)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LICHECK_CACHE_DIR=tmp, HF_HUB_OFFLINE="1")
        base = [licheck, "audit", "deepseek-ai/DeepSeek-R1", "--offline", "--format", "json"]
        subprocess.run(base, stdout=subprocess.DEVNULL, env=env, check=False)  # compile rules, store result
        hf_times, repeat_times, fresh_times = [], [], []
        n = 0
        for _ in range(rounds):
            hf_times.append(statistics.median(timed([py, "-c", "import huggingface_hub"], env) for _ in range(runs)))
            repeat_times.append(statistics.median(timed(base, env) for _ in range(runs)))
            fresh = []
            for _ in range(runs):
                n += 1
                fresh.append(timed(base + ["--mau", str(1000 + n)], env))
            fresh_times.append(statistics.median(fresh))
    hf = statistics.median(hf_times)
    rep = statistics.median(repeat_times)
    new = statistics.median(fresh_times)
    print(f"import huggingface_hub: {hf * 1000:.1f} ms (median of {rounds} x {runs})")
    print(f"warm audit, repeated query: {rep * 1000:.1f} ms  ratio {rep / hf:.2f}  (target <= 1.0)")
    print(f"warm audit, new query (records and rules warm, answer computed): {new * 1000:.1f} ms  ratio {new / hf:.2f}")
    print("reproduce: pip install . && python benchmarks/bench_audit.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
