"""Rule files on disk: which files are rules, and parsing + schema-checking one of them.

Why its own module: both the rule loader (licheck.rules.ruleset) and the compiled-bundle cache
(licheck.rules.compiled) need these, and neither may import the other at module level (no import cycle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from licheck import resources
from licheck.errors import RuleError

NOT_RULE_FILES = {"apis.yaml", "hub-licenses.yaml", "model-modalities.yaml"}


def line_of(text: str, path_elems: list[Any]) -> int | None:
    """Line of the YAML node at a JSON-schema error path (best effort, for `rules validate`)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    for elem in path_elems:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == elem), None)
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(elem, int) and elem < len(node.value):
            node = node.value[elem]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


_SCHEMA_VALIDATOR: Any = None


def _validator() -> Any:
    global _SCHEMA_VALIDATOR
    if _SCHEMA_VALIDATOR is None:
        import jsonschema

        schema = resources.load_json_resource("rule.schema.json")
        _SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(schema)
    return _SCHEMA_VALIDATOR


def validate_text(text: str, path: str) -> dict[str, Any]:
    """Parse and schema-check one rule file; raise RuleError with file and line."""
    from licheck import yamlsafe

    try:
        data = yamlsafe.load(text, max_bytes=2 * 1024 * 1024)
    except yamlsafe.YamlError as exc:
        raise RuleError(str(exc).splitlines()[0], path=path, line=exc.line) from None
    if not isinstance(data, dict):
        raise RuleError("a rule file must be a mapping", path=path, line=1)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        raise RuleError(f"{where}: {err.message[:200]}", path=path, line=line_of(text, list(err.absolute_path)))
    ids = [c["id"] for c in data.get("clauses", [])]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuleError(f"duplicate clause id(s): {sorted(dupes)}", path=path)
    return data


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name not in NOT_RULE_FILES)
