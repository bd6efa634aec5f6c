"""Wall time and peak memory of `licheck scan` at 200k / 500k / 1M / 2M records, plus a correctness check.

Usage: python benchmarks/bench_scan.py [--sizes 200000,500000,1000000,2000000] [--data DIR] [--seed 1]
                                       [--workers 2] [--no-real]

Each size gets a synthetic dump from benchmarks/gen_dump.py (generated once into --data, not timed). The scan runs
as a child process (`python -m licheck scan DUMP --output OUT --format json`); wall time is measured around it,
peak RSS two ways: the largest single process (wait4 rusage) and the sum over the process tree (the parser
workers included), sampled from /proc every 20 ms. Targets (issue): 2M records in <= 60 s and <= 2 GiB, cost
linear in records.

Correctness: the real scrape (../shared/data/hub-scrape-2025-04.jsonl, if present) is scanned the same way and
every verdict is compared with the reference: ProvenanceResolver + Auditor over a snapshot folder holding only
those records, i.e. `licheck audit ID --offline` with the dump as the only data.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from gen_dump import REAL, generate  # noqa: E402


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), KiB."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run_scan(dump: Path, out: Path, workers: int) -> dict[str, Any]:
    """One scan in a child process: wall seconds, peak RSS (largest process and whole tree), its summary."""
    cmd = [
        sys.executable,
        "-m",
        "licheck",
        "scan",
        str(dump),
        "--output",
        str(out),
        "--format",
        "json",
        "--workers",
        str(workers),
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_kib(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout = proc.stdout.read() if proc.stdout else b""
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"scan failed ({proc.returncode}): {stderr.decode(errors='replace')[-2000:]}")
    return {"wall": wall, "rss_max_kib": usage.ru_maxrss, "rss_tree_kib": peak[0], "summary": json.loads(stdout)}


def reference_verdicts(dump: Path) -> dict[str, str]:
    """`licheck audit ID --offline` for every record, with a snapshot folder holding only the dump's records."""
    from licheck.domain import Plan
    from licheck.engine.auditor import Auditor
    from licheck.errors import LicheckError
    from licheck.provenance.resolver import ProvenanceResolver
    from licheck.provenance.snapshot import Snapshot
    from licheck.provenance.sources import LayeredSource
    from licheck.rules.ruleset import load_rules
    from licheck.scan.records import DumpError, record_from_hub

    recs: dict[str, Any] = {}
    for line in dump.open(encoding="utf-8"):
        try:
            rec = record_from_hub(json.loads(line))
        except (ValueError, DumpError):
            continue
        recs[rec.key] = rec
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        index, offset = {}, 0
        with (folder / "snapshot.jsonl").open("wb") as fh:
            for key, rec in recs.items():
                data = json.dumps(rec.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
                index[key] = [offset, len(data)]
                fh.write(data + b"\n")
                offset += len(data) + 1
        (folder / "snapshot-index.json").write_text(json.dumps({"index": index, "aliases": {}}), encoding="utf-8")
        resolver = ProvenanceResolver(LayeredSource(None, None, Snapshot(folder), offline=True))
        auditor = Auditor(load_rules())
        out = {}
        from licheck.provenance.ids import parse_subject

        for key in recs:
            try:
                if parse_subject(key).kind == "local":
                    out[key] = "error"  # the scan never reads a local folder named by a dump
                    continue
                out[key] = auditor.audit(Plan(teacher=key), resolver.resolve(key), None).verdict
            except LicheckError:
                out[key] = "error"
    return out


def check_real(real: Path, workers: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "real.jsonl"
        run = run_scan(real, out, workers)
        got = {json.loads(x)["id"]: json.loads(x)["verdict"] for x in out.read_text(encoding="utf-8").splitlines()}
    ref = reference_verdicts(real)
    same = sum(1 for k, v in ref.items() if got.get(k) == v)
    wrong = [(k, ref[k], got.get(k)) for k in ref if got.get(k) != ref[k]][:5]
    counts = run["summary"]["verdicts"]
    tally = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    text = f"real records ({real.name}): {same}/{len(ref)} scan verdicts equal `audit --offline` over them ({tally})"
    return text + (f"; differ: {wrong}" if wrong else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200000,500000,1000000,2000000")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "licheck-bench-scan")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-real", action="store_true", help="skip the real-records correctness check")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    args.data.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        dump = args.data / f"dump-{n}-seed{args.seed}.jsonl"
        if not dump.exists():
            tmp = dump.with_suffix(".part")
            generate(n, tmp, args.seed)
            tmp.replace(dump)
        out = args.data / f"result-{n}.jsonl"
        run = run_scan(dump, out, args.workers)
        s = run["summary"]
        rows.append((n, dump.stat().st_size, run, s))
        out.unlink()
    print(f"licheck scan, {os.cpu_count()} CPUs, --workers {args.workers}, Python {sys.version.split()[0]}")
    head = (
        f"{'records':>10} {'dump MB':>8} {'wall s':>7} {'us/rec':>7} {'RSS tree MiB':>13} {'RSS max MiB':>12} "
        f"{'read s':>7} {'ancestry s':>10} {'verdicts s':>10}  routes"
    )
    print(head)
    print("-" * len(head))
    for n, size, run, s in rows:
        sec = s["stats"]["seconds"]
        print(
            f"{n:>10,} {size / 1e6:>8.0f} {run['wall']:>7.1f} {run['wall'] / n * 1e6:>7.1f} "
            f"{run['rss_tree_kib'] / 1024:>13.0f} {run['rss_max_kib'] / 1024:>12.0f} {sec['read']:>7.1f} "
            f"{sec['ancestry']:>10.1f} {sec['verdicts']:>10.1f}  {s['stats']['routes']}"
        )
    last = rows[-1][3]
    print(
        f"largest run: {last['verdicts']}, {last['stats']['signatures']} signatures, "
        f"{last['stats']['auditor_runs']} Auditor runs, {last['stats']['closure_states']:,} closure states"
    )
    if not args.no_real and REAL.is_file():
        print(check_real(REAL, args.workers))
    elif not args.no_real:
        print(f"real-records check skipped: {REAL} not found")
    print(
        f"reproduce: python benchmarks/bench_scan.py --sizes {args.sizes} --seed {args.seed} --workers {args.workers}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
