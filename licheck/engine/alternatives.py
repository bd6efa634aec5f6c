"""`licheck alternatives`: teachers that would be permitted or conditional under the same plan.

A suggestion is only as good as its verdict, so every candidate is audited by the real engine under the user's
plan (never assumed from its licence name). Candidates come from the records licheck can read without the network
(the cache and the embedded snapshot): an alternatives run costs no Hub requests and answers the same on an
air-gapped laptop, which is where procurement asks the question. Ranking prefers the teacher's own publisher (its
permissive siblings), then permitted over conditional, then the closest size.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

from licheck.domain import Graph, Plan, Verdict
from licheck.engine.auditor import Auditor
from licheck.errors import LicheckError
from licheck.rules.ruleset import RuleSet

ACCEPTED = ("permitted", "conditional")
# Parameter counts as model ids spell them: 70b, 8B, 1.5B, 8x7B (a mixture: 56B in all), 350M. `A22B` (active
# parameters of a mixture) is not a size of the model and is skipped by the look-behind.
_SIZE = re.compile(r"(?<![A-Za-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([bBmM])(?![A-Za-z0-9])")
# Repackagings of another model are not a different teacher: the suggestion should be the model they repackage.
_REPACKAGED = re.compile(
    r"gguf|awq|gptq|exl2|-bnb-|quantized|abliterated|[-_](?:[2-8]bit|int[48]|fp8|mlx)\b|-lora\b", re.IGNORECASE
)
_NOT_A_TEACHER = {"quantized", "adapter", "merge"}
SIZE_RATIO = 4.0  # "similar size class": within a factor of four of the teacher
API_TASK = "text-generation"  # hosted model APIs answered for are chat/completion models


def parameters(model_id: str) -> float | None:
    """Billions of parameters read from a model id, or None when the id does not say."""
    name = model_id.rsplit("/", 1)[-1]
    m = _SIZE.search(name)
    if m is None:
        return None
    experts = int(m.group(1)) if m.group(1) else 1
    value = float(m.group(2)) * experts
    return value / 1000 if m.group(3) in "mM" else value


def size_label(billions: float | None) -> str | None:
    if billions is None:
        return None
    return f"{billions:g}B" if billions >= 1 else f"{billions * 1000:g}M"


@dataclass(frozen=True, slots=True)
class Alternative:
    id: str
    verdict: str
    task: str | None
    size: str | None
    why: str
    obligations: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict,
            "task": self.task,
            "size": self.size,
            "why": self.why,
            "obligations": self.obligations,
        }


@dataclass(slots=True)
class Suggestions:
    teacher: str
    task: str | None
    size: str | None
    plan: Plan
    alternatives: list[Alternative]
    considered: int  # candidates audited
    source: str  # where candidates came from

    def to_json(self, schema_version: str, tool_version: str) -> dict[str, Any]:
        return {
            "schema_version": schema_version,
            "tool_version": tool_version,
            "teacher": self.teacher,
            "task": self.task,
            "size": self.size,
            "plan": self.plan.to_json(),
            "considered": self.considered,
            "source": self.source,
            "alternatives": [a.to_json() for a in self.alternatives],
        }


def _teacher_task(graph: Graph) -> str | None:
    root = graph.nodes.get(graph.root)
    if root is None:
        return None
    if root.kind == "api":
        return API_TASK
    return root.pipeline_tag


def _is_candidate(record: Any, task: str | None, teacher: str) -> bool:
    if record.kind != "model" or record.key.lower() == teacher.lower():
        return False
    if task is not None and (record.pipeline_tag or record.card_data.get("pipeline_tag")) != task:
        return False
    relation = str(record.card_data.get("base_model_relation") or "").lower()
    if relation in _NOT_A_TEACHER or _REPACKAGED.search(record.key):
        return False
    return _published_by_its_maker(record)


def _published_by_its_maker(record: Any) -> bool:
    """A publisher's own model (a root, or built on the same organisation's models), not a community fine-tune:
    what a team would pick as a teacher, and what the ranking by family rests on."""
    bases = record.card_data.get("base_model") or []
    bases = [bases] if isinstance(bases, str) else bases
    org = record.key.split("/", 1)[0].lower()
    return all(isinstance(b, str) and b.split("/", 1)[0].lower() == org for b in bases)


def _why(verdict: Verdict) -> str:
    """One line: the terms that decided, and how much they ask."""
    root = verdict.graph.root
    teacher_side = [f for f in verdict.findings if f.path and f.path[0] == root]
    terms = list(dict.fromkeys(f.rule for f in teacher_side if f.effect in ("permit", "obligation")))
    under = ", ".join(terms) if terms else "no clause restricts this plan"
    if verdict.verdict == "permitted":
        return f"permitted under {under}"
    n = len(verdict.obligations)
    return f"conditional under {under}: {n} obligation{'s' if n != 1 else ''}"


def _rank(teacher: str, size: float | None, api: bool, alt: Alternative) -> tuple[Any, ...]:
    same_org = alt.id.split("/", 1)[0].lower() == teacher.split("/", 1)[0].lower()
    own = parameters(alt.id)
    if own is None:
        distance = math.inf
    elif size is not None:
        distance = abs(math.log(own / size))
    else:
        distance = -own if api else 0.0  # an API teacher: the largest open-weight models first
    return (not same_org, ACCEPTED.index(alt.verdict), distance, alt.id.lower())


def suggest(
    plan: Plan, teacher_graph: Graph, student_graph: Graph | None, source: Any, rules: RuleSet, *, resolver: Any
) -> Suggestions:
    """Audit every readable candidate of the teacher's task and size class under `plan`; keep what is allowed.

    `source` lists the candidate records (`keys()`, `get()`, `date`: the embedded snapshot); `resolver` resolves a
    candidate's provenance from offline sources only (cache, then snapshot), so no candidate costs a request.
    """
    task = _teacher_task(teacher_graph)
    root = teacher_graph.nodes.get(teacher_graph.root)
    api = root is not None and root.kind == "api"
    size = None if api else parameters(plan.teacher)
    auditor = Auditor(rules)
    found: list[Alternative] = []
    considered = 0
    for key in source.keys():
        record = source.get(key)
        if record is None or not _is_candidate(record, task, teacher_graph.root):
            continue
        own = parameters(record.key)
        if size is not None and (own is None or max(own, size) / min(own, size) > SIZE_RATIO):
            continue
        try:
            graph = resolver.resolve(record.key)
        except LicheckError:
            continue  # a candidate licheck cannot read is not suggested (never assumed allowed)
        considered += 1
        verdict = auditor.audit(plan.for_teacher(record.key), graph, student_graph)
        if verdict.verdict in ACCEPTED:
            found.append(
                Alternative(
                    record.key, verdict.verdict, task, size_label(own), _why(verdict), list(verdict.obligations)
                )
            )
    found.sort(key=lambda a: _rank(plan.teacher, size, api, a))
    where = f"embedded snapshot (built {source.date})" if getattr(source, "date", None) else "embedded snapshot"
    return Suggestions(plan.teacher, task, size_label(size), plan, found, considered, where)


def alternatives(plan: Plan, options: Any, rules: RuleSet) -> tuple[Suggestions, Any]:
    """The library entry point: the teacher and student are read as `licheck audit` reads them (online unless
    offline), the candidates offline. Returns the suggestions and the teacher's session (for its notices)."""
    from licheck import service
    from licheck.provenance.snapshot import load_snapshot

    teacher, student, session = service.resolve_plan(plan, options)
    # The same options with the network and a pinned revision left out: candidates come from cache and snapshot.
    offline = service.Session.open(replace(options, offline=True, refresh=False, revision=None))
    found = suggest(plan, teacher, student, load_snapshot(), rules, resolver=offline.resolver())
    return found, session
