"""`licheck alternatives`: every suggestion is a teacher the engine allows under the same plan.

Offline, the candidates and their provenance come from the embedded snapshot (packaged data, not ../shared); the
teacher can come from the fake Hub.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from licheck import resources
from licheck.engine.alternatives import parameters

SCHEMAS = resources.data_dir().parent / "schemas"


def _validate(doc: dict[str, Any]) -> None:
    audit = json.loads((SCHEMAS / "audit.schema.json").read_text(encoding="utf-8"))
    alt = json.loads((SCHEMAS / "alternatives.schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in (audit, alt)])
    jsonschema.Draft202012Validator(alt, registry=registry).validate(doc)


def _alternatives(cli, *args: str) -> dict[str, Any]:
    res = cli("alternatives", *args, "--format", "json", "--offline")
    assert res.exit_code == 0, res.stderr
    doc = res.json()
    _validate(doc)
    return doc


def _confirmed(cli, alt: dict[str, Any], *plan: str) -> None:
    """`licheck audit` gives the suggestion the same verdict and obligations under the same plan."""
    res = cli("audit", alt["id"], *plan, "--format", "json", "--offline")
    assert res.exit_code == 0, res.stderr
    audit = res.json()
    assert audit["verdict"] == alt["verdict"]
    assert audit["obligations"] == alt["obligations"]


def test_llama2_chat_gets_allowed_teachers_of_its_task_each_confirmed_by_audit(cli) -> None:
    doc = _alternatives(cli, "meta-llama/Llama-2-7b-chat-hf", "--limit", "6")
    assert cli("audit", "meta-llama/Llama-2-7b-chat-hf", "--offline").exit_code == 1  # the question: forbidden
    assert doc["task"] == "text-generation" and doc["size"] == "7B"
    alts = doc["alternatives"]
    assert len(alts) >= 3 and len(alts) <= 6
    assert {a["verdict"] for a in alts} <= {"permitted", "conditional"}
    assert all(a["task"] == "text-generation" for a in alts)
    assert "meta-llama/Llama-2-7b-chat-hf" not in {a["id"] for a in alts}
    # The publisher's own allowed siblings come first (Llama 3.1 is conditional where Llama 2 forbids).
    assert alts[0]["id"].startswith("meta-llama/") and alts[0]["verdict"] == "conditional"
    for a in alts:
        size = parameters(a["id"])
        assert size is not None and 7 / 4 <= size <= 7 * 4  # the same size class
        _confirmed(cli, a)


def test_the_plan_is_the_users_plan(cli) -> None:
    """A non-commercial research plan with a named student: every suggestion is audited under it."""
    plan = ("--student", "Qwen/Qwen3-4B", "--use", "research")
    doc = _alternatives(cli, "meta-llama/Llama-2-70b-chat-hf", *plan, "--limit", "4")
    assert doc["plan"]["student"] == "Qwen/Qwen3-4B" and doc["plan"]["use"] == "research"
    assert len(doc["alternatives"]) >= 3
    for a in doc["alternatives"]:
        _confirmed(cli, a, *plan)


def test_an_api_teacher_gets_open_weight_alternatives(cli) -> None:
    assert cli("audit", "openai/gpt-4o", "--offline").exit_code == 1
    doc = _alternatives(cli, "openai/gpt-4o", "--limit", "3")
    assert doc["task"] == "text-generation" and doc["size"] is None
    alts = doc["alternatives"]
    assert len(alts) == 3
    for a in alts:
        assert not a["id"].startswith("api:") and "/" in a["id"]
        _confirmed(cli, a)
    # The provider's own open-weight models first (gpt-oss), then, with no size to match, the largest first.
    own = [a for a in alts if a["id"].startswith("openai/")]
    assert own and alts[: len(own)] == own
    for group in (own, alts[len(own) :]):
        sizes = [parameters(a["id"]) or 0 for a in group]
        assert sizes == sorted(sizes, reverse=True)


def test_text_output_fits_80_columns_and_bad_limits_are_usage_errors(cli) -> None:
    res = cli("alternatives", "meta-llama/Llama-2-7b-chat-hf", "--offline", "--limit", "3")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].startswith("Alternatives to meta-llama/Llama-2-7b-chat-hf")
    assert max(len(line) for line in lines) <= 80
    assert sum(line.lstrip().startswith(("PERMITTED", "CONDITIONAL")) for line in lines) == 3
    bad = cli("alternatives", "meta-llama/Llama-2-7b-chat-hf", "--offline", "--limit", "0")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "--limit" in bad.stderr


@pytest.mark.parametrize(
    ("model_id", "billions"),
    [
        ("meta-llama/Llama-2-70b-chat-hf", 70.0),
        ("Qwen/Qwen2.5-1.5B-Instruct", 1.5),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 56.0),
        ("Qwen/Qwen3-235B-A22B", 235.0),
        ("HuggingFaceTB/SmolLM2-360M", 0.36),
        ("microsoft/phi-4", None),
        ("MiniMaxAI/MiniMax-M1-80k", None),
    ],
)
def test_sizes_are_read_from_the_id(model_id: str, billions: float | None) -> None:
    assert parameters(model_id) == billions


def test_a_teacher_from_the_hub_is_answered_with_snapshot_candidates(hub_env, cli) -> None:
    """Online, the teacher is read from the Hub; candidates still cost no request each."""
    hub_env.add_model("acme/chat-nc-7b", card_data={"license": "cc-by-nc-4.0"}, pipeline_tag="text-generation")
    res = cli("alternatives", "acme/chat-nc-7b", "--format", "json", "--limit", "3")
    assert res.exit_code == 0, res.stderr
    doc = res.json()
    _validate(doc)
    assert len(doc["alternatives"]) == 3
    paths = [p for _m, p in hub_env.requests]
    assert paths and all("acme/chat-nc-7b" in p for p in paths), paths
    assert cli("audit", "acme/chat-nc-7b").exit_code == 1  # non-commercial: forbidden for the default plan


def test_a_forbidden_audit_ends_with_three_alternatives_and_the_command_for_more(cli) -> None:
    plan = ("--use", "research", "--eu")
    res = cli("audit", "meta-llama/Llama-2-7b-chat-hf", *plan, "--offline")
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    start = lines.index("Allowed instead, under the same plan:")
    listed = [
        line.split()[1].rstrip(":")
        for line in lines[start + 1 :]
        if line.split() and line.split()[0] in ("PERMITTED", "CONDITIONAL")
    ]
    more = next(line for line in lines[start:] if line.strip().startswith("more: "))
    assert more.strip() == "more: licheck alternatives meta-llama/Llama-2-7b-chat-hf --use research --eu"
    full = _alternatives(cli, "meta-llama/Llama-2-7b-chat-hf", *plan)
    assert listed[:3] == [a["id"] for a in full["alternatives"][:3]] and len(listed) == 3
    # The lean JSON has none unless asked; asked, it carries the same list.
    plain = cli("audit", "meta-llama/Llama-2-7b-chat-hf", *plan, "--offline", "--format", "json").json()
    assert "alternatives" not in plain
    asked = cli("audit", "meta-llama/Llama-2-7b-chat-hf", *plan, "--offline", "--format", "json", "--alternatives")
    doc = asked.json()
    assert doc["alternatives"] == full["alternatives"][:10]
    jsonschema.validate(doc, json.loads((SCHEMAS / "audit.schema.json").read_text(encoding="utf-8")))


def test_a_permitted_audit_lists_no_alternatives(cli) -> None:
    res = cli("audit", "deepseek-ai/DeepSeek-R1", "--offline")
    assert res.exit_code == 0 and "Allowed instead" not in res.stdout
