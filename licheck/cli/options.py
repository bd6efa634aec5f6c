"""The plan flags, declared once: `audit` and `scan` (and any later command taking a plan) get them from here.

A command declares a `plan: dict` parameter and is decorated with `@plan_options`; Typer then sees the flags of
PLAN_FLAGS in that parameter's place, and the command receives their values as one dict of `domain.Plan` field
values (enums as their strings). A new plan flag is one entry of PLAN_FLAGS.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

import typer


class Use(str, Enum):
    commercial = "commercial"
    research = "research"
    non_commercial = "non-commercial"


class Method(str, Enum):
    outputs = "outputs"
    logits = "logits"
    weights = "weights"


@dataclass(frozen=True)
class PlanFlag:
    """One plan flag: the `domain.Plan` field it sets, its Python type and its Typer option."""

    field: str
    annotation: Any
    option: Any


PLAN_FLAGS: tuple[PlanFlag, ...] = (
    PlanFlag(
        "student",
        Optional[str],
        typer.Option(None, "--student", help="Student base model (omit: trained from scratch)."),
    ),
    PlanFlag("use", Use, typer.Option(Use.commercial, "--use", help="Intended use of the student.")),
    PlanFlag(
        "internal",
        bool,
        typer.Option(False, "--internal", help="The student is never distributed or offered to third parties."),
    ),
    PlanFlag(
        "method", Method, typer.Option(Method.outputs, "--method", help="What of the teacher trains the student.")
    ),
    PlanFlag("mau", Optional[int], typer.Option(None, "--mau", min=0, help="Licensee's monthly active users.")),
    PlanFlag(
        "monthly_revenue",
        Optional[int],
        typer.Option(None, "--monthly-revenue", min=0, help="Licensee's monthly revenue, USD."),
    ),
    PlanFlag(
        "annual_revenue",
        Optional[int],
        typer.Option(None, "--annual-revenue", min=0, help="Licensee's annual revenue, USD."),
    ),
    PlanFlag("eu", Optional[bool], typer.Option(None, "--eu/--no-eu", help="Licensee is (not) domiciled in the EU.")),
)


def plan_options(fn: Callable[..., None]) -> Callable[..., None]:
    """Replace `fn`'s `plan` parameter by the PLAN_FLAGS options; `fn` is called with `plan=` their values."""
    sig = inspect.signature(fn)
    hints = typing.get_type_hints(fn)  # the command module's own names resolve its annotations
    at = list(sig.parameters).index("plan")
    flags = [
        inspect.Parameter(f.field, inspect.Parameter.KEYWORD_ONLY, default=f.option, annotation=f.annotation)
        for f in PLAN_FLAGS
    ]
    rest = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints.get(p.name, p.annotation))
        for p in sig.parameters.values()
    ]
    params = rest[:at] + flags + rest[at + 1 :]

    @functools.wraps(fn)
    def command(**kwargs: Any) -> None:
        plan = {f.field: _plain(kwargs.pop(f.field)) for f in PLAN_FLAGS}
        fn(**kwargs, plan=plan)

    command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    del command.__wrapped__  # Typer must read the signature above, not `fn`'s
    return command


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
