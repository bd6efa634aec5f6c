"""Property (issue 14): padding, a repeated key, an oversized or unreadable element never makes a verdict more
permissive.

Cards are built from real records (tests/fixtures/hub_records.yaml: their ids, licences and datasets); the
parents are those records. The card is written to a real folder and read by `licheck audit`'s local reader.

Restrictiveness: permitted < conditional < {review, forbidden}. After a hostile change the verdict must not be
permitted or conditional when it was review or forbidden, and not permitted when it was conditional
(forbidden -> review is allowed: both say "do not proceed as planned").
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licheck.domain import Plan
from licheck.engine.auditor import Auditor
from licheck.provenance.records import RepoRecord
from licheck.provenance.resolver import ProvenanceResolver
from licheck.rules.ruleset import load_rules
from tests.hubdata import RECORDS
from tests.test_hostile import DictSource

RANK = {"permitted": 0, "conditional": 1, "review": 2, "forbidden": 2}
MODELS = sorted(r for r in RECORDS if not r.startswith("datasets/"))
DATASETS = sorted(r[len("datasets/") :] for r in RECORDS if r.startswith("datasets/"))
LICENCES = sorted({str((r.get("card_data") or {}).get("license")) for r in RECORDS.values()} - {"None"})
PLANS = [
    Plan(teacher="-"),
    Plan(teacher="-", use="research", internal=True),
    Plan(teacher="-", method="weights", student="meta-llama/Llama-3.1-8B"),
]


def _record(rid: str) -> RepoRecord:
    r = RECORDS[rid]
    kind = "dataset" if rid.startswith("datasets/") else "model"
    return RepoRecord(
        id=rid.split("datasets/", 1)[-1],
        kind=kind,
        card_data=dict(r.get("card_data") or {}),
        tags=list(r.get("tags") or []),
        siblings=list(r.get("files") or []),
        source="test",
    )


SOURCE = DictSource({rid: _record(rid) for rid in RECORDS})
RULES = load_rules()


def verdict(folder: Path, plan: Plan) -> str:
    resolver = ProvenanceResolver(SOURCE)
    student = resolver.resolve(plan.student) if plan.student else None
    values = {k: getattr(plan, k) for k in ("student", "use", "internal", "method")}
    return Auditor(RULES).audit(Plan(teacher=str(folder), **values), resolver.resolve(str(folder)), student).verdict


cards = st.fixed_dictionaries(
    {},
    optional={
        "license": st.sampled_from(LICENCES),
        "base_model": st.lists(st.sampled_from(MODELS), min_size=1, max_size=3, unique=True),
        "datasets": st.lists(st.sampled_from(DATASETS), min_size=1, max_size=2, unique=True),
    },
)


def write(folder: Path, card: dict[str, Any], extra_lines: str = "", files: dict[str, str] | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(card, sort_keys=False) if card else ""
    (folder / "README.md").write_text(f"---\n{front}{extra_lines}---\n# card\n", encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")


def hostile(card: dict[str, Any], how: str, other: str) -> tuple[dict[str, Any], str, dict[str, str]]:
    """(card, extra front-matter lines, extra files) for one hostile change."""
    card = json.loads(json.dumps(card))
    if how == "pad-bases" and card.get("base_model"):
        card["base_model"] = [card["base_model"][0]] * 1000 + card["base_model"]
    elif how == "pad-datasets" and card.get("datasets"):
        card["datasets"] = [card["datasets"][-1]] * 1000 + card["datasets"]
    elif how == "repeat-license":
        return card, f"license: {other}\n" + ("" if "license" in card else f"license: {other}-x\n"), {}
    elif how == "repeat-base":
        return card, f"base_model: {other}\n" + ("" if "base_model" in card else "base_model: x/y\n"), {}
    elif how == "oversize":
        return card, "notes: " + "y" * 600_000 + "\n", {}
    elif how == "unreadable-yaml":
        return card, "broken: [unclosed\n", {}
    elif how == "adapter-null":
        return card, "", {"adapter_config.json": '{"base_model_name_or_path": null}'}
    elif how == "adapter-garbage":
        return card, "", {"adapter_config.json": "{not json"}
    elif how == "mergekit-odd":
        return card, "", {"mergekit_config.yml": "models: 5\nslices: {a: 1}\n"}
    return card, "", {}


HOW = [
    "pad-bases",
    "pad-datasets",
    "repeat-license",
    "repeat-base",
    "oversize",
    "unreadable-yaml",
    "adapter-null",
    "adapter-garbage",
    "mergekit-odd",
    "symlink",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    card=cards,
    how=st.sampled_from(HOW),
    other=st.sampled_from(LICENCES + MODELS),
    plan=st.sampled_from(PLANS),
)
def test_hostile_changes_never_make_a_verdict_more_permissive(card, how, other, plan) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        before, after = Path(tmp) / "before", Path(tmp) / "after"
        write(before, card)
        old = verdict(before, plan)
        if how == "symlink":
            after.mkdir()
            (after / "README.md").symlink_to(before / "README.md")
        else:
            new_card, lines, files = hostile(card, how, other)
            write(after, new_card, lines, files)
        new = verdict(after, plan)
    assert RANK[new] >= RANK[old], f"{how}: {old} -> {new} for {card}"
    if how in ("repeat-license", "repeat-base", "oversize", "unreadable-yaml", "mergekit-odd", "symlink"):
        assert new in ("review", "forbidden")
