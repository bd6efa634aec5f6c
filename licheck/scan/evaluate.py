"""Evaluation of one plan over an indexed dump: the per-model verdict (closure state or Auditor) and output line;
`evaluate_batch` is the pure unit a distributed runner maps over partitions."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from licheck.domain import Plan
from licheck.engine.closure import (
    F_CYCLE,
    F_MISSING,
    F_STUDENT,
    LEAF_MISSING,
    WALK_FLAGS,
    Closure,
    node_org,
)
from licheck.scan.index import DumpIndex
from licheck.scan.judge import Judge, ScanConsistencyError
from licheck.scan.readers import RawStore
from licheck.scan.records import (
    KIND_CHECK_ID,
)


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
        from licheck.provenance.ids import parse_subject

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
    """Per-model results for a batch of records (raw Hub dicts or ids) against a built index: the unit of work a
    distributed runner maps over partitions.

    Pure: the result depends only on the arguments (the evaluator's caches only avoid repeated work, and every
    verdict is the engine's). The index (`readers.build_index`: the dump as an integer graph) and `store` (the raw
    records, for the models handed to the Auditor) are the shared, read-only part. A Dask or Spark job builds the
    index once, broadcasts it with the rules and plan, and maps this over partitions of ids, e.g.
    `bag.map_partitions(evaluate_batch, index, plan, rules, store=store)`; the results are the lines
    `licheck scan --output` writes.
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
    from licheck.scan.records import DumpError, hub_id

    try:
        return hub_id(d)[1]
    except DumpError:
        return None


_SAFE_JS = re.compile(r"[A-Za-z0-9_./:+ -]*\Z")


def _js(text: str) -> str:
    """JSON string literal; ids are almost always plain, so skip the encoder when nothing needs escaping."""
    return '"' + text + '"' if _SAFE_JS.match(text) else json.dumps(text, ensure_ascii=False)


def _js_list(items: list[str]) -> str:
    return "[" + ",".join(_js(x) for x in items) + "]"
