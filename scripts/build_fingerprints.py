"""Build licheck/data/licence-fingerprints.json from the primary licence texts (fingerprints only, no text).

Usage: python scripts/build_fingerprints.py LICENSE_DIR [--extra DIR ...] [--rules RULES_DIR]

Texts are looked up in LICENSE_DIR, then in the repository's licenses-extra/ (texts licheck may redistribute),
then in each --extra DIR (copies fetched from the URLs recorded in licenses-extra/index.yaml, as
scripts/check_quotes.py takes them); the rule's text_sha256 must match whichever copy is found.

For every rule of kind `licence` whose `source.text` exists in LICENSE_DIR with the rule's `text_sha256`, store
the rule id, the source file's sha256, the normalised-text sha256 and the bottom-k shingle sketch
(licheck.rules.fingerprint). Texts whose normalised form is identical are stored once with all their rule ids; when
one of them is bound to no repository (no `models:` identifier) it alone is kept, since a LICENSE file with that
text is that generic licence (an Apache-2.0 file is Apache-2.0, whoever else also uses it).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from licheck.rules import fingerprint as fp  # noqa: E402


def build(lic_dir: Path | list[Path], rules_dir: Path) -> dict[str, object]:
    dirs = [lic_dir] if isinstance(lic_dir, Path) else list(lic_dir)
    by_norm: dict[str, dict[str, object]] = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(rule, dict) or rule.get("kind") != "licence":
            continue
        name = (rule.get("source") or {}).get("text")
        tp = next((d / name for d in dirs if name and (d / name).is_file()), None)
        if tp is None:
            print(f"skip {rule['id']}: no source text", file=sys.stderr)
            continue
        raw = tp.read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        if rule.get("text_sha256") and sha != rule["text_sha256"]:
            raise SystemExit(f"{path.name}: {name} does not match text_sha256")
        f = fp.fingerprint(raw.decode("utf-8"))
        entry = by_norm.setdefault(f["normalised_sha256"], {**f, "rules": [], "sources": [], "bound": []})
        entry["rules"].append(rule["id"])  # type: ignore[union-attr]
        entry["sources"].append({"rule": rule["id"], "text": name, "sha256": sha})  # type: ignore[union-attr]
        if (rule.get("identifiers") or {}).get("models"):
            entry["bound"].append(rule["id"])  # type: ignore[union-attr]
    texts = []
    for entry in by_norm.values():
        rules = entry.pop("rules")
        bound = entry.pop("bound")
        generic = [r for r in rules if r not in bound]  # type: ignore[union-attr]
        texts.append({"rules": generic if generic else rules, **entry})
    texts.sort(key=lambda e: e["rules"][0])
    return {
        "description": (
            "Normalised-text fingerprints of licheck's licence texts (no text): see licheck/rules/fingerprint.py"
        ),
        "shingle_words": fp.SHINGLE,
        "sketch_size": fp.SKETCH,
        "texts": texts,
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    import argparse

    ap = argparse.ArgumentParser(description="build licheck/data/licence-fingerprints.json")
    ap.add_argument("licenses", type=Path)
    ap.add_argument("--extra", type=Path, action="append", default=[])
    ap.add_argument("--rules", type=Path, default=ROOT / "rules")
    args = ap.parse_args(argv[1:])
    data = build([args.licenses, ROOT / "licenses-extra", *args.extra], args.rules)
    out = ROOT / "licheck" / "data" / fp.DATA_FILE
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(out)
    print(f"{out}: {len(data['texts'])} texts, {out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
