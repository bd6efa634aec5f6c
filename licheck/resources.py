"""Where packaged data lives: the rule folder (shipped as `licheck.rules_data`) and the embedded snapshot."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    """Installed: the package `licheck.rules_data` (a folder beside the modules). Source checkout or editable
    install: the repository's `rules/`. (Plain path logic: importlib.resources costs ~7 ms at start-up.)"""
    here = Path(__file__).resolve().parent
    installed = here / "rules_data"
    if (installed / "rule.schema.json").exists():
        return installed
    return here.parent / "rules"


def data_dir() -> Path:
    return Path(__file__).resolve().parent / "data"


def load_yaml_resource(name: str) -> Any:
    from licheck import yamlsafe

    return yamlsafe.load((rules_dir() / name).read_text(encoding="utf-8"), max_bytes=4 * 1024 * 1024)


def load_json_resource(name: str) -> Any:
    return json.loads((rules_dir() / name).read_text(encoding="utf-8"))
