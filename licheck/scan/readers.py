"""Dump readers: JSON Lines (byte ranges parsed in worker processes) and Parquet, into a DumpIndex; the dump
as the snapshot `licheck audit --offline` would read (DumpSnapshot)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

from licheck.errors import UsageError
from licheck.scan.index import DumpIndex
from licheck.scan.records import (
    Chunk,
    Facts,
    parse_range,
    parse_records,
    record_from_hub,
    set_worker_facts,
    split_ranges,
)


# -- reading the dump ------------------------------------------------------------------------------------------------
class RawStore:
    """Raw records by offset: JSON Lines by byte offset (seek + one line), in-memory lists by position."""

    def __init__(self, path: str | None = None, records: list[Any] | None = None, parquet: Any = None) -> None:
        self.path = path
        self.records = records
        self.parquet = parquet
        self._fh: Any = None
        self._lock = threading.Lock()  # the resolver reads a graph level from several threads

    def get(self, offset: int) -> Any:
        if self.records is not None:
            return self.records[offset]
        with self._lock:
            if self.parquet is not None:
                return self.parquet.row(offset)
            if self._fh is None:
                assert self.path is not None
                self._fh = open(self.path, "rb")  # noqa: SIM115 - kept open for the scan's lifetime
            self._fh.seek(offset)
            line = self._fh.readline()
        return json.loads(line)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class _ParquetRows:
    """Rows of a Parquet file by global row number, one row group decoded (and kept) at a time."""

    def __init__(self, path: str) -> None:
        import pyarrow.parquet as pq

        self.file = pq.ParquetFile(path)
        self.starts = [0]
        for i in range(self.file.num_row_groups):
            self.starts.append(self.starts[-1] + self.file.metadata.row_group(i).num_rows)
        self._group = -1
        self._rows: list[Any] = []

    def batches(self) -> Iterator[list[Any]]:
        for i in range(self.file.num_row_groups):
            yield [_decode_parquet_row(r) for r in self.file.read_row_group(i).to_pylist()]

    def row(self, n: int) -> Any:
        import bisect

        g = bisect.bisect_right(self.starts, n) - 1
        if g != self._group:
            self._rows = [_decode_parquet_row(r) for r in self.file.read_row_group(g).to_pylist()]
            self._group = g
        return self._rows[n - self.starts[g]]


def _decode_parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    """Columns stored as JSON text (cardData is often one) become the structures the Hub API returns."""
    for k in ("cardData", "card_data", "siblings", "tags"):
        v = row.get(k)
        if isinstance(v, str) and v[:1] in "{[":
            try:
                row[k] = json.loads(v)
            except ValueError:
                pass
    return row


def _is_parquet(path: str) -> bool:
    if path.endswith((".parquet", ".pq")):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def build_index(
    path: str,
    rules: Any,
    *,
    workers: int = 2,
    progress: Callable[[str, int, int], None] | None = None,
    chunk_bytes: int = 16 * 1024 * 1024,
) -> tuple[DumpIndex, RawStore]:
    """Read the dump once (in `workers` processes for JSON Lines) into a DumpIndex; parents resolved at the end."""
    from licheck.rules.apis import load_catalogue

    if not os.path.isfile(path):
        raise UsageError(f"dump not found: {path}")
    api = load_catalogue()
    facts = Facts(rules, api)
    index = DumpIndex()
    if _is_parquet(path):
        try:
            rows = _ParquetRows(path)
        except ImportError:
            raise UsageError("reading Parquet needs pyarrow, which is not installed (pip install pyarrow)") from None
        base = 0
        total = rows.starts[-1]
        for batch in rows.batches():
            index.add_chunk(parse_records(batch, facts, base))
            base += len(batch)
            if progress:
                progress("read", base, total)
        store = RawStore(parquet=rows)
    else:
        size = os.path.getsize(path)
        ranges = split_ranges(path, size, chunk_bytes)
        set_worker_facts(facts)
        done = 0

        def take(chunk: Chunk, r: tuple[str, int, int]) -> None:
            nonlocal done
            index.add_chunk(chunk)
            done += r[2] - r[1]
            if progress:
                progress("read", done, size)

        if workers > 1 and len(ranges) > 1 and _fork_available():
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for chunk, r in zip(pool.imap(parse_range, ranges), ranges, strict=True):
                    take(chunk, r)
        else:
            for r in ranges:
                take(parse_range(r), r)
        store = RawStore(path=path)
    if progress:
        progress("resolve", 0, 1)
    index.finish()
    if progress:
        progress("resolve", 1, 1)
    return index, store


def index_records(records: list[Any], rules: Any) -> tuple[DumpIndex, RawStore]:
    """A DumpIndex over records already in memory (tests, callers that have the rows)."""
    from licheck.rules.apis import load_catalogue

    index = DumpIndex()
    index.add_chunk(parse_records(records, Facts(rules, load_catalogue())))
    index.finish()
    return index, RawStore(records=records)


def _fork_available() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


# -- the dump as a snapshot: what `audit --offline` would read ------------------------------------------------------
class DumpSnapshot:
    """Snapshot.get over the dump: exact id, then case-insensitive (last record wins), else unknown."""

    def __init__(self, index: DumpIndex, store: RawStore) -> None:
        self.index = index
        self.store = store
        self.date = None
        self.description = "scan dump"
        self._records: dict[int, Any] = {}  # nodes handed to the Auditor share most ancestors (deep chains)

    def get(self, key: str) -> Any:
        i = self.index.find(key)
        if i is None:
            return None
        return self.record(i)

    def record(self, i: int) -> Any:
        rec = self._records.get(i)
        if rec is None:
            if len(self._records) > 50_000:
                self._records.clear()
            rec = self._records[i] = record_from_hub(self.store.get(self.index.node_offset[i]))
            rec.source = "dump"
        return rec

    def __len__(self) -> int:
        return self.index.n
