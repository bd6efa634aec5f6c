"""What a repository's file names say about its relation to its parents: an adapter or merge config (which copy
decides when several folders hold one) or quantised artefacts. Split from evidence.py, which weighs this against
the card and the Hub tags (declared relation > file evidence > several base models > tag > finetune)."""

from __future__ import annotations

import re
from typing import Any

from licheck.provenance.records import RepoRecord

_QUANT_FILE_RE = re.compile(
    r"(\.gguf(\.part\d+of\d+)?$|\.ggml|ggml-.*\.bin$|-\d{5}-of-\d{5}\.gguf$|quantize_config\.json$|"
    r"quant_config\.json$|measurement\.json$|\.exl2|awq|gptq)",
    re.I,
)

MAX_CONFIG_DEPTH = 2  # folders above a config file that still make it evidence ("adapter/", "run/checkpoint-500/")
_DIGITS_RE = re.compile(r"(\d+)")


def _natural(path: str) -> list[Any]:
    return [int(p) if p.isdigit() else p.lower() for p in _DIGITS_RE.split(path)]


def config_level(paths: list[str], name: str) -> list[str]:
    """The copies of an adapter/merge config (`name`) that decide: the most specific ones.

    Most specific = the root file; without one, the copies in the shallowest sub-folder depth (`adapter/`,
    `checkpoint-*/`, any folder, at most MAX_CONFIG_DEPTH deep), in natural folder order (checkpoint-500 before
    checkpoint-1000). Deeper copies are ignored: the first level found is the model's own configuration."""
    found = [p for p in paths if p == name or (p.endswith("/" + name) and p.count("/") <= MAX_CONFIG_DEPTH)]
    if not found:
        return []
    depth = min(p.count("/") for p in found)
    return sorted((p for p in found if p.count("/") == depth), key=_natural)


def config_disagreement(rec: RepoRecord) -> str | None:
    """A warning when several copies of one config kind name different parents (all of them are followed)."""
    for name in ("adapter_config.json", "mergekit_config.yml"):
        named = {k: tuple(v) for k, v in rec.file_parents.items() if k.rsplit("/", 1)[-1] == name}
        if len(set(named.values())) > 1:
            listed = "; ".join(f"{k}: {', '.join(v)[:120]}" for k, v in list(named.items())[:5])
            return f"{rec.key}: {len(named)} copies of {name} name different parents ({listed}); all are followed"
    return None


_ADAPTER_RE = re.compile(r"(?:^|/)adapter_config\.json$", re.M)
_MERGEKIT_RE = re.compile(r"(?:^|/)mergekit_config\.yml$", re.M)
_QUANT_LINES_RE = re.compile(_QUANT_FILE_RE.pattern, re.I | re.M)
# The pattern's literals are lower-case ASCII: on ASCII names it may run case-sensitively on the lower-cased text
# (re.I is several times slower); every match contains one of these hints, so most listings exit early.
_QUANT_LOWER_RE = re.compile(_QUANT_FILE_RE.pattern, re.M)
_QUANT_HINTS = (".gguf", ".ggml", "ggml-", "quant", "measurement", ".exl2", "awq", "gptq")
_QUANT_HINT_RE = re.compile("|".join(re.escape(h) for h in _QUANT_HINTS))  # one scan instead of eight `in`s


def _first_config(siblings: list[str], name: str) -> str:
    """The deciding copy of a config (config_level's first), or `name` when none is shallow enough; the root file
    needs no sort (it is the only depth-0 copy)."""
    if name in siblings:
        return name
    return next(iter(config_level(siblings, name)), name)


def _file_relation(siblings: list[str]) -> tuple[str, str] | None:
    """(relation, evidence) that the file names say: an adapter or merge config, else quantised artefacts.

    One regex pass over all names joined by newlines (MULTILINE: no pattern crosses a line), never one object or
    search per sibling; only then the deciding name is looked up. Names holding a newline take the slow path."""
    if not siblings:
        return None
    joined = "\n".join(siblings)
    if joined.count("\n") != len(siblings) - 1:
        return _file_relation_each(siblings)
    if "adapter_config.json" in joined and _ADAPTER_RE.search(joined):
        return "adapter", "file " + _first_config(siblings, "adapter_config.json")
    if "mergekit_config.yml" in joined and _MERGEKIT_RE.search(joined):
        return "merge", "file " + _first_config(siblings, "mergekit_config.yml")
    if joined.isascii():
        low = joined.lower()
        if not _QUANT_HINT_RE.search(low) or not _QUANT_LOWER_RE.search(low):
            return None
    elif not _QUANT_LINES_RE.search(joined):
        return None
    return _file_relation_each(siblings)


def _file_relation_each(siblings: list[str]) -> tuple[str, str] | None:
    """The definition, name by name (the first quantised artefact in listing order is the evidence)."""
    names = [s.rsplit("/", 1)[-1] for s in siblings]
    if "adapter_config.json" in names:
        return "adapter", "file " + _first_config(siblings, "adapter_config.json")
    if "mergekit_config.yml" in names:
        return "merge", "file " + _first_config(siblings, "mergekit_config.yml")
    for s in siblings:
        if _QUANT_FILE_RE.search(s):
            return "quantized", f"file {s}"
    return None
