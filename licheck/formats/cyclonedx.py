"""CycloneDX 1.6 ML-BOM: the audited models, their ancestors, datasets and APIs, with declared and concluded licences.

Why CycloneDX: procurement and SCA tools ingest it; 1.6 has `machine-learning-model` components with a
`modelCard`, `data` components, lineage through `pedigree.ancestors` (the maintainers' answer to "base model"
requests) and `acknowledgement: declared | concluded` on licences, which is exactly the difference licheck
exists to show (a Llama fine-tune declaring MIT is concluded to be under the Llama licence too). A concluded
set is one SPDX expression, the one the SPDX output writes (formats.model); since 1.6 allows either licence
entries or one expression per component, the card's declared licences then stand in `evidence.licenses`.
The serial number is a uuid5 of the documents' content, so the same audit gives the same BOM; only
metadata.timestamp changes between identical runs.
"""

from __future__ import annotations

import uuid
from typing import Any

from licheck.formats import _common as c
from licheck.formats import model as m

# Namespace for uuid5 serial numbers (uuid5 of the URL namespace and "https://licheck.dev/cyclonedx").
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://licheck.dev/cyclonedx")
# Nested pedigree levels per component; deeper ancestors are top-level components with their own pedigree.
_MAX_PEDIGREE_DEPTH = 8


def _licence_entry(term: m.LicenceTerm, acknowledgement: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": term.spdx_id} if term.spdx_id else {"name": term.licence}
    if term.url:
        body["url"] = term.url
    if acknowledgement:
        body["acknowledgement"] = acknowledgement
    return {"license": body}


def _licences(comp: m.Component) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(component licenses, evidence licenses).

    CycloneDX 1.6 holds either licence entries or exactly one expression. When licheck concludes something other
    than one declared licence, `licenses` is that conclusion as one expression (the same one SPDX writes) and the
    card's declared licences are the evidence it rests on; otherwise the declared licences are listed.
    """
    declared = [_licence_entry(t, "declared") for t in comp.declared.terms]
    if comp.drifts or len(comp.concluded.terms) > 1:
        return [{"expression": comp.concluded.expression, "acknowledgement": "concluded"}], declared
    return declared, []


def _identity(comp: m.Component) -> dict[str, Any]:
    """type, group, name, version, purl and the Hub page: what identifies a node wherever it appears."""
    out: dict[str, Any] = {"type": "data" if comp.dataset else "machine-learning-model"}
    out.update(m.given(("group", comp.group)))
    out["name"] = comp.name
    out.update(m.given(("version", comp.revision), ("purl", comp.purl)))  # a purl only with a revision
    if comp.url:
        out["externalReferences"] = [{"type": "website", "url": comp.url, "comment": "Hugging Face Hub page"}]
    return out


def _properties(node_id: str, node: c.Node | None, node_roles: list[str]) -> list[dict[str, str]]:
    props: list[dict[str, str]] = [{"name": "licheck:node-id", "value": node_id}]
    n = node or {}
    kind = c.node_kind(node, node_id)
    props.append({"name": "licheck:kind", "value": kind})
    if kind == "api":
        props.append({"name": "licheck:hosted-api", "value": "true"})
        if n.get("provider"):
            props.append({"name": "licheck:provider", "value": str(n["provider"])})
    for role in node_roles:
        props.append({"name": "licheck:role", "value": role})
    for key in ("source", "source_date", "missing_reason", "pipeline_tag", "requested_id"):
        if n.get(key):
            props.append({"name": f"licheck:{key.replace('_', '-')}", "value": str(n[key])})
    if n.get("gated"):
        props.append({"name": "licheck:gated", "value": str(n["gated"]).lower()})
    if n.get("machine_generated"):
        props.append({"name": "licheck:machine-generated", "value": "true"})
    if n.get("unknown_fields"):
        props.append({"name": "licheck:unknown-fields", "value": ", ".join(str(x) for x in n["unknown_fields"])})
    return props


def _ancestors(
    node_id: str,
    inv: m.Inventory,
    trail: tuple[str, ...],
    expanded: set[str],
) -> list[dict[str, Any]]:
    """Weight and output parents (not training datasets of a model), each with its own ancestors.

    Cycles are cut, and an ancestor shared by several parents (merges) is expanded only the first time it is met:
    the tree stays linear in the size of the graph instead of exponential in its depth.
    """
    out: list[dict[str, Any]] = []
    child_is_model = not inv.components[node_id].dataset
    for e in inv.by_child.get(node_id, []):
        parent = str(e.get("parent"))
        pcomp = inv.components[parent]
        if child_is_model and e.get("relation") == "trained_on" and pcomp.dataset:
            continue
        if parent in trail:
            continue
        comp = _identity(pcomp)
        first = parent not in expanded
        if first:  # a repeat is only named (its bom-ref component and first occurrence say the rest)
            lic = [_licence_entry(t, "declared") for t in pcomp.declared.terms]
            if lic:
                comp["licenses"] = lic
        else:
            comp.pop("externalReferences", None)
        comp["properties"] = [
            {"name": "licheck:node-id", "value": parent},
            {"name": "licheck:relation", "value": f"{e.get('relation')} of {node_id}"},
            {"name": "licheck:relation-source", "value": str(e.get("relation_source", ""))},
        ]
        if first and len(trail) >= _MAX_PEDIGREE_DEPTH and inv.by_child.get(parent):
            comp["properties"].append({"name": "licheck:pedigree-continues", "value": f"component {parent}"})
        elif first:
            expanded.add(parent)
            deeper = _ancestors(parent, inv, trail + (parent,), expanded)
            if deeper:
                comp["pedigree"] = {"ancestors": deeper}
        out.append(comp)
    return out


def _considerations(docs: list[c.Doc], node_id: str) -> list[str]:
    """The verdicts and obligations of every plan in which this model is the teacher, as plain text."""
    lines: list[str] = []
    for d in docs:
        if m.teacher_of(d) != node_id:
            continue
        lines.append(f"licheck verdict {str(d.get('verdict')).upper()}: {c.audit_label(d)}. {c.DISCLAIMER}")
        lines += m.open_points(d)
    return list(dict.fromkeys(lines))


def render(docs: list[c.Doc]) -> str:
    """One BOM for all documents: components merged by node id, dependencies = provenance edges."""
    inv = m.inventory(docs)
    components: list[dict[str, Any]] = []
    for nid in inv.order:
        cm = inv.components[nid]
        comp: dict[str, Any] = {"bom-ref": nid}
        comp.update(_identity(cm))
        lic, evidence = _licences(cm)
        if lic:
            comp["licenses"] = lic
        props = _properties(nid, cm.node, list(cm.roles))
        for d in docs:
            if m.teacher_of(d) == nid:
                verdict = f"{d.get('verdict')}: {c.audit_label(d)}"
                props.append({"name": "licheck:verdict", "value": verdict})
        if cm.drifts:
            props.append({"name": "licheck:licence-note", "value": cm.drift_note()})
        if lic and "expression" in lic[0]:  # an expression has no place for its terms' texts: name them here
            for ref, url in cm.concluded.custom_refs().items():
                props.append({"name": "licheck:licence-text", "value": f"{ref}: {url}"})
        comp["properties"] = props
        ancestors = _ancestors(nid, inv, (nid,), set())
        if ancestors:
            comp["pedigree"] = {"ancestors": ancestors}
        if evidence:
            comp["evidence"] = {"licenses": evidence}
        if comp["type"] == "machine-learning-model":
            card: dict[str, Any] = {}
            params: dict[str, Any] = {}
            if cm.node and cm.node.get("pipeline_tag"):
                params["task"] = str(cm.node["pipeline_tag"])
            datasets = [
                str(e.get("parent"))
                for e in inv.by_child.get(nid, [])
                if e.get("relation") == "trained_on" and inv.components[str(e.get("parent"))].dataset
            ]
            if datasets:
                params["datasets"] = [{"ref": ref} for ref in dict.fromkeys(datasets)]
            if params:
                card["modelParameters"] = params
            use_cases = _considerations(docs, nid)
            if use_cases:
                card["considerations"] = {"useCases": use_cases}
            if card:
                comp["modelCard"] = card
        components.append(comp)

    dependencies = []
    for nid in inv.order:
        parents = list(dict.fromkeys(str(e.get("parent")) for e in inv.by_child.get(nid, [])))
        entry: dict[str, Any] = {"ref": nid}
        if parents:
            entry["dependsOn"] = parents
        dependencies.append(entry)

    first = docs[0] if docs else {}
    meta_props = [{"name": "licheck:disclaimer", "value": c.DISCLAIMER}]
    for d in docs:
        meta_props.append({"name": "licheck:verdict", "value": f"{d.get('verdict')}: {c.audit_label(d)}"})
    for key, name in (("rules_version", "licheck:rules-version"), ("schema_version", "licheck:audit-schema-version")):
        if first.get(key):
            meta_props.append({"name": name, "value": str(first[key])})
    snap = sorted(
        {
            str((d.get("sources") or {}).get("snapshot_date"))
            for d in docs
            if (d.get("sources") or {}).get("snapshot_date")
        }
    )
    for s in snap:
        meta_props.append({"name": "licheck:snapshot-date", "value": s})
    bom: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{uuid.uuid5(_NAMESPACE, c.content_digest(docs))}",
        "version": 1,
        "metadata": {
            "timestamp": c.generated_at(docs),
            "tools": {
                "components": [
                    {"type": "application", "name": "licheck", "version": str(first.get("tool_version") or "0")}
                ]
            },
            "properties": meta_props,
        },
        "components": components,
        "dependencies": dependencies,
    }
    return c.dumps(bom)
