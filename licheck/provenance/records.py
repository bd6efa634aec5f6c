"""RepoRecord: the facts licheck keeps about one repository revision, whatever source they came from.

The same shape is stored in the cache and in the embedded snapshot, so the graph builder cannot tell (and need not
care) where a record came from; it only reports it. Card prose is reduced to the provenance statements it makes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from licheck.domain import INCOMPLETE, Problem, problems_from, problems_json

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
    # Why the facts cannot be taken in full (a cut listing or file, a card that cannot be trusted): each -> review
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return ("datasets/" + self.id) if self.kind == "dataset" else self.id

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d.update({"incomplete": [], "problems": [], **problems_json(self.problems)})  # stored as two lists of reasons
        d["v"] = RECORD_VERSION
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RepoRecord:
        """A stored record (cache entry, snapshot line), re-checked field by field through `new_record`."""
        if not isinstance(d, dict) or d.get("v") != RECORD_VERSION:
            raise ValueError("record version mismatch")
        return new_record(
            str(d["id"]),
            str(d["kind"]),
            sha=d.get("sha"),
            last_modified=d.get("last_modified"),
            gated=d.get("gated", False),
            card=d.get("card_data"),
            tags=d.get("tags"),
            files=d.get("siblings"),
            pipeline_tag=d.get("pipeline_tag"),
            prose=[ProseEdge(**p) for p in d.get("prose", [])],
            file_parents={k: list(v) for k, v in (d.get("file_parents") or {}).items()},
            source=str(d.get("source", "hub")),
            recorded=d.get("recorded"),
            requested_id=d.get("requested_id"),
            card_warning=d.get("card_warning"),
            unknown=d.get("unknown"),
            prose_licenses=d.get("prose_licenses"),
            license_file=d.get("license_file"),
            incomplete=d.get("incomplete"),
            problems=d.get("problems"),
        )


def _strs(values: Any, cap: int | None = None) -> list[str]:
    if not isinstance(values, (list, tuple)) or not values:
        return []
    out = [v for v in values if isinstance(v, str)]
    return out if cap is None or len(out) <= cap else out[:cap]


def new_record(
    id: str,
    kind: str,
    *,
    sha: Any = None,
    last_modified: Any = None,
    gated: Any = False,
    card: Any = None,
    tags: Any = (),
    files: Any = (),
    pipeline_tag: Any = None,
    source: str = "hub",
    recorded: str | None = None,
    requested_id: str | None = None,
    prose: list[ProseEdge] | None = None,
    file_parents: dict[str, list[str]] | None = None,
    card_warning: str | None = None,
    unknown: Any = (),
    prose_licenses: Any = (),
    license_file: Any = None,
    incomplete: Any = (),
    problems: Any = (),
) -> RepoRecord:
    """The one way a RepoRecord is made from outside data (a Hub answer, a stored record, a recorded source).

    Why one place: every source is held to the same shape: the card keeps only its provenance and licence keys,
    lists keep only strings, at most MAX_TAGS tags and MAX_SIBLINGS file names are kept (a longer listing is
    recorded as incomplete, so the record answers `review`), dates become ISO strings. `incomplete`: reasons
    something was not read completely; `problems`: reasons what was read is not trusted (both -> Problem).
    """
    names = _strs(files)
    stamp = (
        last_modified
        if last_modified is None or isinstance(last_modified, str)
        else last_modified.isoformat()
        if hasattr(last_modified, "isoformat")
        else last_modified
    )
    rec = RepoRecord(
        id=id,
        kind=kind,
        sha=sha if isinstance(sha, str) else None,
        last_modified=stamp if isinstance(stamp, str) else None,
        gated=gated if isinstance(gated, (bool, str)) else bool(gated),
        card_data=trim_card(card),
        tags=_strs(tags, MAX_TAGS),
        siblings=names if len(names) <= MAX_SIBLINGS else names[:MAX_SIBLINGS],
        pipeline_tag=pipeline_tag if isinstance(pipeline_tag, str) else None,
        prose=list(prose) if prose else [],
        file_parents=dict(file_parents) if file_parents else {},
        source=source,
        recorded=recorded,
        requested_id=requested_id,
        card_warning=card_warning,
        unknown=_strs(unknown),
        prose_licenses=_strs(prose_licenses),
        license_file=license_file if isinstance(license_file, dict) else None,
        problems=problems_from(incomplete, problems) if incomplete or problems else [],
    )
    if len(names) > MAX_SIBLINGS:
        rec.problems.append(Problem(listing_truncated(len(names)), INCOMPLETE))
    return rec


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
MAX_TAGS = 1000  # tags kept per record


def listing_truncated(total: int) -> str:
    """Why a record whose file listing was cut is `review`: an adapter or merge config may be beyond the cut."""
    return (
        f"file listing truncated ({total:,} files, only the first {MAX_SIBLINGS:,} read): an adapter_config.json "
        "or mergekit_config.yml naming other parents may be hidden"
    )
