"""What `licheck check` produces: options, findings located in the repository, per-file results and the report.

Why one module of plain data: every job of the check (cards, plans, code, policy lists, waivers) fills the same
result shape, and the renderers read only this shape, so none of the jobs imports another to learn it.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass, field
from typing import Any

from licheck import SCHEMA_VERSION, __version__
from licheck.domain import Finding, Graph, Plan
from licheck.errors import EXIT_ERROR, EXIT_FORBIDDEN, EXIT_OK, EXIT_REVIEW
from licheck.policy import Policy, Waiver
from licheck.service import Options

TOOL = "licheck"  # rule id of findings about the repository itself (as the engine's tool findings)
POLICY_RULE = "policy"  # rule id of findings the organisation policy raises


@dataclass
class CheckOptions:
    """How to check: sources (offline, cache, rule folders), strictness and which parts to run."""

    service: Options = field(default_factory=Options)
    strict: bool = False  # review fails (exit 3), as policy strictness `paranoid` does
    scan_code: bool = False
    today: _dt.date | None = None  # waiver expiry is judged against this day (tests pin it)
    verify_lock: bool = True  # compare with licheck.lock when there is one (`licheck lock` itself does not)


@dataclass(frozen=True)
class Location:
    uri: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uri": self.uri}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class CheckFinding:
    """A finding plus where it points in the repository, and whether `check` or the policy raised it."""

    finding: Finding
    location: Location | None = None
    violation: bool = False  # a repository or policy violation found by `check` (not a licence clause outcome)
    waiver: Waiver | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.finding.to_json()
        if self.location is not None:
            out["location"] = self.location.to_json()
        if self.finding.obligation:
            out["obligation"] = self.finding.obligation
        if self.violation:
            out["violation"] = True
        if self.waiver is not None:
            out["waiver"] = self.waiver.to_json()
        return out


@dataclass
class CheckResult:
    kind: str  # card | plan | code | policy
    path: str  # repository-relative POSIX path of the file the result is about
    line: int | None
    subject: str  # card: ./folder; plan: its name; code: the model id; policy: the policy file
    findings: list[CheckFinding] = field(default_factory=list)  # active (not waived)
    waived: list[CheckFinding] = field(default_factory=list)
    verdict: str = "permitted"
    obligations: list[dict[str, str]] = field(default_factory=list)
    graph: Graph | None = None
    plan: Plan | None = None
    sources: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the result could not be computed (tool error: exit 2)
    detail: str | None = None  # one line for humans (plan: teacher -> student)
    duties: list[dict[str, Any]] = field(default_factory=list)  # each file/name duty and whether it is met

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "subject": self.subject,
            "verdict": self.verdict,
            "findings": [f.to_json() for f in self.findings],
            "waived": [f.to_json() for f in self.waived],
            "obligations": self.obligations,
            "open_questions": self.open_questions(),
        }
        if self.plan is not None:
            out["plan"] = self.plan.to_json()
        if self.detail:
            out["detail"] = self.detail
        if self.graph is not None:
            out["root"] = self.graph.root
        if self.warnings:
            out["warnings"] = self.warnings
        if self.error:
            out["error"] = self.error
        if self.duties:
            out["duties"] = self.duties
        return out

    def open_questions(self) -> list[dict[str, str]]:
        """What would settle each active review finding (as an audit's `open_questions`; waived ones are settled)."""
        from licheck.engine.settle import open_questions

        return open_questions([f.finding for f in self.findings])

    def audit_doc(self, rules_version: str, generated_at: str) -> dict[str, Any]:
        """The result as an audit JSON document (report.audit_json shape) for licheck.formats.render."""
        plan = self.plan or Plan(teacher=self.subject)
        graph = self.graph or Graph(root=self.subject)
        flags: list[str] = []
        for f in self.findings:
            if f.finding.flag and f.finding.flag not in flags:
                flags.append(f.finding.flag)
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "rules_version": rules_version,
            "generated_at": generated_at,
            "query": plan.to_json(),
            "verdict": self.verdict,
            "obligations": self.obligations,
            "open_questions": self.open_questions(),
            "findings": [f.to_json() for f in self.findings],
            "flags": flags,
            "graph": graph.to_json(),
            "root": graph.root,
            "warnings": self.warnings,
            "sources": self.sources,
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "subject": self.subject,
            "waived": [f.to_json() for f in self.waived],
        }


@dataclass
class CheckReport:
    results: list[CheckResult]
    policy: Policy
    strict: bool
    rules_version: str
    offline: bool
    rules: Any = field(default=None, repr=False, compare=False)  # the RuleSet the run used (licheck lock reads it)

    @property
    def review_fails(self) -> bool:
        return self.strict or self.policy.review_fails

    @property
    def exit_code(self) -> int:
        """2 a result could not be computed; 1 forbidden or a violation; 3 review under --strict/paranoid; 0."""
        if any(r.error for r in self.results):
            return EXIT_ERROR
        if any(r.verdict == "forbidden" for r in self.results):
            return EXIT_FORBIDDEN
        if self.review_fails and any(r.verdict == "review" for r in self.results):
            return EXIT_REVIEW
        return EXIT_OK

    def summary(self) -> dict[str, Any]:
        verdicts = {v: 0 for v in ("permitted", "conditional", "review", "forbidden")}
        kinds: dict[str, int] = {}
        for r in self.results:
            verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        return {
            "results": len(self.results),
            "by_kind": kinds,
            "by_verdict": verdicts,
            "violations": sum(1 for r in self.results for f in r.findings if f.violation),
            "waived": sum(len(r.waived) for r in self.results),
            "expired_waivers": sum(1 for r in self.results for f in r.findings if f.finding.flag == "waiver_expired"),
            "errors": sum(1 for r in self.results if r.error),
            "strict": self.review_fails,
            "strictness": self.policy.strictness,
            "policy": self.policy.relpath(self.policy.path) if self.policy.path else None,
            "offline": self.offline,
            "rules_version": self.rules_version,
            "exit_code": self.exit_code,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "results": [r.to_json() for r in self.results],
            "summary": self.summary(),
        }

    def audit_docs(self) -> list[dict[str, Any]]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return [r.audit_doc(self.rules_version, stamp) for r in self.results]


def tool_finding(
    node: str, effect: str, reason: str, flag: str, *, clause: str | None = None, rule: str = TOOL
) -> Finding:
    """A finding about the repository or the policy (no licence clause, quote or URL behind it)."""
    return Finding(
        rule=rule,
        clause=clause,
        section=None,
        effect=effect,
        node=node,
        path=[node],
        quote=None,
        url=None,
        reason=reason,
        flag=flag,
    )


def located(f: Finding, loc: Location | None, *, violation: bool = False) -> CheckFinding:
    return CheckFinding(f, loc, violation=violation)
