"""CycloneDX 1.6 ML-BOM: the audited models, their ancestors, datasets and APIs, with declared and concluded licences.

Why CycloneDX: procurement and SCA tools ingest it; 1.6 has `machine-learning-model` components with a
`modelCard`, `data` components, lineage through `pedigree.ancestors` (the maintainers' answer to "base model"
requests) and `acknowledgement: declared | concluded` on licences, which is exactly the difference licheck
exists to show (a Llama fine-tune declaring MIT is concluded to be under the Llama licence too).
The serial number is a uuid5 of the documents' content, so the same audit gives the same BOM; only
metadata.timestamp changes between identical runs.
"""

from __future__ import annotations

import uuid
from typing import Any

from licheck.formats import _common as c

# Namespace for uuid5 serial numbers (uuid5 of the URL namespace and "https://licheck.dev/cyclonedx").
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://licheck.dev/cyclonedx")
# Nested pedigree levels per component; deeper ancestors are top-level components with their own pedigree.
_MAX_PEDIGREE_DEPTH = 8


def _licence_entry(licence: str, acknowledgement: str, node: c.Node | None) -> dict[str, Any]:
    sid = c.spdx_id(licence)
    body: dict[str, Any] = {"id": sid} if sid else {"name": licence}
    url = None if sid else c.licence_url(licence, node)
    if url:
        body["url"] = url
    body["acknowledgement"] = acknowledgement
    return {"license": body}


def _licences(node_id: str, node: c.Node | None, concluded: list[str]) -> list[dict[str, Any]]:
    declared = c.declared_licences(node)
    out = [_licence_entry(lic, "declared", node) for lic in declared]
    if concluded and not c.same_licences(declared, concluded):
        out += [_licence_entry(lic, "concluded", node) for lic in concluded]
    return out


def _identity(node_id: str, node: c.Node | None) -> dict[str, Any]:
    """type, group, name, version, purl and the Hub page: what identifies a node wherever it appears."""
    kind = c.node_kind(node, node_id)
    group, name = c.split_id(node_id)
    out: dict[str, Any] = {"type": "data" if c.is_dataset(node, node_id) else "machine-learning-model"}
    if group:
        out["group"] = group
    out["name"] = name
    revision = (node or {}).get("revision")
    if isinstance(revision, str) and revision:
        out["version"] = revision
        if kind == "model" and group and len(revision) == 40 and all(ch in "0123456789abcdefABCDEF" for ch in revision):
            out["purl"] = f"pkg:huggingface/{group}/{name}@{revision.lower()}"
    url = c.hub_url(node_id, kind)
    if url:
        out["externalReferences"] = [{"type": "website", "url": url, "comment": "Hugging Face Hub page"}]
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
    nodes: dict[str, c.Node],
    by_child: dict[str, list[dict[str, Any]]],
    trail: tuple[str, ...],
    expanded: set[str],
) -> list[dict[str, Any]]:
    """Weight and output parents (not training datasets of a model), each with its own ancestors.

    Cycles are cut, and an ancestor shared by several parents (merges) is expanded only the first time it is met:
    the tree stays linear in the size of the graph instead of exponential in its depth.
    """
    out: list[dict[str, Any]] = []
    child_is_model = not c.is_dataset(nodes.get(node_id), node_id)
    for e in by_child.get(node_id, []):
        parent = str(e.get("parent"))
        pnode = nodes.get(parent)
        if child_is_model and e.get("relation") == "trained_on" and c.is_dataset(pnode, parent):
            continue
        if parent in trail:
            continue
        comp = _identity(parent, pnode)
        first = parent not in expanded
        if first:  # a repeat is only named (its bom-ref component and first occurrence say the rest)
            lic = [_licence_entry(x, "declared", pnode) for x in c.declared_licences(pnode)]
            if lic:
                comp["licenses"] = lic
        else:
            comp.pop("externalReferences", None)
        comp["properties"] = [
            {"name": "licheck:node-id", "value": parent},
            {"name": "licheck:relation", "value": f"{e.get('relation')} of {node_id}"},
            {"name": "licheck:relation-source", "value": str(e.get("relation_source", ""))},
        ]
        if first and len(trail) >= _MAX_PEDIGREE_DEPTH and by_child.get(parent):
            comp["properties"].append({"name": "licheck:pedigree-continues", "value": f"component {parent}"})
        elif first:
            expanded.add(parent)
            deeper = _ancestors(parent, nodes, by_child, trail + (parent,), expanded)
            if deeper:
                comp["pedigree"] = {"ancestors": deeper}
        out.append(comp)
    return out


def _considerations(docs: list[c.Doc], node_id: str) -> list[str]:
    """The verdicts and obligations of every plan in which this model is the teacher, as plain text."""
    lines: list[str] = []
    for d in docs:
        if (d.get("root") or (d.get("query") or {}).get("teacher")) != node_id:
            continue
        lines.append(f"licheck verdict {str(d.get('verdict')).upper()}: {c.audit_label(d)}. {c.DISCLAIMER}")
        for o in d.get("obligations") or []:
            lines.append(f"Obligation ({o.get('rule')} {o.get('clause')}): {o.get('text')}")
        for f in c.sorted_findings(d):
            if f.get("effect") in ("forbid", "review"):
                what = "Forbidden" if f["effect"] == "forbid" else "Needs review"
                lines.append(f"{what} ({c.rule_id(f)} on {f.get('node')}): {f.get('reason')}")
    return list(dict.fromkeys(lines))


def render(docs: list[c.Doc]) -> str:
    """One BOM for all documents: components merged by node id, dependencies = provenance edges."""
    nodes = c.merged_nodes(docs)
    edges = c.merged_edges(docs)
    by_child = c.parents_of(edges)
    node_roles = c.roles(docs)
    order = list(nodes)
    for e in edges:
        for end in (str(e.get("child")), str(e.get("parent"))):
            if end not in nodes and end not in order:
                order.append(end)
    concluded: dict[str, list[str]] = {}
    for d in docs:
        ids = {n.get("id") for n in (d.get("graph") or {}).get("nodes") or []}
        for nid in order:
            if nid in ids:
                for lic in c.concluded_licences(d, nid):
                    if lic not in concluded.setdefault(nid, []):
                        concluded[nid].append(lic)

    components: list[dict[str, Any]] = []
    for nid in order:
        node = nodes.get(nid)
        comp: dict[str, Any] = {"bom-ref": nid}
        comp.update(_identity(nid, node))
        lic = _licences(nid, node, concluded.get(nid, []))
        if lic:
            comp["licenses"] = lic
        props = _properties(nid, node, node_roles.get(nid, []))
        for d in docs:
            if (d.get("root") or (d.get("query") or {}).get("teacher")) == nid:
                verdict = f"{d.get('verdict')}: {c.audit_label(d)}"
                props.append({"name": "licheck:verdict", "value": verdict})
        declared = c.declared_licences(node)
        if concluded.get(nid) and not c.same_licences(declared, concluded[nid]):
            props.append({"name": "licheck:licence-note", "value": c.drift_note(nid, declared, concluded[nid])})
        comp["properties"] = props
        ancestors = _ancestors(nid, nodes, by_child, (nid,), set())
        if ancestors:
            comp["pedigree"] = {"ancestors": ancestors}
        if comp["type"] == "machine-learning-model":
            card: dict[str, Any] = {}
            params: dict[str, Any] = {}
            if node and node.get("pipeline_tag"):
                params["task"] = str(node["pipeline_tag"])
            datasets = [
                str(e.get("parent"))
                for e in by_child.get(nid, [])
                if e.get("relation") == "trained_on"
                and c.is_dataset(nodes.get(str(e.get("parent"))), str(e.get("parent")))
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
    for nid in order:
        parents = list(dict.fromkeys(str(e.get("parent")) for e in by_child.get(nid, [])))
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
