"""The plan facts and the rule conditions they answer, declared once.

Why a registry: a plan fact (what the user tells licheck about the distillation and the licensee) used to be spelled
in the CLI, the policy loader, the schemas and an if/elif ladder of the engine. Here each fact declares its name
(the `domain.Plan` field, the audit JSON `query` key and the policy-file / `licheck.yaml` plan key), its type and
choices, its default, its CLI flag and help, and the rule `when:` condition(s) it answers with the function that
evaluates them. `cli/options.py` builds the flags from FACTS, `policy.py` reads plans by FACT_NAMES, the engine looks
conditions up in CONDITIONS (plus its own node conditions), and tests check the JSON schemas against this module.

A new plan fact: one PlanFact here, one `domain.Plan` field, its entries in the schemas (the tests say which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from licheck.domain import Plan


@dataclass(frozen=True, slots=True)
class Asked:
    """What a condition may look at: the plan, and (for the engine's node conditions) the node context and rule."""

    plan: Plan
    ctx: Any = None  # engine.NodeContext
    rule: Any = None  # domain.Rule
    family: Any = None  # the student's families (engine)


@dataclass(frozen=True, slots=True)
class Answer:
    """A condition's answer: holds (None: not known), the fact it rests on (finding.triggered_by) or what is missing."""

    holds: bool | None
    fact: str | None = None
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule `when:` key: the JSON schema of its value and the function answering it for (Asked, wanted value).

    `missing` says what an unknown answer is: a licensee fact the user did not give ("fact": the clause becomes an
    obligation to check it) or data the graph lacks ("data": review)."""

    key: str
    schema: dict[str, Any]
    evaluate: Callable[[Asked, Any], Answer]
    missing: str = "fact"


@dataclass(frozen=True, slots=True)
class PlanFact:
    name: str  # Plan field = JSON query key = policy / licheck.yaml plan key = rule example plan key
    type: type  # str | bool | int (None allowed when the default is None)
    default: Any
    flag: str  # Typer parameter declaration ("--use", "--eu/--no-eu")
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    conditions: tuple[Condition, ...] = ()

    def json_schema(self) -> dict[str, Any]:
        """The schema of the fact's value as policy files and the audit JSON write it."""
        if self.choices:
            return {"enum": list(self.choices)}
        name = {bool: "boolean", int: "integer", str: "string"}[self.type]
        return {"type": [name, "null"] if self.default is None else name}


def boolean(got: bool | None, want: Any, on: str | None, off: str | None, unknown: str | None = None) -> Answer:
    """A yes/no condition: holds when the fact equals the rule's wanted value; `on`/`off` name the fact."""
    if got is None:
        return Answer(None, unknown=unknown)
    return Answer(bool(got) == bool(want), on if got else off)


def _count(name: str, help: str, key: str, label: str) -> PlanFact:
    """A licensee count (users, revenue): an optional non-negative integer answering the rule's `KEY: threshold`."""

    def evaluate(asked: Asked, want: Any) -> Answer:
        value = getattr(asked.plan, name)
        if value is None:
            return Answer(None, unknown=f"{label} exceed {want:,}")
        got = value > want
        return Answer(got, f"{label} {value:,} {'>' if got else '<='} {want:,}")

    condition = Condition(key, {"type": "integer", "minimum": 0}, evaluate)
    return PlanFact(name, int, None, "--" + name.replace("_", "-"), help, minimum=0, conditions=(condition,))


def _student_task(asked: Asked, want: Any) -> Answer:
    task = asked.plan.student_task
    return Answer(task in want, f"student task {task} (--student-task)")


_BOOL = {"type": "boolean"}
_TASKS = ("generative", "classifier", "embedding")

FACTS: tuple[PlanFact, ...] = (
    PlanFact(
        "use",
        str,
        "commercial",
        "--use",
        "Intended use of the student.",
        choices=("commercial", "research", "non-commercial"),
        conditions=(
            Condition("commercial", _BOOL, lambda a, want: boolean(a.plan.use == "commercial", want, None, None)),
        ),
    ),
    PlanFact(
        "internal",
        bool,
        False,
        "--internal",
        "The student is never distributed or offered to third parties.",
        conditions=(
            Condition(
                "distributed",
                _BOOL,
                lambda a, want: boolean(a.plan.distributed, want, "distributed", "internal (--internal)"),
            ),
        ),
    ),
    PlanFact(
        "method",
        str,
        "outputs",
        "--method",
        "What of the teacher trains the student.",
        choices=("outputs", "logits", "weights"),
    ),
    _count("mau", "Licensee's monthly active users.", "mau_over", "monthly active users"),
    _count("monthly_revenue", "Licensee's monthly revenue, USD.", "monthly_revenue_over", "monthly revenue (USD)"),
    _count("annual_revenue", "Licensee's annual revenue, USD.", "annual_revenue_over", "annual revenue (USD)"),
    PlanFact(
        "eu",
        bool,
        None,
        "--eu/--no-eu",
        "Licensee is (not) domiciled in the EU.",
        conditions=(
            Condition(
                "eu",
                _BOOL,
                lambda a, want: boolean(
                    a.plan.eu,
                    want,
                    "EU-domiciled (--eu)",
                    "not EU-domiciled (--no-eu)",
                    "the licensee is EU-domiciled",
                ),
            ),
        ),
    ),
    PlanFact(
        "student_task",
        str,
        "generative",
        "--student-task",
        "What the student model is.",
        choices=_TASKS,
        conditions=(
            Condition("student_task", {"type": "array", "minItems": 1, "items": {"enum": list(_TASKS)}}, _student_task),
        ),
    ),
)

FACT_NAMES: tuple[str, ...] = tuple(f.name for f in FACTS)
CONDITIONS: dict[str, Condition] = {c.key: c for f in FACTS for c in f.conditions}


def command_flags(plan: Plan) -> list[str]:
    """The flags that state `plan` (its student, and each fact not at its default): to ask the same question with
    another command, e.g. the `licheck alternatives` line an audit ends with."""
    out = ["--student", plan.student] if plan.student else []
    for f in FACTS:
        value = getattr(plan, f.name)
        if value == f.default:
            continue
        names = f.flag.split("/")
        if f.type is bool:
            out.append(names[0] if value else names[-1])
        else:
            out += [names[0], str(value)]
    return out
