"""Requests per node and wall time of `licheck chain` on a 9-node graph served with 0.2 s per request.

Usage: python benchmarks/bench_provenance.py [--delay 0.2]

Starts the test suite's fake Hub (tests/fakehub.py) on 127.0.0.1 with a fixed delay on every request, runs
`licheck chain` cold (empty cache) and warm (same cache) in a subprocess, and prints requests per node and wall
time. Targets (issue 2): <= 2 requests per node cold, 0 warm, <= 3 s cold.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakehub import FakeHub  # noqa: E402


def build(hub: FakeHub) -> None:
    """root -> 3 parents -> 4 models and 1 dataset: 9 nodes on 3 levels, each with a README."""
    hub.add_model("bench/root", card_data={"license": "apache-2.0", "base_model": ["bench/p1", "bench/p2", "bench/p3"]})
    hub.add_model("bench/p1", card_data={"license": "apache-2.0", "base_model": ["bench/g1", "bench/g2"]})
    hub.add_model("bench/p2", card_data={"license": "mit", "base_model": "bench/g3"})
    hub.add_model("bench/p3", card_data={"license": "mit", "base_model": "bench/g4", "datasets": ["bench/data"]})
    hub.add_dataset("bench/data", card_data={"license": "cc-by-4.0"})
    for g in ("g1", "g2", "g3", "g4"):
        hub.add_model(f"bench/{g}", card_data={"license": "apache-2.0"})


def run(env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "licheck", "chain", "bench/root", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, out.stdout


def main() -> int:
    delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.2
    with FakeHub() as hub, tempfile.TemporaryDirectory() as tmp:
        build(hub)
        hub.fault("/", delay=delay)  # every request waits `delay` seconds, then gets its normal answer
        env = dict(
            os.environ,
            HF_ENDPOINT=hub.url,
            HF_HOME=f"{tmp}/hf",
            LICHECK_CACHE_DIR=f"{tmp}/cache",
            HF_HUB_DISABLE_TELEMETRY="1",
            HF_HUB_DISABLE_XET="1",
        )
        env.pop("HF_HUB_OFFLINE", None)
        env.pop("HF_TOKEN", None)
        import json

        hub.clear_log()
        cold, out = run(env)
        nodes = len(json.loads(out)["graph"]["nodes"])
        cold_requests = len([r for r in hub.requests if not r[1].startswith("/api/agent")])
        hub.clear_log()
        warm, _ = run(env)
        warm_requests = len([r for r in hub.requests if not r[1].startswith("/api/agent")])
    print(f"nodes: {nodes}; delay per request: {delay} s")
    print(
        f"cold: {cold:.2f} s wall, {cold_requests} requests = {cold_requests / nodes:.2f} per node "
        "(target <= 2, <= 3 s)"
    )
    print(f"warm: {warm:.2f} s wall, {warm_requests} requests (target 0)")
    print("reproduce: python benchmarks/bench_provenance.py --delay 0.2")
    return 0 if nodes == 9 and cold_requests <= 2 * nodes and warm_requests == 0 and cold <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
