"""The embedded snapshot: real Hub facts for widely used models, shipped with the package (licheck/data).

Built by scripts/build_snapshot.py from recorded Hub metadata. Facts only: ids, shas, dates, licence fields,
base models, relations, datasets, gating and the provenance edges learned from card prose (no card text).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache

from licheck.records import RepoRecord
from licheck.resources import data_dir

SNAPSHOT_FILE = "snapshot.json.gz"


@dataclass
class Snapshot:
    date: str | None = None
    description: str = ""
    records: dict[str, dict] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # old id -> canonical id

    def get(self, key: str) -> RepoRecord | None:
        key = self.aliases.get(key, key)
        raw = self.records.get(key)
        if raw is None:
            lowered = {k.lower(): k for k in self.records}
            real = lowered.get(key.lower())
            raw = self.records.get(real) if real else None
        if raw is None:
            return None
        rec = RepoRecord.from_json(raw)
        rec.source = "snapshot"
        return rec

    def __len__(self) -> int:
        return len(self.records)


@lru_cache(maxsize=1)
def load_snapshot() -> Snapshot:
    path = data_dir() / SNAPSHOT_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return Snapshot()
    return Snapshot(
        date=data.get("snapshot_date"),
        description=data.get("description", ""),
        records=data.get("records", {}),
        aliases=data.get("aliases", {}),
    )
