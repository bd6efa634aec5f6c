"""Warm `licheck audit deepseek-ai/DeepSeek-R1 --offline --format json`, whole process, through the real entry point
(the Typer CLI), target <= 150 ms wall (issue 12).

Usage (after a regular, non-editable install: `pip install .`):
    python benchmarks/bench_audit.py [--rounds 5] [--runs 11]

One run first warms the cache (compiled rules, records); then rounds x runs whole-process runs are timed and the
median of the round medians is printed, beside `python -c pass` and `python -c "import huggingface_hub"` for scale.
An editable install (pip install -e) adds an import hook that slows every import; measure with a regular install.
Where the time goes: `python -X importtime -m licheck audit deepseek-ai/DeepSeek-R1 --offline --format json`.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGET = 0.150
# What every licheck command pays before its body runs: Typer, licheck's command declarations, click's command tree.
CLI_LAYER = "from licheck.cli.app import app; import typer.main; typer.main.get_command(app)"
CPU: dict[str, list[float]] = {}  # command -> CPU seconds (user + system) of each run


def timed(cmd: list[str], env: dict[str, str], cwd: str | None = None) -> float:
    """Wall seconds of one whole-process run (its CPU seconds are summed in CPU, for a loaded machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(" ".join(cmd), []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def cpu(cmd: list[str]) -> float:
    return statistics.median(CPU[" ".join(cmd)])


def median_of_rounds(cmd: list[str], env: dict[str, str], rounds: int, runs: int, cwd: str | None = None) -> float:
    return statistics.median(statistics.median(timed(cmd, env, cwd) for _ in range(runs)) for _ in range(rounds))


def licheck_command() -> str | None:
    return shutil.which("licheck", path=os.path.dirname(sys.executable)) or shutil.which("licheck")


def arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> int:
    rounds, runs = arg("--rounds", 5), arg("--runs", 11)
    licheck = licheck_command()
    if not licheck:
        print("licheck is not installed next to this interpreter (pip install .)")
        return 2
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LICHECK_CACHE_DIR=tmp, HF_HUB_OFFLINE="1")
        cmd = [licheck, "audit", "deepseek-ai/DeepSeek-R1", "--offline", "--format", "json"]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, env=env, check=False)  # warm: rules compiled, records cached
        audit = median_of_rounds(cmd, env, rounds, runs)
        bare = median_of_rounds([py, "-c", "pass"], env, rounds, runs)
        hub = median_of_rounds([py, "-c", "import huggingface_hub"], env, rounds, runs)
        typer_only = median_of_rounds([py, "-c", "import typer"], env, rounds, runs, cwd=tmp)
        tree = median_of_rounds([py, "-c", CLI_LAYER], env, rounds, runs, cwd=tmp)  # not the source tree
    print(f"python -c pass: {bare * 1000:.0f} ms; python -c 'import huggingface_hub': {hub * 1000:.0f} ms (wall)")
    print(
        f"floor through Typer: `import typer` {typer_only * 1000:.0f} ms; licheck's Typer app imported and its "
        f"command tree built, no command run: {tree * 1000:.0f} ms -> {(TARGET - tree) * 1000:.0f} ms of the "
        f"target left for loading rules, reading the graph, the verdict and the JSON"
    )
    print(
        f"warm `{' '.join(['licheck', *cmd[1:]])}`: {audit * 1000:.0f} ms "
        f"wall, {cpu(cmd) * 1000:.0f} ms CPU (median of {rounds} x {runs}); target <= {TARGET * 1000:.0f} ms wall"
    )
    print("reproduce: pip install . && python benchmarks/bench_audit.py")
    return 0 if audit <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
