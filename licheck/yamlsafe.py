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
    return _guarded(lambda: yaml.load(text, Loader=loader_cls))  # noqa: S506 - SafeLoader subclass


def load_checked(text: str, *, max_bytes: int = MAX_YAML_BYTES) -> tuple[Any, list[str]]:
    """`load` (no aliases) plus every mapping key written twice, as "key (lines 3 and 9)".

    PyYAML, like the Hub's parser, keeps the last of two equal keys without a word: `license: llama2` followed by
    `license: mit` would silently become `mit`. Callers treat a repeated key as a card they cannot trust."""
    if len(text) > max_bytes:
        raise YamlError(f"YAML document larger than {max_bytes} bytes")

    def run() -> tuple[Any, list[str]]:
        loader = _NoAliasLoader(text)
        try:
            node = loader.get_single_node()
            dups = _duplicate_keys(node)
            return (loader.construct_document(node) if node is not None else None), dups
        finally:
            loader.dispose()

    return _guarded(run)


def _duplicate_keys(root: yaml.Node | None) -> list[str]:
    found: list[str] = []
    stack = [(root, "")]
    while stack and len(found) < 20:
        node, where = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            stack += [(child, where) for child in node.value]
        elif isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name in first:
                    found.append(f"{where}{name} (lines {first[name]} and {key.start_mark.line + 1})")
                elif name is not None:
                    first[name] = key.start_mark.line + 1
                stack.append((value, f"{where}{name}." if name is not None else where))
    return found


def _guarded(run: Any) -> Any:
    """Every parser failure as a YamlError with its line."""
    try:
        return run()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(str(exc.problem or exc), line=(mark.line + 1) if mark else None) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise YamlError(f"invalid YAML: {type(exc).__name__}") from None
