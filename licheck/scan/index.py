"""The dump as an integer graph, its memoised closures, and an exact re-enactment of one audit for hard cases.

Why this shape: 2M records must be evaluated in well under a minute, so nothing may walk a model's ancestry per
model. Every record becomes an integer node; parent ids are resolved once (exactly, then case-insensitively like
the snapshot lookup `licheck audit --offline` uses; anything else is a `missing` or `api` leaf). One iterative
post-order DFS then computes, per node, an interned *closure state* from its parents' states: the worst verdict of
the plain contexts above it, the set of "rare" contexts (a relicensed ancestor), licence sets, flags. A node whose
closure the memo cannot describe exactly (a cycle, more levels than --max-depth, a non-weight edge into a read
node, an ancestor reached through children that disagree on relicensing, the student-graph quirk) is re-enacted
by `Closure.walk`: the resolver's level-by-level BFS with its depth cut and the Auditor's `_walk` (paths,
weight-only preference, first path wins) on integers. See licheck/scan.py for how states become verdicts.
"""

from __future__ import annotations

from array import array
from typing import Any

from licheck.engine.closure import E_CASEVAR, E_QUANT, E_WEIGHT, LEAF_API, LEAF_MISSING
from licheck.scan.records import KIND_CHECK_ID, KIND_DATASET, RELATIONS, Chunk

WEIGHT_CODES = frozenset(i for i, r in enumerate(RELATIONS) if r in ("finetune", "adapter", "quantized", "merge"))
QUANT_CODE = RELATIONS.index("quantized")


class DumpIndex:
    """Records of a dump as integer nodes with parent edges in CSR form; leaves for ids outside the dump."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.n = 0  # number of records (nodes); leaf refs start at n
        self.key_index: dict[str, int] = {}
        self.labels: list[tuple[Any, ...]] = []  # global label table
        self._label_ids: dict[tuple[Any, ...], int] = {}
        self.label_sample: list[int] = []  # first node carrying each label
        self.node_label = array("i")
        self.node_kind = bytearray()
        self.node_offset = array("q")  # byte offset (JSON Lines) or row number (other readers)
        self._src_chunk = array("i")
        self._src_start = array("q")
        self._src_count = array("i")
        self._chunks_pids: list[list[str]] = []
        self._chunks_rels: list[bytearray] = []
        self.records_read = 0
        self.duplicates = 0
        self.errors: list[tuple[int, str]] = []
        self.n_errors = 0
        # filled by finish()
        self.pstart = array("q")
        self.pref = array("q")
        self.eflags = bytearray()
        self.leaf_ids: list[str] = []
        self.leaf_kind = bytearray()
        self._leaf_index: dict[str, int] = {}
        self.lowered: dict[str, int] = {}

    def add_chunk(self, chunk: Chunk) -> None:
        """Merge a parsed chunk, in file order: a later record with the same id replaces the earlier one."""
        cno = len(self._chunks_pids)
        self._chunks_pids.append(chunk.pids)
        self._chunks_rels.append(chunk.rels)
        remap = []
        for label in chunk.label_table:
            gid = self._label_ids.get(label)
            if gid is None:
                gid = self._label_ids[label] = len(self.labels)
                self.labels.append(label)
                self.label_sample.append(-1)
            remap.append(gid)
        key_index = self.key_index
        keys = self.keys
        m = len(chunk.keys)
        if key_index.keys().isdisjoint(chunk.keys) and len(set(chunk.keys)) == m:
            self._add_new(chunk, cno, remap)  # the usual case: every id is new, append in bulk
            return
        start = 0
        for i, key in enumerate(chunk.keys):
            gid = remap[chunk.labels[i]]
            count = chunk.nparents[i]
            idx = key_index.get(key)
            if idx is None:
                idx = key_index[key] = len(keys)
                keys.append(key)
                self.node_label.append(gid)
                self.node_kind.append(chunk.kinds[i])
                self.node_offset.append(chunk.offsets[i])
                self._src_chunk.append(cno)
                self._src_start.append(start)
                self._src_count.append(count)
            else:
                self.duplicates += 1
                self.node_label[idx] = gid
                self.node_kind[idx] = chunk.kinds[i]
                self.node_offset[idx] = chunk.offsets[i]
                self._src_chunk[idx] = cno
                self._src_start[idx] = start
                self._src_count[idx] = count
            if self.label_sample[gid] < 0:
                self.label_sample[gid] = idx
            start += count
        self.n = len(keys)
        self.records_read += len(chunk.keys)
        self.n_errors += chunk.n_errors
        self.errors += chunk.errors[: max(0, 20 - len(self.errors))]

    def _add_new(self, chunk: Chunk, cno: int, remap: list[int]) -> None:
        import itertools

        n0 = len(self.keys)
        m = len(chunk.keys)
        self.keys.extend(chunk.keys)
        self.key_index.update(zip(chunk.keys, range(n0, n0 + m), strict=True))
        labels = [remap[lab] for lab in chunk.labels]
        self.node_label.extend(labels)
        self.node_kind += chunk.kinds
        self.node_offset.extend(chunk.offsets)
        self._src_chunk.extend(itertools.repeat(cno, m))
        self._src_start.extend(itertools.accumulate(chunk.nparents, initial=0))
        self._src_start.pop()
        self._src_count.extend(chunk.nparents)
        sample = self.label_sample
        for gid in set(labels):
            if sample[gid] < 0:
                sample[gid] = n0 + labels.index(gid)
        self.n = len(self.keys)
        self.records_read += m
        self.n_errors += chunk.n_errors
        self.errors += chunk.errors[: max(0, 20 - len(self.errors))]

    def finish(self) -> None:
        """Resolve every parent id to a node (exact, then case-insensitive as the snapshot does) or a leaf."""
        n = self.n
        lowered: dict[str, int] = {}
        for i, k in enumerate(self.keys):
            lowered[k.lower()] = i  # last wins, like {k.lower(): k for k in index}
        self.lowered = lowered
        # a label's sample must be a node that still carries it after duplicates were replaced
        for i in range(n):
            gid = self.node_label[i]
            s = self.label_sample[gid]
            if s < 0 or self.node_label[s] != gid:
                self.label_sample[gid] = i
        key_index = self.key_index
        weight_table = bytes(
            (E_WEIGHT if i in WEIGHT_CODES else 0) | (E_QUANT if i == QUANT_CODE else 0) for i in range(256)
        )
        pstart = array("q", [0])
        pref = array("q")
        eflags = bytearray()
        if self.duplicates == 0:
            # nodes are numbered in file order: the edges are the chunks' edge lists, concatenated
            get = key_index.get
            total = 0
            for cno, (pids, rels) in enumerate(zip(self._chunks_pids, self._chunks_rels, strict=True)):
                refs = [get(p, -1) for p in pids]
                flags = bytearray(rels.translate(weight_table))
                for j, r in enumerate(refs):
                    if r < 0:
                        refs[j], extra = self._resolve_miss(pids[j], n)
                        flags[j] |= extra
                pref.extend(refs)
                eflags += flags
                self._chunks_pids[cno] = []
            for c in self._src_count:
                total += c
                pstart.append(total)
        else:
            for i in range(n):
                pids = self._chunks_pids[self._src_chunk[i]]
                rels = self._chunks_rels[self._src_chunk[i]]
                s = self._src_start[i]
                for j in range(s, s + self._src_count[i]):
                    pid = pids[j]
                    f = weight_table[rels[j]]
                    ref = key_index.get(pid)
                    if ref is None:
                        ref, extra = self._resolve_miss(pid, n)
                        f |= extra
                    pref.append(ref)
                    eflags.append(f)
                pstart.append(len(pref))
        self.pstart, self.pref, self.eflags = pstart, pref, eflags
        self._chunks_pids = []
        self._chunks_rels = []
        self._src_chunk = self._src_start = self._src_count = array("i")  # type: ignore[assignment]

    def _resolve_miss(self, pid: str, n: int) -> tuple[int, int]:
        """A parent id not in the dump verbatim: its case-insensitive match (as Snapshot.get), else a leaf."""
        if not pid.startswith(("api:", "invalid:", "unread:")):
            ref = self.lowered.get(pid.lower())
            if ref is not None:
                return ref, E_CASEVAR
        leaf = self._leaf_index.get(pid)
        if leaf is None:
            leaf = self._leaf_index[pid] = len(self.leaf_ids)
            self.leaf_ids.append(pid)
            self.leaf_kind.append(LEAF_API if pid.startswith("api:") else LEAF_MISSING)
        return n + leaf, 0

    def ref_id(self, ref: int) -> str:
        return self.keys[ref] if ref < self.n else self.leaf_ids[ref - self.n]

    def parents(self, i: int) -> list[int]:
        return list(self.pref[self.pstart[i] : self.pstart[i + 1]])

    def find(self, key: str) -> int | None:
        """Node of a repo id, as the offline snapshot lookup finds it (exact, then case-insensitive)."""
        i = self.key_index.get(key)
        if i is None:
            i = self.lowered.get(key.lower())
        return i

    def is_dataset(self, i: int) -> bool:
        return bool(self.node_kind[i] & KIND_DATASET)

    def needs_id_check(self, i: int) -> bool:
        return bool(self.node_kind[i] & KIND_CHECK_ID)
