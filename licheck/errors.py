"""One error hierarchy; the CLI maps each class to an exit code in one place (`exit_code`)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FORBIDDEN = 1
EXIT_ERROR = 2
EXIT_REVIEW = 3
# The one verdict -> exit-code map (audit, check, the markdown report's note).
VERDICT_EXIT = {"permitted": EXIT_OK, "conditional": EXIT_OK, "forbidden": EXIT_FORBIDDEN, "review": EXIT_REVIEW}


class LicheckError(Exception):
    """Base of every error licheck raises on purpose; its message is one line for the user."""

    exit_code = EXIT_ERROR


class UsageError(LicheckError):
    """The user asked for something malformed (bad id, bad flag combination)."""


class InvalidRepoId(UsageError):
    """A repository id is not `org/name` with the Hub's allowed characters."""


class PlanError(UsageError):
    """A plan that cannot be carried out as stated (weights of a hosted API, an API product as the student base, a
    negative count): an error, never a verdict on something that cannot happen."""


class DataFileError(LicheckError):
    """A data file the user gave (rules, policy) is unreadable or invalid; the message says file and line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")
        self.path = path
        self.line = line


class RuleError(DataFileError):
    """A rule file (or rule folder) is unreadable or does not match the schema."""


class SourceError(LicheckError):
    """A node could not be read from any source (Hub, cache, snapshot)."""

    def __init__(self, message: str, *, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason


class NotFound(SourceError):
    def __init__(self, message: str) -> None:
        super().__init__(message, reason="not_found")


class Gated(SourceError):
    def __init__(self, message: str) -> None:
        super().__init__(message, reason="gated")


class Unreachable(SourceError):
    """Network failure, server error, timeout, malformed answer: the Hub could not tell us.

    `cause` is what happened without the node's id ("ConnectError", "Hub answered HTTP 503"); `connected` says
    whether a connection was made at all (the user's line reads "could not be reached" or "did not answer")."""

    def __init__(self, message: str, *, cause: str | None = None, connected: bool = True) -> None:
        super().__init__(message, reason="unreachable")
        self.cause = message if cause is None else cause
        self.connected = connected


class OfflineMiss(SourceError):
    """Offline mode and neither cache nor snapshot knows the node."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="offline_unknown")


def exit_code(exc: BaseException) -> int:
    return exc.exit_code if isinstance(exc, LicheckError) else EXIT_ERROR
