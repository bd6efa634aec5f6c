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
from collections import deque
from collections.abc import Callable
from typing import Any

from licheck.engine import governed_by_base
from licheck.scan_extract import KIND_CHECK_ID, KIND_DATASET, RELATIONS, Chunk

WEIGHT_CODES = frozenset(i for i, r in enumerate(RELATIONS) if r in ("finetune", "adapter", "quantized", "merge"))
QUANT_CODE = RELATIONS.index("quantized")
E_WEIGHT, E_CASEVAR, E_QUANT = 1, 2, 4  # edge flags
F_CYCLE, F_NONWEIGHT, F_AMBIGUOUS, F_MISSING, F_STUDENT = 1, 2, 4, 8, 16  # closure flags
WALK_FLAGS = F_CYCLE | F_NONWEIGHT | F_AMBIGUOUS
LEAF_MISSING, LEAF_API = 0, 1
WHITE, GRAY = -1, -2


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


class SetTable:
    """Interned frozensets with memoised union/add: a closure's sets are shared, never copied per node."""

    def __init__(self) -> None:
        self.sets: list[frozenset[Any]] = [frozenset()]
        self._ids: dict[frozenset[Any], int] = {frozenset(): 0}
        self._union: dict[tuple[int, int], int] = {}
        self._add: dict[tuple[int, Any], int] = {}

    def intern(self, s: frozenset[Any]) -> int:
        sid = self._ids.get(s)
        if sid is None:
            sid = self._ids[s] = len(self.sets)
            self.sets.append(s)
        return sid

    def union(self, a: int, b: int) -> int:
        if a == b or b == 0:
            return a
        if a == 0:
            return b
        k = (a, b) if a < b else (b, a)
        r = self._union.get(k)
        if r is None:
            sa, sb = self.sets[a], self.sets[b]
            if sb <= sa:
                r = a
            elif sa <= sb:
                r = b
            else:
                r = self.intern(sa | sb)
            if len(self._union) > 2_000_000:
                self._union.clear()
            self._union[k] = r
        return r

    def add(self, a: int, x: Any) -> int:
        k = (a, x)
        r = self._add.get(k)
        if r is None:
            s = self.sets[a]
            r = a if x in s else self.intern(s | {x})
            if len(self._add) > 2_000_000:
                self._add.clear()
            self._add[k] = r
        return r


class ClassInfo:
    """What the closure needs to know about node classes; provided by scan.Judge (rules and the real Auditor)."""

    node_class: list[int]  # per node and leaf ref: context class
    r_rel: list[bool]  # per class: does relicensing (the Auditor's skip_own) change anything?
    has_rules: list[bool]
    orgs: list[frozenset[str]]
    own_lic: list[int]  # per node and leaf ref: set id (in lic table) of its own licence labels
    missing_class: int
    # engine.governed_by_base: per class, its "licence read from the base" variant (-1: its licence names
    # something) and whether its own licence is known; per node, whether its quantized edges are strong evidence
    governed_class: list[int]
    known: list[bool]
    strong_quant: bytearray
    level: Callable[[int, int], int]  # (class, sample ref) -> verdict rank of the class's root context
    rare_ctx: Callable[[int, bool, bool], int | None]  # (class, w, r) -> context id, None when plain


def child_org(key: str) -> str:
    """engine._relicensed: `child_id.split("/", 1)[0].lower()`."""
    return key.split("/", 1)[0].lower()


def node_org(key: str) -> str:
    """domain.ModelNode.org."""
    bare = key.split("datasets/", 1)[-1] if key.startswith("datasets/") else key
    return bare.split(":", 1)[-1].split("/", 1)[0].lower()


class Closure:
    """Per node: interned closure state, height, roots; plus `walk`, the exact per-model re-enactment."""

    def __init__(self, index: DumpIndex, info: ClassInfo, lic: SetTable, max_depth: int, student_missing: set[int]):
        self.ix = index
        self.info = info
        self.lic = lic
        self.max_depth = max_depth
        self.student_missing = student_missing
        n = index.n
        self.rare = SetTable()
        self.amb = SetTable()
        self.roots = SetTable()
        self.states: list[tuple[int, int, int, int, int, int]] = []
        self._state_ids: dict[tuple[int, int, int, int, int, int], int] = {}
        self.state = array("i", [WHITE]) * n
        self.height = array("i", [0]) * n
        self.root_set = array("i", [0]) * n
        self.ebit = bytearray(len(index.pref))
        self.ambiguous = bytearray(n)
        self._amb_conflict: dict[int, bool] = {0: False}
        self._memo: dict[tuple[Any, ...], int] = {}
        self._singletons: dict[int, int] = {}
        self.base_class = array("i", info.node_class)  # before compute() moves governed nodes to their variant

    # -- relicensing bits ---------------------------------------------------------------------------------------
    def bit(self, child: int, parent: int) -> bool:
        """engine._relicensed for the context of `parent` reached from `child` (both read nodes)."""
        info = self.info
        cc, cp = info.node_class[child], info.node_class[parent]
        if not info.has_rules[cc]:
            return False
        corg = child_org(self.ix.keys[child])
        if corg in info.orgs[cp]:
            return True
        return not info.has_rules[cp] and corg == node_org(self.ix.keys[parent])

    def compute_bits(self) -> None:
        """The relicensing bit of every edge, and which nodes get different bits from different children."""
        ix, info = self.ix, self.info
        n = ix.n
        seen = bytearray(n)
        pstart, pref = ix.pstart, ix.pref
        r_rel, cls = info.r_rel, info.node_class
        for x in range(n):
            for e in range(pstart[x], pstart[x + 1]):
                p = pref[e]
                if p >= n or not r_rel[cls[p]]:
                    continue
                b = self.bit(x, p)
                self.ebit[e] = b
                seen[p] |= 2 if b else 1
        for p in range(n):
            if seen[p] == 3:
                self.ambiguous[p] = 1

    # -- the memo -----------------------------------------------------------------------------------------------
    def _intern_state(self, st: tuple[int, int, int, int, int, int]) -> int:
        sid = self._state_ids.get(st)
        if sid is None:
            sid = self._state_ids[st] = len(self.states)
            self.states.append(st)
        return sid

    def leaf_state(self, ref: int) -> int:
        leaf = ref - self.ix.n
        flags = F_MISSING if self.ix.leaf_kind[leaf] == LEAF_MISSING else 0
        return self._intern_state((0, 0, 0, flags, self.info.own_lic[ref], 0))

    def is_root(self, p: int) -> bool:
        """No parent of p is a record of the dump."""
        n = self.ix.n
        return all(r >= n for r in self.ix.pref[self.ix.pstart[p] : self.ix.pstart[p + 1]])

    def compute(self, progress: Callable[[int], None] | None = None) -> None:
        """Post-order over all nodes (iterative: chains are thousands deep), each state from its parents'."""
        ix = self.ix
        n = ix.n
        st = self.state
        pstart, pref = ix.pstart, ix.pref
        done = 0
        for s in range(n):
            if st[s] != WHITE:
                continue
            stack = [s]
            while stack:
                x = stack[-1]
                if st[x] == WHITE:
                    st[x] = GRAY
                    for e in range(pstart[x], pstart[x + 1]):
                        p = pref[e]
                        if p < n and st[p] == WHITE:
                            stack.append(p)
                else:
                    stack.pop()
                    if st[x] == GRAY:
                        st[x] = self._combine(x)
                        done += 1
                        if progress is not None and not done & 0xFFFF:
                            progress(done)
        if progress is not None:
            progress(done)

    def _combine(self, x: int) -> int:
        """State of x from its parents' states. Memoised on everything the state depends on, so a node whose
        parents, edge kinds and own licences match an earlier node's costs one tuple and one dict lookup."""
        ix, info = self.ix, self.info
        n = ix.n
        lo, hi = ix.pstart[x], ix.pstart[x + 1]
        own = info.own_lic[x]
        student = x in self.student_missing
        if info.strong_quant[x] and info.governed_class[info.node_class[x]] >= 0:
            self._govern(x, lo, hi)
        if hi == lo:
            self.height[x] = 0
            return self._intern_state((0, 0, 0, F_STUDENT if student else 0, own, 0))
        pref, eflags, ebit = ix.pref, ix.eflags, self.ebit
        cls, height, stv, amb = info.node_class, self.height, self.state, self.ambiguous
        parts = []
        samples = []
        h = 0
        roots = 0
        cycle = False
        for e in range(lo, hi):
            p = pref[e]
            if p >= n:
                parts.append((self.leaf_state(p), cls[p], 0, -1, eflags[e] & E_WEIGHT))
                samples.append(p)
                if h < 1:
                    h = 1
                continue
            sp = stv[p]
            if sp < 0:  # a parent still on the DFS path: a cycle
                cycle = True
                continue
            parts.append((sp, cls[p], ebit[e], p if amb[p] else -1, eflags[e] & E_WEIGHT))
            samples.append(p)
            hp = height[p] + 1
            if hp > h:
                h = hp
            rs = self.root_set[p]
            if not rs:
                rs = self._singleton(p)
            roots = self.roots.union(roots, rs) if roots else rs
        self.height[x] = h
        self.root_set[x] = roots
        key = (own, student, cycle, tuple(parts))
        sid = self._memo.get(key)
        if sid is None:
            sid = self._memo[key] = self._state_from(own, student, cycle, parts, samples)
        return sid

    def _govern(self, x: int, lo: int, hi: int) -> None:
        """engine._find_governed on the memo: every strong-quantized parent read and known (or itself governed).
        A parent still on the DFS path is a cycle: the node then has F_CYCLE and `walk` decides again."""
        ix, info, n = self.ix, self.info, self.ix.n
        cls, known, stv = info.node_class, info.known, self.state
        quant = [ix.pref[e] for e in range(lo, hi) if ix.eflags[e] & E_QUANT]
        if quant and all(p < n and stv[p] >= 0 and known[cls[p]] for p in quant):
            cls[x] = info.governed_class[cls[x]]

    def _singleton(self, p: int) -> int:
        sid = self._singletons.get(p)
        if sid is None:
            sid = self._singletons[p] = self.roots.intern(frozenset((p,)))
        return sid

    def _state_from(
        self, own: int, student: bool, cycle: bool, parts: list[tuple[int, int, int, int, int]], samples: list[int]
    ) -> int:
        info = self.info
        states = self.states
        flags = (F_STUDENT if student else 0) | (F_CYCLE if cycle else 0)
        m_r = 0
        rare = amb = anc = 0
        for (sp, c, b, ambp, w), ref in zip(parts, samples, strict=True):
            if not w and c != info.missing_class:
                flags |= F_NONWEIGHT
            ctx = info.rare_ctx(c, True, bool(b))
            if ctx is None:
                lv = info.level(c, ref)
                if lv > m_r:
                    m_r = lv
            else:
                rare = self.rare.add(rare, ctx)
            if ambp >= 0:
                amb = self.amb.add(amb, (ambp, b))
            pm, prare, pamb, pflags, plic, _panc = states[sp]
            if pm > m_r:
                m_r = pm
            if prare:
                rare = self.rare.union(rare, prare)
            if pamb:
                amb = self.amb.union(amb, pamb)
            flags |= pflags
            anc = self.lic.union(anc, plic)
        if amb and self._conflict(amb):
            flags |= F_AMBIGUOUS
        return self._intern_state((m_r, rare, amb, flags, self.lic.union(own, anc), anc))

    def _conflict(self, amb: int) -> bool:
        got = self._amb_conflict.get(amb)
        if got is None:
            seen: dict[int, bool] = {}
            got = False
            for node, b in self.amb.sets[amb]:
                if seen.setdefault(node, b) != b:
                    got = True
                    break
            self._amb_conflict[amb] = got
        return got

    def needs_walk(self, x: int) -> bool:
        """The memo describes x's audit exactly unless a flag says otherwise or the depth cut may apply."""
        flags = self.states[self.state[x]][3]
        return bool(flags & WALK_FLAGS) or self.height[x] > self.max_depth

    # -- the exact re-enactment ---------------------------------------------------------------------------------
    def walk(self, x: int) -> tuple[int, int, bool]:
        """(worst plain level, rare-context set id, cycle) of x's audit, re-enacted step by step.

        ProvenanceResolver.resolve: BFS by levels over canonical nodes; at level max_depth + 1 every target not
        already in the graph under that exact id (so also case-variant ids of read nodes) becomes `missing`.
        Then _report_cycles (any cycle among read nodes) and engine._walk: FIFO over (node, path, weight_only),
        a node accepted again only when first seen through a non-weight path and now through a weight-only one,
        the context keeping the path of its last acceptance.
        """
        ix, info = self.ix, self.info
        n = ix.n
        pstart, pref, eflags = ix.pstart, ix.pref, ix.eflags
        in_graph: set[int] = {x}
        by_child: dict[int, list[tuple[int, bool, bool]]] = {}
        level = [x]
        depth = 0
        boundary = -1
        while level:
            depth += 1
            nxt: list[int] = []
            cut = depth > self.max_depth
            for node in level:
                out: list[tuple[int, bool, bool]] = []
                for e in range(pstart[node], pstart[node + 1]):
                    t = pref[e]
                    f = eflags[e]
                    if cut and (f & E_CASEVAR or t not in in_graph):
                        t = boundary  # a `missing` node: depth limit reached
                        boundary -= 1
                    elif not cut and t not in in_graph:
                        in_graph.add(t)
                        if t < n:
                            nxt.append(t)
                    out.append((t, bool(f & E_WEIGHT), bool(f & E_QUANT)))
                by_child[node] = out
            if cut:
                break
            level = nxt
        cycle = _has_cycle(by_child)
        cls = self._walk_classes(by_child)
        best: dict[int, bool] = {}
        queue: deque[tuple[int, tuple[int, ...], bool]] = deque([(x, (x,), True)])
        while queue:
            nid, path, wo = queue.popleft()
            if nid in best and (best[nid] or not wo):
                continue
            best[nid] = wo
            for t, w, _q in by_child.get(nid, ()):
                if t not in path:
                    queue.append((t, path + (t,), wo and w))
        # engine._relicensed: a node's own terms are superseded only when every child naming it in this closure
        # is its licensor's (order-independent).
        kids: dict[int, list[int]] = {}
        for c in best:
            for t, _w, _q in by_child.get(c, ()):
                if t in best and t != c and c not in kids.setdefault(t, []):
                    kids[t].append(c)
        m_r = 0
        rare = 0
        for nid, wo in best.items():
            if nid < 0:
                c = info.missing_class
                ref = nid
            else:
                c = cls.get(nid, self.base_class[nid])
                ref = nid
            children = kids.get(nid, [])
            r = bool(
                children
                and 0 <= nid < n
                and info.r_rel[c]
                and all(0 <= ch < n and self.bit(ch, nid) for ch in children)
            )
            ctx = info.rare_ctx(c, wo, r)
            if ctx is None:
                lv = info.level(c, ref)
                if lv > m_r:
                    m_r = lv
            else:
                rare = self.rare.add(rare, ctx)
        return m_r, rare, cycle

    def _walk_classes(self, by_child: dict[int, list[tuple[int, bool, bool]]]) -> dict[int, int]:
        """The governed variant class of every node of a re-enacted graph that engine._find_governed governs."""
        info, n, base = self.info, self.ix.n, self.base_class
        bases = {
            x: [t for t, _w, q in out if q]
            for x, out in by_child.items()
            if 0 <= x < n and info.strong_quant[x] and info.governed_class[base[x]] >= 0
        }
        bases = {x: ts for x, ts in bases.items() if ts}
        if not bases:
            return {}
        gov = governed_by_base(bases, lambda t: 0 <= t < n and info.known[base[t]])
        return {x: info.governed_class[base[x]] for x in gov}

    def closure_nodes(self, x: int) -> list[int]:
        """Every node and leaf reachable from x (BFS, unbounded): licences and roots for nodes in cycles."""
        ix = self.ix
        seen = {x}
        order = [x]
        q = deque([x])
        while q:
            y = q.popleft()
            if y >= ix.n:
                continue
            for e in range(ix.pstart[y], ix.pstart[y + 1]):
                t = ix.pref[e]
                if t not in seen:
                    seen.add(t)
                    order.append(t)
                    q.append(t)
        return order


def _has_cycle(by_child: dict[int, list[tuple[int, bool, bool]]]) -> bool:
    """Any cycle among the read nodes of a re-enacted graph (iterative three-colour DFS)."""
    color: dict[int, int] = {}
    for start in by_child:
        if color.get(start):
            continue
        stack: list[tuple[int, int]] = [(start, 0)]
        color[start] = 1
        while stack:
            node, i = stack.pop()
            kids = by_child.get(node, ())
            if i < len(kids):
                stack.append((node, i + 1))
                t = kids[i][0]
                c = color.get(t, 0)
                if c == 1:
                    return True
                if c == 0 and t in by_child:
                    color[t] = 1
                    stack.append((t, 0))
            else:
                color[node] = 2
    return False
