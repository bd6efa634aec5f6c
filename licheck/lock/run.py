"""`licheck lock` as a function: run the check, pin what it decided into licheck.lock, or compare with it.

No lock yet: write it. A lock that matches: leave it alone. A lock that differs: print the differences and leave it
alone (exit 1) unless `--update` (a person reviewed them). `--check` is the CI form: never writes, exit 1 on any
difference or on a missing lock. A malformed or hand-edited lock is an error (exit 2) in every mode, left as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

from licheck.errors import EXIT_FORBIDDEN, EXIT_OK, UsageError
from licheck.lock.build import current, to_lock
from licheck.lock.compare import compare
from licheck.lock.hook import LockHook
from licheck.lock.model import LockError, read_lock, write_lock


def run_lock(
    paths: list[str],
    *,
    update: bool = False,
    check: bool = False,
    offline: bool = False,
    policy: str | None = None,
    rules: list[str] | None = None,
    max_depth: int = 20,
) -> int:
    from licheck.check.results import CheckOptions
    from licheck.check.runner import check_repo, offline_mode, policy_for
    from licheck.service import make_options

    if update and check:
        raise UsageError("--update and --check exclude each other (--check never writes)")
    targets = [Path(p) for p in paths] or [Path(".")]
    loaded = policy_for(targets, policy)
    service = make_options(offline, False, max_depth, None, rules)
    hook = LockHook.at(targets, loaded, offline=offline_mode(service))
    old = read_lock(hook.path, hook.shown) if hook.exists else None  # malformed: exit 2 before any work
    if old is None and check:
        return _say(f"licheck lock --check: no {hook.shown}; run `licheck lock` to pin the repository", EXIT_FORBIDDEN)
    report = check_repo(targets, hook.options(CheckOptions(service=service, verify_lock=False)), loaded)
    broken = next((r for r in report.results if r.error), None)
    if broken is not None:
        raise LockError(f"cannot pin {broken.kind} {broken.subject}: {broken.error}", path=hook.shown)
    cur = current(report.results, report.rules)
    new = to_lock(cur, report.rules_version, keep=None if hook.complete else old)
    stale = hook.not_live(cur, "pinned from")
    counts = f"{len(new.entries)} card(s) and plan(s), {len(new.nodes)} node(s), {len(new.terms)} licence term(s)"
    notes = [f"note: {stale}"] if stale else []
    if old is None:
        write_lock(hook.path, new, hook.shown)
        return _say("\n".join([*notes, f"licheck lock: wrote {hook.shown}: {counts}"]), EXIT_OK)
    diffs = compare(old, cur, complete=hook.complete)
    lines = [*notes, *(f"  {d.message}" for d in diffs)]
    if not diffs and new.same_approval(old):
        if update and new != old:
            write_lock(hook.path, new, hook.shown)
            return _say("\n".join([*lines, f"licheck lock: {hook.shown} restamped ({counts})"]), EXIT_OK)
        stamps = "" if new == old else "; only the licheck/rules version stamps differ (`--update` rewrites them)"
        return _say("\n".join([*lines, f"licheck lock: {hook.shown} is up to date ({counts}){stamps}"]), EXIT_OK)
    n = f"{len(diffs)} difference(s)" if diffs else "entries changed"
    if check:
        return _say("\n".join([*lines, f"licheck lock --check: {n} from {hook.shown}"]), EXIT_FORBIDDEN)
    if not update:
        tail = f"licheck lock: {hook.shown} left unchanged: {n}; review them, then run `licheck lock --update`"
        return _say("\n".join([*lines, tail]), EXIT_FORBIDDEN)
    write_lock(hook.path, new, hook.shown)
    return _say("\n".join([*lines, f"licheck lock: updated {hook.shown} ({n} re-pinned; {counts})"]), EXIT_OK)


def _say(text: str, code: int) -> int:
    from licheck.textsafe import clean_lines

    sys.stdout.write(clean_lines(text.splitlines()))
    return code
