"""What fetched files say about a repository: card, adapter/merge configs and LICENSE file, read into a RepoRecord.

Why apart from the readers: the Hub client (hub.py) and the local-folder reader (provenance.read_local) only fetch
bytes and report what they could not read; what those bytes mean for provenance is decided here, once, so a card
read from the Hub and the same card on disk give the same record. Nothing here does I/O.
"""

from __future__ import annotations

from typing import Any

from licheck.domain import INCOMPLETE, Problem
from licheck.provenance.evidence import config_level
from licheck.provenance.records import RepoRecord, new_record
from licheck.rules.apis import ApiCatalogue

__all__ = [
    "add_card",
    "add_config",
    "add_license_file",
    "cut",
    "hub_configs_to_read",
    "license_file_to_read",
    "record_from_info",
    "too_large",
    "wants_card",
]


def too_large(name: str, cap: int) -> str:
    """Why a file cut at the reader's cap makes the record incomplete (-> review)."""
    what = "card" if name == "README.md" else name
    return f"{what} too large to read ({name} is over {cap // 1024:,} KiB; not read further)"


def cut(rec: RepoRecord, name: str, cap: int) -> None:
    """The reader stopped reading `name` at `cap`: the record is incomplete (-> review)."""
    rec.problems.append(Problem(too_large(name, cap), INCOMPLETE))


def wants_card(rec: RepoRecord) -> bool:
    """Read README.md when listed, and also when the answer lists no files at all (a server that leaves `siblings`
    out): the card prose may be the only place a parent is named (the DeepSeek-R1-Distill cards name their bases
    only in a table)."""
    return "README.md" in rec.siblings or not rec.siblings


def add_card(
    rec: RepoRecord, text: str, *, truncated: bool, api: ApiCatalogue | None, self_id: str | None = None
) -> None:
    """The card's front matter (when the source gave no card data), its problems, licence lines and provenance prose.

    `truncated`: the reader stopped at its cap (recorded as incomplete by the reader). `self_id`: the name the
    card's own model goes by in its prose (default: the record id)."""
    from licheck.provenance.cardparse import extract_prose, licence_mentions, split_card
    from licheck.provenance.records import trim_card

    parsed = split_card(text, truncated=truncated)
    if not rec.card_data and parsed.data:
        rec.card_data = trim_card(parsed.data)
    rec.card_warning = parsed.warning if text else None
    rec.problems += [Problem(p) for p in parsed.problems]
    rec.prose_licenses = licence_mentions(parsed.body)
    rec.prose = extract_prose(parsed.body, self_id or rec.id, api=api, is_dataset=rec.kind == "dataset")


def add_config(rec: RepoRecord, path: str, text: str | None) -> None:
    """The parents an adapter_config.json or mergekit_config.yml names, and why it cannot be trusted.

    `text` None: listed but not readable. An unread adapter adds nothing (evidence.parent_edges makes an adapter
    without a base `review`); an unread merge config is recorded with no parents (a merge of unknown models)."""
    from licheck.provenance.configfiles import adapter_parents, mergekit_parents

    if path.rsplit("/", 1)[-1] == "adapter_config.json":
        ids, problems = adapter_parents(text) if text is not None else ([], [])
        if ids:
            rec.file_parents[path] = ids
    else:
        ids, problems = mergekit_parents(text) if text is not None else ([], [])
        rec.file_parents[path] = ids
    rec.problems += [Problem(p) for p in problems]


def hub_configs_to_read(rec: RepoRecord) -> list[str]:
    """The configs worth a request: only when the card does not already name the parents (keeps 2 requests/node).

    The most specific copy is read (evidence.config_level: the root file, else the shallowest sub-folder's);
    sub-folder copies cost at most one request per node."""
    bases = rec.card_data.get("base_model")
    n_bases = len(bases) if isinstance(bases, list) else (1 if bases else 0)
    adapters = config_level(rec.siblings, "adapter_config.json")
    merges = config_level(rec.siblings, "mergekit_config.yml")
    adapter = adapters[0] if adapters and n_bases == 0 else None
    merge = merges[0] if merges and n_bases < 2 else None
    if adapter and merge and "/" in adapter and "/" in merge:
        merge = None  # one sub-folder request at most
    return [p for p in (adapter, merge) if p]


def license_file_to_read(rec: RepoRecord, present: list[str] | None = None) -> str | None:
    """The LICENSE file worth reading when the card names no licence (fingerprint.file_to_read); `present`: the
    files that exist, when the record's listing is not the whole truth (a local folder)."""
    from licheck.rules import fingerprint

    tags: list[str] = rec.tags if present is None else []
    return fingerprint.file_to_read(rec.card_data, tags, rec.siblings if present is None else present, rec.id)


def add_license_file(rec: RepoRecord, path: str, data: bytes, *, over: bool = False) -> None:
    """Only the fingerprint result of a LICENSE file is kept (never its text); `over`: the reader cut it at its cap."""
    from licheck.rules import fingerprint

    rec.license_file = fingerprint.identify(data + (b" " if over else b""), path).to_json()


def record_from_info(info: Any, kind: str, repo_id: str, requested_id: str | None) -> RepoRecord:
    """The record of a huggingface_hub ModelInfo/DatasetInfo answer (before its files are read)."""
    import time

    card_obj = getattr(info, "card_data", None)
    card: Any = {}
    if card_obj is not None:
        try:
            card = card_obj.to_dict() if hasattr(card_obj, "to_dict") else dict(card_obj)
        except Exception:
            card = {}
    return new_record(
        repo_id,
        kind,
        sha=getattr(info, "sha", None),
        last_modified=getattr(info, "last_modified", None),
        gated=getattr(info, "gated", False) or False,
        card=card,
        tags=getattr(info, "tags", None) or [],
        files=[getattr(s, "rfilename", None) for s in (getattr(info, "siblings", None) or [])],
        pipeline_tag=getattr(info, "pipeline_tag", None),
        source="hub",
        recorded=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        requested_id=requested_id,
    )
