"""RepoRecord: the facts licheck keeps about one repository revision, whatever source they came from.

The same shape is stored in the cache and in the embedded snapshot, so the graph builder cannot tell (and need not
care) where a record came from; it only reports it. Card prose is reduced to the provenance statements it makes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

RECORD_VERSION = 1


@dataclass(slots=True, frozen=True)
class ProseEdge:
    relation: str  # finetune | distillation | generated_by
    target: str  # subject id: org/name, datasets/org/name, api:provider/product
    sentence: str  # the statement, quoted (trimmed)
    pattern: str  # which kind of statement


CARD_KEYS = (
    "license",
    "license_name",
    "license_link",
    "base_model",
    "base_model_relation",
    "datasets",
    "pipeline_tag",
    "tags",
    "annotations_creators",
    "extra_gated_prompt",
    "library_name",
)


@dataclass(slots=True)
class RepoRecord:
    id: str  # canonical Hub id as the Hub answered (no datasets/ prefix)
    kind: str  # model | dataset
    sha: str | None = None
    last_modified: str | None = None
    gated: bool | str = False
    card_data: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    siblings: list[str] = field(default_factory=list)
    pipeline_tag: str | None = None
    prose: list[ProseEdge] = field(default_factory=list)
    file_parents: dict[str, list[str]] = field(default_factory=dict)  # adapter/merge -> ids read from files
    source: str = "hub"
    recorded: str | None = None  # date the facts were read
    requested_id: str | None = None
    card_warning: str | None = None
    unknown: list[str] = field(default_factory=list)  # card fields the source could not see (snapshot)
    prose_licenses: list[str] = field(default_factory=list)  # "License: X" lines of the card body
    license_file: dict[str, Any] | None = None  # fingerprint.FileMatch of the repo's LICENSE file (never its text)
    # What could not be read completely (truncated file listing, oversized card): each is a reason for `review`
    incomplete: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why the card/config files cannot be trusted (-> review)

    @property
    def key(self) -> str:
        return ("datasets/" + self.id) if self.kind == "dataset" else self.id

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["v"] = RECORD_VERSION
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RepoRecord:
        if not isinstance(d, dict) or d.get("v") != RECORD_VERSION:
            raise ValueError("record version mismatch")
        prose = [ProseEdge(**p) for p in d.get("prose", [])]
        gated = d.get("gated", False)
        return cls(
            id=str(d["id"]),
            kind=str(d["kind"]),
            sha=d.get("sha"),
            last_modified=d.get("last_modified"),
            gated=gated if isinstance(gated, (bool, str)) else bool(gated),
            card_data=dict(d.get("card_data") or {}),
            tags=[t for t in d.get("tags") or [] if isinstance(t, str)],
            siblings=[s for s in d.get("siblings") or [] if isinstance(s, str)],
            pipeline_tag=d.get("pipeline_tag"),
            prose=prose,
            file_parents={k: list(v) for k, v in (d.get("file_parents") or {}).items()},
            source=str(d.get("source", "hub")),
            recorded=d.get("recorded"),
            requested_id=d.get("requested_id"),
            card_warning=d.get("card_warning"),
            unknown=[u for u in d.get("unknown") or [] if isinstance(u, str)],
            prose_licenses=[u for u in d.get("prose_licenses") or [] if isinstance(u, str)],
            license_file=d["license_file"] if isinstance(d.get("license_file"), dict) else None,
            incomplete=[u for u in d.get("incomplete") or [] if isinstance(u, str)],
            problems=[u for u in d.get("problems") or [] if isinstance(u, str)],
        )


def trim_card(card: Any) -> dict[str, Any]:
    """Keep the provenance and licence keys of a card; the rest is not ours to store."""
    if not isinstance(card, dict):
        return {}
    out: dict[str, Any] = {}
    for k in CARD_KEYS:
        if k in card:
            v = card[k]
            if k == "extra_gated_prompt" and isinstance(v, str):
                v = v.strip().splitlines()[0][:200] if v.strip() else ""
            out[k] = v
    return out


MAX_SIBLINGS = 5000  # file names kept per record


def listing_truncated(total: int) -> str:
    """Why a record whose file listing was cut is `review`: an adapter or merge config may be beyond the cut."""
    return (
        f"file listing truncated ({total:,} files, only the first {MAX_SIBLINGS:,} read): an adapter_config.json "
        "or mergekit_config.yml naming other parents may be hidden"
    )


def card_too_large(name: str, cap: int) -> str:
    return f"card too large to read ({name} is over {cap // 1024:,} KiB; read no further)"
