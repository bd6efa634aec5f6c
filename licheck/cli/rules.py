"""`licheck rules list|show|validate|test`: inspect, validate and test the licence rule library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from licheck.cli.common import run_command
from licheck.errors import EXIT_ERROR, EXIT_OK

rules_app = typer.Typer(no_args_is_help=True, help="Inspect, validate and test the licence rule library.")


@rules_app.command("list")
def rules_list(rules: Optional[list[Path]] = typer.Option(None, "--rules")) -> None:
    """List the rules: id, kind, verification, title."""

    def body() -> int:
        from licheck.rules import load_rules

        rs = load_rules(list(rules or []))
        for r in sorted(rs.rules.values(), key=lambda r: r.id):
            sys.stdout.write(f"{r.id:38} {r.kind:9} {r.verification:9} {r.title}\n")
        return EXIT_OK

    run_command(body)


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

    run_command(body)


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

    run_command(body)


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

    run_command(body)
