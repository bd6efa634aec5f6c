"""What every entry point shares: verdict exit codes and the one place errors become one line + exit code."""

from __future__ import annotations

import sys
from collections.abc import Callable

from licheck.errors import EXIT_ERROR, EXIT_FORBIDDEN, EXIT_OK, EXIT_REVIEW, LicheckError, exit_code

VERDICT_EXIT = {"permitted": EXIT_OK, "conditional": EXIT_OK, "forbidden": EXIT_FORBIDDEN, "review": EXIT_REVIEW}


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
    except Exception as exc:  # last line of defence
        sys.stderr.write(error_line(f"internal error ({type(exc).__name__}): {exc}") + "\n")
        return EXIT_ERROR


def print_notice(session: object) -> None:
    """The one-line stderr notice of a run whose Hub failed and older data answered (see LayeredSource.notice)."""
    line = session.source.notice()  # type: ignore[attr-defined]
    if line:
        sys.stderr.write(" ".join(line.split()) + "\n")
