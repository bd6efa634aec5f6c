"""The component and licence model that CycloneDX and SPDX both render (one reading of the documents, two syntaxes).

Why one model: a BOM and an SBOM of the same audit must name the same components with the same declared and
concluded licences. Each licence set is one `AND` expression (the engine applies a card's list and every weight
ancestor's terms at once), built with license-expression, so both formats state literally the same expression.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from licheck.formats import _common as c


@dataclass(frozen=True)
class LicenceTerm:
    """One licence of an expression: as licheck names it, its SPDX id (if any), its expression term, its text's URL."""

    licence: str
    spdx_id: str | None
    ref: str  # the SPDX id, else LicenseRef-licheck-<id>
    url: str | None  # where the text of a non-SPDX licence is (None for SPDX ids: the id says it)


@dataclass(frozen=True)
class LicenceSet:
    """Licences that all apply at once, and the one SPDX expression that says so."""

    terms: tuple[LicenceTerm, ...]
    expression: str

    @property
    def licences(self) -> list[str]:
        return [t.licence for t in self.terms]

    def custom_refs(self) -> dict[str, str]:
        """LicenseRef term -> URL of its text, first URL per term (SPDX customIdToUri)."""
        refs: dict[str, str] = {}
        for t in self.terms:
            if t.url:
                refs.setdefault(t.ref, t.url)
        return refs


def licence_set(licences: list[str], node: c.Node | None) -> LicenceSet:
    """The licences as one `A AND B` expression (license-expression renders it; each term appears once)."""
    from license_expression import LicenseSymbol, Licensing

    terms: list[LicenceTerm] = []
    for lic in licences:
        sid = c.spdx_id(lic)
        terms.append(LicenceTerm(lic, sid, c.licence_ref(lic), None if sid else c.licence_url(lic, node)))
    symbols = [LicenseSymbol(ref) for ref in dict.fromkeys(t.ref for t in terms)]
    if not symbols:
        return LicenceSet((), "")
    expression = symbols[0] if len(symbols) == 1 else Licensing().AND(*symbols)
    return LicenceSet(tuple(terms), expression.render())


@dataclass(frozen=True)
class Component:
    """One node of the merged graph as both formats describe it."""

    id: str
    node: c.Node | None
    kind: str  # model | dataset | api | missing ...
    dataset: bool
    group: str | None
    name: str
    revision: str | None
    purl: str | None
    url: str | None  # Hub page
    roles: tuple[str, ...]
    declared: LicenceSet
    concluded: LicenceSet

    @property
    def drifts(self) -> bool:
        """licheck concluded other licences than the node declares (a re-labelled derivative)."""
        return bool(self.concluded.terms) and not c.same_licences(self.declared.licences, self.concluded.licences)

    def drift_note(self) -> str:
        return c.drift_note(self.id, self.declared.licences, self.concluded.licences)


def component(nid: str, node: c.Node | None, roles: list[str], concluded: list[str]) -> Component:
    kind = c.node_kind(node, nid)
    group, name = c.split_id(nid)
    revision = (node or {}).get("revision")
    revision = revision if isinstance(revision, str) and revision else None
    purl = None
    if revision and kind == "model" and group and len(revision) == 40:
        if all(ch in "0123456789abcdefABCDEF" for ch in revision):
            purl = f"pkg:huggingface/{group}/{name}@{revision.lower()}"
    return Component(
        id=nid,
        node=node,
        kind=kind,
        dataset=c.is_dataset(node, nid),
        group=group,
        name=name,
        revision=revision,
        purl=purl,
        url=c.hub_url(nid, kind),
        roles=tuple(roles),
        declared=licence_set(c.declared_licences(node), node),
        concluded=licence_set(concluded, node),
    )


@dataclass(frozen=True)
class Inventory:
    """Every node of every document once (graph nodes first, then edge ends), the edges, parents by child."""

    order: list[str]
    components: dict[str, Component]
    edges: list[dict[str, Any]]
    by_child: dict[str, list[dict[str, Any]]]


def inventory(docs: list[c.Doc]) -> Inventory:
    nodes = c.merged_nodes(docs)
    edges = c.merged_edges(docs)
    order = list(nodes)
    for e in edges:
        for end in (str(e.get("child")), str(e.get("parent"))):
            if end not in order:
                order.append(end)
    concluded: dict[str, list[str]] = {}
    for d in docs:
        ids = {n.get("id") for n in (d.get("graph") or {}).get("nodes") or []}
        for nid in order:
            if nid in ids:
                for lic in c.concluded_licences(d, nid):
                    if lic not in concluded.setdefault(nid, []):
                        concluded[nid].append(lic)
    roles = c.roles(docs)
    comps = {nid: component(nid, nodes.get(nid), roles.get(nid, []), concluded.get(nid, [])) for nid in order}
    return Inventory(order, comps, edges, c.parents_of(edges))


def given(*pairs: tuple[str, Any]) -> dict[str, Any]:
    """The (key, value) pairs whose value is set, in order: optional fields of an element."""
    return {k: v for k, v in pairs if v}


def teacher_of(d: c.Doc) -> Any:
    return d.get("root") or (d.get("query") or {}).get("teacher")


def open_points(d: c.Doc) -> list[str]:
    """A plan's obligations, then what forbids it or needs review, one line each (worst first)."""
    lines = [f"Obligation ({o.get('rule')} {o.get('clause')}): {o.get('text')}" for o in d.get("obligations") or []]
    for f in c.sorted_findings(d):
        if f.get("effect") in ("forbid", "review"):
            what = "Forbidden" if f["effect"] == "forbid" else "Needs review"
            lines.append(f"{what} ({c.rule_id(f)} on {f.get('node')}): {f.get('reason')}")
    return lines
