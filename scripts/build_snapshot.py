"""Build licheck/data/snapshot.jsonl (+ snapshot-index.json), the embedded offline snapshot, from real Hub metadata.

Usage: python scripts/build_snapshot.py SHARED_DATA_DIR [--date YYYY-MM-DD]

Inputs (real Hub records, see their headers): hub-snapshot.yaml, hub-snapshot-flagships.yaml,
hub-snapshot-flagships-2.yaml and hub-scrape-2025-04.jsonl from SHARED_DATA_DIR, plus this repository's
snapshot-sources/*.yaml (cards looked up later, same shape and conventions, each entry with its source).
Output: facts only (ids, shas, dates, licence fields, base models, relations, datasets, gating, file evidence
names, and provenance edges extracted from card sentences by licheck's own prose extractor). Fields a source
could not see are listed in `unknown` so that licheck answers `review` rather than guess; a record whose whole
front matter was seen and has no base_model is a root. Renames (old id -> canonical id) are kept only where a
source shows them: an entry's id_as_seen, or a Hub API record whose card names a single base model by an id the
Hub's own base_model tag spells differently.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from licheck.provenance.cardparse import extract_prose, licence_mentions  # noqa: E402
from licheck.provenance.records import RepoRecord, new_record  # noqa: E402
from licheck.provenance.snapshot import write_snapshot  # noqa: E402
from licheck.rules.apis import load_catalogue  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "licheck" / "data"
SOURCES_DIR = ROOT / "snapshot-sources"
SHARED_FILES = ("hub-snapshot.yaml", "hub-snapshot-flagships.yaml", "hub-snapshot-flagships-2.yaml")
RANK = {"full": 3, "partial": 2, "header": 1, "none": 0}
ALL_FIELDS = ["license", "base_model", "base_model_relation", "datasets"]


def _date(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4] == "-" else None


def _recorded(entry: dict[str, Any], src: dict[str, Any]) -> str | None:
    """Capture date: the entry's own, else the source's access/scrape date, else the commit date (an upper bound)."""
    for value in (entry.get("recorded"), src.get("recorded"), src.get("accessed"), src.get("scrape_timestamp")):
        if _date(value):
            return _date(value)
    for key in ("commit_date", "repo_commit_date", "file_last_changed_date"):
        if _date(src.get(key)):
            return _date(src.get(key))
    return None


def _tag_rename(entry: dict[str, Any], tags: list[str]) -> tuple[str, str] | None:
    """(old, new) when the card names one base model and the Hub's own tags name it by another id (a rename)."""
    base = (entry.get("card_data") or {}).get("base_model")
    base = base[0] if isinstance(base, list) and len(base) == 1 else base
    named = {t.split(":")[-1] for t in tags if isinstance(t, str) and t.startswith("base_model:")}
    if isinstance(base, str) and len(named) == 1 and base not in named:
        new = named.pop()
        if base.split("/")[0].lower() == new.split("/")[0].lower():  # same owner: a rename, not another model
            return base, new
    return None


def _visibility(entry: dict[str, Any]) -> str:
    return entry.get("card_data_visibility") or entry.get("visibility") or "none"


Score = tuple[int, int, str]  # (visibility rank, has a sha, recorded date): the better-seen, then newer, wins


def _record(entry: dict[str, Any], api: Any) -> tuple[RepoRecord, Score]:
    kind = entry.get("repo_type", "model")
    vis = _visibility(entry)
    card = dict(entry.get("card_data") or {})
    if card.get("extra_gated_prompt_head"):
        card["extra_gated_prompt"] = card["extra_gated_prompt_head"]
    hub = entry.get("hub_api") or {}
    src = entry.get("source") if isinstance(entry.get("source"), dict) else {}
    tags = list(hub.get("tags_provenance_subset") or src.get("hub_tags_provenance_subset") or [])
    if vis == "header" and entry.get("header_license") and "license" not in card:
        card["license"] = entry["header_license"]
    header_tags = entry.get("header_tags") or []
    unknown: list[str] = []
    if vis != "full":
        listed = [str(u).split(" ")[0] for u in entry.get("unknown") or []]
        unknown = sorted(
            {f for f in ALL_FIELDS if f not in card} | {f for f in listed if f in ALL_FIELDS and f not in card}
        )
    rid = entry["repo_id"]
    rec = new_record(
        rid,
        kind,
        sha=hub.get("sha") or src.get("hf_revision"),
        last_modified=hub.get("last_modified") or src.get("hf_last_modified"),
        gated=hub.get("gated", src.get("gated", False)) or False,
        card=card,
        tags=tags + list(header_tags),
        files=entry.get("file_evidence") or [],
        pipeline_tag=hub.get("pipeline_tag") or card.get("pipeline_tag"),
        source="snapshot",
        recorded=_recorded(entry, src),
        unknown=unknown,
    )
    if rec.sha and len(str(rec.sha)) != 40:
        rec.sha = None  # short shas cannot pin a revision
    sentences = [str(s) for s in entry.get("provenance_sentences") or []]
    rec.prose = extract_prose("\n".join(sentences), rid, api=api, is_dataset=kind == "dataset")
    rec.prose_licenses = licence_mentions("\n".join(sentences))
    return rec, (RANK.get(vis, 0), 1 if rec.sha else 0, rec.recorded or "")


def _range(records: list[RepoRecord]) -> list[str | None]:
    dates = sorted(r.recorded for r in records if r.recorded)
    return [dates[0], dates[-1]] if dates else [None, None]


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    data = Path(argv[1])
    date = argv[argv.index("--date") + 1] if "--date" in argv else "2026-11-26"
    api = load_catalogue()
    best: dict[str, tuple[RepoRecord, int]] = {}
    aliases: dict[str, str] = {}

    def offer(rec: RepoRecord, score: Score) -> None:
        cur = best.get(rec.key)
        if cur is None or score > cur[1]:
            if cur is not None:  # keep prose edges learned from the weaker entry
                seen = {(p.relation, p.target) for p in rec.prose}
                rec.prose += [p for p in cur[0].prose if (p.relation, p.target) not in seen]
            best[rec.key] = (rec, score)
        else:
            seen = {(p.relation, p.target) for p in cur[0].prose}
            cur[0].prose += [p for p in rec.prose if (p.relation, p.target) not in seen]

    alias_sources: dict[str, str] = {}
    inputs = [data / name for name in SHARED_FILES] + sorted(SOURCES_DIR.glob("*.yaml"))
    for path in inputs:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            # substitute_for: a sibling recorded in place of another repo; its facts are its own repo's, never the
            # other's (so it is stored under its own id only)
            rec, score = _record(entry, api)
            offer(rec, score)
            prefix = "datasets/" if rec.kind == "dataset" else ""
            if entry.get("id_as_seen") and entry["id_as_seen"] != entry["repo_id"]:
                aliases[prefix + entry["id_as_seen"]] = rec.key
                alias_sources[prefix + entry["id_as_seen"]] = f"{rec.key}'s card was published as {entry['id_as_seen']}"
            renamed = _tag_rename(entry, rec.tags)
            if renamed and renamed[0] not in aliases:
                aliases[renamed[0]] = renamed[1]
                alias_sources[renamed[0]] = (
                    f"{rec.key}'s card names base_model {renamed[0]}; the Hub's tag names it {renamed[1]}"
                )
    with (data / "hub-scrape-2025-04.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rec = new_record(
                row["repo_id"],
                "model",
                sha=row.get("sha"),
                last_modified=row.get("last_modified"),
                gated=row.get("gated") or False,
                card=row.get("card_data") or {},
                tags=row.get("hub_tags") or [],
                files=row.get("file_evidence") or [],
                pipeline_tag=(row.get("card_data") or {}).get("pipeline_tag"),
                source="snapshot",
                recorded=_date(row.get("recorded")),
            )
            offer(rec, (RANK["full"], 1 if rec.sha else 0, rec.recorded or ""))
    aliases = {old: new for old, new in aliases.items() if old not in best and new in best}  # never shadow a record
    ordered = [rec for _key, (rec, _score) in sorted(best.items())]
    meta = {
        "snapshot_date": date,
        "description": "Real Hugging Face Hub metadata (facts only) recorded 2023-2026 (scripts/build_snapshot.py)",
        "aliases": aliases,
        "alias_sources": {k: alias_sources[k] for k in aliases},
        "recorded_range": _range(ordered),
    }
    offset = write_snapshot(OUT_DIR, ordered, meta)
    edges = sum(len(r.prose) for r in ordered)
    print(
        f"wrote {OUT_DIR}/snapshot.jsonl ({len(ordered)} records, {edges} prose edges, {len(aliases)} aliases, "
        f"{offset} bytes, recorded {meta['recorded_range'][0]}..{meta['recorded_range'][1]})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
