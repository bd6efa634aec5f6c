"""The plan flags, declared once: `audit` and `scan` (and any later command taking a plan) get them from here.

A command declares a `plan: dict` parameter and is decorated with `@plan_options`; Typer then sees the flags of
PLAN_FLAGS in that parameter's place, and the command receives their values as one dict of `domain.Plan` field
values (enums as their strings). The flags come from the plan-fact registry (licheck.engine.facts): a new plan flag
is a new PlanFact there.
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

from licheck.engine.facts import FACTS, PlanFact


@dataclass(frozen=True)
class PlanFlag:
    """One plan flag: the `domain.Plan` field it sets, its Python type and its Typer option."""

    field: str
    annotation: Any
    option: Any


def _flag(fact: PlanFact) -> PlanFlag:
    """The Typer option of a registry fact: choices become a str Enum (Typer's choice type), None allows unset."""
    extra = {} if fact.minimum is None else {"min": fact.minimum}
    if fact.choices:
        kind = Enum(fact.name.title().replace("_", ""), {c.replace("-", "_"): c for c in fact.choices}, type=str)
        return PlanFlag(fact.name, kind, typer.Option(kind(fact.default), fact.flag, help=fact.help, **extra))
    annotation = Optional[fact.type] if fact.default is None else fact.type
    return PlanFlag(fact.name, annotation, typer.Option(fact.default, fact.flag, help=fact.help, **extra))


PLAN_FLAGS: tuple[PlanFlag, ...] = (
    PlanFlag(
        "student",
        Optional[str],
        typer.Option(None, "--student", help="Student base model (omit: trained from scratch)."),
    ),
    *(_flag(f) for f in FACTS),
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
