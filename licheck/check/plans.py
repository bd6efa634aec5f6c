"""Each plan of licheck.yaml audited exactly as `licheck audit` would, its findings pointed at the plan's lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from licheck.check.cardread import card_subject
from licheck.check.cards import rename_root
from licheck.check.context import CheckContext
from licheck.check.results import CheckFinding, CheckResult, Location, located, tool_finding
from licheck.domain import Finding, Graph
from licheck.engine.auditor import Auditor
from licheck.errors import LicheckError
from licheck.policy import PlanSpec


def check_plan(spec: PlanSpec, ctx: CheckContext) -> CheckResult:
    """The plan's audit; a finding on the student's side points at the `student:` line, the rest at `teacher:`."""
    from licheck import service

    path = ctx.rel(ctx.policy.path) if ctx.policy.path else "licheck.yaml"
    plan = spec.plan
    res = CheckResult("plan", path, spec.line, spec.name, plan=plan)
    res.detail = (
        f"{plan.teacher} -> {plan.student or 'student trained from scratch'}; use {plan.use}, "
        f"{'internal' if plan.internal else 'distributed'}, method {plan.method}"
    )
    try:
        teacher, student, session = service.resolve_plan(plan, ctx.options.service)
        for graph in (teacher, student):
            _name_local_root(graph, ctx)
        verdict = Auditor(ctx.rules).audit(plan, teacher, student)
    except LicheckError as exc:
        res.error = str(exc)
        on_student = bool(plan.student) and str(exc).startswith(f"{plan.student}:")
        subject = plan.student if on_student and plan.student else plan.teacher
        res.findings.append(
            located(
                tool_finding(subject, "review", f"plan {spec.name!r}: {exc}", "root_unreadable"),
                Location(path, (spec.student_line if on_student else spec.teacher_line) or spec.line),
            )
        )
        return res
    res.graph = verdict.graph
    res.sources = session.sources_summary(verdict.graph)
    res.warnings = list(verdict.graph.warnings)
    for f in verdict.findings:
        on_teacher = not f.path or f.path[0] == verdict.graph.root or not plan.student
        line = (spec.teacher_line if on_teacher else spec.student_line) or spec.line
        res.findings.append(located(f, Location(path, line)))
    if spec.student_dir is not None:
        duties, res.duties = _student_dir_duties(spec, verdict.findings, ctx, path)
        res.findings += duties
    return res


def _name_local_root(graph: Graph | None, ctx: CheckContext) -> None:
    """A plan's local folder is read from wherever licheck runs (the policy made its path relative to the working
    directory); the check names it by its path in the repository, as it names cards, so results and the lock are
    the same from any folder."""
    if graph is None:
        return
    root = graph.nodes.get(graph.root)
    if root is not None and root.source == "local":
        rename_root(graph, graph.root, card_subject(Path(graph.root).resolve(), ctx.policy.base))


def _student_dir_duties(
    spec: PlanSpec, findings: list[Finding], ctx: CheckContext, path: str
) -> tuple[list[CheckFinding], list[dict[str, Any]]]:
    """The plan's duties checked in its `student_dir` (the name from its card's model_name, else the folder's)."""
    from licheck.check.cardread import model_name, read_card
    from licheck.check.duties import folder_duties

    folder = spec.student_dir or ctx.policy.base
    card, _problem = read_card(folder / "README.md") if (folder / "README.md").is_file() else (None, None)
    name = model_name(card, folder) if card is not None else folder.name
    at = Location(path, spec.line)
    return folder_duties(folder, name, card.text if card else "", spec.name, findings, ctx.rules, at, spec.line or 1)
