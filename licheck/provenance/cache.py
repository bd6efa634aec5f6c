"""On-disk cache of RepoRecords: atomic writes (temp file + rename), checksummed entries, TTL.

Pre-commit runs hooks in parallel, so several licheck processes share this folder: writers never leave a
half-written file behind, and a reader that finds a corrupt entry discards it and refetches.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from licheck import paths
from licheck.provenance.records import RepoRecord

DEFAULT_TTL = 24 * 3600
CLOCK_SKEW = 300  # a record stored later than now + this is dated in the future: never trusted as fresh


def default_cache_dir() -> Path:
    return Path(paths.cache_dir())


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class RecordCache:
    def __init__(self, directory: Path | None = None, ttl: float = DEFAULT_TTL, endpoint: str | None = None) -> None:
        """`endpoint`: the Hub the records come from; part of every key, so one Hub's answers never serve another's."""
        self.dir = directory or default_cache_dir()
        self.ttl = ttl
        self.discarded = 0
        self.namespace = paths.redact_url(endpoint.rstrip("/")) + "|" if endpoint else ""

    def path_for(self, key: str, revision: str | None) -> Path:
        return self._path(key, revision)

    def _path(self, key: str, revision: str | None) -> Path:
        name = _digest(f"{self.namespace}{key}@{revision or 'main'}")
        return self.dir / "records" / name[:2] / f"{name}.json"

    def get(self, key: str, revision: str | None, *, allow_stale: bool = False) -> RepoRecord | None:
        path = self._path(key, revision)
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        try:
            entry = json.loads(raw.decode("utf-8"))
            payload = json.dumps(entry["record"], sort_keys=True, separators=(",", ":"))
            if entry.get("checksum") != _digest(payload):
                raise ValueError("checksum")
            record = RepoRecord.from_json(entry["record"])
            stored = float(entry["stored_at"])
        except (ValueError, KeyError, TypeError, AttributeError):  # UnicodeDecodeError is a ValueError
            self._discard(path)
            return None
        # A record asked for by commit sha never changes; "main" goes stale after the TTL.
        pinned = revision is not None and revision == record.sha
        if not allow_stale and (time.time() - stored > self.ttl and not pinned or stale_date(stored)):
            return None
        record.source = "cache"
        record.recorded = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stored))
        return record

    def put(self, key: str, revision: str | None, record: RepoRecord) -> None:
        data = record.to_json()
        payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
        entry = {"stored_at": time.time(), "checksum": _digest(payload), "record": data}
        paths.write_atomic(str(self._path(key, revision)), json.dumps(entry, sort_keys=True, separators=(",", ":")))

    def _discard(self, path: Path) -> None:
        self.discarded += 1
        try:
            path.unlink()
        except OSError:
            pass


def stale_date(stored: float, now: float | None = None) -> bool:
    """A record dated in the future (clock change, copied cache, tampering) is stale, whatever its TTL."""
    return stored > (time.time() if now is None else now) + CLOCK_SKEW
