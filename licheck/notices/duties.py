"""Which files and names a verdict's obligations demand, read from the rule data (one source of truth).

`licheck notices` writes these duties and `licheck check` verifies them, so both read them here: each clause's
`notice` / `attribution` / `ship_licence` / `name_prefix` keys, plus the clauses a recommended-only obligation
`recommends` (Llama's "Built with Llama" advice for an output-trained student). Rules without the keys still get
the duty their flag names (an organisation's rule file), with nothing verbatim to check against.
"""

from __future__ import annotations

from dataclasses import dataclass

from licheck.domain import Clause, Deliverables, Finding, Rule
from licheck.rules.ruleset import RuleSet

NAME_PREFIX_FLAGS = frozenset({"name_prefix_required"})
NOTICE_FLAGS = frozenset({"notice_file_required"})
LICENSE_COPY_FLAGS = frozenset({"license_copy_required", "licence_copy_required", "built_with_llama"})
KINDS = ("notice", "licence", "attribution", "name")


@dataclass(frozen=True)
class Duty:
    """One thing to produce: a NOTICE line, a licence copy, a display line or a name prefix, and why."""

    kind: str  # notice | licence | attribution | name
    rule: Rule
    clause: Clause  # the clause whose deliverable it is
    finding: Finding  # the verdict's finding that made it apply
    deliver: Deliverables
    via: Clause | None = None  # the recommended-only clause that advises it (None: the clause itself applies)

    @property
    def required(self) -> bool:
        """A duty of a clause that applies and is not a generic open-licence notice (those never fail a check)."""
        return self.via is None and not self.clause.generic

    def cite(self) -> str:
        """`rule CLAUSE (section S)`, plus the recommending clause: the citation every generated line carries."""
        out = f"{self.rule.id} {self.clause.id} (section {self.clause.section})"
        return out + (f", recommended by {self.via.id}" if self.via is not None else "")

    def key(self) -> tuple[str, str, str]:
        return (self.rule.id, self.clause.id, self.kind)


def _kinds(clause: Clause, d: Deliverables) -> list[str]:
    flag = clause.flag or ""
    out = []
    if d.notice or d.notice_upstream or flag in NOTICE_FLAGS:
        out.append("notice")
    if d.ship_licence or flag in LICENSE_COPY_FLAGS:
        out.append("licence")
    if d.attribution:
        out.append("attribution")
    if d.name_prefix or flag in NAME_PREFIX_FLAGS:
        out.append("name")
    return out


def collect_duties(findings: list[Finding], rules: RuleSet) -> list[Duty]:
    """The duties of the obligation (and review) findings, in finding order, each once; a duty a clause owes
    directly wins over the same duty merely recommended by another clause."""
    direct: list[Duty] = []
    advised: list[Duty] = []
    for f in findings:
        if f.effect not in ("obligation", "review") or not f.clause:
            continue
        rule = rules.get(f.rule)
        clause = next((c for c in rule.clauses if c.id == f.clause), None) if rule else None
        if rule is None or clause is None:
            continue
        d = clause.deliver or Deliverables()
        direct += [Duty(k, rule, clause, f, d) for k in _kinds(clause, d)]
        for cid in d.recommends:
            target = next((c for c in rule.clauses if c.id == cid), None)
            if target is not None:
                td = target.deliver or Deliverables()
                advised += [Duty(k, rule, target, f, td, via=clause) for k in _kinds(target, td)]
    out: list[Duty] = []
    seen: set[tuple[str, str, str]] = set()
    for duty in direct + advised:
        if duty.key() not in seen:
            seen.add(duty.key())
            out.append(duty)
    return out
