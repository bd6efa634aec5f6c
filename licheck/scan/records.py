"""Record -> facts for `licheck scan`, read by the audit's own code, without ModelNode/Edge objects.

Each record becomes the RepoRecord the Hub client would build (`records.new_record`), its parents come from
`evidence.edge_specs` (with `explain=False`: the same edges, no evidence strings) and its licence from
`evidence.licence_fields`; there is no second extractor to keep in step. Parsing works on a byte range of a JSON
Lines file so that it can run in a worker process; everything a worker returns is plain lists, arrays and bytes
(cheap to pickle).
"""

from __future__ import annotations

import gc
import json
from array import array
from typing import Any

from licheck.engine.nodes import STRONG_RELATION_SOURCES
from licheck.provenance.evidence import LicenceKey, edge_specs, licence_fields, node_from_record
from licheck.provenance.ids import is_valid_repo_id
from licheck.provenance.records import RepoRecord, new_record

RELATIONS = ("finetune", "adapter", "quantized", "merge", "distillation", "trained_on", "generated_by")
REL_CODE = {r: i for i, r in enumerate(RELATIONS)}
KIND_MODEL, KIND_DATASET = 0, 1
KIND_CHECK_ID = 2  # flag on the kind byte: the id needs parse_subject (not a plain org/name, or an API org)
LicKey = LicenceKey


class DumpError(ValueError):
    """A line of the dump is not a usable record (reported in the summary, never fatal)."""


def hub_id(d: Any) -> tuple[str, str, str]:
    """(id, key, kind) of one dump record.

    Accepts the Hub API shape (`id`, `cardData`, `tags`, `siblings` [{"rfilename"}], `pipeline_tag`) and the
    compact shape of ../shared/data/hub-scrape-2025-04.jsonl (`repo_id`, `card_data`, `hub_tags`, `file_evidence`).
    A dataset is marked by `repoType`/`repo_type`/`type` == "dataset" or an id starting with `datasets/`.
    """
    if not isinstance(d, dict):
        raise DumpError("not a JSON object")
    rid = d.get("id")
    if rid is None:
        rid = d.get("repo_id", d.get("modelId"))
    if not isinstance(rid, str) or not rid:
        raise DumpError("record without a string id")
    kind = "model"
    rtype = d.get("repoType") or d.get("repo_type") or d.get("type")
    if rtype == "dataset":
        kind = "dataset"
    if rid.startswith("datasets/"):
        kind, rid = "dataset", rid[len("datasets/") :]
    return rid, ("datasets/" + rid) if kind == "dataset" else rid, kind


def sibling_names(sib_raw: Any) -> list[str]:
    """The file names of a listing (Hub shape [{"rfilename"}] or plain names); new_record caps and flags them."""
    if not isinstance(sib_raw, list):
        return []
    try:  # the Hub API shape, in one comprehension; "".join raises unless every name is a str
        names = [s["rfilename"] for s in sib_raw]
        "".join(names)
        return names
    except (TypeError, KeyError, IndexError):
        names = []
        for s in sib_raw:
            name = s.get("rfilename") if isinstance(s, dict) else s
            if isinstance(name, str):
                names.append(name)
        return names


def record_from_hub(d: Any) -> RepoRecord:
    """The RepoRecord the Hub client would have built from this API answer (no README: no prose).

    The raw fields go to `new_record` as they are: it keeps the card's keys, the string tags and names and flags
    a listing longer than it keeps, once (the way every source's record is made)."""
    rid, _key, kind = hub_id(d)
    get = d.get
    sha = get("sha")
    last = get("lastModified") if "lastModified" in d else get("last_modified")
    gated = get("gated")
    pipeline = get("pipeline_tag")
    return new_record(
        rid,
        kind,
        sha=sha,
        last_modified=last if isinstance(last, str) else None,
        gated=gated if isinstance(gated, (bool, str)) and gated else False,
        card=get("cardData") if "cardData" in d else get("card_data"),
        tags=get("tags") if "tags" in d else get("hub_tags"),
        files=sibling_names(get("siblings") if "siblings" in d else get("file_evidence")),
        pipeline_tag=pipeline if isinstance(pipeline, str) else None,
        source="dump",
    )


# -- the facts ---------------------------------------------------------------------------------------------------
def statements_key(rules: Any, low_id: str) -> tuple[str, ...]:
    """The rule ids RuleSet.identify binds to this repo id (its only use of the id)."""
    found = list(rules.by_model.get(low_id, ()))
    if rules.model_patterns:
        import fnmatch

        found += [rid for pat, rid in rules.model_patterns if fnmatch.fnmatchcase(low_id, pat) and rid not in found]
    return tuple(found)


class Facts:
    """Per-process context of the parser: rules, API catalogue, memos of identification by licence key."""

    def __init__(self, rules: Any, api: Any) -> None:
        from licheck.engine.nodes import multimodal

        self.rules = rules
        self.api = api
        self.multimodal = multimodal
        self._needs_mm: dict[tuple[LicKey, tuple[str, ...]], bool] = {}
        self._mm_rules = {
            rid for rid, r in rules.rules.items() if any(k == "multimodal" for c in r.clauses for k, _ in c.when)
        }

    def needs_multimodal(self, key: str, lic: LicKey, stmts: tuple[str, ...]) -> bool:
        """Whether any rule identified for this licence has a `multimodal` condition (else the flag is unused).

        `key` is any repo id whose statements are `stmts` (the memo is per licence key and statements)."""
        k = (lic, stmts)
        got = self._needs_mm.get(k)
        if got is None:
            ident = identify(self.rules, key, lic)
            got = self._needs_mm[k] = bool(self._mm_rules & set(ident.rule_ids + ident.statements))
        return got

    def record(self, d: Any) -> tuple[str, int, tuple[Any, ...], list[tuple[str, str]]]:
        """(key, kind code, label, parent edges) of one raw record, read by the engine's own functions.

        The record becomes the RepoRecord the Hub client would build, its node `evidence.node_from_record` and its
        parents `evidence.edge_specs` (the same code as `licheck audit`). The label is what of the node the
        per-context findings read, without its id: records with equal labels are judged alike."""
        rec = record_from_hub(d)
        specs, _warnings = edge_specs(rec, self.api, explain=False)
        key = rec.key
        lic = licence_fields(rec)
        stmts = statements_key(self.rules, key.lower())
        dataset = rec.kind == "dataset"
        # The node itself only where the label needs more than the record's fields (rare): multimodal, synthetic
        needs_mm = self.needs_multimodal(key, lic, stmts)
        node = node_from_record(rec) if dataset or needs_mm else None
        mm = self.multimodal(node) if node is not None and needs_mm else None
        generated = False
        strong = False
        pairs = []
        for pid, rel, src, _ev in specs:
            pairs.append((pid, rel))
            if rel == "generated_by":
                generated = True
            elif rel == "quantized" and src in STRONG_RELATION_SOURCES:
                strong = True
        # Beyond its licence, what makes a node `review`: an unnamed generator, truncated listings, card problems.
        synthetic = node is not None and node.machine_generated and not generated
        extra = (synthetic, tuple(rec.problems))
        if dataset:
            bare = key[len("datasets/") :]
            check = 0 if ("/" in bare and is_valid_repo_id(bare)) else KIND_CHECK_ID
            return key, KIND_DATASET | check, (KIND_DATASET, lic, stmts, mm, extra, False), pairs
        check = 0 if self.plain_id(key) else KIND_CHECK_ID
        return key, KIND_MODEL | check, (KIND_MODEL, lic, stmts, mm, extra, strong), pairs

    def plain_id(self, key: str) -> bool:
        """`parse_subject(key)` is the model `key` itself: a valid org/name, org neither `models` (a prefix
        parse_subject strips) nor an API provider (whose products it reads as APIs)."""
        if "/" not in key or not is_valid_repo_id(key):
            return False
        org = key.split("/", 1)[0]
        return org != "models" and org.lower() not in self.api.providers


def license_info_of(lic: LicKey) -> Any:
    from licheck.domain import LicenseInfo

    return LicenseInfo(
        card=list(lic[0]), license_name=lic[1], license_link=lic[2], tags=list(lic[3]), gated_prompt_head=lic[4]
    )


def identify(rules: Any, node_id: str, lic: LicKey) -> Any:
    """RuleSet.identify on a node with this id and licence key (the id only feeds the repo-bound statements)."""
    from licheck.domain import ModelNode

    return rules.identify(ModelNode(id=node_id, kind="model", license=license_info_of(lic)))


# -- chunks of a JSON Lines file (worker side) ----------------------------------------------------------------------
class Chunk:
    """One byte range of the dump, parsed: parallel arrays, flat parent lists and a local label table."""

    __slots__ = (
        "keys",
        "kinds",
        "labels",
        "label_table",
        "offsets",
        "nparents",
        "pids",
        "rels",
        "errors",
        "n_errors",
        "_local",
    )

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.kinds = bytearray()
        self.labels = array("i")
        self.label_table: list[tuple[Any, ...]] = []
        self.offsets = array("q")
        self.nparents = array("i")
        self.pids: list[str] = []
        self.rels = bytearray()
        self.errors: list[tuple[int, str]] = []
        self.n_errors = 0
        self._local: dict[tuple[Any, ...], int] = {}

    def add(self, key: str, kind: int, label: tuple[Any, ...], edges: list[tuple[str, str]], offset: int) -> None:
        lid = self._local.get(label)
        if lid is None:
            lid = self._local[label] = len(self.label_table)
            self.label_table.append(label)
        self.keys.append(key)
        self.kinds.append(kind)
        self.labels.append(lid)
        self.offsets.append(offset)
        self.nparents.append(len(edges))
        rel_code = REL_CODE
        for pid, rel in edges:
            self.pids.append(pid)
            self.rels.append(rel_code.get(rel, 0))

    def fail(self, offset: int, exc: BaseException) -> None:
        self.n_errors += 1
        if len(self.errors) < 20:
            self.errors.append((offset, f"{type(exc).__name__}: {str(exc)[:120]}"))


_FACTS: Facts | None = None


def set_worker_facts(facts: Facts) -> None:
    """Installed before the worker pool forks, so workers inherit the loaded rules instead of re-reading them."""
    global _FACTS
    _FACTS = facts


def parse_range(args: tuple[str, int, int]) -> Chunk:
    """Parse the complete lines of [start, end) of a JSON Lines file (start and end fall on line starts)."""
    path, start, end = args
    assert _FACTS is not None
    gc.disable()  # millions of short-lived dicts, no cycles: refcounting frees them; the collector only rescans
    facts = _FACTS
    out = Chunk()
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    pos = 0
    n = len(data)
    loads = json.loads
    while pos < n:
        nl = data.find(b"\n", pos)
        if nl < 0:
            nl = n
        line = data[pos:nl]
        off = start + pos
        pos = nl + 1
        if not line.strip():
            continue
        try:
            key, kind, label, edges = facts.record(loads(line))
        except (ValueError, DumpError, RecursionError) as exc:
            out.fail(off, exc)
            continue
        out.add(key, kind, label, edges, off)
    out._local = {}  # only needed while parsing; not sent back from the worker
    return out


def parse_records(records: list[Any], facts: Facts, base: int = 0) -> Chunk:
    """The same as parse_range for records already in memory (Parquet batches, tests, evaluate_batch callers)."""
    out = Chunk()
    for i, d in enumerate(records):
        try:
            key, kind, label, edges = facts.record(d)
        except (ValueError, DumpError, RecursionError) as exc:
            out.fail(base + i, exc)
            continue
        out.add(key, kind, label, edges, base + i)
    out._local = {}
    return out


def split_ranges(path: str, size: int, target: int = 16 * 1024 * 1024) -> list[tuple[str, int, int]]:
    """Byte ranges of about `target` bytes that start and end on line boundaries."""
    bounds = [0]
    with open(path, "rb") as fh:
        pos = target
        while pos < size:
            fh.seek(pos)
            fh.readline()
            nxt = fh.tell()
            if nxt >= size:
                break
            if nxt > bounds[-1]:
                bounds.append(nxt)
            pos = nxt + target
    bounds.append(size)
    return [(path, a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
