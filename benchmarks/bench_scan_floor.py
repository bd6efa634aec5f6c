"""What reading a dump costs before any scan logic: the floor under the 60 s target of issue 12.

Usage:
    python benchmarks/bench_scan_floor.py [--records 2000000] [--seed 1] [--workers 2]

The dump is the one bench_scan.py uses (`gen_dump.py`, cached in $TMPDIR/licheck-bench-scan). Over the same byte
ranges and the same fork pool as `licheck scan` (licheck.scan.records.split_ranges), three passes are timed:

1. `json.loads` of every line, nothing else: the standard-library parser alone;
2. `json.loads` + `Facts.record`: the engine's own reading of each record (`record_from_hub` -> RepoRecord,
   `evidence.edge_specs`, `evidence.licence_fields`, rule identification) -- what the scan workers do, without
   building the index;
3. the scan itself is not re-run: its ancestry + verdict phases come from bench_scan.py (one process after the read).

The gap between (2) and the 60 s target is what the engine's general per-record code costs on this machine; the
only ways under it are a faster record reader than the audit's (a second copy of the engine, which issue 12 rules
out) or more cores.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from licheck.rules.apis import load_catalogue  # noqa: E402
from licheck.rules.ruleset import load_rules  # noqa: E402
from licheck.scan.records import Facts, split_ranges  # noqa: E402

_FACTS: Facts | None = None


def _lines(path: str, start: int, end: int) -> list[bytes]:
    with open(path, "rb") as fh:
        fh.seek(start)
        return [line for line in fh.read(end - start).split(b"\n") if line.strip()]


def loads_only(r: tuple[str, int, int]) -> int:
    loads = json.loads
    n = 0
    for line in _lines(*r):
        loads(line)
        n += 1
    return n


def loads_and_record(r: tuple[str, int, int]) -> int:
    assert _FACTS is not None
    loads, record = json.loads, _FACTS.record
    n = 0
    for line in _lines(*r):
        try:
            record(loads(line))
        except ValueError:
            pass
        n += 1
    return n


def timed_pass(fn, ranges: list[tuple[str, int, int]], workers: int) -> tuple[float, float, int]:
    """(wall s, CPU s of the workers, records) of one pass over all ranges in a fork pool."""
    import gc

    gc.disable()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        n = sum(pool.imap_unordered(fn, ranges))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    gc.enable()
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, n


def main(argv: list[str] | None = None) -> int:
    global _FACTS
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "licheck-bench-scan")
    args = ap.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    dump = args.data / f"dump-{args.records}-seed{args.seed}.jsonl"
    if not dump.exists():
        gen = [sys.executable, str(HERE / "gen_dump.py"), "--records", str(args.records), "--seed", str(args.seed)]
        subprocess.run([*gen, "--out", str(dump)], check=True)
    _FACTS = Facts(load_rules(), load_catalogue())  # before the fork, as the scan does
    ranges = split_ranges(str(dump), os.path.getsize(dump))
    print(
        f"{args.records:,} records, {os.path.getsize(dump) / 1e6:,.0f} MB, --workers {args.workers}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    for name, fn in (("json.loads only", loads_only), ("json.loads + Facts.record (engine)", loads_and_record)):
        wall, cpu, n = timed_pass(fn, ranges, args.workers)
        print(f"{name:38} wall {wall:7.1f} s   worker CPU {cpu:7.1f} s   {cpu / n * 1e6:6.1f} us/record")
    print(
        f"reproduce: python benchmarks/bench_scan_floor.py --records {args.records} --seed {args.seed} "
        f"--workers {args.workers}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
