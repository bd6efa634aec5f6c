"""The Auditor behind the fold: class levels on one-node graphs, signature verdicts on real graphs, the audit of
one model over the dump (exactly `licheck audit ID --offline`)."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from licheck.domain import VERDICT_RANK, Graph, Plan
from licheck.engine.closure import (
    LEAF_MISSING,
    ClassInfo,
    SetTable,
)
from licheck.errors import LicheckError, UsageError
from licheck.scan.index import DumpIndex
from licheck.scan.readers import DumpSnapshot, RawStore
from licheck.scan.records import (
    KIND_DATASET,
    LicKey,
    identify,
    license_info_of,
)

RANK_VERDICT = {r: v for v, r in VERDICT_RANK.items()}
NO_LICENCE = "?(none declared)"
MISSING_MARK = "(missing)"


class ScanConsistencyError(LicheckError):
    """The memoised verdict of a signature disagreed with the real Auditor: the scan stops instead of guessing."""


# -- classes, levels, signatures ------------------------------------------------------------------------------------
class Judge(ClassInfo):
    """The real Auditor behind the memo: class levels on one-node graphs, signature verdicts on real graphs."""

    def __init__(self, index: DumpIndex, store: RawStore, plan: Plan, rules: Any, *, max_depth: int = 20) -> None:
        from licheck.engine.auditor import Auditor
        from licheck.provenance.resolver import ProvenanceResolver
        from licheck.provenance.sources import LayeredSource
        from licheck.rules.apis import load_catalogue

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
        from licheck.engine.nodes import licence_known

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
        from licheck.engine.nodes import unnamed_licence

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
        from licheck.engine.nodes import multimodal
        from licheck.provenance.ids import Subject
        from licheck.provenance.resolver import api_node

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
        from licheck.provenance.evidence import node_from_record, parent_edges
        from licheck.provenance.ids import Subject
        from licheck.provenance.resolver import api_node, missing_node

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
