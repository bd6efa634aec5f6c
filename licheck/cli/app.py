"""The `licheck` Typer application: usage errors as one line + exit 2, and the command modules registered.

Nothing imports this module back (the command modules get what they share from `common` and `options`), so the
package has no import cycle.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.core import TyperGroup

from licheck.cli import alternatives, audit, check, lock, notices, rules, scan
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
app.command()(audit.chain)
app.command()(audit.audit)
app.command()(check.check)
app.command()(scan.scan)
app.command()(alternatives.alternatives)
app.command()(notices.notices)
app.command()(lock.lock)
app.add_typer(rules.rules_app, name="rules")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
