"""`licheck notices`: write the NOTICE, licence files and model card a plan's verdict demands (never overwriting)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from licheck.cli.common import MAX_DEPTH, OFFLINE, REFRESH, TIME_BUDGET, format_choice, print_notice, run_command
from licheck.cli.options import plan_options
from licheck.errors import EXIT_FORBIDDEN, EXIT_OK, EXIT_REVIEW

PREVIEW_LINES = 40  # of each file --dry-run shows

NoticesFmt = format_choice("NoticesFmt", ("text", "json"))


@plan_options
def notices(
    target: str = typer.Argument(
        ..., help="Teacher (as for audit), or a repository / licheck.yaml whose plan to use (see --plan)."
    ),
    plan: Optional[dict[str, Any]] = None,  # replaced by the plan flags (cli/options.py)
    plan_name: Optional[str] = typer.Option(None, "--plan", help="Which plan of licheck.yaml (if it has several)."),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Folder to write into (default: the plan's student_dir, else the current folder)."
    ),
    name: Optional[str] = typer.Option(None, "--name", help="The student's model name (default: the folder's name)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write nothing; show what would be written."),
    fmt: NoticesFmt = typer.Option("text", "--format", help="Output format."),
    offline: bool = OFFLINE,
    refresh: bool = REFRESH,
    rules: Optional[list[Path]] = typer.Option(None, "--rules", help="Extra rule folder (repeatable)."),
    max_depth: int = MAX_DEPTH,
    time_budget: Optional[float] = TIME_BUDGET,
) -> None:
    """Write the files a plan's obligations require next to the student. Exit 0 done, 1 forbidden or an existing
    file differs (diff shown, file untouched), 3 review, 2 error."""

    def body() -> int:
        from licheck import report, service
        from licheck.cli.common import source_options
        from licheck.domain import Plan
        from licheck.errors import UsageError
        from licheck.notices import build_notices, plan_writes
        from licheck.notices.plans import pick_plan, policy_file
        from licheck.policy import load_policy
        from licheck.rules.ruleset import load_rules

        options = source_options(offline, refresh, max_depth, None, rules, time_budget)
        policy_path = policy_file(target)
        if policy_path is not None:
            if (plan or {}).get("student"):
                raise UsageError("give the plan in licheck.yaml or on the command line, not both (--student)")
            policy = load_policy(policy_path)
            spec = pick_plan(policy, plan_name)
            the_plan, folder = spec.plan, out or spec.student_dir
            if folder is None:
                raise UsageError(f"plan {spec.name!r} has no student_dir in {policy_path}; give --out DIR")
            options.rules_dirs += policy.rules_dirs
        else:
            if plan_name is not None:
                raise UsageError(f"--plan needs a repository with licheck.yaml; {target!r} is not one")
            the_plan, folder = Plan(teacher=target, **(plan or {})), out or Path(".")
        ruleset = load_rules(options.rules_dirs)
        verdict, session = service.audit(the_plan, options, ruleset)
        print_notice(session)
        result = build_notices(verdict, ruleset, name or folder.resolve().name)
        outcomes = plan_writes(result.files, folder, dry_run=dry_run)
        if fmt.value == "json":
            doc = result.to_json() | {"folder": str(folder), "dry_run": dry_run}
            doc["outcomes"] = [{"path": o.name, "action": o.action, "diff": o.diff} for o in outcomes]
            sys.stdout.write(report.dumps(doc) + "\n")
        else:
            sys.stdout.write(_text(result, outcomes, folder))
        if verdict.verdict == "forbidden" or any(o.action == "diff" for o in outcomes):
            return EXIT_FORBIDDEN
        return EXIT_REVIEW if verdict.verdict == "review" else EXIT_OK

    run_command(body)


def _text(result: Any, outcomes: list[Any], folder: Path) -> str:
    from licheck.textsafe import clean_lines

    plan = result.plan
    head = f"licheck notices: {plan.teacher} -> {plan.student or 'student trained from scratch'}"
    out = [f"{head}; verdict {result.verdict}; into {folder}"]
    purposes = {f.name: f.purpose for f in result.files}
    for o in outcomes:
        label = {"diff": "exists, left as it was; proposed change"}.get(o.action, o.action)
        out.append(f"  {o.action:<11} {o.name}: {purposes.get(o.name, '')}" + (f" ({label})" if o.diff else ""))
        if o.action == "would write":
            lines = o.content.splitlines()
            out += ["      " + line for line in lines[:PREVIEW_LINES]]
            if len(lines) > PREVIEW_LINES:  # a licence copy runs to hundreds of lines
                out.append(f"      ... {len(lines) - PREVIEW_LINES} more lines (all of them in --format json)")
        if o.diff:
            out += o.diff.rstrip("\n").splitlines()
    out += [f"  note: {n}" for n in result.notes]
    out += [f"  todo: {t}" for t in result.todos]
    return clean_lines(out)
