"""The one sanitiser for text bound for a terminal.

Card-derived strings (ids, licence names, gate headings, prose, warnings) reach the terminal: a licence name
holding ESC[2J could clear the screen and paint a fake verdict over the real one. Every text renderer (audit,
chain, check, scan, markdown, error lines) passes them through `clean`: control and bidi/format characters become
visible escapes (licheck/formats/text.py prints no markup, so none can be interpreted). JSON output is left as it
is (it is data).
"""

from __future__ import annotations

_FORMAT_CHARS = [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x206A), 0x2028, 0x2029, 0xFEFF]
_ONE_LINE = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c != 0x09}
_ONE_LINE.update({0x0A: "\\n", 0x0D: "\\r", **{c: f"\\u{c:04x}" for c in _FORMAT_CHARS}})
_MULTI_LINE = {c: v for c, v in _ONE_LINE.items() if c != 0x0A}


def clean(text: object, *, multiline: bool = False) -> str:
    """`text` with every terminal control character shown as an escape (\\x1b), newlines too unless `multiline`."""
    return str(text).translate(_MULTI_LINE if multiline else _ONE_LINE)


def clean_lines(lines: list[str]) -> str:
    """Plain-text output: each line cleaned (a newline inside a card string cannot start a fake line), joined."""
    return "\n".join(clean(line) for line in lines) + "\n"
