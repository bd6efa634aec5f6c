"""JSON: the audit document itself (several, from `licheck check`, as a list), as `licheck audit` prints it."""

from __future__ import annotations

from typing import Any


def render(docs: list[dict[str, Any]]) -> str:
    from licheck.report import dumps

    return dumps(docs[0] if len(docs) == 1 else docs) + "\n"
