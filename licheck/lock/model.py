"""licheck.lock, the file: its dataclasses, and reading/writing them as stable, sorted, diff-friendly JSON.

Why JSON and not YAML: the lock is written by licheck and reviewed as a diff, so it needs one canonical spelling
(sorted keys, two-space indent, one fact per line) that the standard library writes byte-identically every time,
and no implicit typing (a YAML loader reads a short sha such as `1e10` as a number, `no` as false). It is read
with `json` and validated against licheck/schemas/lock.schema.json, like every other file licheck accepts.

A `digest` (sha256 of the canonical content) is part of the file: a lock edited by hand, or left with merge
markers, is an error (exit 2) naming the file, never re-interpreted and never overwritten silently.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck.errors import DataFileError

LOCK_FILE = "licheck.lock"
LOCK_VERSION = 1
MAX_LOCK_BYTES = 16 * 1024 * 1024
_SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "lock.schema.json"


class LockError(DataFileError):
    """licheck.lock is unreadable, malformed, edited by hand, or cannot be written (exit 2)."""


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What was approved about one node: how it was read and which licences licheck identified on it."""

    kind: str
    sha: str | None
    licences: tuple[str, ...]  # rule ids identified (sorted)
    declared: tuple[str, ...]  # licence values as the metadata spells them (sorted)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "sha": self.sha, "licences": list(self.licences), "declared": list(self.declared)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> NodeFacts:
        return cls(d["kind"], d["sha"], tuple(d["licences"]), tuple(d["declared"]))


@dataclass(frozen=True, slots=True)
class Terms:
    """The edition of one rule a verdict was reached under: rule file, version, text hash, clause hashes."""

    file: str | None
    version: str
    text_sha256: str | None
    fingerprint: str  # sha256 over everything below and the rule's other terms (not its identifiers or examples)
    clauses: dict[str, str] = field(default_factory=dict)  # clause id -> 12 hex digits of its content

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "version": self.version,
            "text_sha256": self.text_sha256,
            "fingerprint": self.fingerprint,
            "clauses": dict(sorted(self.clauses.items())),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Terms:
        return cls(d["file"], d["version"], d["text_sha256"], d["fingerprint"], dict(d["clauses"]))


@dataclass(frozen=True, slots=True)
class Entry:
    """One model card or plan: its verdict and obligations as approved, and the nodes of its graph."""

    kind: str  # card | plan
    subject: str
    path: str
    verdict: str
    obligations: tuple[tuple[str, str, str], ...]  # (rule, clause, text), sorted
    nodes: tuple[str, ...]  # node ids, sorted

    @property
    def key(self) -> str:
        return entry_key(self.kind, self.subject)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "path": self.path,
            "verdict": self.verdict,
            "obligations": [{"rule": r, "clause": c, "text": t} for r, c, t in self.obligations],
            "nodes": list(self.nodes),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Entry:
        obligations = tuple((o["rule"], o["clause"], o["text"]) for o in d["obligations"])
        return cls(d["kind"], d["subject"], d["path"], d["verdict"], obligations, tuple(d["nodes"]))


def entry_key(kind: str, subject: str) -> str:
    return f"{kind} {subject}"


@dataclass(frozen=True, slots=True)
class Lock:
    licheck_version: str
    rules_version: str
    entries: dict[str, Entry]
    nodes: dict[str, NodeFacts]
    terms: dict[str, Terms]

    def body(self) -> dict[str, Any]:
        return {
            "lock_version": LOCK_VERSION,
            "licheck_version": self.licheck_version,
            "rules_version": self.rules_version,
            "entries": {k: self.entries[k].to_json() for k in sorted(self.entries)},
            "nodes": {k: self.nodes[k].to_json() for k in sorted(self.nodes)},
            "terms": {k: self.terms[k].to_json() for k in sorted(self.terms)},
        }

    def dumps(self) -> str:
        """The file's text: canonical (sorted keys, indent 2, trailing newline), with its digest."""
        body = self.body()
        body["digest"] = _digest(body)
        return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def same_approval(self, other: Lock) -> bool:
        """Equal apart from the licheck and rules version stamps (which alone need no review)."""
        return (self.entries, self.nodes, self.terms) == (other.entries, other.nodes, other.terms)


def _digest(body: dict[str, Any]) -> str:
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_lock(path: Path, shown: str | None = None) -> Lock:
    """The lock at `path`; LockError (exit 2) for anything but a file licheck wrote and nobody edited."""
    from licheck.provenance.resolver import read_regular

    shown = shown or str(path)
    raw, why = read_regular(path, MAX_LOCK_BYTES)  # never follows a link or opens a FIFO; reads at most cap + 1
    if raw is None:
        raise LockError(why or "cannot be read", path=shown)
    if len(raw) > MAX_LOCK_BYTES:
        raise LockError(f"larger than {MAX_LOCK_BYTES // (1024 * 1024)} MiB", path=shown)
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise LockError("is not UTF-8 text", path=shown) from None
    except json.JSONDecodeError as exc:
        raise LockError(f"is not valid JSON ({exc.msg})", path=shown, line=exc.lineno) from None
    _validate(data, shown)
    digest = data.pop("digest")
    if digest != _digest(data):
        raise LockError(
            "was edited by hand or is a merge result (its digest does not match its content); restore it from "
            "version control, or delete it and run `licheck lock` to pin the repository again after review",
            path=shown,
        )
    lock = Lock(
        data["licheck_version"],
        data["rules_version"],
        {k: Entry.from_json(v) for k, v in data["entries"].items()},
        {k: NodeFacts.from_json(v) for k, v in data["nodes"].items()},
        {k: Terms.from_json(v) for k, v in data["terms"].items()},
    )
    for entry in lock.entries.values():
        for nid in entry.nodes:
            if nid not in lock.nodes:
                raise LockError(f"entry {entry.key!r} names node {nid!r}, which the lock does not hold", path=shown)
            missing = [rid for rid in lock.nodes[nid].licences if rid not in lock.terms]
            if missing:
                raise LockError(f"node {nid!r} names licence {missing[0]!r}, whose terms it lacks", path=shown)
    return lock


def _validate(data: Any, shown: str) -> None:
    """Schema-checked once per distinct lock content (importing jsonschema costs more than a warm check)."""
    from licheck.rules.compiled import known_valid, remember_valid

    if known_valid(_SCHEMA_PATH, data):
        return
    import jsonschema

    schema = json.loads(_SCHEMA_PATH.read_text("utf-8"))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
    )
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        raise LockError(f"does not match the lock format at {where}: {err.message[:200]}", path=shown)
    remember_valid(_SCHEMA_PATH, data)


def write_lock(path: Path, lock: Lock, shown: str | None = None) -> None:
    """Atomic (temporary file + rename, as the cache writes): a reader sees the old lock or the new one."""
    from licheck.paths import new_file_mode, write_atomic

    mode = new_file_mode(str(path))
    if not write_atomic(str(path), lock.dumps()):
        raise LockError("cannot be written (the folder refused a new file)", path=shown or str(path))
    try:
        os.chmod(path, mode)  # write_atomic creates 0600 (cache files); a committed file keeps the usual mode
    except OSError:
        pass
