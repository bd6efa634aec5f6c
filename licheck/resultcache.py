"""Reuse of a whole audit result while nothing it was computed from has changed.

A warm audit re-reads the same cached records and snapshot entries and re-derives the same verdict; this
stores the JSON document with the exact list of what it depended on, and serves it again only when every
dependency is unchanged: the code and rule files (name, size, mtime), the snapshot files, the environment
that steers sources, and each record: a cache entry with the same size and mtime that is still within its
TTL, or a cache entry that is still absent. Only fully warm runs are stored (no Hub request, no error, no
fallback warning), so a transient fault is never replayed. Stdlib only: this runs before anything heavy.
"""

from __future__ import annotations

import json
import os
import time
import zlib

from licheck.paths import cache_dir

if False:  # typing only; importing `typing` would cost more than this whole module
    from typing import Any

VERSION = 1
# Environment that decides where records come from. (No token: results are stored only for runs that made no
# Hub request, so a token cannot have changed them, and it must never be written anywhere.)
_ENV = (
    "HF_ENDPOINT",
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "LICHECK_HTTP_TIMEOUT",
    "LICHECK_HTTP_RETRIES",
    "LICHECK_MAX_RETRY_WAIT",
    "LICHECK_CACHE_DIR",
    "HF_HOME",
    "XDG_CACHE_HOME",
)


def _tree_state(folder: str, suffixes: tuple[str, ...]) -> list[Any]:
    try:
        return sorted(
            (e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(folder) if e.name.endswith(suffixes)
        )
    except OSError:
        return []


def key_for(args: dict[str, Any]) -> str:
    """The full description of the inputs (compared verbatim on load, so a short file name is safe)."""
    here = os.path.dirname(os.path.abspath(__file__))
    rules = os.path.join(here, "rules_data")
    if not os.path.isdir(rules):
        rules = os.path.join(os.path.dirname(here), "rules")
    state = {
        "v": VERSION,
        "args": args,
        "env": [os.environ.get(k, "") for k in _ENV],
        "code": _tree_state(here, (".py",)),
        "formats": _tree_state(os.path.join(here, "formats"), (".py",)),
        "rules": _tree_state(rules, (".yaml", ".json")),
        "extra_rules": [_tree_state(d, (".yaml", ".json")) for d in args.get("rules", [])],
        "data": _tree_state(os.path.join(here, "data"), (".json", ".jsonl")),
    }
    return json.dumps(state, sort_keys=True, default=str)


def _path(key: str) -> str:
    raw = key.encode("utf-8")
    name = f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}"
    return os.path.join(cache_dir(), "results", name[:2], name + ".json")


def _dep_ok(dep: list[Any], now: float) -> bool:
    path, size, mtime, expires = dep
    try:
        st = os.stat(path)
    except OSError:
        return size is None  # the entry was absent and still is
    if size is None:
        return False
    return st.st_size == size and st.st_mtime_ns == mtime and (expires is None or now < expires)


def load(key: str) -> dict[str, Any] | None:
    try:
        with open(_path(key), "rb") as fh:
            entry = json.loads(fh.read())
        if entry.get("key") != key:
            return None
        now = time.time()
        if all(_dep_ok(d, now) for d in entry["deps"]):
            doc = entry["doc"]
            doc["generated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            return doc
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def dependencies(session: Any, graph: Any) -> list[list[Any]] | None:
    """What the result depends on, or None when the run was not fully warm (then nothing is stored)."""
    source = session.source
    if source.stats.hub_fetches or source.stats.warnings or source.cache is None:
        return None
    deps: list[list[Any]] = []
    for key, revision, outcome in source.stats.lookups:
        path = str(source.cache.path_for(key, revision))
        if outcome == "cache":
            try:
                st = os.stat(path)
                with open(path, "rb") as fh:
                    stored = float(json.loads(fh.read())["stored_at"])
            except (OSError, ValueError, KeyError, TypeError):
                return None
            rec_pinned = revision is not None
            expires = None if (rec_pinned or source.offline) else stored + source.cache.ttl
            deps.append([path, st.st_size, st.st_mtime_ns, expires])
        elif outcome in ("snapshot", "error") and source.offline:
            deps.append([path, None, None, None])  # would be served from the cache if it appeared
        else:
            return None
    return deps


def store(key: str, doc: dict[str, Any], deps: list[list[Any]]) -> None:
    import tempfile

    path = _path(key)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"key": key, "deps": deps, "doc": doc}, fh, separators=(",", ":"), ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass
