"""Where packaged data lives: the rule folder (shipped as `licheck.rules_data`) and the embedded snapshot."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources as _ir
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    try:
        path = Path(str(_ir.files("licheck.rules_data")))
        if (path / "rule.schema.json").exists():
            return path
    except ModuleNotFoundError:
        pass
    # Running from a source checkout without installation.
    return Path(__file__).resolve().parent.parent / "rules"


def data_dir() -> Path:
    return Path(__file__).resolve().parent / "data"


def load_yaml_resource(name: str) -> Any:
    from licheck import yamlsafe

    return yamlsafe.load((rules_dir() / name).read_text(encoding="utf-8"), max_bytes=4 * 1024 * 1024)


def load_json_resource(name: str) -> Any:
    return json.loads((rules_dir() / name).read_text(encoding="utf-8"))
