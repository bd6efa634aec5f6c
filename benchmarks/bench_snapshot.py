"""Embedded snapshot: size on disk, and the first audit after install with a cold cache (issue 10).

Usage (after `pip install .`; an editable install slows every import):
    python benchmarks/bench_snapshot.py [--runs 9]

Reports the size of licheck/data/snapshot.jsonl + snapshot-index.json (target: a few MB), the in-process time to
open the index and read one record, and the whole-process wall time of
`licheck audit deepseek-ai/DeepSeek-R1-Distill-Llama-8B --format json` with HF_HUB_OFFLINE=1 and a new, empty
cache folder for every run (nothing stored yet: records come from the snapshot, the answer is computed), median
of --runs (target: well under a second).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = ["audit", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "--format", "json"]


def main() -> int:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 9
    from licheck.provenance.snapshot import INDEX_FILE, RECORDS_FILE, Snapshot
    from licheck.resources import data_dir

    folder = Path(data_dir())
    sizes = {name: (folder / name).stat().st_size for name in (RECORDS_FILE, INDEX_FILE)}
    start = time.perf_counter()
    snap = Snapshot(folder)
    rec = snap.get("meta-llama/Llama-3.1-8B-Instruct")
    load_ms = (time.perf_counter() - start) * 1000
    assert rec is not None
    licheck = shutil.which("licheck", path=os.path.dirname(sys.executable)) or shutil.which("licheck")
    cmd = [licheck, *COMMAND] if licheck else [sys.executable, "-m", "licheck", *COMMAND]
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, LICHECK_CACHE_DIR=tmp, HF_HUB_OFFLINE="1", HF_HOME=tmp)
            t0 = time.perf_counter()
            res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            times.append(time.perf_counter() - t0)
            if res.returncode != 0:
                print(f"unexpected exit {res.returncode}")
                return 1
    total = sum(sizes.values())
    print(
        f"snapshot: {len(snap):,} records, {len(snap.aliases)} renames, recorded {snap.recorded_range[0]} to "
        f"{snap.recorded_range[1]}"
    )
    print(f"size on disk: {total / 1e6:.2f} MB ({', '.join(f'{k} {v / 1e6:.2f} MB' for k, v in sizes.items())})")
    print(f"open index + read one record (in process): {load_ms:.1f} ms")
    print(
        f"first audit, cold cache, offline: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {runs} runs (target: well under 1 s)"
    )
    print("reproduce: pip install . && python benchmarks/bench_snapshot.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
