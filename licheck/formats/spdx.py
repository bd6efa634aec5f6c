"""SPDX 3.0.1 JSON-LD with the AI and Dataset profiles: models, datasets, lineage and licences.

Why SPDX 3: it is the ISO-track SBOM standard with first-class AI packages (`ai_AIPackage`), datasets
(`dataset_DatasetPackage`) and the relationships procurement asks about: `ancestorOf` (parent -> child),
`trainedOn` (model -> dataset), `generates` (API -> data it produced), `hasDeclaredLicense` and
`hasConcludedLicense` (with the written explanation the Licensing profile asks for when they differ).
Element ids are derived from the documents' content hash and each node id, so equal input gives equal ids.
"""

from __future__ import annotations

import re
from typing import Any

from licheck.formats import _common as c
from licheck.formats import model as m

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
CREATION = "_:creationinfo"


class _Graph:
    """Collects elements once each, by spdxId, in insertion order."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace
        self.elements: dict[str, dict[str, Any]] = {}

    def id(self, kind: str, key: str, readable: str | None = None) -> str:
        """`NS#kind-readable-hash`: readable from the key (a node id), the hash keeps slugged keys apart."""
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", key if readable is None else readable).strip("-")[:80] or "x"
        return f"{self.ns}#{kind}-{slug}-{c.short_hash(kind + ':' + key, 8)}"

    def add(self, element: dict[str, Any]) -> str:
        sid = element["spdxId"]
        if sid not in self.elements:
            self.elements[sid] = element
        return sid

    def relationship(self, src: str, rel: str, to: list[str], comment: str | None = None) -> str:
        sid = self.id("rel", f"{src}|{rel}|{'|'.join(to)}", rel)
        el: dict[str, Any] = {
            "type": "Relationship",
            "spdxId": sid,
            "creationInfo": CREATION,
            "from": src,
            "relationshipType": rel,
            "to": to,
        }
        if comment:
            el["comment"] = comment
        return self.add(el)

    def licence(self, licences: m.LicenceSet) -> str:
        """A licence expression element; LicenseRef terms carry the URL of their text when licheck knows it."""
        expression = licences.expression
        refs = licences.custom_refs()
        el: dict[str, Any] = {
            "type": "simplelicensing_LicenseExpression",
            "spdxId": self.id("license", expression + "".join(f"|{k}={v}" for k, v in refs.items()), expression),
            "creationInfo": CREATION,
            "simplelicensing_licenseExpression": expression,
        }
        if refs:
            el["simplelicensing_customIdToUri"] = [
                {"type": "DictionaryEntry", "key": k, "value": v} for k, v in refs.items()
            ]
        return self.add(el)


def _package(g: _Graph, cm: m.Component, orgs: dict[str, str]) -> dict[str, Any]:
    nid, kind, dataset, group = cm.id, cm.kind, cm.dataset, cm.group
    n = cm.node or {}
    el: dict[str, Any] = {
        "type": "dataset_DatasetPackage" if dataset else "ai_AIPackage",
        "spdxId": g.id("dataset" if dataset else "model", nid),
        "creationInfo": CREATION,
        "name": nid,
    }
    el.update(m.given(("suppliedBy", orgs.get(group or "")), ("software_downloadLocation", cm.url)))
    el.update(m.given(("software_homePage", cm.url), ("software_packageVersion", cm.revision)))
    el.update(m.given(("software_packageUrl", cm.purl)))  # a purl only with a revision
    el["software_primaryPurpose"] = "data" if dataset else "model"
    notes: list[str] = [f"licheck node {nid} ({kind}), read from {n.get('source', 'unknown source')}"]
    if n.get("source_date"):
        notes.append(f"recorded {n['source_date']}")
    if kind == "api":
        notes.append(
            f"hosted API product of {n.get('provider') or group or 'an unknown provider'}: no weights are distributed; "
            "its terms of service bind the outputs"
        )
    if kind == "missing" and n.get("missing_reason"):
        notes.append(f"could not be read: {n['missing_reason']}")
    if n.get("unknown_fields"):
        notes.append("not recorded by the source: " + ", ".join(str(x) for x in n["unknown_fields"]))
    el["comment"] = "; ".join(notes) + "."
    if dataset:
        el["dataset_datasetType"] = ["noAssertion"]
        if n.get("machine_generated"):
            el["dataset_dataCollectionProcess"] = "Declared machine-generated (synthetic) in the dataset card."
    elif n.get("pipeline_tag"):
        el["ai_informationAboutApplication"] = f"Hugging Face pipeline tag: {n['pipeline_tag']}"
    return el


def _verdict_statement(d: c.Doc) -> str:
    q = d.get("query") or {}
    parts = [f"licheck verdict {str(d.get('verdict')).upper()}: {c.audit_label(d)}."]
    facts = c.licensee_facts(q)
    if facts:
        parts.append("Licensee: " + ", ".join(facts) + ".")
    parts += m.open_points(d)
    parts.append(c.DISCLAIMER)
    return "\n".join(parts)


def render(docs: list[c.Doc]) -> str:
    """One SPDX document for all audits: packages merged by node id, one verdict annotation per audit."""
    digest = c.content_digest(docs)
    g = _Graph(f"https://licheck.dev/spdx/{digest[:32]}")
    first = docs[0] if docs else {}
    version = str(first.get("tool_version") or "0")
    agent = g.id("agent", "licheck")
    tool = g.id("tool", "licheck")
    creation = {
        "type": "CreationInfo",
        "@id": CREATION,
        "specVersion": "3.0.1",
        "created": c.generated_at(docs),
        "createdBy": [agent],
        "createdUsing": [tool],
        "comment": c.DISCLAIMER,
    }
    g.add({"type": "SoftwareAgent", "spdxId": agent, "creationInfo": CREATION, "name": "licheck"})
    g.add({"type": "Tool", "spdxId": tool, "creationInfo": CREATION, "name": f"licheck {version}"})

    inv = m.inventory(docs)
    order = inv.order
    orgs: dict[str, str] = {}
    for nid in order:
        group = inv.components[nid].group
        if group and group not in orgs:
            orgs[group] = g.add(
                {
                    "type": "Organization",
                    "spdxId": g.id("org", group),
                    "creationInfo": CREATION,
                    "name": group,
                    "comment": "Hub namespace or API provider named in the id; not verified as a legal entity.",
                }
            )
    packages = {nid: g.add(_package(g, inv.components[nid], orgs)) for nid in order}

    for e in inv.edges:
        child, parent, rel = str(e.get("child")), str(e.get("parent")), str(e.get("relation"))
        note = f"licheck relation {rel}, decided by {e.get('relation_source', 'unknown')}"
        weak = [x.get("detail") for x in e.get("evidence") or [] if x.get("weak")]
        if weak:
            note += f" (weak evidence: {weak[0]})"
        if rel == "trained_on" and inv.components[parent].dataset:
            g.relationship(packages[child], "trainedOn", [packages[parent]], note)
        elif rel == "generated_by":
            g.relationship(packages[parent], "generates", [packages[child]], note)
        else:  # finetune, adapter, quantized, merge, distillation (and a model "trained on" a model)
            g.relationship(packages[parent], "ancestorOf", [packages[child]], note)

    for nid in order:
        cm = inv.components[nid]
        if cm.kind == "api":
            continue
        if cm.declared.terms:
            g.relationship(packages[nid], "hasDeclaredLicense", [g.licence(cm.declared)])
        if cm.concluded.terms:
            g.relationship(
                packages[nid],
                "hasConcludedLicense",
                [g.licence(cm.concluded)],
                cm.drift_note() if cm.drifts else None,
            )

    doc_id = g.id("document", digest, "licheck")
    roots: list[str] = []
    for d in docs:
        teacher = str(m.teacher_of(d))
        if teacher in packages and packages[teacher] not in roots:
            roots.append(packages[teacher])
        g.add(
            {
                "type": "Annotation",
                "spdxId": g.id("verdict", c.content_digest([d]), "review"),
                "creationInfo": CREATION,
                "annotationType": "review",
                # A check of a policy file has no package: its verdict is about the whole document.
                "subject": packages.get(teacher, doc_id),
                "statement": _verdict_statement(d),
            }
        )

    teachers = ", ".join(dict.fromkeys(str((d.get("query") or {}).get("teacher")) for d in docs))
    document = {
        "type": "SpdxDocument",
        "spdxId": doc_id,
        "creationInfo": CREATION,
        "name": f"licheck distillation audit: {teachers}" if teachers else "licheck distillation audit",
        "comment": c.DISCLAIMER,
        "profileConformance": ["core", "software", "ai", "dataset", "simpleLicensing"],
        "element": list(g.elements),
    }
    if roots:
        document["rootElement"] = roots
    graph = [creation, document] + list(g.elements.values())
    return c.dumps({"@context": CONTEXT, "@graph": graph})
