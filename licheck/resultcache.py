"""Reuse of a whole audit result while nothing it was computed from has changed.

A warm audit re-reads the same cached records and snapshot entries and re-derives the same verdict; this
stores the printed JSON document with the exact list of what it depended on, and serves it again only when every
dependency is unchanged: the code and rule files (name, size, mtime), the snapshot files, the environment
that steers sources, and each record: a cache entry with the same size and mtime that is still within its
TTL, or a cache entry that is still absent. Only fully warm runs are stored (no Hub request, no error, no
fallback warning), so a transient fault is never replayed. Results about a local folder are never stored: what
was read from disk is not a recorded dependency. It runs before anything else is imported, so it
uses `os`, `time` and `zlib` only (no json: a plain line format).
"""

from __future__ import annotations

import os
import time
import zlib

from licheck.paths import cache_dir, looks_local, redact_url, write_atomic

if False:  # typing only; importing `typing` would cost more than this whole module
    from typing import Any

MAGIC = "licheck-result 2"
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


def cacheable(args: dict[str, Any]) -> bool:
    """Local folders are read afresh every time (their files are not tracked dependencies); everything else may be."""
    return not any(isinstance(args.get(k), str) and looks_local(args[k]) for k in ("teacher", "student"))


def key_for(args: dict[str, Any]) -> str:
    """The full description of the inputs, on one line (compared verbatim on load, so a short file name is safe).

    HF_ENDPOINT is kept without its credentials: this line is written to disk.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    rules = os.path.join(here, "rules_data")
    if not os.path.isdir(rules):
        rules = os.path.join(os.path.dirname(here), "rules")
    state = (
        MAGIC,
        sorted((k, v) for k, v in args.items()),
        [redact_url(os.environ.get(k, "")) for k in _ENV],
        _tree_state(here, (".py",)),
        _tree_state(os.path.join(here, "formats"), (".py",)),
        _tree_state(rules, (".yaml", ".json")),
        [_tree_state(d, (".yaml", ".json")) for d in args.get("rules", [])],  # type: ignore[attr-defined]
        _tree_state(os.path.join(here, "data"), (".json", ".jsonl")),
    )
    return repr(state)


def _path(key: str) -> str:
    raw = key.encode("utf-8")
    name = f"{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}"
    return os.path.join(cache_dir(), "results", name[:2], name + ".txt")


def _dep_ok(line: str, now: float) -> bool:
    path, size, mtime, expires = line.split("\t")
    try:
        st = os.stat(path)
    except OSError:
        return size == "-"  # the entry was absent and still is
    if size == "-":
        return False
    return st.st_size == int(size) and st.st_mtime_ns == int(mtime) and (expires == "-" or now < float(expires))


def load(key: str) -> tuple[str, str] | None:
    """(verdict, rendered JSON document with a fresh `generated_at`), or None when anything changed."""
    try:
        with open(_path(key), encoding="utf-8") as fh:
            if fh.readline().rstrip("\n") != MAGIC or fh.readline().rstrip("\n") != key:
                return None
            verdict = fh.readline().rstrip("\n")
            stamp = fh.readline().rstrip("\n")
            count = int(fh.readline())
            now = time.time()
            for _ in range(count):
                if not _dep_ok(fh.readline().rstrip("\n"), now):
                    return None
            text = fh.read()
        old = f'"generated_at": "{stamp}"'
        if old not in text or verdict not in ("permitted", "conditional", "forbidden", "review"):
            return None
        fresh = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return verdict, text.replace(old, f'"generated_at": "{fresh}"', 1)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def dependencies(session: Any, graph: Any) -> list[tuple[str, str, str, str]] | None:
    """What the result depends on, or None when the run was not fully warm (then nothing is stored)."""
    import json

    source = session.source
    if source.stats.hub_fetches or source.stats.warnings or source.cache is None:
        return None
    deps: list[tuple[str, str, str, str]] = []
    for key, revision, outcome in source.stats.lookups:
        path = str(source.cache.path_for(key, revision))
        if "\t" in path or "\n" in path:
            return None
        if outcome == "cache":
            try:
                st = os.stat(path)
                with open(path, "rb") as fh:
                    stored = float(json.loads(fh.read())["stored_at"])
            except (OSError, ValueError, KeyError, TypeError):
                return None
            from licheck.cache import stale_date

            if stale_date(stored):
                return None
            pinned = revision is not None or source.offline
            expires = "-" if pinned else repr(stored + source.cache.ttl)
            deps.append((path, str(st.st_size), str(st.st_mtime_ns), expires))
        elif outcome in ("snapshot", "error") and source.offline:
            deps.append((path, "-", "-", "-"))  # would be served from the cache if it appeared
        else:
            return None
    return deps


def store(key: str, doc: dict[str, Any], rendered: str, deps: list[tuple[str, str, str, str]]) -> None:
    """Header lines (inputs, verdict, timestamp, dependencies) and the document exactly as it was printed."""
    head = [MAGIC, key, doc["verdict"], doc["generated_at"], str(len(deps))] + ["\t".join(d) for d in deps]
    write_atomic(_path(key), "\n".join(head) + "\n" + rendered)
