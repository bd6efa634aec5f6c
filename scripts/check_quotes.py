"""Check that every rule quote, and every text a clause prescribes (notice, attribution, name_prefix), is verbatim
primary text.

Usage: python scripts/check_quotes.py LICENSE_DIR [RULES_DIR] [--extra DIR]... [--strict]

LICENSE_DIR holds the primary texts named by `source.text` (or a clause's `text`). A quote may collapse
whitespace and may omit text between fragments written ` … `; the fragments must appear in order.
Texts not in LICENSE_DIR are looked up in the repository's licenses-extra/ (primary texts found later, kept when
their licence allows) and in each --extra DIR (e.g. a folder holding texts fetched from the URLs recorded in
licenses-extra/index.yaml for texts that may not be redistributed). A text listed there as not stored and not
found in any folder is reported as skipped (its quotes cannot be checked here); --strict counts that as a problem.
Exit 1 on any mismatch. Not a test: the texts are research material, not part of the repository.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import yaml

ELLIPSIS = " \u2026 "
EXTRA = Path(__file__).resolve().parent.parent / "licenses-extra"


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


def prescribed(clause: dict) -> list[tuple[str, str]]:
    """The texts a clause prescribes for `licheck notices` (notice line, display lines, name prefix): each must be
    verbatim in the clause's primary text too."""
    out = [("notice", (clause.get("notice") or {}).get("text"))]
    out += [("attribution", t) for t in (clause.get("attribution") or {}).get("text") or ()]
    out.append(("name_prefix", clause.get("name_prefix")))
    return [(what, text) for what, text in out if text]


def unstored_texts() -> dict[str, dict]:
    """licenses-extra/index.yaml entries whose text is recorded by URL + sha256 only."""
    index = EXTRA / "index.yaml"
    if not index.exists():
        return {}
    entries = (yaml.safe_load(index.read_text(encoding="utf-8")) or {}).get("texts", [])
    return {e["file"]: e for e in entries if not e.get("stored")}


def parse_args(argv: list[str]) -> tuple[list[Path], Path, bool] | None:
    args, dirs, strict = [], [], False
    it = iter(argv[1:])
    for a in it:
        if a == "--strict":
            strict = True
        elif a == "--extra":
            dirs.append(Path(next(it, "")))
        else:
            args.append(a)
    if not args:
        return None
    rules_dir = Path(args[1]) if len(args) > 1 else Path(__file__).resolve().parent.parent / "rules"
    return [Path(args[0]), EXTRA, *dirs], rules_dir, strict


def locate(name: str, dirs: list[Path]) -> Path:
    """First folder holding the named text (the first folder's path when none does, for the message)."""
    for d in dirs:
        if (d / name).exists():
            return d / name
    return dirs[0] / name


def main(argv: list[str]) -> int:
    parsed = parse_args(argv)
    if parsed is None:
        print(__doc__)
        return 2
    dirs, rules_dir, strict = parsed
    unstored = unstored_texts()
    failures = skipped = 0
    for path in sorted(rules_dir.glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(rule, dict) or "clauses" not in rule:
            continue
        default_text = (rule.get("source") or {}).get("text")
        if default_text in unstored and not locate(default_text, dirs).exists():
            if unstored[default_text]["sha256"] != rule.get("text_sha256"):
                print(f"{path.name}: text_sha256 differs from licenses-extra/index.yaml for {default_text}")
                failures += 1
            print(f"{path.name}: skipped, {default_text} is recorded by URL + sha256 only (pass --extra DIR)")
            skipped += 1
            failures += strict
            continue
        if default_text and rule.get("text_sha256"):
            tp = locate(default_text, dirs)
            if not tp.exists():
                print(f"{path.name}: text {default_text} not found")
                failures += 1
            elif hashlib.sha256(tp.read_bytes()).hexdigest() != rule["text_sha256"]:
                print(f"{path.name}: text_sha256 does not match {default_text}")
                failures += 1
        # A rule's own_models definition (the licensor's family) is a quote from the same text, checked alike.
        own = [{"id": "own_models", "quote": rule["own_models"]["quote"]}] if rule.get("own_models") else []
        for clause in rule.get("clauses", []) + own:
            if clause.get("verification") == "secondary" or (
                rule.get("verification") == "secondary" and "verification" not in clause
            ):
                continue
            text_name = clause.get("text", default_text)
            if not text_name:
                print(f"{path.name}:{clause['id']}: no source text named")
                failures += 1
                continue
            tp = locate(text_name, dirs)
            if not tp.exists():
                print(f"{path.name}:{clause['id']}: text {text_name} not found")
                failures += 1
                continue
            if clause.get("text_sha256") and hashlib.sha256(tp.read_bytes()).hexdigest() != clause["text_sha256"]:
                print(f"{path.name}:{clause['id']}: text_sha256 does not match {text_name}")
                failures += 1
            body = norm(tp.read_text(encoding="utf-8"))
            for what, quote in [("quote", clause["quote"]), *prescribed(clause)]:
                missing = find_fragments(quote, body)
                if missing is not None:
                    print(f"{path.name}:{clause['id']}: {what} not verbatim in {text_name}: {missing[:120]!r}")
                    failures += 1
    print(f"{failures} problem(s)" + (f", {skipped} rule(s) skipped (texts not available here)" if skipped else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
