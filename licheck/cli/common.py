"""What every command shares: the one place an error becomes one line + exit code, the common options.

Imported by every command module, so it imports only typer and the light `errors` module at load time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from licheck.errors import EXIT_ERROR, EXIT_OK, LicheckError, exit_code


def error_line(message: str) -> str:
    from licheck.textsafe import clean

    return "licheck: error: " + clean(" ".join(str(message).split()))


def guarded(fn: Callable[[], int]) -> int:
    """Run a command body: licheck errors and anything unexpected become one line on stderr, never a traceback."""
    try:
        return fn()
    except LicheckError as exc:
        sys.stderr.write(error_line(str(exc)) + "\n")
        return exit_code(exc)
    except KeyboardInterrupt:
        sys.stderr.write(error_line("interrupted") + "\n")
        return 130
    except BrokenPipeError:  # `licheck ... | head`: the reader left; nothing to report
        import os

        try:  # no second error when Python flushes stdout at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_OK
    except Exception as exc:  # last line of defence
        sys.stderr.write(error_line(f"internal error ({type(exc).__name__}): {exc}") + "\n")
        return EXIT_ERROR


def run_command(fn: Callable[[], int]) -> None:
    """Every command body runs here (see `guarded`); its return value is the exit code."""
    raise typer.Exit(guarded(fn))


def print_notice(session: object) -> None:
    """The one-line stderr notice of a run whose Hub failed and older data answered (see LayeredSource.notice)."""
    line = session.source.notice()  # type: ignore[attr-defined]
    if line:
        sys.stderr.write(" ".join(line.split()) + "\n")


def format_choice(name: str, formats: tuple[str, ...]) -> type[Enum]:
    """A `--format` choice type (Typer needs an Enum) built from a tuple of format names of `licheck.formats`."""
    return Enum(name, {f: f for f in formats}, type=str)  # type: ignore[return-value]


def source_options(
    offline: bool,
    refresh: bool,
    max_depth: int,
    revision: Optional[str],
    rules: Optional[list[Path]],
    time_budget: Optional[float] = None,
) -> Any:
    """service.Options from the common flags (service is imported here, not at load time)."""
    from licheck.service import make_options

    return make_options(offline, refresh, max_depth, revision, rules, time_budget)


OFFLINE = typer.Option(False, "--offline", help="Use only the cache and the embedded snapshot (also HF_HUB_OFFLINE=1).")
REFRESH = typer.Option(False, "--refresh", help="Ignore the cache and ask the Hub again.")
MAX_DEPTH = typer.Option(20, "--max-depth", help="How many ancestor levels to follow.")
REVISION = typer.Option(None, "--revision", help="Pin the root to this commit, branch or tag.")
TIME_BUDGET = typer.Option(
    None, "--time-budget", help="Seconds the run may wait for the Hub, then cache/snapshot (LICHECK_TIME_BUDGET, 10)."
)
