"""Reading one README.md: is it a model card, its front matter, and the line each key is written on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from licheck.policy import display_path

# Front-matter keys that make a README.md a model card (a docs page with `title:` front matter is not one).
MODEL_CARD_KEYS = frozenset(
    {
        "license",
        "license_name",
        "license_link",
        "base_model",
        "base_model_relation",
        "model_name",
        "model-index",
        "library_name",
        "pipeline_tag",
    }
)
DATASET_CARD_KEYS = frozenset({"task_categories", "task_ids", "size_categories", "dataset_info", "configs"})
MAX_CARD_BYTES = 512 * 1024


@dataclass
class Card:
    """What the check needs from one README.md: its text, front matter, and where the front matter's keys are."""

    readme: Path
    text: str
    data: dict[str, Any]
    offset: int  # file line of the opening `---`
    front: str  # the YAML between the fences

    def key_line(self, key: str) -> int | None:
        from licheck.rules.ruleset import line_of

        if key not in self.data:
            return None
        line = line_of(self.front, [key])
        return self.offset + line if line else None

    def line_mentioning(self, needle: str) -> int | None:
        low = needle.lower()
        for number, line in enumerate(self.text.splitlines(), 1):
            if low in line.lower():
                return number
        return None


def read_card(readme: Path) -> tuple[Card | None, str | None]:
    """(card, None); (None, None) when the README is no model card; (card or None, problem) when it is unreadable."""
    from licheck import yamlsafe
    from licheck.provenance.cardparse import split_card
    from licheck.provenance.resolver import read_regular

    raw, why = read_regular(readme, MAX_CARD_BYTES)
    if raw is None:
        return None, f"{readme.name} {why}"
    text = raw[:MAX_CARD_BYTES].decode("utf-8", errors="replace")
    parsed = split_card(text, truncated=len(raw) > MAX_CARD_BYTES)
    lines = text.lstrip("\ufeff").splitlines()
    offset = next((i for i, line in enumerate(lines, 1) if line.strip()), 1)
    end = next((i for i, line in enumerate(lines[offset:], offset + 1) if line.rstrip() == "---"), offset)
    front = "\n".join(lines[offset : end - 1])
    if parsed.warning in ("no YAML front matter", "front matter is empty"):
        return None, None
    if parsed.warning and not parsed.data:  # a card with data and a problem (a repeated key) is audited: review
        line = None
        try:
            yamlsafe.load(front)
        except yamlsafe.YamlError as exc:
            line = exc.line
        return Card(readme, text, {}, offset, front), f"line {offset + (line or 0)}: {parsed.warning}"
    data = parsed.data
    if not (set(data) & MODEL_CARD_KEYS) or (set(data) & DATASET_CARD_KEYS and "base_model" not in data):
        return None, None
    return Card(readme, text, data, offset, front), None


def card_subject(folder: Path, base: Path) -> str:
    rel = display_path(folder, base)
    if rel == ".":
        return "."
    return rel if rel.startswith("/") else "./" + rel


def model_name(card: Card, folder: Path) -> str:
    name = card.data.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip().rsplit("/", 1)[-1]
    return folder.name
