"""YAML loading for untrusted text: safe constructors only, no anchors/aliases (billion laughs), size capped."""

from __future__ import annotations

from typing import Any

import yaml

MAX_YAML_BYTES = 256 * 1024


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise YamlError("YAML aliases are not allowed", line=event.start_mark.line + 1)
        return super().compose_node(parent, index)


_CSafeLoader = getattr(yaml, "CSafeLoader", None)


def load(text: str, *, max_bytes: int = MAX_YAML_BYTES, allow_aliases: bool = False) -> Any:
    if len(text) > max_bytes:
        raise YamlError(f"YAML document larger than {max_bytes} bytes")
    if allow_aliases and _CSafeLoader is not None:
        loader_cls = _CSafeLoader
    else:
        loader_cls = _NoAliasLoader
    try:
        return yaml.load(text, Loader=loader_cls)  # noqa: S506 - SafeLoader subclass
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(str(exc.problem or exc), line=(mark.line + 1) if mark else None) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlError(f"invalid YAML: {type(exc).__name__}") from None
