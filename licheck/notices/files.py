"""The generated files as data: lines with the clauses that require them, rendered with the citation on the line.

Shared with `licheck check` (check/duties.py): the text normalisation both use to compare a NOTICE or card line
with the prescribed text, and the marker that tells a licheck pointer file from a real licence copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

POINTER_MARK = "licheck-pointer:"  # in a LICENSE-* file licheck wrote instead of a text it may not redistribute


def norm_name(value: str) -> str:
    """A model name compared with a prefix: case, spaces, `-` and `_` do not matter ("Llama-3-x" has "Llama 3")."""
    return re.sub(r"[\s_\-]+", " ", value).strip().casefold()


def norm_text(value: str) -> str:
    """Letters and digits only, © as (c): "Copyright © Meta" and "Copyright (c) Meta" are the same notice."""
    return re.sub(r"[^a-z0-9]", "", value.replace("\u00a9", "(c)").casefold())


@dataclass(frozen=True)
class Line:
    """One generated line and the citations (rule CLAUSE (section), or the plan fact) that require it."""

    text: str
    cites: tuple[str, ...] = ()


@dataclass
class GenFile:
    """A file to write next to the student; `style` says how a line carries its citation."""

    name: str
    purpose: str
    lines: list[Line] = field(default_factory=list)
    style: str = "plain"  # plain: "text  [cite]" | markdown: "text <!-- cite -->" | yaml-front: card | verbatim
    verbatim: str | None = None  # a licence text copied as is (its citation is in `cites`, not in the text)
    cites: tuple[str, ...] = ()
    front: list[Line] = field(default_factory=list)  # README: front-matter lines (`key: value`)

    def render(self) -> str:
        if self.verbatim is not None:
            return self.verbatim if self.verbatim.endswith("\n") else self.verbatim + "\n"
        out: list[str] = []
        if self.front:
            out.append("---")
            out += [_cited(ln, "  # licheck: ", "") for ln in self.front]
            out.append("---")
        for ln in self.lines:
            if self.style == "markdown":
                out.append(_cited(ln, " <!-- licheck: ", " -->"))
            else:
                out.append(_cited(ln, "  [", "]"))
        return "\n".join(out) + "\n"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.name, "purpose": self.purpose}
        if self.verbatim is not None:
            out["verbatim"] = True
            out["cites"] = list(self.cites)
        else:
            out["lines"] = [{"text": ln.text, "cites": list(ln.cites)} for ln in self.front + self.lines]
        return out


def _cited(line: Line, open_: str, close: str) -> str:
    if not line.text.strip() or not line.cites:
        return line.text
    return f"{line.text}{open_}{'; '.join(line.cites)}{close}"
