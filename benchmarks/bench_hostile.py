"""A hostile Hub: peak memory against a 1 GiB README, and wall time against a slow-drip Hub (issue 14, items 8-9).

Usage:
    python benchmarks/bench_hostile.py [--readme-mib 1024] [--budget 10]

Starts the test suite's fake Hub (tests/fakehub.py) in this process and runs `python -m licheck audit ... --format
json` as a child pointed at it (HF_ENDPOINT), with empty temporary caches:
  - huge README: the repo's README.md is a generated body of --readme-mib MiB, streamed without Content-Length
    (so only the client's streaming cap can stop it) and, second, with it. Peak RSS of the child from wait4.
    Target: < 200 MB; the verdict must be `review` ("card too large to read").
  - slow drip: the API answer for the root's parent sends one byte every 3 s. The run must end within the time
    budget (LICHECK_TIME_BUDGET, here --budget; counted from the start of the Hub client) plus process start-up
    (target: wall <= budget + 1 s), answering the parent from the snapshot with a notice on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakehub import FakeHub  # noqa: E402

L2 = "meta-llama/Llama-2-7b-hf"  # in the embedded snapshot


def child(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str, str]:
    """(wall s, peak RSS MiB, exit code, stdout, stderr) of `python -m licheck ARGS`."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "licheck", *args], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024, proc.returncode, out.read().decode(), err.read().decode()


def environment(hub: FakeHub, tmp: str, budget: float) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "LICHECK_HTTP_TIMEOUT",
    ):
        env.pop(name, None)
    env.update(
        HF_ENDPOINT=hub.url,
        HF_HOME=os.path.join(tmp, "hf"),
        HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_XET="1",
        LICHECK_CACHE_DIR=os.path.join(tmp, "cache"),
        LICHECK_TIME_BUDGET=str(budget),
    )
    return env


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readme-mib", type=int, default=1024)
    ap.add_argument("--budget", type=float, default=10.0)
    opts = ap.parse_args()
    size = opts.readme_mib * 1024 * 1024
    ok = True
    with FakeHub() as hub, tempfile.TemporaryDirectory() as tmp:
        env = environment(hub, tmp, opts.budget)
        for declared in (False, True):
            name = f"acme/huge-{'declared' if declared else 'chunked'}"
            hub.add_model(name, card_data={"license": "apache-2.0"})
            body = hub.stream(
                f"/{name}/resolve/", size=size, head="---\nlicense: apache-2.0\n---\n", declare_length=declared
            )
            wall, rss, code, out, _ = child(["audit", name, "--format", "json"], env)
            doc = json.loads(out)
            time.sleep(0.2)
            good = rss < 200 and doc["verdict"] == "review" and "card too large to read" in json.dumps(doc["findings"])
            ok &= good
            print(
                f"huge README ({opts.readme_mib} MiB, Content-Length {'sent' if declared else 'absent'}): "
                f"peak RSS {rss:.0f} MiB (target < 200), wall {wall:.2f} s, verdict {doc['verdict']} (exit {code}), "
                f"server sent {body.sent / 2**20:.1f} MiB before the client hung up {'OK' if good else 'FAIL'}"
            )
        hub.add_model("acme/ft", card_data={"license": "llama2", "base_model": L2})
        hub.drip(f"/api/models/{L2}", interval=3.0, head=b'{"id": "' + L2.encode() + b'", ')
        wall, rss, code, out, err = child(["audit", "acme/ft", "--format", "json"], env)
        doc = json.loads(out)
        source = {n["id"]: n for n in doc["graph"]["nodes"]}[L2]["source"]
        notice = [line for line in err.splitlines() if line.startswith("licheck: notice:")]
        good = wall <= opts.budget + 1.0 and source == "snapshot" and len(notice) == 1
        ok &= good
        print(
            f"slow drip (1 byte / 3 s) on the parent's API answer, budget {opts.budget:g} s: abandoned after "
            f"{wall:.2f} s, parent from the {source}, verdict {doc['verdict']} (exit {code}) {'OK' if good else 'FAIL'}"
        )
        print(f"  stderr: {notice[0] if notice else '(no notice)'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
