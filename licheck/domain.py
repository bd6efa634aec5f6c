"""Typed domain objects shared by provenance, rules, engine and report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

NodeKind = Literal["model", "dataset", "api", "missing"]


class VerdictLevel(StrEnum):
    """The four verdicts, in rank order (the worst finding decides); `str` values, so JSON is unchanged."""

    PERMITTED = "permitted"
    CONDITIONAL = "conditional"
    REVIEW = "review"
    FORBIDDEN = "forbidden"


class Effect(StrEnum):
    """What a clause (and its finding) does to the verdict."""

    PERMIT = "permit"
    OBLIGATION = "obligation"
    FORBID = "forbid"
    REVIEW = "review"
    INFO = "info"


class Relation(StrEnum):
    """How a child was made from a parent (an edge of the provenance graph)."""

    FINETUNE = "finetune"
    ADAPTER = "adapter"
    QUANTIZED = "quantized"
    MERGE = "merge"
    DISTILLATION = "distillation"
    TRAINED_ON = "trained_on"
    GENERATED_BY = "generated_by"


RELATIONS: tuple[str, ...] = tuple(r.value for r in Relation)
# Relations through which a parent's weights end up in the child (licence inheritance).
WEIGHT_RELATIONS = frozenset({Relation.FINETUNE, Relation.ADAPTER, Relation.QUANTIZED, Relation.MERGE})
# Relations through which a parent's outputs or data reach the child.
OUTPUT_RELATIONS = frozenset(set(Relation) - WEIGHT_RELATIONS)

VERDICTS: tuple[str, ...] = tuple(v.value for v in VerdictLevel)
VERDICT_RANK: dict[str, int] = {v.value: i for i, v in enumerate(VerdictLevel)}


@dataclass(slots=True, frozen=True)
class Evidence:
    """Why an edge exists: the field, tag, file or sentence that said so."""

    source: str  # card.base_model | card.datasets | tag | file | prose | snapshot | catalogue | local
    detail: str
    weak: bool = False  # prose evidence is weaker than declared metadata


@dataclass(slots=True)
class Edge:
    child: str
    parent: str
    relation: str
    relation_source: str  # base_model_relation | file | tag | multiple_base_models | default | prose | datasets
    evidence: list[Evidence] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "child": self.child,
            "parent": self.parent,
            "relation": self.relation,
            "relation_source": self.relation_source,
            "evidence": [asdict(e) for e in self.evidence],
        }


@dataclass(slots=True)
class LicenseInfo:
    """Licence facts exactly as declared by the node's metadata, per source."""

    card: list[str] = field(default_factory=list)  # `license:` of the card (string or list)
    license_name: str | None = None
    license_link: str | None = None
    tags: list[str] = field(default_factory=list)  # `license:<id>` Hub tags
    gated_prompt_head: str | None = None  # first line of extra_gated_prompt (often the licence heading)
    prose: list[str] = field(default_factory=list)  # licence ids stated in card prose
    file: dict[str, Any] | None = None  # the repo's LICENSE file as identified by licheck.rules.fingerprint

    def is_empty(self) -> bool:
        return not (self.card or self.license_name or self.license_link or self.tags or self.gated_prompt_head)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"license": self.card[0] if len(self.card) == 1 else (self.card or None)}
        out["license_name"] = self.license_name
        out["license_link"] = self.license_link
        out["tags"] = self.tags
        if self.gated_prompt_head:
            out["gated_prompt_head"] = self.gated_prompt_head
        if self.file:
            out["license_file"] = self.file
        return out


INCOMPLETE = "metadata_incomplete"  # a file or listing was cut at a cap: what it holds past the cut is unknown
UNTRUSTED = "card_unreadable"  # a card or config file was read but cannot be trusted (broken, ambiguous, unreadable)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a node's data cannot be taken in full: each one makes the node `review`, its flag names the finding.

    One concept for both ways data fails: read incompletely (INCOMPLETE) or read but not trustworthy (UNTRUSTED).
    Stored and shown as two lists of reasons (`incomplete`, `problems`), as records and audit JSON always were."""

    reason: str
    flag: str = UNTRUSTED


def problems_json(problems: list[Problem]) -> dict[str, list[str]]:
    """{"incomplete": [...], "problems": [...]} (each key only when non-empty): the stored/JSON form."""
    incomplete = [p.reason for p in problems if p.flag == INCOMPLETE]
    untrusted = [p.reason for p in problems if p.flag != INCOMPLETE]
    return {k: v for k, v in (("incomplete", incomplete), ("problems", untrusted)) if v}


def problems_from(incomplete: Any = (), untrusted: Any = ()) -> list[Problem]:
    """Problems from the two stored lists of reasons (non-strings are dropped)."""
    out = [Problem(r, INCOMPLETE) for r in incomplete or () if isinstance(r, str)]
    return out + [Problem(r) for r in untrusted or () if isinstance(r, str)]


@dataclass(slots=True)
class ModelNode:
    id: str
    kind: NodeKind
    revision: str | None = None
    license: LicenseInfo = field(default_factory=LicenseInfo)
    gated: bool | str = False
    source: str = "hub"  # hub | cache | snapshot | local | catalogue | none
    source_date: str | None = None  # when the data was recorded (snapshot/cache)
    last_modified: str | None = None
    pipeline_tag: str | None = None
    tags: list[str] = field(default_factory=list)
    missing_reason: str | None = None
    provider: str | None = None  # API provider id for api nodes
    machine_generated: bool = False  # dataset declared synthetic / machine-generated
    requested_id: str | None = None  # the id asked for, when the Hub answered with another (rename)
    unknown: list[str] = field(default_factory=list)  # metadata fields the source could not see
    problems: list[Problem] = field(default_factory=list)  # why its data cannot be taken in full (-> review)

    @property
    def org(self) -> str:
        bare = self.id.split("datasets/", 1)[-1] if self.id.startswith("datasets/") else self.id
        bare = bare.split(":", 1)[-1]
        return bare.split("/", 1)[0].lower()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "revision": self.revision,
            "license": self.license.to_json(),
            "gated": self.gated,
            "source": self.source,
        }
        if self.source_date:
            out["source_date"] = self.source_date
        if self.missing_reason:
            out["missing_reason"] = self.missing_reason
        if self.provider:
            out["provider"] = self.provider
        if self.pipeline_tag:
            out["pipeline_tag"] = self.pipeline_tag
        if self.machine_generated:
            out["machine_generated"] = True
        if self.requested_id:
            out["requested_id"] = self.requested_id
        if self.unknown:
            out["unknown_fields"] = self.unknown
        out.update(problems_json(self.problems))
        return out


@dataclass(slots=True)
class Graph:
    root: str
    nodes: dict[str, ModelNode] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cycles: list[list[str]] = field(default_factory=list)

    def parents(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.child == node_id]

    def closure(self, start: str) -> dict[str, list[str]]:
        """Every node reachable from `start`, with the first path found (start first)."""
        paths: dict[str, list[str]] = {start: [start]}
        queue = [start]
        by_child: dict[str, list[Edge]] = {}
        for e in self.edges:
            by_child.setdefault(e.child, []).append(e)
        while queue:
            cur = queue.pop(0)
            for e in by_child.get(cur, []):
                if e.parent not in paths:
                    paths[e.parent] = paths[cur] + [e.parent]
                    queue.append(e.parent)
        return paths

    def merge(self, other: Graph) -> None:
        for nid, node in other.nodes.items():
            self.nodes.setdefault(nid, node)
        seen = {(e.child, e.parent, e.relation) for e in self.edges}
        for e in other.edges:
            if (e.child, e.parent, e.relation) not in seen:
                self.edges.append(e)
        for w in other.warnings:
            if w not in self.warnings:
                self.warnings.append(w)

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [n.to_json() for n in self.nodes.values()],
            "edges": [e.to_json() for e in self.edges],
        }


@dataclass(slots=True, frozen=True)
class Plan:
    """The user's proposed distillation and the licensee facts they gave."""

    teacher: str
    student: str | None = None
    use: str = "commercial"  # commercial | research | non-commercial
    internal: bool = False
    method: str = "outputs"  # outputs | logits | weights
    mau: int | None = None
    monthly_revenue: int | None = None
    annual_revenue: int | None = None
    eu: bool | None = None
    student_task: str = "generative"  # generative | classifier | embedding

    @property
    def distributed(self) -> bool:
        return not self.internal

    def for_teacher(self, teacher: str) -> Plan:
        """The same plan and licensee facts with another teacher (scan: one plan, many teachers)."""
        values = asdict(self)
        values["teacher"] = teacher
        return Plan(**values)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True, frozen=True)
class Deliverables:
    """The files and names a clause makes the licensee produce, as rule data: `licheck notices` writes them and
    `licheck check` verifies them from this one source (each text verbatim from the licence)."""

    notice: str | None = None  # the line the "Notice" text file must contain
    notice_file: str = "NOTICE"
    notice_upstream: bool = False  # the upstream model's own NOTICE lines must be kept (Apache-2.0 4(d))
    attribution: tuple[str, ...] = ()  # display lines, any one suffices
    attribution_where: str = "documentation"  # documentation | user_interface
    ship_licence: bool = False
    redistributable: bool = False
    upstream_copy: bool = False  # the copy must be the upstream LICENSE (its copyright line)
    link_suffices: bool = False
    licence_source: str | None = None  # where the licence text is (default: the rule's source URL)
    name_prefix: str | None = None
    recommends: tuple[str, ...] = ()  # clause ids whose deliverables this recommended-only clause advises


@dataclass(slots=True, frozen=True)
class Clause:
    id: str
    section: str
    quote: str
    effect: str  # permit | obligation | forbid | review
    channels: tuple[str, ...]
    methods: tuple[str, ...] | None = None
    uses: tuple[str, ...] | None = None
    when: tuple[tuple[str, Any], ...] = ()
    obligation: str | None = None
    reason: str | None = None
    flag: str | None = None
    generic: bool = False
    verification: str = "primary"
    url: str | None = None
    settle: str | None = None  # review clause: what would settle the question (the audit's open_questions)
    flag_met: str | None = None  # the flag instead of `flag` when every condition holds on facts the user gave
    deliver: Deliverables | None = None  # what the clause makes the licensee write (notices, licence copy, name)


@dataclass(slots=True, frozen=True)
class OwnModels:
    """The licensor's own models as a licence defines them (rule key `own_models`): a carve-out such as "excluding
    Tongyi Qianwen or derivative works thereof" is decided by looking the student up here, never by id tests in code.

    `ids`: Hub id patterns (fnmatch, case-insensitive) of the models the definition covers; `licences`: rule ids
    whose models count too (the licensor's licences, which its derivatives carry); `unsettled`: rule ids whose
    models the definition may or may not cover (the text does not say: such a student stays unknown, `review`)."""

    name: str
    section: str
    quote: str
    ids: tuple[str, ...] = ()
    licences: tuple[str, ...] = ()
    unsettled: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class Rule:
    id: str
    title: str
    version: str
    kind: str
    identifiers: dict[str, tuple[str, ...]]
    source_url: str
    verification: str
    clauses: tuple[Clause, ...]
    family: str | None = None
    family_group: str | None = None
    licensor: str | None = None
    licensor_orgs: tuple[str, ...] = ()
    permissive: bool = False
    includes: tuple[str, ...] = ()
    text_sha256: str | None = None
    path: str | None = None
    examples: tuple[dict[str, Any], ...] = ()
    overrides: tuple[str, ...] = ()  # rule ids it replaces or whose identifiers it takes over (declared)
    origin: str | None = None  # the rule file, for a rule from an organisation folder (named in every finding)
    own_models: OwnModels | None = None  # the licensor's own models, for `student_in_family`


@dataclass(slots=True)
class Finding:
    rule: str
    clause: str | None
    section: str | None
    effect: str  # permit | obligation | forbid | review | info
    node: str
    path: list[str]
    quote: str | None
    url: str | None
    reason: str
    channel: str | None = None
    flag: str | None = None
    obligation: str | None = None
    generic: bool = False
    triggered_by: list[str] = field(default_factory=list)  # facts of the plan that made the clause fire
    rule_file: str | None = None  # set when the rule came from an organisation folder, not the packaged library
    settle: str | None = None  # review: what fact or document would settle it (not in the finding's JSON)
    ask: str | None = None  # review: who can give it (the repo owner of X, the licensor, your counsel)

    def to_json(self) -> dict[str, Any]:
        out = {
            "rule": self.rule,
            "clause": self.clause,
            "section": self.section,
            "effect": self.effect,
            "node": self.node,
            "path": self.path,
            "quote": self.quote,
            "url": self.url,
            "reason": self.reason,
            "channel": self.channel,
            "flag": self.flag,
            "triggered_by": self.triggered_by,
        }
        if self.rule_file:
            out["rule_file"] = self.rule_file
        return out


@dataclass(slots=True)
class Verdict:
    verdict: str
    findings: list[Finding]
    obligations: list[dict[str, str]]
    flags: list[str]
    graph: Graph
    plan: Plan
    open_questions: list[dict[str, str]] = field(default_factory=list)  # review: what would settle it, who to ask
