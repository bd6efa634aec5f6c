"""Counsel's questions: scenario-format distillation questions answered through the local fake Hub (issue 11).

Usage (from a checkout, after `pip install .`):
    python benchmarks/eval_counsel.py [--only C0xx,...] [--verbose]

Each scenario of benchmarks/counsel-scenarios.yaml and tests/fixtures/scenarios-dev.yaml is served from a fresh
fake Hub (tests/fakehub.py) exactly as its metadata says (tests/scenario_hub.py), audited by `licheck audit` in a
subprocess with an empty cache, and compared with the verdict a careful reading of the primary texts gives. Reports
agreement overall and on high-confidence questions, and every answer more permissive than expected (the worst kind
of error: `permitted`/`conditional` where the texts say `forbidden` or leave the question open).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakehub import FakeHub  # noqa: E402
from tests.scenario_hub import audit_args, expected_verdict, serve  # noqa: E402

ORDER = {"forbidden": 0, "review": 1, "conditional": 2, "permitted": 3}  # higher = more permissive


def scenarios() -> list[dict]:
    out = []
    for path in (ROOT / "tests" / "fixtures" / "scenarios-dev.yaml", ROOT / "benchmarks" / "counsel-scenarios.yaml"):
        out += yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


def answer(sc: dict) -> tuple[str, str]:
    with FakeHub() as hub, tempfile.TemporaryDirectory() as tmp:
        hub.start()
        serve(hub, sc)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING_FACE", "LICHECK_"))} | {
            "HF_ENDPOINT": hub.url,
            "HF_HOME": str(Path(tmp) / "hf"),
            "HF_HUB_DISABLE_TELEMETRY": "1",
            "HF_HUB_DISABLE_XET": "1",
            "LICHECK_CACHE_DIR": str(Path(tmp) / "cache"),
        }
        res = subprocess.run(
            [sys.executable, "-m", "licheck", *audit_args(sc)], capture_output=True, text=True, env=env, cwd=tmp
        )
        try:
            doc = json.loads(res.stdout)
        except ValueError:
            return "error", (res.stderr or res.stdout).strip()[:200]
        why = "; ".join(
            f"{f['effect']} {f.get('rule') or ''} {f.get('clause') or ''}: {(f.get('reason') or '')[:90]}"
            for f in doc.get("findings", [])
            if f.get("effect") in ("forbid", "review")
        )
        return doc["verdict"], why


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    opts = ap.parse_args()
    items = [s for s in scenarios() if not opts.only or s["id"] in opts.only.split(",")]
    with ThreadPoolExecutor(opts.jobs) as pool:
        answers = list(pool.map(answer, items))
    right = high = high_right = 0
    looser = []
    for sc, (got, why) in zip(items, answers, strict=True):
        want = expected_verdict(sc)
        ok = got == want
        right += ok
        if sc.get("confidence") == "high":
            high += 1
            high_right += ok
        if got in ("permitted", "conditional") and want in ("forbidden", "review"):
            looser.append(sc["id"])
        if not ok or opts.verbose:
            mark = "ok  " if ok else "MISS"
            print(f"{mark} {sc['id']} want {want:11} got {got:11} {sc['title']}")
            if not ok and why:
                print(f"       {why[:300]}")
    n = len(items)
    print(
        f"\n{right}/{n} agree ({100 * right / max(n, 1):.0f} %); high-confidence {high_right}/{high}; "
        f"more permissive than the texts: {len(looser)} {' '.join(looser)}"
    )
    return 0 if not looser else 1


if __name__ == "__main__":
    raise SystemExit(main())
