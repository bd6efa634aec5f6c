"""Procurement and CI output formats built from licheck's JSON documents (audit_json / check results).

Why separate modules, imported on demand: each format is only needed for its own --format, and none of them
may slow down `licheck audit` in text or JSON mode.
"""

from __future__ import annotations

import importlib
from typing import Any

from licheck.errors import UsageError

FORMATS = ("markdown", "sarif", "cyclonedx", "spdx")


def render(fmt: str, docs: list[dict[str, Any]]) -> str:
    """Render one or more audit JSON documents (report.audit_json) in `fmt`; the text ends with a newline."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt} is not available (choose from {', '.join(FORMATS)})")
    module = importlib.import_module(f"licheck.formats.{fmt}")
    text = str(module.render(list(docs)))
    if fmt == "markdown":  # read in terminals too; the others are structured data
        from licheck.textsafe import clean

        text = clean(text, multiline=True)
    return text
