"""Model-card parsing: YAML front matter and explicit provenance statements in the card body.

Everything here reads text written by strangers, so it is bounded: capped input sizes, no YAML aliases,
and regular expressions without nested quantifiers (linear time on any input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from licheck.provenance.evidence import machine_generated  # noqa: F401 - part of this module's interface
from licheck.provenance.ids import parent_subject
from licheck.provenance.records import ProseEdge

if TYPE_CHECKING:
    from licheck.rules.apis import ApiCatalogue

__all__ = ["ProseEdge", "ParsedCard", "split_card", "extract_prose", "machine_generated"]

MAX_README_CHARS = 512 * 1024
MAX_PROSE_CHARS = 200 * 1024
MAX_SENTENCE = 600

# Same shape as the Hub's own front-matter regex (huggingface_hub repocard.py).
_FRONT_RE = re.compile(r"\A\s*---[ \t]*(?:\r\n|\r|\n)(.*?)(?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|\Z)", re.S)


_OPEN_RE = re.compile(r"\A\s*---[ \t]*(?:\r\n|\r|\n)")


@dataclass(slots=True, frozen=True)
class ParsedCard:
    data: dict[str, Any]
    body: str
    warning: str | None = None
    # Why the card cannot be trusted (the node is `review`): front matter unreadable, too large, or a key repeated.
    problems: tuple[str, ...] = ()


def split_card(text: str, *, truncated: bool = False) -> ParsedCard:
    """Front matter as a dict (empty with a warning when absent or broken) and the body.

    `truncated`: the reader stopped at its size cap (so an unclosed front matter may close further on)."""
    truncated = truncated or len(text.lstrip("\ufeff")) > MAX_README_CHARS
    text = text.lstrip("\ufeff")[:MAX_README_CHARS]
    m = _FRONT_RE.match(text)
    if not m:
        if truncated and _OPEN_RE.match(text):
            # The closing `---` lies past the cap: the front matter is not read, and nothing in it is prose.
            why = f"front matter larger than {MAX_README_CHARS // 1024} KiB: not read"
            return ParsedCard({}, "", why, (why,))
        return ParsedCard({}, text, "no YAML front matter")
    body = text[m.end() :]
    from licheck import yamlsafe  # PyYAML is imported only when a card is actually parsed

    try:
        data, repeated = yamlsafe.load_checked(m.group(1))
    except yamlsafe.YamlError as exc:
        why = f"front matter is not valid YAML: {exc}"
        return ParsedCard({}, body, why, (why,))
    if data is None:
        return ParsedCard({}, body, "front matter is empty")
    if not isinstance(data, dict):
        return ParsedCard({}, body, "front matter is not a mapping", ("front matter is not a mapping",))
    if repeated:
        why = "front matter repeats key " + ", ".join(repeated) + " (which one counts is undefined)"
        return ParsedCard({str(k): v for k, v in data.items()}, body, why, (why,))
    return ParsedCard({str(k): v for k, v in data.items()}, body)


_URL_RE = re.compile(
    r"https?://(?:www\.)?huggingface\.co/((?:datasets/)?[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95})"
)
# An org/name token; the name must look like a model name (digit, capital or hyphen) to skip "and/or", "input/output".
_ID_RE = re.compile(r"(?<![\w./-])([A-Za-z0-9][\w-]{0,95}/[A-Za-z0-9][\w.-]{0,95})(?![\w/-])")

_FINETUNE_RE = re.compile(
    r"\b(?:fine-?tuned?\s+(?:version\s+of|from|on\s+top\s+of)|finetuned\s+from|(?:is|was)\s+based\s+on|"
    r"initiali[sz]ed\s+from|continued\s+pre-?training\s+of|built\s+on\s+top\s+of|derived\s+from)\b",
    re.I,
)
_DISTILL_RE = re.compile(
    r"\b(?:distill(?:ed|ation)\s+(?:from|of)|(?:samples|data|outputs|responses|completions|reasoning\s+data)\s+"
    r"(?:generated|curated|produced|synthesi[sz]ed)\s+(?:by|with|using|from)|generated\s+(?:by|with|using)|"
    r"synthetic\s+data\s+(?:from|generated\s+by))\b",
    re.I,
)
_BARE_RE = re.compile(r"\s+([A-Z][A-Za-z]{0,30}(?:[-.][A-Za-z0-9]{1,20}){1,6})\b")
# Lineage phrases the flagship cards use besides "fine-tuned from": "is developed based on", "are trained based on",
# "continually pre-trained from", "initialized with the weights of".
_LINEAGE_RE = re.compile(
    r"\b(?:(?:developed|trained|built)\s+based\s+on|continual(?:ly)?\s+pre-?trained\s+from|"
    r"continual\s+pre-?training\s+(?:of|from)|initiali[sz]ed\s+with\s+(?:the\s+)?weights\s+(?:of|from))\b",
    re.I,
)
# A bare model name right after a lineage phrase: "based on DeepSeek-V3-Base", "from `deepseek-llm-7b-base`".
_BARE_BASE_RE = re.compile(
    r"\s*(?:the\s+|our\s+(?:previous\s+)?)?[`*\[]{0,2}([A-Za-z][A-Za-z0-9]{0,30}(?:[-.][A-Za-z0-9]{1,20}){1,6})(?![\w/-])"
)
_FAMILY_RE = re.compile(r"[^-_.]+")  # a name's first token: "DeepSeek" of DeepSeek-V3-Base, "llama2" of llama2-7B
_DISTILL_NAME_RE = re.compile(r"^(.{2,60}?)-Distill-", re.I)
_DATASET_GEN_RE = re.compile(
    r"\b(?:generated|complete[sd]?|completions?|created|produced|written|answers|responses|outputs|distill\w*|synthetic)\b",
    re.I,
)
_SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n")


def _looks_like_model_id(token: str) -> bool:
    name = token.split("/", 1)[1]
    return any(c.isdigit() or c.isupper() or c == "-" for c in name)


def _targets(fragment: str, api: ApiCatalogue | None, *, dataset_context: bool) -> list[tuple[str, str]]:
    """(subject id, how it was named) for each Hub URL, org/name token or API product alias in a fragment."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for m in _URL_RE.finditer(fragment):
        subj = parent_subject("https://huggingface.co/" + m.group(1).rstrip(".)"))
        if subj and subj.id not in seen:
            seen.add(subj.id)
            found.append((subj.id, "url"))
    for m in _ID_RE.finditer(_URL_RE.sub(" ", fragment)):
        token = m.group(1).rstrip(".")
        if not _looks_like_model_id(token):
            continue
        subj = parent_subject(token, api_lookup=api.is_product if api else None)
        if subj and subj.id not in seen:
            seen.add(subj.id)
            found.append((subj.id, "id"))
    if api is not None:
        for mention in api.mentions(fragment):
            key = f"api:{mention.provider}/{mention.product}"
            if key not in seen:
                seen.add(key)
                found.append((key, "api"))
    return found


def _clean_cell(cell: str) -> str:
    return re.sub(r"[*_`\[\]]", "", cell).strip()


def extract_prose(
    body: str, repo_id: str, *, api: ApiCatalogue | None = None, is_dataset: bool = False
) -> list[ProseEdge]:
    """Explicit provenance statements in a card body. Weak evidence: every result quotes its sentence."""
    text = body[:MAX_PROSE_CHARS]
    own_name = repo_id.split("/")[-1].lower()
    out: list[ProseEdge] = []
    seen: set[tuple[str, str]] = set()

    def add(relation: str, target: str, sentence: str, pattern: str) -> None:
        if target.lower() in (repo_id.lower(), "datasets/" + repo_id.lower()):
            return  # a card naming itself
        if (relation, target) in seen:
            return
        seen.add((relation, target))
        out.append(ProseEdge(relation, target, sentence.strip()[:MAX_SENTENCE], pattern))

    for line in text.splitlines():
        if len(line) > 4 * MAX_SENTENCE:
            line = line[: 4 * MAX_SENTENCE]
        # Table rows: "| DeepSeek-R1-Distill-Llama-8B | [Llama-3.1-8B](https://huggingface.co/meta-llama/...) |"
        if "|" in line:
            cells = [c for c in line.split("|")]
            named = [_clean_cell(c) for c in cells if _clean_cell(c)]
            if named:
                first = re.sub(r"^\(.*?\)\s*", "", named[0]).lower()
                if first == own_name:
                    for cell in cells[1:]:
                        for target, how in _targets(cell, None, dataset_context=is_dataset):
                            if how == "url":
                                add("finetune", target, line, "table row naming this model's base")
                    _distill_row(repo_id, line, add)
            continue
        for sentence in _SENT_SPLIT_RE.split(line):
            if len(sentence) < 8:
                continue
            d = _DISTILL_RE.search(sentence)
            f = _FINETUNE_RE.search(sentence)
            if d:
                window = sentence[d.start() : d.end() + 200]
                relation = "generated_by" if is_dataset else "distillation"
                targets = _targets(window, api, dataset_context=is_dataset)
                for target, _how in targets:
                    add(relation, target, sentence, "generated/distilled statement")
                bare = _BARE_RE.match(window[d.end() - d.start() :])
                if not targets and bare and "/" in repo_id and any(c.isdigit() for c in bare.group(1)):
                    # "samples generated by DeepSeek-R1" on a deepseek-ai card: the same org's model.
                    target = repo_id.split("/", 1)[0] + "/" + bare.group(1).rstrip(".")
                    if parent_subject(target) is not None:
                        add(relation, target, sentence, "same-org model named in a generated/distilled statement")
            if is_dataset and not d and api is not None and _DATASET_GEN_RE.search(sentence):
                for mention in api.mentions(sentence):
                    add(
                        "generated_by",
                        f"api:{mention.provider}/{mention.product}",
                        sentence,
                        "dataset made with an API model",
                    )
            if f and not is_dataset:
                _lineage(sentence, f, repo_id, add, "fine-tuned-from statement")
            elif not is_dataset:
                g = _LINEAGE_RE.search(sentence)
                if g:
                    _lineage(sentence, g, repo_id, add, "based-on statement")
    return out


def _lineage(sentence: str, m: re.Match[str], repo_id: str, add: Any, label: str) -> None:
    """A lineage phrase ("fine-tuned from", "developed based on", "continually pre-trained from", "initialized with
    the weights of"): only the first model named after it ("a fine-tuned version of X on the Y dataset"), a Hub id
    or link; else a bare name of the card's own family."""
    named = [t for t, _ in _targets(sentence[m.start() : m.end() + 200], None, dataset_context=False)]
    models = [t for t in named if not t.startswith(("api:", "datasets/"))]
    if models:
        add("finetune", models[0], sentence, label)
    else:
        _same_family_base(sentence, m.end(), repo_id, add)


def _same_family_base(sentence: str, end: int, repo_id: str, add: Any) -> None:
    """A bare name right after a lineage phrase, resolved in the card's own org only when it is of the card's own
    family (same first token: "DeepSeek-R1-Zero ... trained based on DeepSeek-V3-Base" on a deepseek-ai card), so
    "This model is based on Mistral-7b" on a third party's card names nobody. A guess, labelled as one: a name the
    Hub does not know is dropped (provenance.GUESS_PATTERN)."""
    if "/" not in repo_id:
        return
    bare = _BARE_BASE_RE.match(sentence, end, min(len(sentence), end + 120))
    if bare is None or not any(c.isdigit() for c in bare.group(1)):
        return
    org, own = repo_id.split("/", 1)
    family, own_family = _FAMILY_RE.match(bare.group(1)), _FAMILY_RE.match(own)
    if family is None or own_family is None or family.group().lower() != own_family.group().lower():
        return
    target = f"{org}/{bare.group(1).rstrip('.')}"
    if parent_subject(target) is not None:
        add("finetune", target, sentence, "same-org model named in a based-on statement")


_LICENCE_LINE_RE = re.compile(
    r"^[\W_]{0,6}licen[cs]e[\W_]{0,4}[:\uff1a]\s*\**\s*([A-Za-z0-9][A-Za-z0-9.+_-]{1,60})", re.I
)


def licence_mentions(body: str) -> list[str]:
    """Licence ids stated on a line of the card body ("License: qwen-research"): weak evidence."""
    found: list[str] = []
    for line in body[:MAX_PROSE_CHARS].splitlines():
        m = _LICENCE_LINE_RE.match(line[:300])
        if m and m.group(1).lower() not in found and m.group(1).lower() not in ("the", "this", "see", "a", "an"):
            found.append(m.group(1).lower())
    return found[:5]


def _distill_row(repo_id: str, line: str, add: Any) -> None:
    """The distill table row naming this model ("| DeepSeek-R1-Distill-Llama-8B | [Llama-3.1-8B](...) |"): the
    model is a distillation of the same org's model its name starts with (deepseek-ai/DeepSeek-R1). A guess,
    labelled as one: dropped when the Hub does not know that model."""
    if "/" not in repo_id:
        return
    org, own = repo_id.split("/", 1)
    m = _DISTILL_NAME_RE.match(own)
    if m is not None and parent_subject(f"{org}/{m.group(1)}") is not None:
        add("distillation", f"{org}/{m.group(1)}", line, "same-org model named in this model's distill table row")
