"""`licheck rules list|show|validate|test`: inspect, validate and test the licence rule library."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from licheck.cli.common import run_command
from licheck.errors import EXIT_ERROR, EXIT_OK

rules_app = typer.Typer(no_args_is_help=True, help="Inspect, validate and test the licence rule library.")


@rules_app.command("list")
def rules_list(rules: Optional[list[Path]] = typer.Option(None, "--rules")) -> None:
    """List the rules: id, title, kind and verification."""

    def body() -> int:
        from licheck.formats.text import width, wrap
        from licheck.rules.ruleset import load_rules

        rs = load_rules(list(rules or []))
        cols = width()
        listed = sorted(rs.rules.values(), key=lambda r: r.id)
        column = max((len(r.id) for r in listed), default=0) + 2
        hanging = cols - column >= 30
        for r in listed:
            text = f"{r.title} ({r.kind}, {r.verification})"
            if hanging:
                lines = wrap(text, " " * column, cols, first=r.id.ljust(column))
            else:
                lines = [r.id, *wrap(text, "    ", cols)]
            sys.stdout.write("\n".join(lines) + "\n")
        return EXIT_OK

    run_command(body)


def find_rule(rs: Any, name: str) -> Any:
    """The rule `name` names: its id, else the one rule carrying it as an identifier (the Hub's `llama3.1`, an SPDX
    id...); else a usage error suggesting the closest ids and identifiers."""
    import difflib

    from licheck.errors import UsageError

    rule = rs.get(name)
    if rule is not None:
        return rule
    wanted = name.strip().lower()
    spellings: dict[str, set[str]] = {}
    for r in rs.rules.values():
        spellings.setdefault(r.id.lower(), set()).add(r.id)
        for kind, values in r.identifiers.items():
            if kind in ("hub", "license_name", "spdx", "scancode"):
                for v in values:
                    spellings.setdefault(str(v).lower(), set()).add(r.id)
    owners = sorted(spellings.get(wanted, ()))
    if len(owners) == 1:
        sys.stderr.write(f"licheck: {name!r} is an identifier of rule {owners[0]}\n")
        return rs.get(owners[0])
    if owners:
        raise UsageError(f"{name!r} names several rules: {', '.join(owners)}")
    close = difflib.get_close_matches(wanted, list(spellings), n=5, cutoff=0.6)
    ids = sorted({rid for spelling in close for rid in spellings[spelling]})
    hint = f"; did you mean {' or '.join(ids[:3])}?" if ids else ""
    raise UsageError(f"no rule {name!r}{hint} (see `licheck rules list`)")


@rules_app.command("show")
def rules_show(rule_id: str, rules: Optional[list[Path]] = typer.Option(None, "--rules")) -> None:
    """Show one rule with its clauses and quotes (RULE_ID: a rule id or a licence id such as the Hub's)."""

    def body() -> int:
        from licheck.formats.text import width, wrap
        from licheck.rules.ruleset import load_rules

        r = find_rule(load_rules(list(rules or [])), rule_id)
        cols = width()
        out = wrap(f"{r.id}: {r.title} ({r.version}), {r.kind}, verification {r.verification}", "    ", cols, first="")
        out += wrap(r.source_url, "    ", cols, first="source: ")
        if r.text_sha256:
            out += wrap(r.text_sha256, "    ", cols, first="text sha256: ")
        ids = [(k, list(v)) for k, v in r.identifiers.items() if v]
        if ids:
            out.append("identifiers:")
            for kind, values in ids:
                out += wrap(", ".join(map(str, values)), "      ", cols, first=f"  {kind}: ")
        for c in r.clauses:
            cond = ", ".join(f"{k}={v}" for k, v in c.when)
            head = f"- {c.id} (section {c.section}) {c.effect}, channels {','.join(c.channels)}"
            out += wrap(head + (f", when {cond}" if cond else ""), "    ", cols, first="")
            out += wrap(f"\u201c{c.quote}\u201d", "   ", cols, first="  ")
            if c.obligation:
                out += wrap(c.obligation, "    ", cols, first="  obligation: ")
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
        from licheck.rules.ruleset import rule_files, validate_text

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
            from licheck.rules.ruleset import load_rules

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
        from licheck.rules.examples import run_examples
        from licheck.rules.ruleset import load_rules

        rs = load_rules(list(rules or []))
        results = run_examples(rs)
        failed = [r for r in results if not r.ok]
        for r in failed:
            sys.stdout.write(f"FAIL {r.rule}: {r.name}: {r.message}\n")
        sys.stdout.write(f"{len(results) - len(failed)} passed, {len(failed)} failed\n")
        return EXIT_ERROR if failed else EXIT_OK

    run_command(body)
