"""`--scan-code`: Hub ids loaded in Python code, and whether a plan audits each teacher loaded."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from licheck.check.context import CheckContext
from licheck.check.results import CheckResult, Location, located, tool_finding
from licheck.domain import Plan

MAX_SOURCE_BYTES = 1024 * 1024
# Calls that load a model by Hub id, and the keyword that carries the id (else the first positional argument).
LOADERS: dict[str, tuple[str, bool]] = {
    "from_pretrained": ("pretrained_model_name_or_path", True),
    "hf_hub_download": ("repo_id", True),
    "snapshot_download": ("repo_id", True),
    "pipeline": ("model", False),  # pipeline("text-generation", model="org/name"): keyword only
}


@dataclass(frozen=True)
class CodeRef:
    model: str  # Hub id (datasets/ prefix for repo_type="dataset")
    path: Path
    line: int
    call: str
    role: str | None  # teacher | student | None (from the names around the call)


def scan_source(text: str, path: Path, problems: list[str] | None = None) -> list[CodeRef]:
    """Hub ids loaded by from_pretrained / hf_hub_download / snapshot_download / pipeline(model=) in one file.

    Only literal strings and names bound once to a literal count; an id built at run time cannot be known
    statically and is not guessed. Parsed with `ast`, so comments, strings and docstrings never match.
    """
    from licheck.provenance.ids import parent_subject

    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        if problems is not None:
            problems.append(f"has a syntax error (line {exc.lineno})")
        return []
    except (ValueError, RecursionError) as exc:
        if problems is not None:
            problems.append(f"cannot be parsed ({type(exc).__name__})")
        return []
    constants: dict[str, str | None] = {}
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for t in targets:
            if isinstance(t, ast.Name):
                lit = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
                constants[t.id] = lit if t.id not in constants or constants[t.id] == lit else None
    out: list[CodeRef] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if fn not in LOADERS:
            continue
        kw_name, positional = LOADERS[fn]
        arg: ast.expr | None = next((k.value for k in node.keywords if k.arg == kw_name), None)
        if arg is None and positional and node.args:
            arg = node.args[0]
        names: list[str] = []
        model_id: str | None = None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            model_id = arg.value
        elif isinstance(arg, ast.Name):
            model_id = constants.get(arg.id)
            names.append(arg.id)
        if not model_id:
            continue
        dataset = any(
            k.arg == "repo_type" and isinstance(k.value, ast.Constant) and k.value.value == "dataset"
            for k in node.keywords
        )
        subj = parent_subject(model_id, dataset=dataset)
        if subj is None or subj.kind == "api":
            continue
        names += _names_around(node, parents)
        role = next((r for n in names for r in ("teacher", "student") if r in n.lower()), None)
        out.append(CodeRef(subj.id, path, node.lineno, fn, role))
    return out


def _names_around(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[str]:
    """Innermost first: keyword arguments, assignment targets and function names the call sits in."""
    names: list[str] = []
    cur: ast.AST | None = node
    while cur is not None:
        if isinstance(cur, ast.keyword) and cur.arg:
            names.append(cur.arg)
        elif isinstance(cur, (ast.Assign, ast.AnnAssign)):
            targets = cur.targets if isinstance(cur, ast.Assign) else [cur.target]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Name):
                        names.append(sub.id)
                    elif isinstance(sub, ast.Attribute):
                        names.append(sub.attr)
        elif isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(cur.name)
        cur = parents.get(cur)
    return names


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.lower() == b.lower()


def check_code(files: list[Path], ctx: CheckContext, plan_results: dict[str, CheckResult]) -> list[CheckResult]:
    """One result per (model, file) loaded in code, and one per file that could not be read or parsed (review)."""
    from licheck.provenance.resolver import read_regular

    refs: list[CodeRef] = []
    out: list[CheckResult] = []
    for f in files:
        raw, why = read_regular(f, MAX_SOURCE_BYTES)
        problems: list[str] = []
        if raw is None:
            problems.append(f"{why}")
        elif len(raw) > MAX_SOURCE_BYTES:
            problems.append(f"is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB")
        else:
            refs += scan_source(raw.decode("utf-8", errors="replace"), f, problems)
        if problems:
            # Not scanned: the models this file loads are unknown. Reported; fails the check under --strict.
            path = ctx.rel(f)
            res = CheckResult("code", path, 1, path)
            reason = f"{path} {problems[0]}: not scanned, so the models it loads are unknown"
            res.findings.append(located(tool_finding(path, "review", reason, "code_unreadable"), Location(path, 1)))
            out.append(res)
    seen: set[tuple[str, str]] = set()
    for ref in refs:
        path = ctx.rel(ref.path)
        key = (ref.model.lower(), path)
        if key in seen:
            continue
        seen.add(key)
        res = CheckResult("code", path, ref.line, ref.model, plan=Plan(teacher=ref.model))
        res.detail = f"{ref.call}({ref.model!r})" + (f" as {ref.role}" if ref.role else "")
        loc = Location(path, ref.line)
        as_teacher = [s for s in ctx.policy.plans if _same(s.plan.teacher, ref.model)]
        as_student = [s for s in ctx.policy.plans if _same(s.plan.student, ref.model)]
        if as_teacher:
            said = ", ".join(
                f"{s.name!r}" + (f" ({plan_results[s.name].verdict})" if s.name in plan_results else "")
                for s in as_teacher
            )
            res.findings.append(
                located(
                    tool_finding(
                        ref.model,
                        "info",
                        f"teacher referenced in code; audited by plan {said}",
                        "code_teacher_planned",
                        clause="code-teacher-planned",
                    ),
                    loc,
                )
            )
        elif ref.role == "teacher":
            res.findings.append(
                located(
                    tool_finding(
                        ref.model,
                        "forbid",
                        f"{ref.model} is loaded as a teacher ({res.detail}) but no plan in the policy file audits it; "
                        f"add a plan with teacher: {ref.model}",
                        "code_teacher_unplanned",
                        clause="code-teacher-unplanned",
                    ),
                    loc,
                    violation=True,
                )
            )
        elif as_student:
            res.findings.append(
                located(
                    tool_finding(
                        ref.model,
                        "info",
                        f"student base of plan {as_student[0].name!r}",
                        "code_student_planned",
                        clause="code-student-planned",
                    ),
                    loc,
                )
            )
        else:
            res.findings.append(
                located(
                    tool_finding(
                        ref.model,
                        "info",
                        f"{ref.model} is loaded in code and is not a teacher of any plan "
                        "(if it teaches a student, add a plan)",
                        "code_model_unplanned",
                        clause="code-model-unplanned",
                    ),
                    loc,
                )
            )
        out.append(res)
    return out
