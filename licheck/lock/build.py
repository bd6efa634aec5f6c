"""What a `licheck check` run saw, in the lock's terms: per card and plan its verdict, obligations and nodes.

Built from the check's own results (`check_repo`), never from a second walk: the lock pins exactly what the check
decided, and the check verifies the lock against exactly what it decides next time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from licheck import __version__
from licheck.lock.model import Entry, Lock, LockError, NodeFacts, Terms, entry_key

if TYPE_CHECKING:
    from licheck.check.results import CheckResult
    from licheck.domain import ModelNode, Rule
    from licheck.rules.ruleset import RuleSet

LOCKED_KINDS = ("card", "plan")  # code references and policy entries are not provenance: not locked
_RULE_TERMS = (
    "id",
    "title",
    "version",
    "kind",
    "source_url",
    "verification",
    "family",
    "family_group",
    "licensor",
    "licensor_orgs",
    "permissive",
    "includes",
    "text_sha256",
)


@dataclass(frozen=True, slots=True)
class Current:
    """The repository as this run sees it; each entry with the facts of its own graph's nodes."""

    entries: dict[str, Entry]
    facts: dict[str, dict[str, NodeFacts]]  # entry key -> node id -> facts
    sources: dict[str, str]  # node id -> where its record came from (hub, cache, snapshot, local, ...)
    terms: dict[str, Terms]  # every rule a node's licences name
    unchecked: frozenset[str] = frozenset()  # entry keys this run found but could not compute (their error is reported)


def _sha256(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def terms_of(rule: Rule) -> Terms:
    """The rule's edition: a change to a clause (quote, effect, condition, obligation) or to the licence text's
    hash changes the fingerprint; identifiers and examples do not (they change what is identified, not the terms)."""
    clauses = {c.id: _sha256(asdict(c))[:12] for c in rule.clauses}
    meta = {k: getattr(rule, k) for k in _RULE_TERMS}
    return Terms(
        Path(rule.path).name if rule.path else None,
        rule.version,
        rule.text_sha256,
        "sha256:" + _sha256([meta, clauses]),
        clauses,
    )


def node_facts(node: ModelNode, rules: RuleSet) -> NodeFacts:
    ident = rules.identify(node)
    lic = node.license
    declared = set(lic.card) | set(lic.tags)
    declared |= {f"license_name: {lic.license_name}"} if lic.license_name else set()
    declared |= {f"license_link: {lic.license_link}"} if lic.license_link else set()
    return NodeFacts(
        node.kind, node.revision, tuple(sorted(set(ident.rule_ids) | set(ident.statements))), tuple(sorted(declared))
    )


def current(results: list[CheckResult], rules: RuleSet) -> Current:
    """Entries for every card and plan result that has a graph (a result that could not be computed has none)."""
    entries: dict[str, Entry] = {}
    facts: dict[str, dict[str, NodeFacts]] = {}
    sources: dict[str, str] = {}
    terms: dict[str, Terms] = {}
    unchecked: set[str] = set()
    for res in results:
        if res.kind not in LOCKED_KINDS:
            continue
        key = entry_key(res.kind, res.subject)
        if res.graph is None:
            unchecked.add(key)
            continue
        here = {nid: node_facts(node, rules) for nid, node in res.graph.nodes.items()}
        for nid, node in res.graph.nodes.items():
            sources.setdefault(nid, node.source)
        for f in here.values():
            for rid in f.licences:
                rule = rules.get(rid)
                if rule is not None and rid not in terms:
                    terms[rid] = terms_of(rule)
        obligations = tuple(sorted({(o["rule"], o["clause"], o["text"]) for o in res.obligations}))
        entries[key] = Entry(res.kind, res.subject, res.path, res.verdict, obligations, tuple(sorted(here)))
        facts[key] = here
    return Current(entries, facts, sources, terms, frozenset(unchecked))


def to_lock(cur: Current, rules_version: str, keep: Lock | None = None) -> Lock:
    """The lock of `cur`; entries of `keep` (the old lock) that this run did not check are carried over as they
    were (`licheck lock models/a` re-pins one card, not the whole repository)."""
    entries = dict(cur.entries)
    nodes: dict[str, NodeFacts] = {}
    terms = dict(cur.terms)
    for here in cur.facts.values():
        for nid, f in here.items():
            if nodes.setdefault(nid, f) != f:
                raise LockError(
                    f"{nid} was read in two different states during one run ({nodes[nid].sha} and {f.sha}); "
                    "it is changing upstream: run `licheck lock` again"
                )
    if keep is not None:
        for key, old in keep.entries.items():
            if key in entries:
                continue
            entries[key] = old
            for nid in old.nodes:  # read_lock checked that every node and licence of an entry is in the lock
                nodes.setdefault(nid, keep.nodes[nid])
                for rid in keep.nodes[nid].licences:
                    terms.setdefault(rid, keep.terms[rid])
    used = {rid for f in nodes.values() for rid in f.licences}
    return Lock(__version__, rules_version, entries, nodes, {k: v for k, v in terms.items() if k in used})
