"""Check that every rule quote is verbatim primary text.

Usage: python scripts/check_quotes.py LICENSE_DIR [RULES_DIR]

LICENSE_DIR holds the primary texts named by `source.text` (or a clause's `text`). A quote may collapse
whitespace and may omit text between fragments written ` … `; the fragments must appear in order.
Exit 1 on any mismatch. Not a test: the texts are research material, not part of the repository.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import yaml

ELLIPSIS = " \u2026 "


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def find_fragments(quote: str, text: str) -> str | None:
    """Return None when all fragments occur in order, else the first fragment that does not."""
    pos = 0
    for fragment in quote.split(ELLIPSIS):
        fragment = norm(fragment.strip().strip("\u2026").strip())
        if not fragment:
            continue
        idx = text.find(fragment, pos)
        if idx < 0:
            return fragment
        pos = idx + len(fragment)
    return None


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    lic_dir = Path(argv[1])
    rules_dir = Path(argv[2]) if len(argv) > 2 else Path(__file__).resolve().parent.parent / "rules"
    failures = 0
    for path in sorted(rules_dir.glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(rule, dict) or "clauses" not in rule:
            continue
        default_text = (rule.get("source") or {}).get("text")
        if default_text and rule.get("text_sha256"):
            tp = lic_dir / default_text
            if not tp.exists():
                print(f"{path.name}: text {default_text} not found")
                failures += 1
            elif hashlib.sha256(tp.read_bytes()).hexdigest() != rule["text_sha256"]:
                print(f"{path.name}: text_sha256 does not match {default_text}")
                failures += 1
        for clause in rule.get("clauses", []):
            if clause.get("verification") == "secondary" or (
                rule.get("verification") == "secondary" and "verification" not in clause
            ):
                continue
            text_name = clause.get("text", default_text)
            if not text_name:
                print(f"{path.name}:{clause['id']}: no source text named")
                failures += 1
                continue
            tp = lic_dir / text_name
            if not tp.exists():
                print(f"{path.name}:{clause['id']}: text {text_name} not found")
                failures += 1
                continue
            if clause.get("text_sha256") and hashlib.sha256(tp.read_bytes()).hexdigest() != clause["text_sha256"]:
                print(f"{path.name}:{clause['id']}: text_sha256 does not match {text_name}")
                failures += 1
            missing = find_fragments(clause["quote"], norm(tp.read_text(encoding="utf-8")))
            if missing is not None:
                print(f"{path.name}:{clause['id']}: not verbatim in {text_name}: {missing[:120]!r}")
                failures += 1
    print(f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
