"""Every output format, in one registry: a new format is one module here plus one line in REPORTERS.

A reporter module exposes `render(docs) -> str`: the audit JSON documents (report.audit_json; `licheck check`
passes one per result) rendered as text ending with a newline. Each module is imported only when its format is
asked for, so none of them slows down the others. REPORTERS also says which commands offer the format; the CLI's
`--format` choices are read from it (`choices`). `licheck check`, `chain` and `scan` write their own text and JSON
documents (their shapes differ from an audit's); every other format renders audit documents.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from licheck.errors import UsageError


@dataclass(frozen=True)
class Reporter:
    module: str  # licheck.formats.<module>, imported on use
    commands: tuple[str, ...]  # the commands whose --format offers it
    verbose: bool = False  # its render() takes verbose= (full quotes)
    terminal: bool = False  # read in terminals: control characters are shown as escapes


REPORTERS: dict[str, Reporter] = {
    "text": Reporter("text", ("audit", "chain", "check", "scan"), verbose=True),
    "json": Reporter("jsondoc", ("audit", "chain", "check", "scan")),
    "markdown": Reporter("markdown", ("audit", "check"), terminal=True),
    "sarif": Reporter("sarif", ("audit", "check")),
    "cyclonedx": Reporter("cyclonedx", ("audit",)),
    "spdx": Reporter("spdx", ("audit",)),
}
# The document formats (everything but text and JSON), kept for callers of the former tuple.
FORMATS = tuple(name for name in REPORTERS if name not in ("text", "json"))


def choices(command: str) -> tuple[str, ...]:
    """The --format names `command` offers, in registry order."""
    return tuple(name for name, r in REPORTERS.items() if command in r.commands)


def render(fmt: str, docs: list[dict[str, Any]], *, verbose: bool = False) -> str:
    """Render one or more audit JSON documents (report.audit_json) in `fmt`; the text ends with a newline."""
    reporter = REPORTERS.get(fmt)
    if reporter is None:
        raise UsageError(f"--format {fmt} is not available (choose from {', '.join(REPORTERS)})")
    module = importlib.import_module(f"licheck.formats.{reporter.module}")
    text = str(module.render(list(docs), verbose=verbose) if reporter.verbose else module.render(list(docs)))
    if reporter.terminal:
        from licheck.textsafe import clean

        text = clean(text, multiline=True)
    return text
