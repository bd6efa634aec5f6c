"""`licheck check` and licheck.lock: where the lock is, re-reading nodes live, and the comparison as a check result.

When a lock exists, the check (so the pre-commit hook and CI too) reports every difference between the lock and
what it decides now as a violation of a `lock` result at licheck.lock, rendered like every other finding (text,
JSON, SARIF). Online, every node is re-read from the Hub for the run (the cache is not trusted to still describe
`main`); offline it compares against the cache and snapshot and says that it could not revalidate live.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from licheck.check.results import CheckOptions, CheckResult, Location, located, tool_finding
from licheck.lock.build import Current, current
from licheck.lock.compare import Difference, compare
from licheck.lock.model import LOCK_FILE, LockError, read_lock
from licheck.policy import Policy, display_path

if TYPE_CHECKING:
    from licheck.check.context import CheckContext

UPDATE_HINT = "review the change, then run `licheck lock --update`"
_NOT_LIVE = ("cache", "snapshot")  # record sources that are not the Hub's answer of this run


def lock_root(paths: list[Path], policy: Policy) -> Path:
    """The repository root the lock belongs to: the policy file's folder, else the first folder given, else `.`."""
    if policy.path is not None:
        return policy.base
    return next((p.resolve() for p in paths if p.is_dir()), Path.cwd().resolve())


def covers(paths: list[Path], root: Path) -> bool:
    """Whether the run checks the whole repository (then a locked entry that is gone is a difference)."""
    return any(p.is_dir() and (p.resolve() == root or p.resolve() in root.parents) for p in paths)


@dataclass(frozen=True, slots=True)
class LockHook:
    path: Path
    shown: str  # as findings name it (relative to the repository)
    complete: bool
    live: bool  # online: nodes are re-read from the Hub

    @classmethod
    def at(cls, paths: list[Path], policy: Policy, *, offline: bool) -> LockHook:
        root = lock_root(paths, policy)
        path = root / LOCK_FILE
        return cls(path, display_path(path, policy.base), covers(paths, root), not offline)

    @classmethod
    def find(cls, paths: list[Path], policy: Policy, *, offline: bool) -> LockHook | None:
        """The hook of an existing licheck.lock (a dangling link or a folder of that name too: an error later)."""
        hook = cls.at(paths, policy, offline=offline)
        return hook if hook.exists else None

    @property
    def exists(self) -> bool:
        return self.path.exists() or self.path.is_symlink()

    def options(self, options: CheckOptions) -> CheckOptions:
        """Online, the run re-reads every node from the Hub (one request per node; the check never asks for a
        pinned revision, so there is no pinned cache entry it could trust instead)."""
        if not self.live:
            return options
        return replace(options, service=replace(options.service, refresh=True))

    def result(self, ctx: CheckContext, results: list[CheckResult]) -> CheckResult:
        res = CheckResult("lock", self.shown, 1, self.shown)
        try:
            lock = read_lock(self.path, self.shown)
        except LockError as exc:
            res.error = str(exc)
            f = tool_finding(self.shown, "review", str(exc), "lock_unreadable", clause="lock-unreadable")
            res.findings.append(located(f, Location(self.shown, exc.line or 1)))
            return res
        cur = current(results, ctx.rules)
        text = self.path.read_text("utf-8")
        for d in compare(lock, cur, complete=self.complete):
            flag = "lock_" + d.what.replace("-", "_")
            f = tool_finding(d.subject, "forbid", f"{d.message}; {UPDATE_HINT}", flag, clause=f"lock-{d.what}")
            res.findings.append(located(f, Location(self.shown, _line(text, d)), violation=True))
        nodes = len({nid for e in cur.entries.values() for nid in e.nodes})
        res.detail = f"{len(cur.entries)} card(s) and plan(s), {nodes} node(s) compared"
        stale = self.not_live(cur, "compared against")
        if stale:
            f = tool_finding(self.shown, "info", stale, "lock_not_revalidated", clause="lock-offline")
            res.findings.append(located(f, Location(self.shown, 1)))
        else:
            res.detail += " (read live)" if self.live else ""
        return res

    def not_live(self, cur: Current, verb: str) -> str | None:
        """The sentence saying which nodes came from the cache or snapshot instead of the Hub (None: all live)."""
        stale = sorted(nid for nid, source in cur.sources.items() if source in _NOT_LIVE)
        if not stale:
            return None
        why = "offline" if not self.live else "the Hub did not answer"
        return (
            f"could not revalidate live ({why}): {len(stale)} node(s) {verb} the cache and the embedded snapshot "
            f"({', '.join(stale[:5])}{', ...' if len(stale) > 5 else ''}); `--online` asks the Hub"
        )


_SECTION = {"terms": "terms", "entry": "entries", "entry-added": "entries", "entry-removed": "entries"}


def _line(text: str, d: Difference) -> int:
    """The lock-file line of the difference's key (its entry, node or terms object); 1 when it is not there."""
    lines = text.splitlines()
    section = f'  "{_SECTION.get(d.what, "nodes")}": {{'
    key = f"    {json.dumps(d.subject, ensure_ascii=False)}: {{"
    start = next((i for i, line in enumerate(lines) if line == section), None)
    if start is None:
        return 1
    return next((i + 1 for i, line in enumerate(lines[start:], start) if line == key), start + 1)
