"""Plans that cannot happen are errors, not verdicts: one check for every entry point that takes a plan.

Why here and not in each front end: `licheck audit`, the plans of licheck.yaml, policy defaults, the scan's plan
and `licheck alternatives` all build a `domain.Plan`; a plan asking for the weights of a hosted API, naming an API
product as the student base, or giving a negative count describes nothing that can be licensed, so any verdict on
it (even `review`) would answer a question nobody can ask. Each entry calls `validate_plan` before it audits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from licheck.engine.facts import FACTS
from licheck.errors import InvalidRepoId, PlanError

if TYPE_CHECKING:
    from licheck.domain import Plan
    from licheck.rules.apis import ApiCatalogue


def _kind(raw: str | None, catalogue: ApiCatalogue) -> str | None:
    """What the id names: "api" (`api:...` or a catalogue product such as openai/gpt-4o), "dataset", "model" or
    "local". An id that is not valid at all (None) is left to the resolver, which reports it as it always did."""
    if not raw:
        return None
    from licheck.provenance.ids import parse_subject

    try:
        return parse_subject(raw, api_lookup=catalogue.is_product).kind
    except InvalidRepoId:
        return None


def plan_problem(plan: Plan, catalogue: ApiCatalogue | None = None) -> str | None:
    """Why the plan is nonsense (one line), or None when it can be audited."""
    for fact in FACTS:
        value = getattr(plan, fact.name)
        if fact.minimum is not None and isinstance(value, int) and value < fact.minimum:
            return f"{fact.name} must be {fact.minimum} or more, got {value:,} ({fact.help.lower().rstrip('.')})"
    if catalogue is None:
        from licheck.rules.apis import load_catalogue

        catalogue = load_catalogue()
    teacher, student = _kind(plan.teacher, catalogue), _kind(plan.student, catalogue)
    if plan.method == "weights" and teacher == "api":
        return (
            f"method weights is impossible with the API teacher {plan.teacher}: a hosted API gives outputs, "
            "never its weights (use method outputs)"
        )
    if plan.method == "weights" and teacher == "dataset":
        return (
            f"method weights is impossible with the dataset {plan.teacher} as teacher: a dataset has no weights "
            "(use method outputs to train on it)"
        )
    if student == "api":
        return (
            f"student {plan.student} is a hosted API product, not a model whose weights a student can start from "
            "(name a Hub model or a local folder as student, or none for a student trained from scratch)"
        )
    if student == "dataset":
        return (
            f"student {plan.student} is a dataset, not a model whose weights a student can start from "
            "(name the dataset as teacher, or a Hub model or local folder as student)"
        )
    return None


def validate_plan(plan: Plan, catalogue: ApiCatalogue | None = None) -> Plan:
    """The plan itself, or PlanError (exit 2) with the one-line reason it cannot be audited."""
    problem = plan_problem(plan, catalogue)
    if problem is not None:
        raise PlanError(problem)
    return plan
