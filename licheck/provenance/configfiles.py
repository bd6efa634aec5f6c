"""Parents named by an adapter or merge recipe (adapter_config.json, mergekit_config.yml), read defensively.

Shared by the local-folder reader and the Hub client so both read a file the same way. These files are written
by strangers: a field of an odd type (`models: 5`) is a problem to report (the node becomes `review`), never an
exception and never silently nothing.
"""

from __future__ import annotations

import json
from typing import Any

MAX_MODELS = 1000


def adapter_parents(text: str) -> tuple[list[str], list[str]]:
    """(base ids, problems) of an adapter_config.json. A missing or null base is no parent, not a problem here:
    evidence.parent_edges judges an adapter whose base is named nowhere."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        repeated.extend(k for i, k in enumerate(keys) if k in keys[:i] and k not in repeated)
        return dict(items)

    try:
        cfg = json.loads(text, object_pairs_hook=pairs)
    except (ValueError, RecursionError):
        return [], ["adapter_config.json is not valid JSON"]
    if repeated:
        return [], [f"adapter_config.json repeats key {', '.join(repeated[:5])} (which one counts is undefined)"]
    if not isinstance(cfg, dict):
        return [], [f"adapter_config.json is a {type(cfg).__name__}, not an object"]
    base = cfg.get("base_model_name_or_path")
    if isinstance(base, str) and base.strip():
        return [base.strip()], []
    if base is not None and not isinstance(base, str):
        return [], [f"adapter_config.json base_model_name_or_path is a {type(base).__name__}, not a model id"]
    return [], []


def mergekit_parents(text: str) -> tuple[list[str], list[str]]:
    """(model ids, problems) of a mergekit_config.yml."""
    from licheck import yamlsafe

    try:
        cfg, repeated = yamlsafe.load_checked(text)
    except yamlsafe.YamlError as exc:
        return [], [f"mergekit_config.yml is not valid YAML: {exc}"]
    models, problems = mergekit_models_checked(cfg)
    if repeated:
        problems.insert(0, "mergekit_config.yml repeats key " + ", ".join(repeated))
    return models, problems


def mergekit_models_checked(cfg: Any) -> tuple[list[str], list[str]]:
    """Every model a mergekit recipe references (base_model, models[].model, slices[].sources[].model), and
    each field whose type is not what mergekit reads there."""
    found: list[str] = []
    problems: list[str] = []

    def odd(where: str, value: Any) -> None:
        if len(problems) < 10:
            problems.append(f"mergekit_config.yml {where} is a {type(value).__name__} ({str(value)[:60]!r})")

    def add(where: str, v: Any) -> None:
        if isinstance(v, dict):
            where, v = where + ".model", v.get("model")
        if isinstance(v, str) and v.strip():
            if v.strip() not in found:
                found.append(v.strip())
        else:
            odd(where, v)

    def items(where: str, v: Any) -> list[Any]:
        if v is None:
            return []
        if not isinstance(v, list):
            odd(where, v)
            return []
        return v

    if not isinstance(cfg, dict):
        odd("document", cfg)
        return found, problems
    if cfg.get("base_model") is not None:
        add("base_model", cfg.get("base_model"))
    for i, m in enumerate(items("models", cfg.get("models"))):
        add(f"models[{i}]", m)
    for i, s in enumerate(items("slices", cfg.get("slices"))):
        if not isinstance(s, dict):
            odd(f"slices[{i}]", s)
            continue
        for j, src in enumerate(items(f"slices[{i}].sources", s.get("sources"))):
            add(f"slices[{i}].sources[{j}]", src)
    return found[:MAX_MODELS], problems
