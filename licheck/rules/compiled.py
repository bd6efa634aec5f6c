"""Rule folders compiled once: parsed, schema-validated, then kept as JSON in the cache.

YAML parsing and JSON-Schema validation cost far more than a whole warm audit should take, so a folder is
compiled on first use and re-used while none of its files changes (name, size and mtime of every file form the
key). A compiled file that is missing, unreadable or stale is simply rebuilt from the YAML.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from licheck import __version__

COMPILED_VERSION = 1


def _fingerprint(directory: Path) -> str:
    h = hashlib.sha256(f"{__version__}:{COMPILED_VERSION}:{directory.resolve()}".encode())
    entries = sorted(
        (e.name, e.stat().st_size, e.stat().st_mtime_ns)
        for e in os.scandir(directory)
        if e.name.endswith((".yaml", ".json")) and e.is_file()
    )
    h.update(json.dumps(entries).encode())
    return h.hexdigest()[:32]


def _compile(directory: Path, packaged: bool) -> dict[str, Any]:
    from licheck.errors import RuleError
    from licheck.rules.files import rule_files, validate_text

    rules: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in rule_files(directory):
        data = validate_text(path.read_text(encoding="utf-8"), str(path))
        if data["id"] in seen:
            raise RuleError(f"rule id {data['id']!r} also defined in {seen[data['id']]}", path=str(path))
        seen[data["id"]] = str(path)
        data["_path"] = str(path)
        rules.append(data)
    bundle: dict[str, Any] = {"rules": rules}
    if packaged:
        from licheck import yamlsafe

        hub = directory / "hub-licenses.yaml"
        hub_data = yamlsafe.load(hub.read_text(encoding="utf-8")) if hub.exists() else {}
        licenses = (hub_data or {}).get("licenses") or {}
        bundle["hub_map"] = {str(k): v for k, v in licenses.items() if isinstance(v, dict)}
        bundle["apis"] = yamlsafe.load((directory / "apis.yaml").read_text(encoding="utf-8"))
        modalities = directory / "model-modalities.yaml"
        bundle["modalities"] = (
            (yamlsafe.load(modalities.read_text(encoding="utf-8")) or {}).get("models") or []
            if modalities.exists()
            else []
        )
    return bundle


_LOADED: dict[tuple[str, bool], dict[str, Any]] = {}


def _valid_marker(schema_path: Path, data: Any) -> Path | None:
    from licheck.paths import cache_dir

    try:
        schema = schema_path.read_bytes()
        payload = json.dumps(data, sort_keys=True, default=str).encode("utf-8")
    except (OSError, TypeError, ValueError):
        return None
    digest = hashlib.sha256(schema + b"\0" + payload).hexdigest()
    return Path(cache_dir()) / "valid" / digest[:2] / digest


def known_valid(schema_path: Path, data: Any) -> bool:
    """True when exactly this document already passed exactly this schema (validation is a pure function, and
    importing jsonschema costs more than a whole warm pre-commit run should)."""
    marker = _valid_marker(schema_path, data)
    return marker is not None and marker.exists()


def remember_valid(schema_path: Path, data: Any) -> None:
    marker = _valid_marker(schema_path, data)
    if marker is None:
        return
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()  # an empty marker: no partial content to fear
    except OSError:
        pass


def bundle(directory: Path, *, packaged: bool = False) -> dict[str, Any]:
    """The compiled folder, read at most once per process."""
    memo = (str(directory), packaged)
    if memo not in _LOADED:
        _LOADED[memo] = _bundle(directory, packaged)
    return _LOADED[memo]


def _bundle(directory: Path, packaged: bool) -> dict[str, Any]:
    from licheck.provenance.cache import default_cache_dir

    try:
        key = _fingerprint(directory)
    except OSError:
        key = None
    target = default_cache_dir() / "compiled" / f"{key}.json" if key else None
    if target is not None:
        try:
            data = json.loads(target.read_bytes())
            if isinstance(data, dict) and data.get("fingerprint") == key:
                return data
        except (OSError, ValueError):
            pass
    data = _shipped(directory) if packaged else None
    if data is None:
        data = _compile(directory, packaged)
    data["fingerprint"] = key
    if target is not None:
        _write_atomic(target, data)
    return data


SHIPPED = Path(__file__).resolve().parent.parent / "data" / "rules-compiled.json"


def content_hash(directory: Path) -> str:
    """sha256 over the name and bytes of every rule-folder file: what the shipped compiled form was built from."""
    h = hashlib.sha256()
    for path in sorted(directory.iterdir()):
        if path.suffix in (".yaml", ".json") and path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _shipped(directory: Path) -> dict[str, Any] | None:
    """The compiled packaged rules shipped in the wheel, used only when the YAML is byte-for-byte what it was
    built from (a first run then needs neither PyYAML parsing of 60 files nor jsonschema)."""
    try:
        data = json.loads(SHIPPED.read_bytes())
        if data.get("sources") == content_hash(directory) and data.get("version") == __version__:
            data.pop("sources", None)
            data.pop("version", None)
            return data
    except (OSError, ValueError, AttributeError):
        pass
    return None


def build_shipped(directory: Path) -> dict[str, Any]:
    """Compile the packaged rules (validating every file) into the form shipped as licheck/data/rules-compiled.json."""
    data = _compile(directory, packaged=True)
    for rule in data["rules"]:
        rule["_path"] = str(Path(rule["_path"]).name)  # no build machine paths in the package
    data["sources"] = content_hash(directory)
    data["version"] = __version__
    return data


if __name__ == "__main__":  # python -m licheck.rules.compiled: rebuild the shipped compiled rules
    from licheck.resources import rules_dir

    SHIPPED.write_text(json.dumps(build_shipped(rules_dir()), sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {SHIPPED}")


def _write_atomic(target: Path, data: dict[str, Any]) -> None:
    from licheck.paths import write_atomic

    write_atomic(str(target), json.dumps(data, separators=(",", ":")))  # if refused: compiled again next time
