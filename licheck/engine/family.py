"""The licensor's own models: whether the student is inside a carve-out such as "excluding Tongyi Qianwen or
derivative works thereof" (rule condition `student_in_family`), decided from the rule's `own_models` data."""

from __future__ import annotations

from fnmatch import fnmatchcase

from licheck.domain import Rule
from licheck.engine.facts import Answer, Asked, boolean


def in_family(rule: Rule, fam: dict[str, object]) -> tuple[bool | None, str]:
    """Whether the student (its base or a model in the base's weight ancestry) is one of the licensor's own
    models, and on what that rests. With `own_models` data the licence's definition decides (ids, licences);
    without it only the rule's own licence family counts and another version of its group stays unknown."""
    families, groups, ids, rule_ids = fam["families"], fam["groups"], fam["ids"], fam["rules"]
    assert isinstance(families, set) and isinstance(groups, set) and isinstance(ids, set)
    assert isinstance(rule_ids, set)
    own = rule.own_models
    if own is not None:
        for nid in sorted(ids):
            pattern = next((p for p in own.ids if fnmatchcase(nid.lower(), p.lower())), None)
            if pattern is not None:
                return True, f"{nid} matches {pattern}"
        licence = next((r for r in own.licences if r in rule_ids), None)
        if licence is not None:
            return True, f"student base under {licence}"
        unsettled = fam["incomplete"] or any(r in rule_ids for r in own.unsettled)
        return (None if unsettled else False), ""
    if rule.family and rule.family in families:
        return True, ""
    if rule.family_group and rule.family_group in groups:
        return None, ""  # same group, another version: version-exact text does not settle it
    if fam["incomplete"]:
        return None, ""
    return False, ""


def initialised_from_own(asked: Asked) -> str | None:
    """Why the student is the licensor's own model's derivative by construction, or None: with `--method weights`
    and no `--student` the student's weights are initialised from the teacher's, so a teacher-side node on the weight
    channel whose licence the rule's `own_models` counts (`licences`: the licence its derivatives carry) makes the
    student a derivative of it. Only that: a named student base, an output-channel node (data it generated) or a
    licence the data does not list keep the student base's answer (fail closed)."""
    rule, plan, ctx = asked.rule, asked.plan, asked.ctx
    own = rule.own_models
    if own is None or rule.id not in own.licences or plan.method != "weights" or plan.student or ctx is None:
        return None
    if ctx.role != "teacher" or "weight" not in ctx.channels or ctx.node.kind != "model":
        return None
    return f"initialised from the weights of {ctx.node.id} (--method weights), a model under {rule.id}"


def student_in_family(asked: Asked, want: object) -> Answer:
    rule = asked.rule
    name = rule.own_models.name if rule.own_models else f"the {rule.family} family"
    own = initialised_from_own(asked)
    got, why = (True, own) if own else in_family(rule, asked.family)
    return boolean(
        got,
        want,
        f"student base is {name} or a derivative of it ({why})" if why else f"student base in {name}",
        f"student base outside {name}",
        f"the student base is {name} or a derivative of it"
        if rule.own_models
        else f"the student base belongs to {name}",
    )
