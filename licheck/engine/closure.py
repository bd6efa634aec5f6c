"""The closure algebra: what of a node's provenance decides a verdict, computed once per node and memoised.

The Auditor's verdict is the worst of its findings, and every finding belongs to one *context*: a node of the
root's closure with how it was reached (a weight-only path or not, `walk`), whether its licensor relicensed it to
every child naming it in that closure (`relicensed`), and whether its unnamed licence is read from its bases
(`governed_by_base`). The Auditor (`licheck audit`) builds its contexts with these functions; `licheck scan` uses
the same ones, and on a graph of millions of nodes it folds them bottom-up (`Closure`): each node's *closure
state* (worst level of its plain contexts, the set of its rare contexts, licence sets, flags) is computed from
its parents' states once, interned, and shared by every node with the same state.

A state stands for a node's audit only when the fold describes it exactly (no cycle, no non-weight edge into a
read node, no ancestor whose children disagree on relicensing, not deeper than --max-depth): `needs_engine` says
when not, and the caller then runs the Auditor itself on that node's graph.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T", bound=Hashable)

E_WEIGHT, E_CASEVAR, E_QUANT = 1, 2, 4  # edge flags of an integer graph
F_CYCLE, F_NONWEIGHT, F_AMBIGUOUS, F_MISSING, F_STUDENT = 1, 2, 4, 8, 16  # closure-state flags
WALK_FLAGS = F_CYCLE | F_NONWEIGHT | F_AMBIGUOUS
LEAF_MISSING, LEAF_API = 0, 1
WHITE, GRAY = -1, -2


# -- contexts: the Auditor's definitions, shared -------------------------------------------------------------------
def walk(
    root: T, parents: Callable[[T], Iterable[tuple[T, bool]]], exists: Callable[[T], bool]
) -> dict[T, tuple[list[T], bool]]:
    """Every node of root's closure with (path, weight_only): breadth first, first path wins, a node accepted
    again only when first reached through a non-weight edge and now through weight edges only (the context keeps
    the path of its last acceptance). `parents(x)` yields (parent, edge is a weight relation)."""
    queue: deque[tuple[T, list[T], bool]] = deque([(root, [root], True)])
    best: dict[T, bool] = {}
    out: dict[T, tuple[list[T], bool]] = {}
    while queue:
        nid, path, weight_only = queue.popleft()
        if nid in best and (best[nid] or not weight_only):
            continue
        best[nid] = weight_only
        if not exists(nid):
            continue
        out[nid] = (path, weight_only)
        for parent, weight in parents(nid):
            if parent not in path:
                queue.append((parent, path + [parent], weight_only and weight))
    return out


def relicence_bit(
    child_id: str, child_has_rules: bool, licensor_orgs: Iterable[str], own_has_rules: bool, org: str
) -> bool:
    """Whether this child republishes the node under a licence of its own from the node's licensor (or, for a node
    naming no rule, from its own org)."""
    if not child_has_rules:
        return False
    child_org = child_id.split("/", 1)[0].lower()
    return child_org in licensor_orgs or (not own_has_rules and child_org == org)


def relicensed(children: Sequence[T], bit: Callable[[T], bool]) -> bool:
    """A node's own terms are superseded when every child naming it in the closure relicensed it: one third-party
    child is enough for the terms to apply, so the answer never depends on which path the walk found first."""
    return bool(children) and all(bit(c) for c in children)


def governed_by_base(bases: Mapping[T, Sequence[T]], known: Callable[[T], bool]) -> set[T]:
    """Candidates every base of which has a known licence, directly or by this same rule (least fixed point).

    `bases` maps each candidate (an unnamed-licence quantisation) to its bases. A candidate on a cycle of
    candidates is never governed (its licence would rest on itself), whichever node the search starts from.
    Iterative: a dump can hold chains thousands of quantisations deep. Shared by the engine and the scan."""
    result: dict[T, bool] = {}
    for start in bases:
        if start in result:
            continue
        stack: list[tuple[T, int]] = [(start, 0)]
        on_stack = {start}
        ok: dict[T, bool] = {start: True}
        while stack:
            x, i = stack[-1]
            parents = bases[x]
            if not ok[x] or i >= len(parents):
                stack.pop()
                on_stack.discard(x)
                result[x] = ok[x]
                if stack and not ok[x]:
                    ok[stack[-1][0]] = False
                continue
            stack[-1] = (x, i + 1)
            p = parents[i]
            if known(p):
                continue
            if p in result:
                ok[x] = ok[x] and result[p]
            elif p in on_stack or p not in bases:
                ok[x] = False
            else:
                stack.append((p, 0))
                on_stack.add(p)
                ok[p] = True
    return {x for x, v in result.items() if v}


def node_org(key: str) -> str:
    """domain.ModelNode.org."""
    bare = key.split("datasets/", 1)[-1] if key.startswith("datasets/") else key
    return bare.split(":", 1)[-1].split("/", 1)[0].lower()


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


class IntGraph(Protocol):
    """A graph as integers: nodes 0..n-1 with parent refs in CSR form (pstart, pref, eflags); refs >= n are leaves
    (ids outside the graph: `missing`, or API products)."""

    n: int
    keys: list[str]
    pstart: Any
    pref: Any
    eflags: bytearray
    leaf_kind: bytearray


class ClassInfo:
    """What the fold needs to know about node classes: a class is what of a node its context findings read (not
    its id), its level the worst verdict of those findings, decided by the Auditor itself (see licheck.scan)."""

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


class Closure:
    """Per node of an integer graph: its interned closure state, height and roots, folded from its parents'."""

    def __init__(self, index: IntGraph, info: ClassInfo, lic: SetTable, max_depth: int, student_missing: set[int]):
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

    # -- relicensing bits ---------------------------------------------------------------------------------------
    def bit(self, child: int, parent: int) -> bool:
        """relicence_bit for the context of `parent` reached from `child` (both read nodes), by class."""
        info = self.info
        cc, cp = info.node_class[child], info.node_class[parent]
        keys = self.ix.keys
        return relicence_bit(keys[child], info.has_rules[cc], info.orgs[cp], info.has_rules[cp], node_org(keys[parent]))

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
        """governed_by_base, folded: every strong-quantized parent read and known (or itself governed). A parent
        still on the DFS path is a cycle: the node then has F_CYCLE and the Auditor decides."""
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

    def needs_engine(self, x: int) -> bool:
        """The state describes x's audit exactly unless a flag says otherwise or the depth cut may apply; if not,
        the caller runs the Auditor on x's own graph."""
        flags = self.states[self.state[x]][3]
        return bool(flags & WALK_FLAGS) or self.height[x] > self.max_depth

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
