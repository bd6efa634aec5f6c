"""Turn one RepoRecord into a graph node and its parent edges, each edge with the evidence behind it.

Relation precedence (the Hub's own relation tag is often wrong): declared `base_model_relation` > file evidence
(adapter_config.json, mergekit_config.yml, quantised artefacts) > several base models (merge) > the Hub tag >
`finetune`. The edge records which source decided.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from licheck.domain import Edge, Evidence, LicenseInfo, ModelNode
from licheck.provenance.filerels import (  # noqa: F401 - moved names stay importable here
    MAX_CONFIG_DEPTH,
    _file_relation,
    _file_relation_each,
    config_disagreement,
    config_level,
)
from licheck.provenance.ids import parent_subject
from licheck.provenance.records import RepoRecord

if TYPE_CHECKING:
    from licheck.rules.apis import ApiCatalogue

_VALID_RELATIONS = {"finetune", "adapter", "quantized", "merge"}
_MAX_PARENTS = 1000


def as_str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def machine_generated(card: dict[str, Any], tags: list[str]) -> bool:
    """A dataset card that says its data was written by a model."""
    creators = card.get("annotations_creators")
    values = creators if isinstance(creators, list) else [creators]
    if any(isinstance(v, str) and v.strip().lower() == "machine-generated" for v in values):
        return True
    lowered = {t.lower() for t in tags if isinstance(t, str)}
    return "synthetic" in lowered or "synthetic-data" in lowered


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def card_licence_fields(card: dict[str, Any]) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
    """(licence values, license_name, license_link, gate heading) as declared, whatever types the card used.
    Shared with the scan's fast reader so both read a card the same way."""
    raw = card.get("license")
    if isinstance(raw, str):
        values = [raw.strip()]
    elif isinstance(raw, list):
        values = [v.strip() for v in raw if isinstance(v, str)]
    elif raw is not None:
        values = [f"<unreadable {type(raw).__name__}>"]
    else:
        values = []
    gate = _text(card.get("extra_gated_prompt"))
    return (
        tuple(v for v in values if v),
        _text(card.get("license_name")),
        _text(card.get("license_link")),
        gate.lstrip("#").strip()[:200] if gate else None,
    )


LicenceKey = tuple[tuple[str, ...], "str | None", "str | None", tuple[str, ...], "str | None"]


def licence_fields(rec: RepoRecord) -> LicenceKey:
    """(card values, license_name, license_link, `license:` tag values, gate heading): the declared licence of a
    record as a hashable tuple (the scan keys its classes on it; license_info builds the node's from it)."""
    values, name, link, gate = card_licence_fields(rec.card_data)
    tags = tuple([t[8:] for t in rec.tags if isinstance(t, str) and t.startswith("license:")])
    return values, name, link, tags, gate


def license_info(rec: RepoRecord) -> LicenseInfo:
    values, name, link, tags, gate = licence_fields(rec)
    return LicenseInfo(
        card=list(values),
        license_name=name,
        license_link=link,
        tags=list(tags),
        gated_prompt_head=gate,
        prose=list(rec.prose_licenses),
        file=rec.license_file,
    )


def node_from_record(rec: RepoRecord) -> ModelNode:
    tags = [t for t in rec.tags if isinstance(t, str)]
    pipeline = rec.pipeline_tag or (
        rec.card_data.get("pipeline_tag") if isinstance(rec.card_data.get("pipeline_tag"), str) else None
    )
    return ModelNode(
        id=rec.key,
        kind="dataset" if rec.kind == "dataset" else "model",
        revision=rec.sha,
        license=license_info(rec),
        gated=rec.gated,
        source=rec.source,
        source_date=rec.recorded,
        last_modified=rec.last_modified,
        pipeline_tag=pipeline,
        tags=tags[:200],
        machine_generated=rec.kind == "dataset"
        and machine_generated(rec.card_data, tags + as_str_list(rec.card_data.get("tags"))),
        requested_id=rec.requested_id,
        unknown=list(rec.unknown),
        problems=list(rec.problems),
    )


def base_model_tag(tag: object) -> tuple[str, str] | None:
    """(relation or "", parent id) of a Hub tag `base_model:<id>` / `base_model:<relation>:<id>`, else None."""
    if not isinstance(tag, str) or not tag.startswith("base_model:"):
        return None
    parts = tag.split(":")
    if len(parts) == 3 and parts[1] in _VALID_RELATIONS:
        return parts[1], parts[2]
    if len(parts) == 2:
        return "", parts[1]
    return None


UNREAD = "unread:"  # pseudo-parent: ancestors known to exist but not read (a `missing` node, never `permitted`)


def unread_parent(child: str, reason: str) -> str:
    """The id of the pseudo-parent standing for what `reason` says was not read (the resolver makes it `missing`).

    A pseudo-parent rather than a flag on the node so that `licheck scan` (which sees ids not in its dump as
    missing leaves) reaches the same verdict without a second mechanism."""
    return f"{UNREAD}{child}: {reason}"


def unread_reason(node_id: str) -> str:
    return node_id.rsplit(": ", 1)[-1]


def distinct_capped(
    values: list[Any], resolve: Callable[[Any], str | None], child: str
) -> tuple[list[str], list[str], int]:
    """(distinct parent ids, unusable values, number of distinct ids beyond the cap) of a `base_model` list.

    De-duplicates before capping: 1,000 copies of one id followed by a second id are two parents. Shared with the
    scan's extractor (which passes its memoised resolver)."""
    kept: dict[str, None] = {}
    invalid: dict[str, None] = {}
    over: set[str] = set()
    seen: set[str] = set()
    for v in values:
        raw = v if isinstance(v, str) else str(v)[:100]
        if raw in seen:
            continue
        seen.add(raw)
        sid = resolve(v) if isinstance(v, str) else None
        if sid is None:
            sid, into = "invalid:" + raw[:100], invalid
        else:
            into = kept
        if sid == child or sid in kept or sid in invalid or sid in over:
            continue
        if len(into) < _MAX_PARENTS:
            into[sid] = None
        else:
            over.add(sid)
    return list(kept), [k[len("invalid:") :] for k in invalid], len(over)


def unread_parents(child: str, over: int, has_parents: bool, file_rel: str | None) -> str | None:
    """The pseudo-parent for base models that exist but are not followed: past the cap, or an adapter / merge
    whose recipe names no parent the card does not name either ("the adapter's base model is unknown")."""
    if over:
        return unread_parent(child, f"{over} more distinct base model(s) than the {_MAX_PARENTS} followed")
    if not has_parents and file_rel == "adapter":
        return unread_parent(child, "the adapter's base model is unknown")
    if not has_parents and file_rel == "merge":
        return unread_parent(child, "the merge's models are unknown")
    return None


def unread_datasets(child: str, over: int) -> str:
    return unread_parent(child, f"{over} more distinct dataset(s) than the {_MAX_PARENTS} followed")


_SUBJECTS: dict[tuple[object, bool, str], str | None] = {}
_SUBJECTS_CAP = 200_000  # popular base ids recur millions of times in a dump; the memo stays bounded


def _subject_id(value: str, api: ApiCatalogue | None, dataset: bool = False) -> str | None:
    """`parent_subject(value).id` (None: not a usable id), memoised: a dump names the same bases again and again."""
    if not isinstance(value, str):
        return None
    k = (api, dataset, value)
    got = _SUBJECTS.get(k, 0)
    if got == 0:
        if len(_SUBJECTS) > _SUBJECTS_CAP:
            _SUBJECTS.clear()
        subj = parent_subject(value, dataset=dataset, api_lookup=api.is_product if api and not dataset else None)
        got = _SUBJECTS[k] = subj.id if subj is not None else None
    return got  # type: ignore[return-value]


EvidenceSpec = tuple[str, str, bool]  # (source, detail, weak): an Evidence before it is built
EdgeSpec = tuple[str, str, str, list[EvidenceSpec]]  # (parent, relation, relation_source, evidence)


def parent_edges(rec: RepoRecord, api: ApiCatalogue | None = None) -> tuple[list[Edge], list[str]]:
    """Edges from this record to its parents, and warnings about metadata that could not be used."""
    specs, warnings = edge_specs(rec, api)
    child = rec.key
    edges = [Edge(child, p, rel, src, [Evidence(*e) for e in ev]) for p, rel, src, ev in specs]
    return edges, warnings


def edge_specs(
    rec: RepoRecord, api: ApiCatalogue | None = None, *, explain: bool = True
) -> tuple[list[EdgeSpec], list[str]]:
    """parent_edges as plain tuples: the one place the parents of a record are decided.

    `licheck scan` calls this directly for millions of records (tuples, not objects); parent_edges wraps it.
    `explain=False` (the scan, which keeps only parent, relation and relation source) decides the same edges but
    leaves every evidence list empty and writes no warnings: the strings explaining an edge are most of its cost."""
    child = rec.key
    card = rec.card_data
    warnings: list[str] = []

    declared = card.get("base_model_relation")
    declared_rel = (
        declared.strip().lower() if isinstance(declared, str) and declared.strip().lower() in _VALID_RELATIONS else None
    )
    if declared is not None and declared_rel is None and explain:
        warnings.append(
            f"{child}: ignored base_model_relation {str(declared)[:60]!r} (not one of {sorted(_VALID_RELATIONS)})"
        )

    # Parents: card base_model (string or list), Hub tags, files.
    raw_bases = card.get("base_model")
    base_values: list[Any] = (
        raw_bases if isinstance(raw_bases, list) else ([raw_bases] if raw_bases is not None else [])
    )

    def model_id(v: Any) -> str | None:
        return _subject_id(v, api)

    if len(base_values) == 1 and isinstance(base_values[0], str):  # the common case, without the general helper
        sid = model_id(base_values[0])
        card_parents, invalid, over = ([sid] if sid is not None and sid != child else []), [], 0
        if sid is None:
            invalid = [base_values[0][:100]]
    else:
        card_parents, invalid, over = distinct_capped(base_values, model_id, child)
    if over and explain:
        warnings.append(f"{child}: {over} more distinct base model(s) than the {_MAX_PARENTS} followed; not read")

    # One pass over the tags: the few that name a base model or a dataset (most tags are neither).
    tag_rel: dict[str, str] = {}
    tag_parents: list[str] = []
    ds_tags: list[str] = []
    for t in [t for t in rec.tags if isinstance(t, str) and t.startswith(_PARENT_TAGS)]:
        if t[0] == "d":
            ds_tags.append(t[8:])
            continue
        parsed = base_model_tag(t)
        if parsed is None:
            continue
        rel, pid = parsed
        sid = _subject_id(pid, api)
        if sid is None or sid == child:
            continue
        if rel:
            tag_rel.setdefault(sid, rel)
        if sid not in tag_parents:
            tag_parents.append(sid)

    file_rel = _file_relation(rec.siblings)
    file_parents: list[str] = []
    file_names: dict[str, list[str]] = {}  # parent id -> the config files naming it
    for path, ids in rec.file_parents.items():
        for pid in ids:
            sid = _subject_id(pid, api)
            if sid is None:
                invalid.append(pid[:100])
            elif sid != child:
                if sid not in file_parents:
                    file_parents.append(sid)
                file_names.setdefault(sid, []).append(path)
    disagreement = config_disagreement(rec) if len(rec.file_parents) > 1 and explain else None
    if disagreement:
        warnings.append(disagreement)

    parents: list[str] = (
        list(dict.fromkeys(card_parents + tag_parents + file_parents)) if tag_parents or file_parents else card_parents
    )

    edges: list[EdgeSpec] = []
    for pid in parents:
        evidence: list[EvidenceSpec] = []
        if explain:
            if pid in card_parents:
                evidence.append(("card.base_model", f"base_model: {pid}", False))
            if pid in tag_parents:
                sep = ":" if pid in tag_rel else ""
                evidence.append(("tag", f"base_model:{tag_rel.get(pid, '')}{sep}{pid}", False))
            if pid in file_parents:
                evidence.append(("file", f"{', '.join(dict.fromkeys(file_names[pid]))} names {pid}", False))
        if declared_rel:
            relation, decided = declared_rel, "base_model_relation"
            if explain:
                evidence.append(("card.base_model_relation", f"base_model_relation: {declared_rel}", False))
        elif file_rel:
            relation, decided = file_rel[0], "file"
            if explain:
                evidence.append(("file", file_rel[1], False))
        elif len(card_parents) >= 2 and pid in card_parents:
            relation, decided = "merge", "multiple_base_models"
            if explain:
                evidence.append(("card.base_model", f"{len(card_parents)} base models listed", False))
        elif pid in tag_rel:
            relation, decided = tag_rel[pid], "tag"
        else:
            relation, decided = "finetune", "default"
        if explain and tag_rel.get(pid) and tag_rel[pid] != relation:
            evidence.append(("tag", f"Hub tag says {tag_rel[pid]}; overridden by {decided}", False))
        edges.append((pid, relation, decided, evidence))

    for bad in invalid:
        if explain:
            warnings.append(f"{child}: base model {bad!r} is not a Hub id (local path, URL or malformed)")
        edges.append(
            (
                f"invalid:{bad}",
                declared_rel or "finetune",
                "base_model_relation" if declared_rel else "default",
                [("card.base_model", f"base_model: {bad}", False)] if explain else [],
            )
        )
    unread = unread_parents(child, over, bool(parents or invalid), file_rel[0] if file_rel else None)
    if unread is not None:
        why = ("file", file_rel[1], False) if file_rel and not over else ("card.base_model", unread, False)
        relation = declared_rel or (file_rel[0] if file_rel else "finetune")
        edges.append((unread, relation, "base_model_relation" if declared_rel else "default", [why] if explain else []))

    # Datasets the model was trained on (or a dataset built from other datasets).
    card_ds = card.get("datasets")
    if card_ds is not None or ds_tags:
        _dataset_edges(child, card_ds, ds_tags, edges, warnings, explain)

    # Dataset tags naming an API model ("GPT-4" on teknium/OpenHermes-2.5): the data was generated by it.
    if rec.kind == "dataset" and api is not None:
        for t in rec.tags + as_str_list(card.get("tags")):
            for mention in api.mentions(t):
                if mention.alias.lower() == t.strip().lower():
                    target = f"api:{mention.provider}/{mention.product}"
                    if target not in {e[0] for e in edges}:
                        edges.append((target, "generated_by", "tag", [("tag", t, False)] if explain else []))

    # Prose statements: weak evidence, quoted.
    if rec.prose:
        existing = {e[0] for e in edges}
        for p in rec.prose:
            if p.target == child:
                continue
            ev = ("prose", f"{p.pattern}: \u201c{p.sentence}\u201d", True)
            if p.target in existing:
                if explain:
                    for e in edges:
                        if e[0] == p.target:
                            e[3].append(ev)
                continue
            existing.add(p.target)
            edges.append((p.target, p.relation, "prose", [ev] if explain else []))
    return edges, warnings


_PARENT_TAGS = ("base_model:", "dataset:")


def _dataset_edges(
    child: str, card_ds: Any, ds_tags: list[str], edges: list[EdgeSpec], warnings: list[str], explain: bool
) -> None:
    """The `trained_on` edges of a record: card `datasets` then `dataset:` tags, de-duplicated before the cap."""
    ds_edges: dict[str, EdgeSpec] = {}
    ds_sources: list[tuple[str, str]] = [(d, "card.datasets") for d in as_str_list(card_ds)]
    ds_sources += [(t, "tag") for t in ds_tags]
    over_ids: set[str] = set()
    for value, src in dict.fromkeys(ds_sources):
        sid = _subject_id(value, None, dataset=True)
        if sid is None:
            if len(warnings) < 50 and explain:
                warnings.append(f"{child}: dataset {value[:100]!r} is not a Hub id")
            continue
        if sid == child:
            continue
        seen_edge = ds_edges.get(sid)
        if seen_edge is not None:
            if len(seen_edge[3]) < 20 and explain:
                label = "datasets" if src.startswith("card") else "dataset:"
                seen_edge[3].append((src, f"{label}: {value}", False))
        elif len(ds_edges) < _MAX_PARENTS:
            ds_edges[sid] = (sid, "trained_on", "datasets", [(src, f"{value}", False)] if explain else [])
        else:
            over_ids.add(sid)
    edges += ds_edges.values()
    if over_ids:
        if explain:
            warnings.append(
                f"{child}: {len(over_ids)} more distinct dataset(s) than the {_MAX_PARENTS} followed; not read"
            )
        pid = unread_datasets(child, len(over_ids))
        edges.append((pid, "trained_on", "datasets", [("card.datasets", pid, False)] if explain else []))
