"""Command line: a thin layer over licheck.service. Errors map to exit codes in one place (`_run`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from licheck.cli_common import VERDICT_EXIT, guarded, print_notice
from licheck.errors import EXIT_ERROR, EXIT_OK


def _click_exceptions() -> Any:
    """Typer >= 0.20 vendors click as typer._click; older typers use click itself."""
    import typer.core as tcore

    vendored = getattr(tcore, "_click", None)
    if vendored is not None:
        return vendored.exceptions
    import click

    return click.exceptions


class _Group(TyperGroup):
    """Usage errors (unknown option, bad value) become one line on stderr and exit 2, like every other error."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: Any = None,
        complete_var: Any = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        click = _click_exceptions()
        try:
            rv = super().main(
                args=args, prog_name=prog_name or "licheck", complete_var=complete_var, standalone_mode=False, **extra
            )
            code = rv if isinstance(rv, int) else EXIT_OK
        except click.UsageError as exc:
            where = f" ({exc.ctx.command_path})" if exc.ctx is not None else ""
            sys.stderr.write(f"licheck: error{where}: {' '.join(exc.format_message().split())}\n")
            code = EXIT_ERROR
        except (getattr(click, "Abort", KeyboardInterrupt), KeyboardInterrupt):
            sys.stderr.write("licheck: error: aborted\n")
            code = 130
        except BrokenPipeError:
            code = EXIT_OK
        except click.ClickException as exc:
            sys.stderr.write(f"licheck: error: {' '.join(exc.format_message().split())}\n")
            code = EXIT_ERROR
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Is this model distillation allowed? Provenance and licence checks for Hugging Face models.",
)
rules_app = typer.Typer(no_args_is_help=True, help="Inspect, validate and test the licence rule library.")
app.add_typer(rules_app, name="rules")


class Fmt(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"
    cyclonedx = "cyclonedx"
    spdx = "spdx"


class Use(str, Enum):
    commercial = "commercial"
    research = "research"
    non_commercial = "non-commercial"


class Method(str, Enum):
    outputs = "outputs"
    logits = "logits"
    weights = "weights"


def _run(fn: Callable[[], int]) -> None:
    """Every command body runs here (see cli_common.guarded): one line on stderr, never a traceback."""
    raise typer.Exit(guarded(fn))


def _options(
    offline: bool,
    refresh: bool,
    max_depth: int,
    revision: Optional[str],
    rules: Optional[list[Path]],
    time_budget: Optional[float] = None,
) -> Any:
    from licheck.service import make_options

    return make_options(offline, refresh, max_depth, revision, rules, time_budget)


OFFLINE = typer.Option(False, "--offline", help="Use only the cache and the embedded snapshot (also HF_HUB_OFFLINE=1).")
REFRESH = typer.Option(False, "--refresh", help="Ignore the cache and ask the Hub again.")
MAX_DEPTH = typer.Option(20, "--max-depth", help="How many ancestor levels to follow.")
REVISION = typer.Option(None, "--revision", help="Pin the root to this commit, branch or tag.")
FORMAT = typer.Option(Fmt.text, "--format", help="Output format.")
TIME_BUDGET = typer.Option(
    None, "--time-budget", help="Seconds the run may wait for the Hub, then cache/snapshot (LICHECK_TIME_BUDGET, 10)."
)


@app.command()
def chain(
    model_id: str = typer.Argument(..., help="org/name, datasets/org/name, api:provider/model or ./local-folder"),
    fmt: Fmt = FORMAT,
    offline: bool = OFFLINE,
    refresh: bool = REFRESH,
    max_depth: int = MAX_DEPTH,
    revision: Optional[str] = REVISION,
    time_budget: Optional[float] = TIME_BUDGET,
) -> None:
    """Show the provenance graph of a model: every model, dataset and API it came from."""

    def body() -> int:
        from licheck import report, service

        if fmt not in (Fmt.text, Fmt.json):
            from licheck.errors import UsageError

            raise UsageError("licheck chain supports --format text or json")
        graph, session = service.chain(model_id, _options(offline, refresh, max_depth, revision, None, time_budget))
        print_notice(session)
        sources = session.sources_summary(graph)
        if fmt is Fmt.json:
            sys.stdout.write(report.dumps(report.chain_json(graph, sources)) + "\n")
        else:
            report.print_chain(graph, sources)
        return EXIT_OK

    _run(body)


@app.command()
def audit(
    teacher: str = typer.Argument(
        ..., help="Teacher: Hub model, datasets/ORG/NAME, or API model (openai/gpt-4o, api:...)"
    ),
    student: Optional[str] = typer.Option(None, "--student", help="Student base model (omit: trained from scratch)."),
    use: Use = typer.Option(Use.commercial, "--use", help="Intended use of the student."),
    internal: bool = typer.Option(
        False, "--internal", help="The student is never distributed or offered to third parties."
    ),
    method: Method = typer.Option(Method.outputs, "--method", help="What of the teacher trains the student."),
    mau: Optional[int] = typer.Option(None, "--mau", min=0, help="Licensee's monthly active users."),
    monthly_revenue: Optional[int] = typer.Option(
        None, "--monthly-revenue", min=0, help="Licensee's monthly revenue, USD."
    ),
    annual_revenue: Optional[int] = typer.Option(
        None, "--annual-revenue", min=0, help="Licensee's annual revenue, USD."
    ),
    eu: Optional[bool] = typer.Option(None, "--eu/--no-eu", help="Licensee is (not) domiciled in the EU."),
    fmt: Fmt = FORMAT,
    offline: bool = OFFLINE,
    refresh: bool = REFRESH,
    rules: Optional[list[Path]] = typer.Option(
        None, "--rules", help="Extra rule folder (repeatable); overrides rule ids."
    ),
    revision: Optional[str] = REVISION,
    max_depth: int = MAX_DEPTH,
    time_budget: Optional[float] = TIME_BUDGET,
) -> None:
    """May I distill TEACHER into a student? Exit 0 permitted/conditional, 1 forbidden, 3 review, 2 error."""

    def body() -> int:
        from licheck import report, service
        from licheck.domain import Plan
        from licheck.rules import load_rules

        plan = Plan(
            teacher=teacher,
            student=student,
            use=use.value,
            internal=internal,
            method=method.value,
            mau=mau,
            monthly_revenue=monthly_revenue,
            annual_revenue=annual_revenue,
            eu=eu,
        )
        options = _options(offline, refresh, max_depth, revision, rules, time_budget)
        ruleset = load_rules(options.rules_dirs)
        verdict, session = service.audit(plan, options, ruleset)
        print_notice(session)
        sources = session.sources_summary(verdict.graph)
        if fmt is Fmt.json:
            sys.stdout.write(report.dumps(report.audit_json(verdict, sources, ruleset.version)) + "\n")
        elif fmt is Fmt.text:
            report.print_audit(verdict, sources)
        else:
            from licheck import formats

            sys.stdout.write(formats.render(fmt.value, [report.audit_json(verdict, sources, ruleset.version)]))
        return VERDICT_EXIT[verdict.verdict]

    _run(body)


@rules_app.command("list")
def rules_list(rules: Optional[list[Path]] = typer.Option(None, "--rules")) -> None:
    """List the rules: id, kind, verification, title."""

    def body() -> int:
        from licheck.rules import load_rules

        rs = load_rules(list(rules or []))
        for r in sorted(rs.rules.values(), key=lambda r: r.id):
            sys.stdout.write(f"{r.id:38} {r.kind:9} {r.verification:9} {r.title}\n")
        return EXIT_OK

    _run(body)


@rules_app.command("show")
def rules_show(rule_id: str, rules: Optional[list[Path]] = typer.Option(None, "--rules")) -> None:
    """Show one rule with its clauses and quotes."""

    def body() -> int:
        from licheck.errors import UsageError
        from licheck.rules import load_rules

        rs = load_rules(list(rules or []))
        r = rs.get(rule_id)
        if r is None:
            raise UsageError(f"no rule {rule_id!r} (see `licheck rules list`)")
        out = [f"{r.id}: {r.title} ({r.version}), {r.kind}, verification {r.verification}", f"source: {r.source_url}"]
        if r.text_sha256:
            out.append(f"text sha256: {r.text_sha256}")
        ids = {k: list(v) for k, v in r.identifiers.items() if v}
        out.append(f"identifiers: {ids}")
        for c in r.clauses:
            cond = ", ".join(f"{k}={v}" for k, v in c.when)
            out.append(
                f"- {c.id} (section {c.section}) {c.effect} channels={','.join(c.channels)}"
                + (f" when {cond}" if cond else "")
            )
            out.append(f"  \u201c{c.quote}\u201d")
            if c.obligation:
                out.append(f"  obligation: {c.obligation}")
        sys.stdout.write("\n".join(out) + "\n")
        return EXIT_OK

    _run(body)


@rules_app.command("validate")
def rules_validate(
    directory: Optional[Path] = typer.Argument(None, help="Folder of rule files (default: packaged)"),
) -> None:
    """Check rule files against the schema; report file and line of the first problem in each."""

    def body() -> int:
        from licheck import resources
        from licheck.errors import RuleError
        from licheck.rules import rule_files, validate_text

        folder = directory or resources.rules_dir()
        if not folder.is_dir():
            raise RuleError("rule folder not found", path=str(folder))
        problems = 0
        files = rule_files(folder)
        for path in files:
            try:
                validate_text(path.read_text(encoding="utf-8"), str(path))
            except RuleError as exc:
                problems += 1
                sys.stdout.write(f"{exc}\n")
            except (OSError, UnicodeDecodeError) as exc:
                problems += 1
                sys.stdout.write(f"{path}: unreadable ({type(exc).__name__})\n")
        if not problems and folder.resolve() != resources.rules_dir().resolve():
            from licheck.rules import load_rules

            try:  # an organisation folder must not silently take over a packaged rule id or identifier
                load_rules([folder])
            except RuleError as exc:
                problems += 1
                sys.stdout.write(f"{exc}\n")
        sys.stdout.write(f"{len(files)} rule file(s), {problems} problem(s)\n")
        return EXIT_ERROR if problems else EXIT_OK

    _run(body)


@rules_app.command("test")
def rules_test(rules: Optional[list[Path]] = typer.Option(None, "--rules")) -> None:
    """Run every rule file's example cases through the engine."""

    def body() -> int:
        from licheck.examples import run_examples
        from licheck.rules import load_rules

        rs = load_rules(list(rules or []))
        results = run_examples(rs)
        failed = [r for r in results if not r.ok]
        for r in failed:
            sys.stdout.write(f"FAIL {r.rule}: {r.name}: {r.message}\n")
        sys.stdout.write(f"{len(results) - len(failed)} passed, {len(failed)} failed\n")
        return EXIT_ERROR if failed else EXIT_OK

    _run(body)


# Commands that live in their own modules register themselves on `app` (they import nothing heavy at load).
import licheck.cli_check  # noqa: E402,F401
import licheck.cli_scan  # noqa: E402,F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()
