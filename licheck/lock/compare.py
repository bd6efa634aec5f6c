"""The lock against what a run sees now: typed differences, each one sentence naming the repo and old -> new.

Any difference is a violation of `licheck check` (the approval no longer describes the repository) until a person
has reviewed it and re-pinned with `licheck lock --update`.
"""

from __future__ import annotations

from dataclasses import dataclass

from licheck.lock.build import Current
from licheck.lock.model import Entry, Lock, NodeFacts, Terms

ARROW = "\u2192"


@dataclass(frozen=True, slots=True)
class Change:
    field: str  # kind | licence | declared | sha | verdict | obligations | version | clauses | text | terms
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Difference:
    what: str  # node | node-added | node-removed | entry | entry-added | entry-removed | terms
    subject: str  # node id, entry key (`card ./m`, `plan p1`) or rule id
    changes: tuple[Change, ...] = ()
    entries: tuple[str, ...] = ()  # the cards and plans it concerns

    @property
    def message(self) -> str:
        where = f" [{', '.join(self.entries)}]" if self.entries and self.what.startswith(("node", "terms")) else ""
        return f"{self.subject}: {_MESSAGES[self.what](self)}{where}"


def _short(sha: str | None) -> str:
    return sha[:7] if sha else "none"


def _licences(values: tuple[str, ...]) -> str:
    return ", ".join(values) or "none identified"


def _node_message(d: Difference) -> str:
    by = {c.field: c for c in d.changes}
    label = {"declared": "declared licence"}
    parts = [f"{label.get(f, f)} {by[f].old} {ARROW} {by[f].new}" for f in by if f != "sha"]
    if "sha" in by:
        sha = f"sha {by['sha'].old} {ARROW} {by['sha'].new}"
        parts.append(f"({sha})" if parts else sha)
    return " ".join(parts) + " since the lock"


def _added_message(d: Difference) -> str:
    by = {c.field: c.new for c in d.changes}
    return f"new in the provenance since the lock (licence {by.get('licence')}, sha {by.get('sha')})"


def _entry_message(d: Difference) -> str:
    parts = []
    for c in d.changes:
        if c.field == "obligations":
            parts.append(f"obligations changed (added: {c.new or 'none'}; dropped: {c.old or 'none'})")
        else:
            parts.append(f"{c.field} {c.old} {ARROW} {c.new}")
    return "; ".join(parts) + " since the lock"


def _terms_message(d: Difference) -> str:
    detail = "; ".join(f"{c.field} {c.old} {ARROW} {c.new}" if c.old or c.new else c.field for c in d.changes)
    return (
        f"licheck's rules for this licence changed since the lock ({detail}): the approval was made under the old "
        "rules; review it again"
    )


_MESSAGES = {
    "node": _node_message,
    "node-added": _added_message,
    "node-removed": lambda d: "no longer in the provenance since the lock",
    "entry": _entry_message,
    "entry-added": lambda d: "not in the lock (new since it was written)",
    "entry-removed": lambda d: "in the lock, but no longer in the repository",
    "terms": _terms_message,
}


def _node_changes(old: NodeFacts, new: NodeFacts) -> tuple[Change, ...]:
    out = []
    if old.kind != new.kind:
        out.append(Change("kind", old.kind, new.kind))
    if old.licences != new.licences:
        out.append(Change("licence", _licences(old.licences), _licences(new.licences)))
    elif old.declared != new.declared:
        out.append(Change("declared", ", ".join(old.declared) or "none", ", ".join(new.declared) or "none"))
    if old.sha != new.sha:
        out.append(Change("sha", _short(old.sha), _short(new.sha)))
    return tuple(out)


def _entry_changes(old: Entry, new: Entry) -> tuple[Change, ...]:
    out = []
    if old.verdict != new.verdict:
        out.append(Change("verdict", old.verdict, new.verdict))
    if old.obligations != new.obligations:
        gone = sorted({f"{r} {c}" for r, c, _ in old.obligations} - {f"{r} {c}" for r, c, _ in new.obligations})
        came = sorted({f"{r} {c}" for r, c, _ in new.obligations} - {f"{r} {c}" for r, c, _ in old.obligations})
        if not gone and not came:  # same clauses, another text
            came = gone = ["(same clauses, obligation text changed)"]
        out.append(Change("obligations", ", ".join(gone), ", ".join(came)))
    return tuple(out)


def _terms_changes(old: Terms, new: Terms) -> tuple[Change, ...]:
    out = []
    if old.version != new.version:
        out.append(Change("version", old.version, new.version))
    if old.text_sha256 != new.text_sha256:
        out.append(Change("licence text", _short(old.text_sha256), _short(new.text_sha256)))
    changed = sorted(c for c in set(old.clauses) & set(new.clauses) if old.clauses[c] != new.clauses[c])
    added = sorted(set(new.clauses) - set(old.clauses))
    dropped = sorted(set(old.clauses) - set(new.clauses))
    for label, ids in (("changed", changed), ("added", added), ("dropped", dropped)):
        if ids:
            out.append(Change(f"clause{'s' if len(ids) > 1 else ''} {', '.join(ids)} {label}", "", ""))
    if not out:
        out.append(Change("rule metadata changed", "", ""))
    if old.file != new.file:
        out.append(Change("rule file", old.file or "none", new.file or "none"))
    return tuple(out)


def compare(lock: Lock, cur: Current, *, complete: bool) -> list[Difference]:
    """Every difference for the entries this run checked; with `complete` (the whole repository was checked)
    also the locked entries that are gone."""
    out: list[Difference] = []
    nodes: dict[tuple[str, str, tuple[Change, ...]], list[str]] = {}  # (what, node, changes) -> entries
    rules_used: dict[str, list[str]] = {}
    for key in sorted(cur.entries):
        entry, old = cur.entries[key], lock.entries.get(key)
        if old is None:
            out.append(Difference("entry-added", key, (), (key,)))
            continue
        changes = _entry_changes(old, entry)
        if changes:
            out.append(Difference("entry", key, changes, (key,)))
        for nid in sorted(set(entry.nodes) | set(old.nodes)):
            new_f = cur.facts[key].get(nid)
            old_f = lock.nodes.get(nid) if nid in old.nodes else None
            if new_f is not None and old_f is None:
                facts = (Change("licence", "", _licences(new_f.licences)), Change("sha", "", _short(new_f.sha)))
                nodes.setdefault(("node-added", nid, facts), []).append(key)
            elif new_f is None:
                nodes.setdefault(("node-removed", nid, ()), []).append(key)
            elif old_f is not None and (changes := _node_changes(old_f, new_f)):
                nodes.setdefault(("node", nid, changes), []).append(key)
            if new_f is not None and old_f is not None:
                for rid in set(new_f.licences) & set(old_f.licences):
                    if key not in rules_used.setdefault(rid, []):
                        rules_used[rid].append(key)
    out += [Difference(what, nid, changes, tuple(keys)) for (what, nid, changes), keys in nodes.items()]
    for rid in sorted(rules_used):
        old_t, new_t = lock.terms.get(rid), cur.terms.get(rid)
        if old_t is not None and new_t is not None and old_t.fingerprint != new_t.fingerprint:
            out.append(Difference("terms", rid, _terms_changes(old_t, new_t), tuple(rules_used[rid])))
    if complete:
        # a card that is still there but unreadable is reported by its own review, not as removed
        gone = set(lock.entries) - set(cur.entries) - cur.unchecked
        out += [Difference("entry-removed", key) for key in sorted(gone)]
    return out
