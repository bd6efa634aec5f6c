"""Record -> facts for `licheck scan`: what evidence.py derives from a record, without ModelNode/Edge objects.

Why a second extractor: `evidence.parent_edges` costs ~35 us per record (Evidence objects, one regex per sibling)
and `node_from_record` another ~5 us; at 2M records that alone is over a minute. The functions here mirror
`license_info`, `_file_relation` and `parent_edges` step by step for model records read from a dump (no card
prose, no file contents), and tests/test_scan.py checks them against the originals on the real records, on
generated ones and on hypothesis-generated cards. Dataset records are rare in a model dump and go through
`evidence.parent_edges` itself. Parsing works on a byte range of a JSON Lines file so that it can run in a
worker process; everything a worker returns is plain lists, arrays and bytes (cheap to pickle).
"""

from __future__ import annotations

import gc
import json
import re
from array import array
from typing import Any

from licheck.evidence import (
    _MAX_PARENTS,
    _QUANT_FILE_RE,
    _VALID_RELATIONS,
    _file_relation,
    as_str_list,
    base_model_tag,
    card_licence_fields,
    distinct_capped,
    unread_datasets,
    unread_parents,
)
from licheck.ids import is_valid_repo_id, parent_subject
from licheck.records import MAX_SIBLINGS, RepoRecord, listing_truncated, new_record, trim_card

RELATIONS = ("finetune", "adapter", "quantized", "merge", "distillation", "trained_on", "generated_by")
REL_CODE = {r: i for i, r in enumerate(RELATIONS)}
KIND_MODEL, KIND_DATASET = 0, 1
KIND_CHECK_ID = 2  # flag on the kind byte: the id needs parse_subject (not a plain org/name, or an API org)
_TAG_PREFIXES = ("license:", "base_model:", "dataset:")
_MAX_TAGS = 1000  # HubClient keeps the first 1000 tags and 5000 sibling names
_MAX_SIBLINGS = MAX_SIBLINGS
LicKey = tuple[tuple[str, ...], "str | None", "str | None", tuple[str, ...], "str | None"]


class DumpError(ValueError):
    """A line of the dump is not a usable record (reported in the summary, never fatal)."""


def hub_fields(d: Any) -> tuple[str, str, str, dict[str, Any], list[str], list[str], str | None, Any]:
    """(id, key, kind, trimmed card, tags, sibling names, pipeline_tag, raw gated) of one dump record.

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
    card = d.get("cardData") if "cardData" in d else d.get("card_data")
    card = trim_card(card)
    tags_raw = d.get("tags") if "tags" in d else d.get("hub_tags")
    tags = [t for t in tags_raw if isinstance(t, str)][:_MAX_TAGS] if isinstance(tags_raw, list) else []
    sib_raw = d.get("siblings") if "siblings" in d else d.get("file_evidence")
    siblings: list[str] = []
    if isinstance(sib_raw, list):
        for s in sib_raw:
            name = s.get("rfilename") if isinstance(s, dict) else s
            if isinstance(name, str):
                siblings.append(name)
        siblings = siblings[:_MAX_SIBLINGS]
    pipeline = d.get("pipeline_tag")
    key = ("datasets/" + rid) if kind == "dataset" else rid
    return rid, key, kind, card, tags, siblings, pipeline if isinstance(pipeline, str) else None, d.get("gated")


def record_from_hub(d: Any) -> RepoRecord:
    """The RepoRecord the Hub client would have built from this API answer (no README: no prose)."""
    rid, _key, kind, card, tags, siblings, pipeline, gated = hub_fields(d)
    sha = d.get("sha")
    last = d.get("lastModified", d.get("last_modified"))
    total = listing_total(d.get("siblings") if "siblings" in d else d.get("file_evidence"))
    return new_record(
        rid,
        kind,
        sha=sha,
        last_modified=last if isinstance(last, str) else None,
        gated=gated if isinstance(gated, (bool, str)) and gated else False,
        card=card,
        tags=tags,
        files=siblings,
        pipeline_tag=pipeline,
        source="dump",
        incomplete=[listing_truncated(total)] if total else [],
    )


# -- the facts ---------------------------------------------------------------------------------------------------
def license_key(card: dict[str, Any], tags: list[str]) -> LicKey:
    """evidence.license_info as a hashable tuple (card values, name, link, tag values, gate heading)."""
    return _license_key(card, tuple(t.split(":", 1)[1] for t in tags if t.startswith("license:")))


def _license_key(card: dict[str, Any], lic_tags: tuple[str, ...]) -> LicKey:
    values, name, link, gate = card_licence_fields(card)
    return (values, name, link, lic_tags, gate)


_ADAPTER_RE = re.compile(r"(?:^|/)adapter_config\.json$", re.M)
_MERGEKIT_RE = re.compile(r"(?:^|/)mergekit_config\.yml$", re.M)
_QUANT_LINES_RE = re.compile(_QUANT_FILE_RE.pattern, re.I | re.M)  # the same pattern, one line per sibling
# Its literals are lower-case ASCII, so on ASCII text it may run case-sensitively on the lower-cased names
# (re.I is ~6x slower); every match contains one of the hints.
_QUANT_LOWER_RE = re.compile(_QUANT_FILE_RE.pattern, re.M)
_QUANT_HINTS = (".gguf", ".ggml", "ggml-", "quant", "measurement", ".exl2", "awq", "gptq")


def file_relation(siblings: list[str]) -> str | None:
    """The relation `_file_relation` reads from sibling names, with one regex pass over all names.

    Names are joined by newlines and matched in MULTILINE mode: the same as one search per name because no
    pattern crosses a line (names containing a newline take the original function).
    """
    if not siblings:
        return None
    joined = "\n".join(siblings)
    if joined.count("\n") != len(siblings) - 1:
        found = _file_relation(siblings)
        return found[0] if found else None
    if "adapter_config.json" in joined and _ADAPTER_RE.search(joined):
        return "adapter"
    if "mergekit_config.yml" in joined and _MERGEKIT_RE.search(joined):
        return "merge"
    if joined.isascii():
        low = joined.lower()
        for hint in _QUANT_HINTS:
            if hint in low:
                return "quantized" if _QUANT_LOWER_RE.search(low) else None
        return None
    return "quantized" if _QUANT_LINES_RE.search(joined) else None


class Extractor:
    """Parent edges of model records exactly as evidence.parent_edges orders and labels them (ids and relations).

    Holds memos of `parent_subject` (the same popular base ids recur millions of times); they are cleared when
    they grow past `memo_limit` so that a worker's memory stays flat.
    """

    def __init__(self, api: Any, memo_limit: int = 200_000) -> None:
        self.api = api
        self.lookup = api.is_product if api is not None else None
        self._subj: dict[str, str | None] = {}
        self._ds: dict[str, str | None] = {}
        self.memo_limit = memo_limit
        self.strong_quant = False  # set by edges_from: its quantized edges came from base_model_relation or files

    def subject(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        got = self._subj.get(value, 0)
        if got == 0:
            if len(self._subj) > self.memo_limit:
                self._subj.clear()
            subj = parent_subject(value, api_lookup=self.lookup)
            got = self._subj[value] = subj.id if subj is not None else None
        return got  # type: ignore[return-value]

    def dataset_subject(self, value: str) -> str | None:
        got = self._ds.get(value, 0)
        if got == 0:
            if len(self._ds) > self.memo_limit:
                self._ds.clear()
            subj = parent_subject(value, dataset=True)
            got = self._ds[value] = subj.id if subj is not None else None
        return got  # type: ignore[return-value]

    def model_edges(
        self, key: str, card: dict[str, Any], tags: list[str], siblings: list[str]
    ) -> list[tuple[str, str]]:
        """(parent id, relation) in parent_edges order, for a model record without prose or file contents."""
        base_tags = [t for t in tags if t.startswith("base_model:")]
        ds_tags = [t.split(":", 1)[1] for t in tags if t.startswith("dataset:")]
        return self.edges_from(key, card, base_tags, ds_tags, siblings)

    def edges_from(
        self, key: str, card: dict[str, Any], base_tags: list[str], ds_tags: list[str], siblings: Any
    ) -> list[tuple[str, str]]:
        """model_edges with the tags already sorted out; `siblings` may be the raw API list ({"rfilename"})."""
        declared = card.get("base_model_relation")
        declared_rel = None
        if isinstance(declared, str):
            low = declared.strip().lower()
            declared_rel = low if low in _VALID_RELATIONS else None
        raw_bases = card.get("base_model")
        base_values = raw_bases if isinstance(raw_bases, list) else ([raw_bases] if raw_bases is not None else [])
        subject = self.subject
        if len(base_values) == 1 and isinstance(base_values[0], str):  # the common case, without the helper
            sid = subject(base_values[0])
            card_parents = [sid] if sid is not None and sid != key else []
            invalid = [base_values[0][:100]] if sid is None else []
            over = 0
        else:
            card_parents, invalid, over = distinct_capped(base_values, subject, key)
        tag_rel: dict[str, str] = {}
        tag_parents: list[str] = []
        for t in base_tags:
            parsed = base_model_tag(t)
            if parsed is None:
                continue
            rel, pid = parsed
            sid = subject(pid)
            if sid is None or sid == key:
                continue
            if rel:
                tag_rel.setdefault(sid, rel)
            if sid not in tag_parents:
                tag_parents.append(sid)
        out: list[tuple[str, str]] = []
        self.strong_quant = False
        if card_parents or tag_parents:
            frel = None if declared_rel else file_relation(sibling_names(siblings))
            # engine.STRONG_RELATION_SOURCES: the quantized edges were decided by the card's relation or files
            self.strong_quant = (declared_rel or frel) == "quantized"
            seen: set[str] = set()
            n_card = len(card_parents)
            for pid in card_parents + tag_parents:
                if pid in seen:
                    continue
                seen.add(pid)
                if declared_rel:
                    rel = declared_rel
                elif frel:
                    rel = frel
                elif n_card >= 2 and pid in card_parents:
                    rel = "merge"
                else:
                    rel = tag_rel.get(pid, "finetune")
                out.append((pid, rel))
        for bad in invalid:
            out.append(("invalid:" + bad, declared_rel or "finetune"))
        if over or not (card_parents or tag_parents or invalid):
            frel = file_relation(sibling_names(siblings)) if siblings else None
            unread = unread_parents(key, over, bool(card_parents or tag_parents or invalid), frel)
            if unread is not None:
                out.append((unread, declared_rel or frel or "finetune"))
        ds_card = card.get("datasets")
        if ds_card is not None or ds_tags:
            ds_values = as_str_list(ds_card) + ds_tags
            ds_seen: set[str] = set()
            ds_over: set[str] = set()
            for value in dict.fromkeys(ds_values):  # de-duplicated before the cap, as parent_edges
                sid = self.dataset_subject(value)
                if sid is None or sid == key or sid in ds_seen:
                    continue
                if len(ds_seen) < _MAX_PARENTS:
                    ds_seen.add(sid)
                    out.append((sid, "trained_on"))
                else:
                    ds_over.add(sid)
            if ds_over:
                out.append((unread_datasets(key, len(ds_over)), "trained_on"))
        return out


def listing_total(sib_raw: Any) -> int:
    """How many file names a raw listing holds when that is more than the kept 5000 (else 0; usually just a len())."""
    if type(sib_raw) is not list or len(sib_raw) <= _MAX_SIBLINGS:
        return 0
    n = sum(1 for s in sib_raw if isinstance(s.get("rfilename") if isinstance(s, dict) else s, str))
    return n if n > _MAX_SIBLINGS else 0


def sibling_names(sib_raw: Any) -> list[str]:
    """Sibling file names as HubClient keeps them: `rfilename` of each entry (or the entry itself), first 5000."""
    if not sib_raw or type(sib_raw) is not list:
        return []
    try:
        names = [s["rfilename"] for s in sib_raw]
        "".join(names)  # raises TypeError unless every name is a str (cheaper than checking each)
        return names[:_MAX_SIBLINGS]
    except (TypeError, KeyError, IndexError):
        pass
    out: list[str] = []
    for s in sib_raw:
        name = s.get("rfilename") if isinstance(s, dict) else s
        if isinstance(name, str):
            out.append(name)
    return out[:_MAX_SIBLINGS]


def statements_key(rules: Any, low_id: str) -> tuple[str, ...]:
    """The rule ids RuleSet.identify binds to this repo id (its only use of the id)."""
    found = list(rules.by_model.get(low_id, ()))
    if rules.model_patterns:
        import fnmatch

        found += [rid for pat, rid in rules.model_patterns if fnmatch.fnmatchcase(low_id, pat) and rid not in found]
    return tuple(found)


class _NodeView:
    """What engine.multimodal reads of a ModelNode (id, tags, pipeline_tag), without building one."""

    __slots__ = ("id", "tags", "pipeline_tag")

    def __init__(self, node_id: str, tags: list[str], pipeline_tag: str | None) -> None:
        self.id = node_id
        self.tags = tags
        self.pipeline_tag = pipeline_tag


class Facts:
    """Per-process context of the parser: rules, API catalogue, memos of identification by licence key."""

    def __init__(self, rules: Any, api: Any) -> None:
        from licheck.engine import multimodal

        self.rules = rules
        self.api = api
        self.extractor = Extractor(api)
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
        """(key, kind code, label tuple, edges) of one raw record: the label is everything per-node the verdict uses.

        The common case (a Hub API model record) is read in place, without copying the card."""
        if type(d) is dict and "cardData" in d and "id" in d:
            fast = self._fast_model(d)
            if fast is not None:
                return fast
        return self._generic(d)

    def _fast_model(self, d: dict[str, Any]) -> Any:
        """Hub API model records, in one pass over the tags (equivalent to hub_fields + license_key + model_edges)."""
        rid = d["id"]
        if type(rid) is not str or not rid or rid.startswith("datasets/"):
            return None
        if "repoType" in d or "repo_type" in d or "type" in d:
            if (d.get("repoType") or d.get("repo_type") or d.get("type")) == "dataset":
                return None
        card = d["cardData"]
        if type(card) is not dict:
            card = {}
        elif "extra_gated_prompt" in card:
            card = trim_card(card)
        tags_raw = d.get("tags")
        lic_tags: list[str] = []
        base_tags: list[str] = []
        ds_tags: list[str] = []
        n_tags = 0
        if type(tags_raw) is list:
            for t in tags_raw:
                if not isinstance(t, str):
                    continue
                n_tags += 1
                if n_tags > _MAX_TAGS:
                    break
                if t.startswith(_TAG_PREFIXES):
                    c = t[0]
                    if c == "l":
                        lic_tags.append(t[8:])
                    elif c == "b":
                        base_tags.append(t)
                    else:
                        ds_tags.append(t[8:])
        lic = _license_key(card, tuple(lic_tags))
        low = rid.lower()
        stmts = (
            tuple(self.rules.by_model.get(low, ()))
            if not self.rules.model_patterns
            else statements_key(self.rules, low)
        )
        mm = None
        k = (lic, stmts)
        need = self._needs_mm.get(k)
        if need is None:
            need = self.needs_multimodal(rid, lic, stmts)
        if need:
            tags = [t for t in tags_raw if isinstance(t, str)][:200] if type(tags_raw) is list else []
            pipe = d.get("pipeline_tag")
            pipe = pipe if isinstance(pipe, str) and pipe else None
            if pipe is None and isinstance(card.get("pipeline_tag"), str):
                pipe = card["pipeline_tag"]
            mm = self.multimodal(_NodeView(rid, tags, pipe))
        sib_raw = d.get("siblings")
        edges = self.extractor.edges_from(rid, card, base_tags, ds_tags, sib_raw)
        kind = KIND_MODEL if self.plain_id(rid) else KIND_MODEL | KIND_CHECK_ID
        # The fifth field tells apart what makes a node `review` beyond its licence: here a truncated file listing.
        truncated = bool(listing_total(sib_raw))
        return rid, kind, (KIND_MODEL, lic, stmts, mm, truncated, self._strong_quant(lic)), edges

    def _strong_quant(self, lic: LicKey) -> bool:
        """The label's quantisation flag, kept only where it can matter (a licence that names nothing) so that
        labels stay as few as before."""
        return self.extractor.strong_quant and unnamed_key(lic)

    def plain_id(self, key: str) -> bool:
        """`parse_subject(key)` is the model `key` itself: a valid org/name, org neither `models` (a prefix
        parse_subject strips) nor an API provider (whose products it reads as APIs)."""
        if "/" not in key or not is_valid_repo_id(key):
            return False
        org = key.split("/", 1)[0]
        return org != "models" and org.lower() not in self.api.providers

    def _generic(self, d: Any) -> tuple[str, int, tuple[Any, ...], list[tuple[str, str]]]:
        rid, key, kind, card, tags, siblings, pipeline, _gated = hub_fields(d)
        lic = license_key(card, tags)
        stmts = statements_key(self.rules, key.lower())
        mm = None
        if self.needs_multimodal(key, lic, stmts):
            pipe = pipeline or (card.get("pipeline_tag") if isinstance(card.get("pipeline_tag"), str) else None)
            mm = self.multimodal(_NodeView(key, tags[:200], pipe))
        unnamed = False
        if kind == "model":
            pairs = self.extractor.model_edges(key, card, tags, siblings)
        else:
            from licheck.cardparse import machine_generated
            from licheck.evidence import parent_edges

            rec = record_from_hub(d)
            edges, _ = parent_edges(rec, self.api)
            pairs = [(e.parent, e.relation) for e in edges]
            generated = any(r == "generated_by" for _, r in pairs)
            unnamed = machine_generated(card, tags + as_str_list(card.get("tags"))) and not generated
        truncated = bool(listing_total(d.get("siblings") if "siblings" in d else d.get("file_evidence")))
        bare = key[len("datasets/") :] if kind == "dataset" else key
        check = 0 if ("/" in bare and is_valid_repo_id(bare)) else KIND_CHECK_ID
        if kind == "model":
            check = 0 if self.plain_id(key) else KIND_CHECK_ID
            return key, KIND_MODEL | check, (KIND_MODEL, lic, stmts, mm, truncated, self._strong_quant(lic)), pairs
        return key, KIND_DATASET | check, (KIND_DATASET, lic, stmts, mm, (unnamed, truncated), False), pairs


def unnamed_key(lic: LicKey) -> bool:
    """Cheap pre-check of engine.unnamed_licence on a licence key: only `other` values, no name, link or gate."""
    return not (lic[1] or lic[2] or lic[4]) and all(v.strip().lower() == "other" for v in lic[0] + lic[3])


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
