"""The whole scan: read, fold, judge every model, write results atomically, summarise."""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from licheck.domain import VERDICTS, Plan
from licheck.errors import UsageError
from licheck.scan.evaluate import Evaluator
from licheck.scan.judge import NO_LICENCE
from licheck.scan.readers import build_index


# -- the whole scan -------------------------------------------------------------------------------------------------
def default_plan(**kw: Any) -> Plan:
    """May each model be distilled (outputs) into a commercially distributed student trained from scratch?"""
    return Plan(teacher="*", **kw)


def run_scan(
    path: str,
    plan: Plan,
    rules: Any,
    *,
    output: str | None = None,
    max_depth: int = 20,
    workers: int = 2,
    top: int = 15,
    verify: int = 200,
    progress: Callable[[str, int, int], None] | None = None,
    chunk_bytes: int = 16 * 1024 * 1024,
) -> dict[str, Any]:
    """Scan a dump; write per-model JSON Lines to `output` (atomically) and return the summary.

    `verify` models (a fixed pseudo-random sample) are audited again by the resolver and Auditor: a self-check of
    the fold (licheck.engine.closure), which must agree with the Auditor it is built from. `chunk_bytes`: the size
    of the byte ranges of a JSON Lines dump that the `workers` parse.

    The cyclic garbage collector is paused for the scan: the index holds millions of containers that it would
    rescan again and again (a third of the run time) while the scan creates no reference cycles."""
    import gc

    from licheck.engine.plancheck import validate_plan

    validate_plan(plan)  # before reading the dump: a student that is an API product, a negative count

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_scan(
            path,
            plan,
            rules,
            output=output,
            max_depth=max_depth,
            workers=workers,
            top=top,
            verify=verify,
            progress=progress,
            chunk_bytes=chunk_bytes,
        )
    finally:
        if was_enabled:
            gc.enable()


def _run_scan(
    path: str,
    plan: Plan,
    rules: Any,
    *,
    output: str | None,
    max_depth: int,
    workers: int,
    top: int,
    verify: int,
    progress: Callable[[str, int, int], None] | None,
    chunk_bytes: int,
) -> dict[str, Any]:
    t0 = time.perf_counter()
    index, store = build_index(path, rules, workers=workers, progress=progress, chunk_bytes=chunk_bytes)
    t_read = time.perf_counter()
    ev = Evaluator(index, store, plan, rules, max_depth=max_depth, progress=progress)
    t_memo = time.perf_counter()
    verdicts: Counter[str] = Counter()
    drift: Counter[str] = Counter()
    lic_models: Counter[int] = Counter()
    writer = _AtomicWriter(output) if output else None
    try:
        n = index.n
        line = ev.line
        batch: list[str] = []
        for i in range(n):
            text, verdict, dpat = line(i)
            verdicts[verdict] += 1
            for p in dpat:
                drift[p] += 1
            lic_models[ev.last_lic] += 1
            if writer is not None:
                batch.append(text)
                if len(batch) >= 4096:
                    writer.write("".join(batch))
                    batch.clear()
            if progress is not None and not i & 0xFFFF:
                progress("verdicts", i, n)
        if writer is not None and batch:
            writer.write("".join(batch))
        verified = ev.verify(verify)
        if progress is not None:
            progress("verdicts", n, n)
        if writer is not None:
            writer.commit()
    finally:
        if writer is not None:
            writer.abort()
        store.close()
    unknown: Counter[str] = Counter()
    undeclared = 0
    for sid, count in lic_models.items():
        for label in ev.judge.lic.sets[sid]:
            if label == NO_LICENCE:
                undeclared += count
            elif label.startswith("?"):
                unknown[label[1:]] += count
    t_end = time.perf_counter()
    judge = ev.judge
    return {
        "dump": path,
        "plan": {k: v for k, v in plan.to_json().items() if k != "teacher"},
        "max_depth": max_depth,
        "records": index.records_read,
        "models": index.n,
        "duplicate_ids": index.duplicates,
        "unreadable_lines": index.n_errors,
        "unreadable_examples": [{"offset": o, "error": e} for o, e in index.errors[:5]],
        "verdicts": {v: verdicts.get(v, 0) for v in (*VERDICTS, "error")},
        "drift_patterns": [{"pattern": p, "models": c} for p, c in drift.most_common(top)],
        "unknown_licenses": [{"license": lab, "models": c} for lab, c in unknown.most_common(top)],
        "undeclared_licence_in_ancestry": undeclared,
        "output": output,
        "verified": verified,
        "stats": {
            "routes": dict(ev.routes),
            "classes": len(judge.class_keys),
            "closure_states": len(ev.closure.states),
            "signatures": len(judge.sig_verdict),
            "auditor_runs": judge.auditor_runs,
            "leaves": len(index.leaf_ids),
            "seconds": {
                "read": round(t_read - t0, 2),
                "ancestry": round(t_memo - t_read, 2),
                "verdicts": round(t_end - t_memo, 2),
                "total": round(t_end - t0, 2),
            },
        },
    }


class _AtomicWriter:
    """Writes to a temporary file beside the target and renames it into place only when the scan completes."""

    def __init__(self, target: str) -> None:
        self.target = Path(target)
        folder = self.target.resolve().parent
        if not folder.is_dir():
            raise UsageError(f"--output folder does not exist: {folder}")
        fd, self.tmp = tempfile.mkstemp(dir=folder, prefix=f".{self.target.name}.", suffix=".tmp")
        self.fh = os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20)
        self.done = False

    def write(self, text: str) -> None:
        self.fh.write(text)

    def commit(self) -> None:
        from licheck.paths import new_file_mode

        self.fh.close()
        os.chmod(self.tmp, new_file_mode(str(self.target)))  # mkstemp makes 0600; keep the replaced file's mode
        os.replace(self.tmp, self.target)
        self.done = True

    def abort(self) -> None:
        if not self.done:
            try:
                self.fh.close()
            finally:
                try:
                    os.unlink(self.tmp)
                except OSError:
                    pass
            self.done = True
