"""The embedded snapshot: real Hub facts for widely used models, shipped with the package (licheck/data).

Built by scripts/build_snapshot.py from recorded Hub metadata. Facts only: ids, shas, dates, licence fields,
base models, relations, datasets, gating and the provenance edges learned from card prose (no card text).
Stored as JSON Lines plus a small index of byte offsets, so a lookup reads one record, not the whole file.
The index also keeps renames (old id -> canonical id) that a recorded source shows, each with that evidence;
`get` follows them as the Hub follows a redirect, and says so (requested_id).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from licheck.provenance.records import RepoRecord
from licheck.resources import data_dir

INDEX_FILE = "snapshot-index.json"
RECORDS_FILE = "snapshot.jsonl"
_RECORDED_RE = re.compile(rb'"recorded": ?"(\d{4}-\d\d-\d\d)')


class Snapshot:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.date: str | None = None
        self.description = ""
        self.aliases: dict[str, str] = {}  # old id -> canonical id, each shown by a recorded source
        self.alias_sources: dict[str, str] = {}
        self.recorded_range: list[str | None] = [None, None]
        self._index: dict[str, list[int]] = {}
        self._lower: dict[str, str] | None = None
        self._coverage: str | None = None
        if folder is not None:
            try:
                meta = json.loads((folder / INDEX_FILE).read_bytes())
                self.date = meta.get("snapshot_date")
                self.description = meta.get("description", "")
                self.aliases = meta.get("aliases", {})
                self.alias_sources = meta.get("alias_sources", {})
                self.recorded_range = meta.get("recorded_range", [None, None])
                self._index = meta.get("index", {})
            except (OSError, ValueError):
                self._index = {}

    def _raw(self, key: str) -> dict[str, Any] | None:
        pos = self._index.get(key)
        if pos is None or self.folder is None:
            return None
        try:
            with open(self.folder / RECORDS_FILE, "rb") as fh:
                fh.seek(pos[0])
                return json.loads(fh.read(pos[1]))
        except (OSError, ValueError):
            return None

    def get(self, key: str) -> RepoRecord | None:
        """The record for `key`; a recorded rename is followed like a Hub redirect (requested_id = the id asked)."""
        asked = key
        key = self.aliases.get(key, key)
        if key not in self._index:
            if self._lower is None:
                self._lower = {k.lower(): k for k in self._index}
            key = self._lower.get(key.lower(), key)
        raw = self._raw(key)
        if raw is None:
            return None
        try:
            rec = RepoRecord.from_json(raw)
        except (ValueError, KeyError, TypeError):
            return None
        rec.source = "snapshot"
        if asked != key and asked in self.aliases:
            rec.requested_id = asked
        return rec

    def rename_note(self, old: str) -> str:
        """Why the snapshot treats `old` as a renamed repository (the recorded evidence)."""
        return self.alias_sources.get(old, "recorded rename")

    def keys(self) -> list[str]:
        return list(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def coverage(self) -> str:
        """E.g. "2024-10-10 to 2026-05-07, 2101 models, 9 datasets": what an offline miss was checked against.

        Read from the records file in one pass (only on the error path; a lookup never pays for it)."""
        if self._coverage is None:
            try:
                raw = (self.folder / RECORDS_FILE).read_bytes() if self.folder is not None else b""
            except OSError:
                raw = b""
            dates = sorted({m.group(1).decode()[:10] for m in _RECORDED_RE.finditer(raw)})
            span = f"{dates[0]} to {dates[-1]}" if dates else f"dated {self.date or 'unknown'}"
            n_ds = sum(k.startswith("datasets/") for k in self._index)
            self._coverage = f"{span}, {len(self) - n_ds} models" + (f", {n_ds} datasets" if n_ds else "")
        return self._coverage


def write_snapshot(folder: Path, records: Iterable[RepoRecord], meta: dict[str, Any] | None = None) -> int:
    """Write a snapshot folder that `Snapshot` reads: one compact JSON line per record, in the order given, and the
    index of byte offsets merged into `meta` (snapshot_date, aliases, ...). Returns the bytes of records written.

    The one writer (scripts/build_snapshot.py and the tests use it). A record's `source` is not stored: a
    snapshot answer is always marked "snapshot" when read."""
    folder.mkdir(parents=True, exist_ok=True)
    index: dict[str, list[int]] = {}
    offset = 0
    with (folder / RECORDS_FILE).open("wb") as fh:
        for rec in records:
            if rec.key in index:
                raise ValueError(f"{rec.key}: two records for one key")
            data = rec.to_json()
            data.pop("source", None)
            line = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            index[rec.key] = [offset, len(line)]
            fh.write(line + b"\n")
            offset += len(line) + 1
    head = {**(meta or {}), "index": index}
    (folder / INDEX_FILE).write_text(json.dumps(head, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    return offset


@lru_cache(maxsize=1)
def load_snapshot() -> Snapshot:
    return Snapshot(data_dir())
