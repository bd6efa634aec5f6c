"""`licheck scan`: every model of a Hub dump, its ancestry within the dump, licences, drift and verdict.

Correctness anchor: a record's verdict is what `licheck audit ID --offline` answers when the dump's records are
the only data (parents outside the dump are `missing`, hence `review`). Speed comes from memoisation, never from a
second rule engine:

* The Auditor's verdict is the worst of its findings, and each finding belongs to one *context*: a node of the
  closure together with how it was reached (weight-only path or not; whether its licensor relicensed it to the
  child on the path, the Auditor's `skip_own`). A context's contribution depends only on the node's *class*
  (kind, RuleSet.identify result, multimodal flag where a rule asks, unnamed-generator flag) and those two bits.
* So each node gets a closure state (scan_graph): the worst level of its plain contexts and the set of its rare
  (relicensed) contexts. A class's level is the real Auditor's verdict on a one-node graph of a node of that
  class; a node's *signature* is (worst plain level, rare set, cycle). The real Auditor then runs once per
  distinct signature on a representative model's real graph (ProvenanceResolver over the dump), and every model
  with that signature gets that verdict. For plain-only signatures the composed level must equal the
  representative's verdict; the scan checks that and stops rather than report a wrong answer.
* Models the memo cannot describe exactly are re-enacted per model (scan_graph.Closure.walk), and a few odd ids
  (API product ids, the student-graph quirk) go through the real resolver and Auditor one by one.
* `--verify N` (default 200) audits a fixed sample again with the full engine; any disagreement stops the scan.
  The engine is edited independently of this module, so this is the guard against a dependency it starts to have
  that the memo does not model.

`evaluate_batch(records, index, plan, rules)` is a pure function of its arguments (the caches only avoid repeated
work), so a distributed runner can map it over partitions once the index is built and broadcast.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from licheck.closure import (
    F_CYCLE,
    F_MISSING,
    F_STUDENT,
    LEAF_MISSING,
    WALK_FLAGS,
    ClassInfo,
    Closure,
    SetTable,
    node_org,
)
from licheck.domain import VERDICT_RANK, VERDICTS, Graph, Plan
from licheck.errors import LicheckError, UsageError
from licheck.scan_extract import (
    KIND_CHECK_ID,
    KIND_DATASET,
    Chunk,
    Facts,
    LicKey,
    identify,
    license_info_of,
    parse_range,
    parse_records,
    record_from_hub,
    set_worker_facts,
    split_ranges,
)
from licheck.scan_graph import DumpIndex

RANK_VERDICT = {r: v for v, r in VERDICT_RANK.items()}
NO_LICENCE = "?(none declared)"
MISSING_MARK = "(missing)"


class ScanConsistencyError(LicheckError):
    """The memoised verdict of a signature disagreed with the real Auditor: the scan stops instead of guessing."""


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
) -> tuple[DumpIndex, RawStore]:
    """Read the dump once (in `workers` processes for JSON Lines) into a DumpIndex; parents resolved at the end."""
    from licheck.apis import load_catalogue

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
        ranges = split_ranges(path, size)
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
    from licheck.apis import load_catalogue

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


# -- classes, levels, signatures ------------------------------------------------------------------------------------
class Judge(ClassInfo):
    """The real Auditor behind the memo: class levels on one-node graphs, signature verdicts on real graphs."""

    def __init__(self, index: DumpIndex, store: RawStore, plan: Plan, rules: Any, *, max_depth: int = 20) -> None:
        from licheck.apis import load_catalogue
        from licheck.engine import Auditor
        from licheck.provenance import ProvenanceResolver
        from licheck.sources import LayeredSource

        self.index = index
        self.store = store
        self.plan = plan
        self.rules = rules
        self.api = load_catalogue()
        self.max_depth = max_depth
        self.auditor = Auditor(rules)
        self.snapshot = DumpSnapshot(index, store)
        self.source = LayeredSource(None, None, self.snapshot, offline=True)  # type: ignore[arg-type]
        self.resolver = ProvenanceResolver(self.source, max_depth=max_depth, workers=1)  # a local file: no threads
        self.student_graph: Graph | None = None
        self.student_missing: set[int] = set()
        if plan.student:
            try:
                self.student_graph = self.resolver.resolve(plan.student)
            except LicheckError as exc:
                raise UsageError(f"--student {plan.student}: cannot be read from the dump ({exc})") from None
            for nid, node in self.student_graph.nodes.items():
                if node.kind == "missing" and nid in index.key_index:
                    self.student_missing.add(index.key_index[nid])
        self.auditor_runs = 0
        self.lic = SetTable()
        self._classes: dict[tuple[Any, ...], int] = {}
        self.class_keys: list[tuple[Any, ...]] = []
        self.r_rel: list[bool] = []
        self.w_rel: list[bool] = []
        self.has_rules: list[bool] = []
        self.orgs: list[frozenset[str]] = []
        self.governed_class: list[int] = []
        self.known: list[bool] = []
        self._governed_variant: set[int] = set()
        self._levels: list[int] = []
        self._ctx: dict[tuple[int, bool, bool], int] = {}
        self.sig_verdict: dict[tuple[int, int, bool], str] = {}
        self.sig_rep: dict[tuple[int, int, bool], str] = {}
        self._direct_rules = {
            rid for rid, r in rules.rules.items() if any(k == "direct" for c in r.clauses for k, _ in c.when)
        }
        self._mm_rules = {
            rid for rid, r in rules.rules.items() if any(k == "multimodal" for c in r.clauses for k, _ in c.when)
        }
        self.label_display: list[frozenset[str]] = []
        self.label_lic: list[int] = []
        self.label_class: list[int] = []
        self._build_classes()

    # class table ------------------------------------------------------------------------------------------------
    def _class(self, key: tuple[Any, ...], rule_ids: list[str], ident: Any) -> int:
        cid = self._classes.get(key)
        if cid is None:
            cid = self._classes[key] = len(self.class_keys)
            self.class_keys.append(key)
            self.governed_class.append(-1)
            self.known.append(False)
            if ident is None:
                self.r_rel.append(False)
                self.has_rules.append(False)
                self.orgs.append(frozenset())
            else:
                self.r_rel.append(bool(ident.groups or ident.missing or ident.unresolved or ident.review))
                self.has_rules.append(bool(ident.rule_ids))
                self.orgs.append(frozenset(o for rid in ident.rule_ids for o in (self._rule_orgs(rid))))
            self.w_rel.append(self.plan.method == "weights" or bool(self._direct_rules & set(rule_ids)))
            self._levels.append(-1)
        return cid

    def _model_class(self, ckey: tuple[Any, ...], ident: Any, unnamed_lic: bool) -> int:
        """A model class, with its engine.licence_known flag; an unnamed licence also gets its governed variant
        (the same class whose licence engine._find_governed reads from its bases: only its level differs)."""
        from licheck.domain import ModelNode
        from licheck.engine import licence_known

        rule_ids = ident.rule_ids + ident.statements
        cid = self._class(ckey, rule_ids, ident)
        if ckey[0] == "model":
            self.known[cid] = licence_known(ModelNode(id="x/x", kind="model"), ident)
        if unnamed_lic and self.governed_class[cid] < 0:
            gid = self._class((*ckey, "governed"), rule_ids, ident)
            self.known[gid] = True
            self.governed_class[cid] = gid
            self._governed_variant.add(gid)
        return cid

    def _rule_orgs(self, rid: str) -> tuple[str, ...]:
        r = self.rules.get(rid)
        return r.licensor_orgs if r else ()

    def _build_classes(self) -> None:
        ix = self.index
        memo: dict[tuple[LicKey, tuple[str, ...]], Any] = {}
        from licheck.domain import ModelNode
        from licheck.engine import unnamed_licence

        strong = []
        for gid, (kind, lic, stmts, mm, unnamed, sq) in enumerate(ix.labels):
            sample = ix.label_sample[gid]
            k = (lic, stmts)
            ident = memo.get(k)
            if ident is None:
                ident = memo[k] = identify(self.rules, ix.keys[sample] if sample >= 0 else "x/x", lic)
            sig = (
                tuple(tuple(g) for g in ident.groups),
                tuple(ident.statements),
                bool(ident.unresolved),
                bool(ident.review),
                bool(ident.missing),
            )
            is_model = not kind & KIND_DATASET
            unnamed_lic = is_model and unnamed_licence(ModelNode("x/x", "model", license=license_info_of(lic)), ident)
            ckey = ("model" if is_model else "dataset", sig, mm, unnamed, unnamed_lic)
            self.label_class.append(self._model_class(ckey, ident, unnamed_lic))
            strong.append(bool(sq))
            display = self._display(ident, lic)
            self.label_display.append(display)
            self.label_lic.append(self.lic.intern(display))
        self.missing_class = self._class(("missing",), [], None)
        n = ix.n
        node_class = array("i", [0]) * (n + len(ix.leaf_ids))
        own = array("i", [0]) * (n + len(ix.leaf_ids))
        lab = ix.node_label
        lc, ll = self.label_class, self.label_lic
        for i in range(n):
            g = lab[i]
            node_class[i] = lc[g]
            own[i] = ll[g]
        missing_lic = self.lic.intern(frozenset((MISSING_MARK,)))
        api_classes: dict[str, tuple[int, int]] = {}
        for j, leaf in enumerate(ix.leaf_ids):
            if ix.leaf_kind[j] == LEAF_MISSING:
                node_class[n + j] = self.missing_class
                own[n + j] = missing_lic
                continue
            got = api_classes.get(leaf)
            if got is None:
                got = api_classes[leaf] = self._api_class(leaf)
            node_class[n + j], own[n + j] = got
        self.node_class = node_class  # type: ignore[assignment]
        self.own_lic = own  # type: ignore[assignment]
        self.strong_quant = bytearray(strong[g] for g in lab) + bytearray(len(ix.leaf_ids))

    def _api_class(self, api_id: str) -> tuple[int, int]:
        from licheck.engine import multimodal
        from licheck.ids import Subject
        from licheck.provenance import api_node

        node = api_node(Subject("api", api_id), self.api)
        provider = self.api.provider(node.provider or "")
        product = api_id.split("/", 1)[-1]
        terms = tuple(self.rules.with_includes(list(provider.terms_for(product)))) if provider else ()
        mm = multimodal(node) if self._mm_rules & set(terms) else None
        cid = self._class(
            ("api", provider.id if provider else None, bool(provider and provider.terms), terms, mm), list(terms), None
        )
        label = f"api:{provider.id}" if provider else f"?{api_id}"
        return cid, self.lic.intern(frozenset((label,)))

    def _display(self, ident: Any, lic: LicKey) -> frozenset[str]:
        """Licence labels of a node for the report: rule ids (not policies) and unresolved values with a '?'."""
        out = set()
        for rid in ident.rule_ids + ident.statements:
            r = self.rules.get(rid)
            if r is not None and r.kind != "policy":
                out.add(rid)
        if ident.missing:
            out.add(NO_LICENCE)
        if ident.unresolved or ident.review:
            info = license_info_of(lic)
            values = list(info.card) + [t for t in info.tags if t.lower() not in [c.lower() for c in info.card]]
            for v in values:
                one = license_info_of(((v,), lic[1], lic[2], (), lic[4]))
                from licheck.domain import ModelNode

                sub = self.rules.identify(ModelNode(id="x/x", kind="model", license=one))
                if not sub.groups:
                    low = v.strip().lower()
                    if low in ("other", "unknown") and lic[1]:
                        out.add(f"?{low}:{lic[1]}")
                    else:
                        out.add(f"?{low}")
        return frozenset(out)

    # ClassInfo ----------------------------------------------------------------------------------------------
    def rare_ctx(self, c: int, w: bool, r: bool) -> int | None:  # type: ignore[override]
        w = w or not self.w_rel[c]
        r = r and self.r_rel[c]
        if w and not r:
            return None
        k = (c, w, r)
        got = self._ctx.get(k)
        if got is None:
            got = self._ctx[k] = len(self._ctx)
        return got

    def level(self, c: int, ref: int) -> int:  # type: ignore[override]
        lv = self._levels[c]
        if lv < 0:
            if 0 <= ref < self.index.n and ref in self.student_missing:
                # The Auditor keys identifications by id, so a node the student graph holds as a depth-cut
                # `missing` node is judged differently there: never let it stand for its class.
                other = next((i for i in self._class_members(c) if i not in self.student_missing), None)
                if other is None:
                    return VERDICT_RANK[self._one_node_verdict(ref, c)]  # only nodes routed to the real audit use it
                ref = other
            lv = self._levels[c] = VERDICT_RANK[self._one_node_verdict(ref, c)]
        return lv

    def _class_members(self, c: int) -> Iterator[int]:
        node_class = self.node_class
        return (i for i in range(self.index.n) if node_class[i] == c)

    def _one_node_verdict(self, ref: int, c: int) -> str:
        """The Auditor on a graph holding only this node (its own edges kept for `_generated`, parents absent);
        for a governed variant class, with the node's licence read from its (absent) bases as the memo decided."""
        from licheck.evidence import node_from_record, parent_edges
        from licheck.ids import Subject
        from licheck.provenance import api_node, missing_node

        ix = self.index
        g: Graph
        if ref < 0 or (ref >= ix.n and ix.leaf_kind[ref - ix.n] == LEAF_MISSING):
            nid = "scan-missing/x" if ref < 0 else ix.leaf_ids[ref - ix.n]
            g = Graph(root=nid)
            g.nodes[nid] = missing_node(nid, "not in the dump")
        elif ref >= ix.n:
            nid = ix.leaf_ids[ref - ix.n]
            g = Graph(root=nid)
            g.nodes[nid] = api_node(Subject("api", nid), self.api)
        else:
            rec = self.snapshot.record(ref)
            node = node_from_record(rec)
            g = Graph(root=node.id)
            g.nodes[node.id] = node
            g.edges = parent_edges(rec, self.api)[0]
        self.auditor_runs += 1
        governed = {g.root} if c in self._governed_variant else None
        return self.auditor.audit(self._plan(g.root), g, self.student_graph, governed=governed).verdict

    def _plan(self, teacher: str) -> Plan:
        return self.plan.for_teacher(teacher)

    # the real audit -----------------------------------------------------------------------------------------
    def audit(self, key: str) -> str:
        """Exactly `licheck audit KEY --offline` over the dump (resolver + Auditor); 'error' when it would exit 2."""
        try:
            graph = self.resolver.resolve(key)
            self.auditor_runs += 1
            return self.auditor.audit(self._plan(key), graph, self.student_graph).verdict
        except LicheckError:
            return "error"

    def signature_verdict(self, sig: tuple[int, int, bool], rep: str) -> str:
        """The verdict of every model with this signature: the real audit of the first one met (`rep`)."""
        got = self.sig_verdict.get(sig)
        if got is not None:
            return got
        verdict = self.audit(rep)
        m, rare, cycle = sig
        if verdict == "error" or VERDICT_RANK[verdict] < m or (not rare and not cycle and VERDICT_RANK[verdict] != m):
            raise ScanConsistencyError(
                f"memoised verdict {RANK_VERDICT[m]} disagrees with the audit of {rep} ({verdict}); "
                "the engine's verdict no longer decomposes by context (see licheck/scan.py)"
            )
        self.sig_verdict[sig] = verdict
        self.sig_rep[sig] = rep
        return verdict


# -- evaluation -----------------------------------------------------------------------------------------------------
class Evaluator:
    """Index + judge + closure for one plan: what evaluate_batch needs, built once per (index, plan, rules)."""

    def __init__(
        self,
        index: DumpIndex,
        store: RawStore,
        plan: Plan,
        rules: Any,
        *,
        max_depth: int = 20,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.index = index
        self.judge = Judge(index, store, plan, rules, max_depth=max_depth)
        self.closure = Closure(index, self.judge, self.judge.lic, max_depth, self.judge.student_missing)
        self.closure.compute_bits()
        total = index.n
        self.closure.compute((lambda d: progress("ancestry", d, total)) if progress else None)
        self.routes: Counter[str] = Counter()
        self._special = self._special_nodes()
        self._drift: dict[tuple[int, int], list[tuple[str, frozenset[str]]]] = {}
        self.last_lic = 0
        self._memo_verdict: dict[tuple[int, int], str] = {}
        self._lic_js: dict[int, str] = {}
        self._roots_js: dict[int, str] = {}

    def _special_nodes(self) -> dict[int, str]:
        """Nodes whose own id `audit` would not read as this record: invalid ids, API product ids, renames."""
        from licheck.errors import InvalidRepoId
        from licheck.ids import parse_subject

        out: dict[int, str] = {}
        api = self.judge.api
        ix = self.index
        kinds = ix.node_kind
        for i in range(ix.n):
            if not kinds[i] & KIND_CHECK_ID:
                continue  # a plain org/name, checked by the parser
            key = ix.keys[i]
            try:
                subj = parse_subject(key, api_lookup=api.is_product)
            except InvalidRepoId:
                out[i] = "error"
                continue
            if subj.kind in ("local",):
                out[i] = "error"
            elif subj.kind == "api" or subj.id != key:
                out[i] = "audit"
        return out

    def verdict(self, i: int) -> tuple[str, str]:
        """(verdict, route) of node i: route memo (its closure state) | audit (the Auditor) | error."""
        special = self._special.get(i) if self._special else None
        if special is None:  # the common case: a state already judged for this class
            cl = self.closure
            got = self._memo_verdict.get((self.judge.node_class[i], cl.state[i]))
            if got is not None and cl.height[i] <= cl.max_depth:
                return got, "memo"
        if special == "error":
            return "error", "error"
        cl = self.closure
        st = cl.states[cl.state[i]]
        key = self.index.keys[i]
        if special == "audit" or st[3] & F_STUDENT:
            return self.judge.audit(key), "audit"
        judge = self.judge
        if cl.needs_engine(i):
            return judge.audit(key), "audit"  # a cycle, a depth cut, mixed paths: the Auditor on its own graph
        m = max(judge.level(judge.node_class[i], i), st[0])
        verdict = judge.signature_verdict((m, st[1], False), key)
        if st[3] & (F_STUDENT | WALK_FLAGS) == 0:
            self._memo_verdict[(judge.node_class[i], cl.state[i])] = verdict
        return verdict, "memo"

    def verify(self, count: int) -> int:
        """Audit `count` sampled models with the real resolver and Auditor; raise on any disagreement."""
        import random

        candidates = [i for i in range(self.index.n) if self._special.get(i) != "error"] if self._special else None
        pool = candidates if candidates is not None else range(self.index.n)
        sample = random.Random(0).sample(pool, min(count, len(pool)))
        for i in sample:
            got = self.verdict(i)[0]
            want = self.judge.audit(self.index.keys[i])
            if got != want:
                raise ScanConsistencyError(
                    f"self-check: scan says {got} for {self.index.keys[i]} but the audit says {want}; "
                    "the engine changed in a way the scan's memo does not model (see licheck/scan.py)"
                )
        return len(sample)

    def drift(self, i: int, own: int, anc: int) -> list[str]:
        """Licence drift: the model declares licences that omit a restrictive ancestor licence of another licensor."""
        k = (own, anc)
        got = self._drift.get(k)
        if got is None:
            got = self._drift[k] = self._drift_patterns(own, anc)
        if not got:
            return []
        org = node_org(self.index.keys[i])
        return [p for p, orgs in got if org not in orgs]

    def _drift_patterns(self, own: int, anc: int) -> list[tuple[str, frozenset[str]]]:
        lic = self.judge.lic.sets
        rules = self.judge.rules
        mine = {x for x in lic[own] if not x.startswith(("?", "api:", "("))}
        if not mine or any(x.startswith("?") for x in lic[own]):
            return []
        mine_kinds = {x for x in mine if rules.get(x) is not None and rules.get(x).kind == "licence"}
        if not mine_kinds:
            return []
        out = []
        label = "+".join(sorted(mine_kinds))
        for a in sorted(lic[anc]):
            r = rules.get(a)
            if r is None or a in mine or r.kind != "licence" or r.permissive:
                continue
            out.append((f"{label} over {a}", frozenset(r.licensor_orgs)))
        return out

    def result(self, i: int) -> dict[str, Any]:
        """The per-model record written to --output (and returned by evaluate_batch)."""
        return json.loads(self.line(i)[0])

    def line(self, i: int) -> tuple[str, str, list[str]]:
        """(JSON line, verdict, drift patterns) of node i; also sets `last_lic` (its closure licence set).

        Built from cached JSON fragments: the parts that depend on the closure state are rendered once per
        state, so writing 2M lines costs little more than the ids and parents themselves."""
        verdict, route = self.verdict(i)
        self.routes[route] += 1
        ix, cl = self.index, self.closure
        st = cl.states[cl.state[i]]
        flags, lic_id, anc_id = st[3], st[4], st[5]
        if flags & F_CYCLE:
            lic_id, anc_id, roots = self._cyclic_sets(i)
            roots_js = _js_list(roots[:5])
        else:
            rs = cl.root_set[i]
            roots_js = self._roots_js.get(rs)
            if roots_js is None:
                roots_js = self._roots_js[rs] = _js_list([ix.keys[r] for r in sorted(cl.roots.sets[rs])][:5])
        self.last_lic = lic_id
        lic_js = self._lic_js.get(lic_id)
        if lic_js is None:
            labels = self.judge.lic.sets[lic_id]
            lic_js = self._lic_js[lic_id] = (
                '"licenses":'
                + _js_list(sorted(x for x in labels if not x.startswith(("?", "("))))
                + ',"unknown":'
                + _js_list(sorted(x[1:] for x in labels if x.startswith("?")))
            )
        drift = self.drift(i, self.judge.own_lic[i], anc_id)
        n = ix.n
        kinds = ix.node_kind
        parents = []
        missing = []
        keys, leaf_ids = ix.keys, ix.leaf_ids
        for r in ix.pref[ix.pstart[i] : ix.pstart[i + 1]]:
            if r < n:
                k = keys[r]
                parents.append('"' + k + '"' if not kinds[r] & KIND_CHECK_ID else _js(k))
            elif ix.leaf_kind[r - n] == LEAF_MISSING:
                missing.append(_js(leaf_ids[r - n]))
            else:
                parents.append(_js(leaf_ids[r - n]))
        key = keys[i]
        jid = _js(key) if kinds[i] & KIND_CHECK_ID else '"' + key + '"'  # plain ids need no escaping
        text = (
            f'{{"id":{jid},"verdict":"{verdict}",'
            f'{lic_js},"drift":{_js_list(drift) if drift else "[]"},"parents":[{",".join(parents)}],'
            f'"missing_parents":[{",".join(missing)}],"roots":{roots_js},'
            f'"depth":{"null" if flags & F_CYCLE else cl.height[i]},'
            f'"incomplete":{"true" if flags & F_MISSING else "false"},"via":"{route}"}}\n'
        )
        return text, verdict, drift

    def _cyclic_sets(self, i: int) -> tuple[int, int, list[str]]:
        cl, ix, own = self.closure, self.index, self.judge.own_lic
        nodes = cl.closure_nodes(i)
        anc = 0
        roots = []
        for y in nodes[1:]:
            anc = self.judge.lic.union(anc, own[y])
            if y < ix.n and cl.is_root(y):
                roots.append(ix.keys[y])
        return self.judge.lic.union(own[i], anc), anc, sorted(roots)


_EVALUATORS: dict[tuple[int, Plan, int, int], Evaluator] = {}


def evaluator(index: DumpIndex, store: RawStore, plan: Plan, rules: Any, *, max_depth: int = 20) -> Evaluator:
    k = (id(index), plan, id(rules), max_depth)
    ev = _EVALUATORS.get(k)
    if ev is None:
        _EVALUATORS.clear()
        ev = _EVALUATORS[k] = Evaluator(index, store, plan, rules, max_depth=max_depth)
    return ev


def evaluate_batch(
    records: Iterable[Any], index: DumpIndex, plan: Plan, rules: Any, *, store: RawStore, max_depth: int = 20
) -> list[dict[str, Any]]:
    """Per-model results for a batch of records (raw Hub dicts or ids) against a built index.

    Pure: the result depends only on the arguments. The index (with its closure states and class levels) is
    the shared, read-only part; a Spark/Dask/Ray job builds it once, broadcasts it and maps this over partitions.
    """
    ev = evaluator(index, store, plan, rules, max_depth=max_depth)
    out = []
    for r in records:
        key = r if isinstance(r, str) else _key_of(r)
        i = index.key_index.get(key) if key is not None else None
        if i is None:
            out.append({"id": key, "verdict": "error", "error": "not in the index"})
        else:
            out.append(ev.result(i))
    return out


def _key_of(d: Any) -> str | None:
    from licheck.scan_extract import DumpError, hub_fields

    try:
        return hub_fields(d)[1]
    except DumpError:
        return None


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
) -> dict[str, Any]:
    """Scan a dump; write per-model JSON Lines to `output` (atomically) and return the summary.

    `verify` models (a fixed pseudo-random sample) are audited again by the real resolver and Auditor and must
    agree, so a change in the engine that the memo does not model stops the scan instead of skewing it.

    The cyclic garbage collector is paused for the scan: the index holds millions of containers that it would
    rescan again and again (a third of the run time) while the scan creates no reference cycles."""
    import gc

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
) -> dict[str, Any]:
    t0 = time.perf_counter()
    index, store = build_index(path, rules, workers=workers, progress=progress)
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


_SAFE_JS = re.compile(r"[A-Za-z0-9_./:+ -]*\Z")


def _js(text: str) -> str:
    """JSON string literal; ids are almost always plain, so skip the encoder when nothing needs escaping."""
    return '"' + text + '"' if _SAFE_JS.match(text) else json.dumps(text, ensure_ascii=False)


def _js_list(items: list[str]) -> str:
    return "[" + ",".join(_js(x) for x in items) + "]"


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


def render_text(summary: dict[str, Any]) -> str:
    """The human summary: counts per verdict, drift patterns, unknown licences, how the work was done."""
    lines = [
        f"licheck scan {summary['dump']}: {summary['models']:,} models ({summary['records']:,} records"
        f", {summary['duplicate_ids']:,} duplicate ids, {summary['unreadable_lines']:,} unreadable lines)"
    ]
    plan = summary["plan"]
    lines.append(
        f"plan: use={plan['use']} method={plan['method']} "
        f"{'internal' if plan['internal'] else 'distributed'} student={plan['student'] or '(from scratch)'}"
    )
    lines.append("")
    lines.append("verdicts")
    total = max(1, summary["models"])
    for v, c in summary["verdicts"].items():
        lines.append(f"  {v:<12} {c:>10,}  {100 * c / total:5.1f}%")
    lines.append("")
    lines.append("most common licence drift (declared licence over an ancestor's)")
    for d in summary["drift_patterns"] or [{"pattern": "(none)", "models": 0}]:
        lines.append(f"  {d['models']:>10,}  {d['pattern']}")
    lines.append("")
    lines.append("unknown licences, by models affected (the licence is in their ancestry)")
    for u in summary["unknown_licenses"] or [{"license": "(none)", "models": 0}]:
        lines.append(f"  {u['models']:>10,}  {u['license']}")
    lines.append(f"  {summary['undeclared_licence_in_ancestry']:>10,}  models with an undeclared licence in ancestry")
    s = summary["stats"]
    lines.append("")
    lines.append(
        f"work: {s['routes']}; {s['classes']} classes, {s['closure_states']:,} closure states, "
        f"{s['signatures']} signatures, {s['auditor_runs']} Auditor runs; "
        f"{s['seconds']['total']} s (read {s['seconds']['read']}, ancestry {s['seconds']['ancestry']}, "
        f"verdicts {s['seconds']['verdicts']})"
    )
    lines.append(f"self-check: {summary['verified']} sampled models audited again, all equal")
    if summary["output"]:
        lines.append(f"per-model results: {summary['output']}")
    from licheck.textsafe import clean_lines

    return clean_lines(lines)


def progress_bar() -> tuple[Callable[[str, int, int], None], Callable[[], None]]:
    """A rich progress bar on stderr when it is a terminal; otherwise a no-op."""
    if not sys.stderr.isatty():
        return (lambda _phase, _done, _total: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description:<9}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    bar.start()
    tasks: dict[str, Any] = {}

    def update(phase: str, done: int, total: int) -> None:
        t = tasks.get(phase)
        if t is None:
            t = tasks[phase] = bar.add_task(phase, total=max(total, 1))
        bar.update(t, completed=done, total=max(total, 1))

    return update, bar.stop
