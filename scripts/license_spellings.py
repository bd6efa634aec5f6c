"""List every `license_name` / `license_link` spelling in Hub metadata files, with counts and the rule each resolves to.

Usage: python scripts/license_spellings.py FILE... (hub-snapshot*.yaml lists or hub-scrape*.jsonl records)

Why: the Hub writes custom licences as `license: other` + a free-text `license_name` / `license_link`; every
spelling seen in real data must identify its rule, or stay `review` on purpose (a name no rule claims). Each line
shows the records' own `license:` value and what licheck identifies for such a record (license field, name and link
together, as the audit does); "review" lines are the spellings to judge by hand. Research tool, not a test (the
data is not in the repository); tests/test_rules.py keeps the verdicts as facts.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from licheck.domain import LicenseInfo, ModelNode
from licheck.rules.ruleset import load_rules


def records(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix == ".jsonl":
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)
    else:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield from data if isinstance(data, list) else data.get("entries", [])


def fields(rec: dict[str, Any]) -> tuple[str | None, str | None, list[str]]:
    card = rec.get("card_data") or {}
    lic = card.get("license")
    lics = [lic] if isinstance(lic, str) else [str(x) for x in lic or []]
    name, link = card.get("license_name"), card.get("license_link")
    return (str(name) if name else None), (str(link) if link else None), lics


def main(argv: list[str]) -> int:
    rules = load_rules()
    names: Counter[tuple[str, str]] = Counter()
    links: Counter[tuple[str, str]] = Counter()
    for arg in argv[1:]:
        for rec in records(Path(arg)):
            if not isinstance(rec, dict):
                continue
            name, link, lics = fields(rec)
            info = LicenseInfo(card=lics, license_name=name, license_link=link)
            ident = rules.identify(ModelNode(id="x/y", kind="model", license=info))
            got = ",".join(r for r in ident.rule_ids if rules.get(r).kind != "policy") or "review"
            lic = ",".join(lics) or "-"
            if name:
                names[(name, lic, got)] += 1
            if link:
                links[(link, lic, got)] += 1
    review = 0
    for title, counter in (("license_name", names), ("license_link", links)):
        print(f"## {title}")
        for (value, lic, got), n in counter.most_common():
            review += got == "review"
            print(f"{n:5d}  {value!r:70} license={lic:12} -> {got}")
    print(f"{review} spelling(s) left to review")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
