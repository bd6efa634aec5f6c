"""Facts every procurement format needs, read from audit JSON documents only (never from live objects).

Why one module: Markdown, SARIF, CycloneDX and SPDX must agree on where an artifact lives, which licences a
node declares, which licences licheck concluded govern it, and how a finding is identified. Everything here is a
pure function of the documents (plus the packaged rule library's titles and kinds), so identical documents give
identical output.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]
Node = dict[str, Any]
Finding = dict[str, Any]

HUB = "https://huggingface.co"
DISCLAIMER = "licheck reports what licence and terms texts say about a plan; it is not legal advice."
# Relations through which a parent's weights end up in the child (mirrors licheck.domain.WEIGHT_RELATIONS).
WEIGHT_RELATIONS = frozenset({"finetune", "adapter", "quantized", "merge"})
# Findings that mean "this node's own licence could not be matched to a rule": its declared licence still governs.
_UNRULED_FLAGS = frozenset({"license_needs_review", "license_unresolvable"})
# Rule ids of findings about the data or the organisation's policy, not a licence (licheck.check adds "policy").
NON_LICENCE_RULES = frozenset({"licheck", "policy"})
# Timestamp fields of an audit document; everything else is content.
_TIMESTAMP_KEYS = frozenset({"generated_at"})

# Hub `license:` ids that are real SPDX licence ids (checked in tests against license-expression's SPDX list and
# CycloneDX's SPDX enum). Family ids (bsd, cc, gpl, openrail ...) and model licences have no SPDX id.
SPDX_IDS: dict[str, str] = {
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "afl-3.0": "AFL-3.0",
    "artistic-2.0": "Artistic-2.0",
    "bsl-1.0": "BSL-1.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-3-clause-clear": "BSD-3-Clause-Clear",
    "c-uda": "C-UDA-1.0",
    "cc0-1.0": "CC0-1.0",
    "cc-by-2.0": "CC-BY-2.0",
    "cc-by-2.5": "CC-BY-2.5",
    "cc-by-3.0": "CC-BY-3.0",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-by-nc-2.0": "CC-BY-NC-2.0",
    "cc-by-nc-3.0": "CC-BY-NC-3.0",
    "cc-by-nc-4.0": "CC-BY-NC-4.0",
    "cc-by-nd-4.0": "CC-BY-ND-4.0",
    "cc-by-nc-nd-3.0": "CC-BY-NC-ND-3.0",
    "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0",
    "cc-by-nc-sa-2.0": "CC-BY-NC-SA-2.0",
    "cc-by-nc-sa-3.0": "CC-BY-NC-SA-3.0",
    "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0",
    "cdla-sharing-1.0": "CDLA-Sharing-1.0",
    "cdla-permissive-1.0": "CDLA-Permissive-1.0",
    "cdla-permissive-2.0": "CDLA-Permissive-2.0",
    "wtfpl": "WTFPL",
    "ecl-2.0": "ECL-2.0",
    "epl-1.0": "EPL-1.0",
    "epl-2.0": "EPL-2.0",
    "etalab-2.0": "etalab-2.0",
    "eupl-1.1": "EUPL-1.1",
    "eupl-1.2": "EUPL-1.2",
    # The Hub ids name no "-only"/"-or-later" variant: the (deprecated) bare SPDX ids say exactly that much.
    "agpl-3.0": "AGPL-3.0",
    "gpl-2.0": "GPL-2.0",
    "gpl-3.0": "GPL-3.0",
    "lgpl-2.1": "LGPL-2.1",
    "lgpl-3.0": "LGPL-3.0",
    "isc": "ISC",
    "lppl-1.3c": "LPPL-1.3c",
    "ms-pl": "MS-PL",
    "mpl-2.0": "MPL-2.0",
    "odc-by": "ODC-By-1.0",
    "odbl": "ODbL-1.0",
    "osl-3.0": "OSL-3.0",
    "postgresql": "PostgreSQL",
    "ofl-1.1": "OFL-1.1",
    "ncsa": "NCSA",
    "unlicense": "Unlicense",
    "zlib": "Zlib",
    "pddl": "PDDL-1.0",
}
# Declared values that say nothing about the licence.
_NON_LICENCES = frozenset({"unknown", "none", "noassertion", ""})

EFFECT_ORDER = {"forbid": 0, "review": 1, "obligation": 2, "info": 3, "permit": 4}

# One line per licheck finding kind (rule "licheck", no clause), for SARIF rule descriptions and Markdown.
TOOL_FLAGS: dict[str, str] = {
    "cycle": "The provenance graph contains a cycle.",
    "node_unreadable": "A model, dataset or API in the provenance could not be read; its terms are unknown.",
    "metadata_incomplete": "The data source does not record a node's base models; its ancestry may be incomplete.",
    "synthetic_data_unknown_generator": "A dataset is declared machine-generated; its generating model is not named.",
    "license_unresolvable": "A node's licence is missing or cannot be identified.",
    "license_needs_review": "A node's licence has no rule with a verified primary text; it needs review.",
    "license_sources_disagree": "A node's licence sources (card, Hub tags) disagree; all are applied.",
    "license_choice": "A licence offers a choice (OR); the least restrictive alternative is shown.",
    "api_terms_unknown": "No terms of service for this API are in the rule library.",
    "license_from_base": "A quantisation names no licence of its own; its base's licence governs it.",
    "license_from_file": "A node's licence was identified from its LICENSE file by text fingerprint.",
}


# -- identifiers and locations ---------------------------------------------------------------------------------
def is_local(node_id: str) -> bool:
    return node_id.startswith(("./", "../", "/", "~")) or node_id in (".", "..")


def hub_url(node_id: str, kind: str | None = None) -> str | None:
    """The Hub page of a model or dataset id; None for API products, local folders and pseudo-ids (`invalid:`,
    `unread:`: a value that is no Hub id, ancestors that were not read)."""
    if not node_id or node_id.startswith(("api:", "invalid:", "unread:")) or kind == "api" or is_local(node_id):
        return None
    if node_id.startswith("datasets/"):
        return f"{HUB}/datasets/{node_id[len('datasets/') :]}"
    return f"{HUB}/{node_id}"


def local_uri(node_id: str) -> str:
    """A local folder as a relative path (SARIF artifactLocation, after as_uri_reference)."""
    value = node_id[2:] if node_id.startswith("./") else node_id
    return value.replace("\\", "/") or "."


def as_uri_reference(value: str) -> str:
    """Percent-encode what a URI reference may not contain (spaces, non-ASCII), keeping existing escapes."""
    from urllib.parse import quote

    return quote(value, safe="/:@!$&'()*+,;=-._~%?#[]")


def split_id(node_id: str) -> tuple[str | None, str]:
    """(group, name) of a node id: 'org/name', 'datasets/org/name' and 'api:vendor/model' all give (org, name)."""
    bare = node_id
    if bare.startswith("datasets/"):
        bare = bare[len("datasets/") :]
    elif bare.startswith("api:"):
        bare = bare[len("api:") :]
    if is_local(node_id) or "/" not in bare:
        return None, node_id
    group, name = bare.split("/", 1)
    return group, name


def node_kind(node: Node | None, node_id: str) -> str:
    if node and node.get("kind"):
        return str(node["kind"])
    if node_id.startswith("datasets/"):
        return "dataset"
    if node_id.startswith("api:"):
        return "api"
    return "model"


def is_dataset(node: Node | None, node_id: str) -> bool:
    return node_kind(node, node_id) == "dataset" or node_id.startswith("datasets/")


def artifact_url(node_id: str, nodes: dict[str, Node]) -> str | None:
    """The Hub page of a node of the graph, or of an id that can only be a Hub repo (org/name).

    A bare name outside the graph (a policy file such as licheck.yaml that `licheck check` reports on) is not
    guessed to be a Hub model.
    """
    if not isinstance(node_id, str) or not node_id:
        return None
    if node_id in nodes:
        return hub_url(node_id, node_kind(nodes[node_id], node_id))
    bare = node_id[len("datasets/") :] if node_id.startswith("datasets/") else node_id
    if "/" in bare and not is_local(node_id):
        return hub_url(node_id)
    return None


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def finding_location(f: Finding, nodes: dict[str, Node], doc: Doc | None = None) -> tuple[str, int | None]:
    """Where a finding points: its own location (a card or licheck.yaml line), else the artifact's page.

    API nodes have no Hub page: the nearest Hub model or dataset on the finding's path (the artifact that brought
    the API's outputs in) stands for them; then the file a `licheck check` document is about; then the terms
    document quoted (a directly named API).
    """
    loc = f.get("location")
    if isinstance(loc, dict) and isinstance(loc.get("uri"), str) and loc["uri"]:
        return loc["uri"], _line(loc.get("line"))
    for nid in [f.get("node", "")] + list(reversed(f.get("path") or [])):
        if not isinstance(nid, str):
            continue
        if is_local(nid):
            return local_uri(nid), None
        url = artifact_url(nid, nodes)
        if url:
            return url, None
    if doc and isinstance(doc.get("path"), str) and doc["path"]:
        return doc["path"], _line(doc.get("line"))
    if isinstance(f.get("url"), str) and f["url"]:
        return f["url"], None
    return str(f.get("node") or "unknown"), None


def rule_id(f: Finding) -> str:
    """SARIF-style rule id: 'RULE/CLAUSE', or 'licheck/FLAG' for findings about the data itself."""
    if f.get("clause"):
        return f"{f['rule']}/{f['clause']}"
    return f"{f.get('rule') or 'licheck'}/{f.get('flag') or 'finding'}"


def fingerprint(f: Finding) -> str:
    """Stable across runs: rule/clause, node and path (and, for clause-less findings, the reason)."""
    parts = [rule_id(f), str(f.get("node", "")), " > ".join(str(p) for p in f.get("path") or [])]
    if not f.get("clause"):
        parts.append(str(f.get("reason", "")))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def content_digest(docs: Iterable[Doc]) -> str:
    """sha256 of the documents without their timestamps: the seed of serial numbers and document ids."""
    stripped = [{k: v for k, v in d.items() if k not in _TIMESTAMP_KEYS} for d in docs]
    blob = json.dumps(stripped, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def short_hash(text: str, n: int = 10) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:n]


def generated_at(docs: list[Doc]) -> str:
    """The latest generation time of the documents (ISO 8601 UTC strings sort chronologically)."""
    stamps = sorted(str(d.get("generated_at")) for d in docs if d.get("generated_at"))
    return stamps[-1] if stamps else "1970-01-01T00:00:00Z"


# -- graphs --------------------------------------------------------------------------------------------------
def merged_nodes(docs: list[Doc]) -> dict[str, Node]:
    """Every node of every document, first description wins, in first-seen order."""
    out: dict[str, Node] = {}
    for d in docs:
        for n in (d.get("graph") or {}).get("nodes") or []:
            if isinstance(n, dict) and isinstance(n.get("id"), str):
                out.setdefault(n["id"], n)
    return out


def merged_edges(docs: list[Doc]) -> list[dict[str, Any]]:
    """Every edge of every document once (by child, parent, relation), in first-seen order."""
    seen: set[tuple[str, str, str]] = set()
    out: list[dict[str, Any]] = []
    for d in docs:
        for e in (d.get("graph") or {}).get("edges") or []:
            key = (str(e.get("child")), str(e.get("parent")), str(e.get("relation")))
            if key not in seen:
                seen.add(key)
                out.append(e)
    return out


def parents_of(edges: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_child: dict[str, list[dict[str, Any]]] = {}
    for e in edges:
        by_child.setdefault(str(e.get("child")), []).append(e)
    return by_child


def weight_closure(node_id: str, by_child: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The node and every ancestor whose weights it contains (breadth first, cycles cut)."""
    order = [node_id]
    seen = {node_id}
    i = 0
    while i < len(order):
        for e in by_child.get(order[i], []):
            parent = str(e.get("parent"))
            if e.get("relation") in WEIGHT_RELATIONS and parent not in seen:
                seen.add(parent)
                order.append(parent)
        i += 1
    return order


def roles(docs: list[Doc]) -> dict[str, list[str]]:
    """node id -> roles it plays in the documents' plans (teacher, student-base)."""
    out: dict[str, list[str]] = {}
    for d in docs:
        q = d.get("query") or {}
        teacher = d.get("root") or q.get("teacher")
        for nid, role in ((teacher, "teacher"), (q.get("student"), "student-base")):
            if isinstance(nid, str) and nid and role not in out.setdefault(nid, []):
                out[nid].append(role)
    return out


# -- licences ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleMeta:
    """What the formats need to know about a rule: its title, kind and the Hub licence id it stands for."""

    title: str
    kind: str
    hub_id: str | None
    source_url: str | None = None


_RULE_META: dict[str, RuleMeta] | None = None


def rule_meta() -> dict[str, RuleMeta]:
    """Titles and kinds of the packaged rules (loaded once, lazily; empty if the library cannot be read)."""
    global _RULE_META
    if _RULE_META is None:
        meta: dict[str, RuleMeta] = {}
        try:
            from licheck.rules.ruleset import load_rules

            for r in load_rules([]).rules.values():
                hub = r.identifiers.get("hub") or ()
                meta[r.id] = RuleMeta(r.title, r.kind, hub[0] if hub else None, r.source_url or None)
        except Exception:  # a broken library must not stop a report; ids are shown instead of titles
            meta = {}
        _RULE_META = meta
    return _RULE_META


def declared_licences(node: Node | None) -> list[str]:
    """Licence ids exactly as the node's metadata declares them (card, else Hub tags; `other` -> license_name)."""
    if not node:
        return []
    lic = node.get("license") or {}
    card = lic.get("license")
    values = [card] if isinstance(card, str) else list(card or [])
    if not values:
        values = list(lic.get("tags") or [])
    out: list[str] = []
    for v in values:
        if not isinstance(v, str):
            continue
        v = v.strip()
        if v.lower() == "other" and isinstance(lic.get("license_name"), str) and lic["license_name"].strip():
            v = lic["license_name"].strip()
        if v.lower() in _NON_LICENCES or v in out:
            continue
        out.append(v)
    return out


def concluded_licences(doc: Doc, node_id: str) -> list[str]:
    """Licences licheck found governing a node: its own and those of every ancestor whose weights it contains.

    Read from the findings: a licence rule evaluated on the node or on a weight ancestor governs it (an ancestor
    whose terms were superseded by a same-licensor relicensing has no findings and so does not count); a node
    whose licence matched no rule contributes its declared ids. Empty when licheck could conclude nothing.
    """
    nodes = {n["id"]: n for n in (doc.get("graph") or {}).get("nodes") or [] if isinstance(n, dict) and "id" in n}
    by_child = parents_of((doc.get("graph") or {}).get("edges") or [])
    meta = rule_meta()
    per_node: dict[str, list[str]] = {}
    for f in doc.get("findings") or []:
        nid = str(f.get("node"))
        rid = str(f.get("rule") or "")
        if rid in NON_LICENCE_RULES:
            if f.get("flag") in _UNRULED_FLAGS:
                for lid in declared_licences(nodes.get(nid)):
                    if lid not in per_node.setdefault(nid, []):
                        per_node[nid].append(lid)
            continue
        m = meta.get(rid)
        if m is not None and m.kind != "licence":
            continue
        label = (m.hub_id if m else None) or rid
        if label not in per_node.setdefault(nid, []):
            per_node[nid].append(label)
    out: list[str] = []
    for nid in weight_closure(node_id, by_child):
        if node_kind(nodes.get(nid), nid) == "api":
            continue
        for label in per_node.get(nid, []):
            if label not in out:
                out.append(label)
    return out


def licence_url(licence: str, node: Node | None = None) -> str | None:
    """Where a licence's text is: the node's own license_link, else the source of the rule for that licence."""
    link = ((node or {}).get("license") or {}).get("license_link")
    if isinstance(link, str) and link.startswith(("http://", "https://")) and licence in declared_licences(node):
        return link
    low = licence.lower()
    for rid, m in sorted(rule_meta().items()):
        if m.kind == "licence" and (rid == low or (m.hub_id or "").lower() == low) and m.source_url:
            return m.source_url
    return None


def same_licences(a: list[str], b: list[str]) -> bool:
    return {x.lower() for x in a} == {x.lower() for x in b}


def spdx_id(licence: str) -> str | None:
    """The SPDX licence id of a Hub licence id, or None when it has none."""
    if licence in SPDX_IDS.values():
        return licence
    return SPDX_IDS.get(licence.lower())


def licence_ref(licence: str) -> str:
    """An SPDX expression term for any licence id: the SPDX id, else LicenseRef-licheck-<id>."""
    sid = spdx_id(licence)
    if sid:
        return sid
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", licence).strip("-.") or "unnamed"
    return f"LicenseRef-licheck-{slug}"


def licence_expression(licences: list[str]) -> str:
    """All licences apply at once (the engine ANDs a card's list and every ancestor's terms)."""
    terms: list[str] = []
    for lic in licences:
        t = licence_ref(lic)
        if t not in terms:
            terms.append(t)
    return " AND ".join(terms)


def drift_note(node_id: str, declared: list[str], concluded: list[str]) -> str:
    """The written explanation SPDX asks for when concluded and declared licences differ."""
    said = ", ".join(declared) if declared else "no licence"
    return (
        f"{node_id} declares {said}; licheck concluded {', '.join(concluded)} govern it, because the terms of "
        "ancestors whose weights it contains still apply to a derivative (a re-labelled fine-tune stays bound by "
        "its base model's licence)."
    )


# -- text ---------------------------------------------------------------------------------------------------
def audit_label(doc: Doc) -> str:
    """The plan in one sentence, prefixed by the checked file for `licheck check` results."""
    sentence = plan_sentence(doc.get("query") or {})
    path = doc.get("path")
    if isinstance(path, str) and path:
        line = doc.get("line")
        where = f"{path}:{line}" if isinstance(line, int) and not isinstance(line, bool) else path
        return f"{doc.get('kind') or 'check'} {where}: {sentence}"
    return sentence


def waiver_text(w: dict[str, Any]) -> str:
    """Who accepted a finding, why and until when (a waiver of `licheck check`)."""
    return f"waived until {w.get('expires')} by {w.get('approver')} (ticket {w.get('ticket')}): {w.get('reason')}" + (
        f" ({w['note']})" if w.get("note") else ""
    )


def plan_sentence(q: dict[str, Any]) -> str:
    student = q.get("student")
    return (
        f"distil {q.get('teacher')} into "
        f"{'student base ' + student if student else 'a student trained from scratch'}; "
        f"use {q.get('use')}, {'internal only' if q.get('internal') else 'distributed'}, method {q.get('method')}"
    )


def licensee_facts(q: dict[str, Any]) -> list[str]:
    facts: list[str] = []
    if q.get("mau") is not None:
        facts.append(f"MAU {q['mau']:,}")
    if q.get("monthly_revenue") is not None:
        facts.append(f"monthly revenue USD {q['monthly_revenue']:,}")
    if q.get("annual_revenue") is not None:
        facts.append(f"annual revenue USD {q['annual_revenue']:,}")
    if q.get("eu") is not None:
        facts.append("EU-domiciled" if q["eu"] else "not EU-domiciled")
    return facts


def sorted_findings(doc: Doc) -> list[Finding]:
    """Worst first (forbid, review, obligation, info, permit); stable within an effect."""
    fs = list(doc.get("findings") or [])
    return sorted(fs, key=lambda f: EFFECT_ORDER.get(str(f.get("effect")), 9))


def dumps(obj: Any) -> str:
    """Pretty, key-order-preserving JSON with a final newline (byte-stable for equal input)."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
