"""The plan-fact registry (licheck/engine/facts.py) against the schemas, the Plan, the CLI, policy files and the
engine."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from licheck import resources
from licheck.domain import Plan
from licheck.engine.auditor import CONDITIONS
from licheck.engine.facts import FACT_NAMES, FACTS

SCHEMAS = Path(resources.__file__).resolve().parent / "schemas"


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _choices(prop: dict[str, Any]) -> list[str] | None:
    return prop.get("enum")


def test_plan_fields_are_the_registry_facts_with_their_defaults() -> None:
    fields = {f.name: f.default for f in dataclasses.fields(Plan)}
    assert list(fields) == ["teacher", "student", *FACT_NAMES]
    for fact in FACTS:
        assert fields[fact.name] == fact.default, fact.name
        if fact.choices:
            assert fact.default in fact.choices


def test_rule_schema_when_keys_are_exactly_the_registry_conditions() -> None:
    clause = _json(resources.rules_dir() / "rule.schema.json")["$defs"]["clause"]["properties"]
    when = clause["when"]["properties"]
    assert set(when) == set(CONDITIONS)
    for key, cond in CONDITIONS.items():
        assert when[key] == cond.schema, key
    by_name = {f.name: f for f in FACTS}
    assert _choices(clause["uses"]["items"]) == list(by_name["use"].choices)
    assert _choices(clause["methods"]["items"]) == list(by_name["method"].choices)


def test_rule_example_plans_take_every_fact() -> None:
    plan = _json(resources.rules_dir() / "rule.schema.json")["$defs"]["example"]["properties"]["plan"]["properties"]
    assert set(plan) == set(FACT_NAMES)
    for fact in FACTS:
        assert _choices(plan[fact.name]) == (list(fact.choices) if fact.choices else None), fact.name


def test_policy_and_audit_schemas_name_every_fact() -> None:
    policy = _json(SCHEMAS / "policy.schema.json")["$defs"]
    audit = _json(SCHEMAS / "audit.schema.json")["properties"]["query"]
    assert set(policy["facts"]["properties"]) == {*FACT_NAMES, "distribution"}
    assert set(policy["plan"]["properties"]) == {
        "name",
        "teacher",
        "student",
        "student_dir",
        *FACT_NAMES,
        "distribution",
    }
    assert set(audit["properties"]) == set(audit["required"]) == {"teacher", "student", *FACT_NAMES}
    for fact in FACTS:
        want = list(fact.choices) if fact.choices else None
        for props in (policy["facts"]["properties"], policy["plan"]["properties"], audit["properties"]):
            assert _choices(props[fact.name]) == want, fact.name
        assert audit["properties"][fact.name] == fact.json_schema(), fact.name


# -- student_task, the first fact added through the registry ---------------------------------------------------------
def _org_rule(folder: Path) -> Path:
    """An organisation rule whose only duty applies to classifier and embedding students (quote reused from MIT)."""
    data = yaml.safe_load((resources.rules_dir() / "mit.yaml").read_text(encoding="utf-8"))
    grant = next(c for c in data["clauses"] if c["id"] == "MIT-GRANT")
    duty = dict(
        grant,
        id="ACME-NARROW",
        effect="obligation",
        obligation="Keep the narrow student internal.",
        when={"student_task": ["classifier", "embedding"]},
    )
    data.update(id="acme-task", identifiers={"hub": ["acme-task"]}, clauses=[grant, duty])
    teacher = {"id": "acme/teacher", "license": "acme-task"}
    data["examples"] = [
        {
            "name": "classifier student",
            "teacher": teacher,
            "plan": {"student_task": "classifier"},
            "expect": "conditional",
        },
        {
            "name": "generative student",
            "teacher": teacher,
            "plan": {"student_task": "generative"},
            "expect": "permitted",
        },
    ]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "acme-task.yaml"
    path.write_text(yaml.safe_dump(json.loads(json.dumps(data)), sort_keys=False), encoding="utf-8")  # no aliases
    return path


def _teacher(root: Path) -> Path:
    d = root / "teacher"
    d.mkdir()
    (d / "README.md").write_text("---\nlicense: acme-task\n---\n# teacher\n", encoding="utf-8")
    return d


def test_student_task_condition_is_evaluated_by_the_engine(tmp_path: Path, cli) -> None:
    rules = tmp_path / "org-rules"
    _org_rule(rules)
    teacher = str(_teacher(tmp_path))
    base = ("audit", teacher, "--offline", "--rules", str(rules), "--format", "json")
    default = cli(*base)
    assert default.exit_code == 0, default.stderr
    doc = default.json()
    assert doc["verdict"] == "permitted" and doc["query"]["student_task"] == "generative"
    assert not [f for f in doc["findings"] if f["clause"] == "ACME-NARROW"]
    for task in ("classifier", "embedding"):
        res = cli(*base, "--student-task", task)
        assert res.exit_code == 0, res.stderr
        doc = res.json()
        assert doc["verdict"] == "conditional" and doc["query"]["student_task"] == task
        (narrow,) = [f for f in doc["findings"] if f["clause"] == "ACME-NARROW"]
        assert f"student task {task} (--student-task)" in narrow["triggered_by"]
    bad = cli(*base, "--student-task", "chatbot")
    assert bad.exit_code == 2 and "Traceback" not in bad.stderr


def test_rule_examples_can_set_student_task(tmp_path: Path, cli) -> None:
    rules = tmp_path / "org-rules"
    _org_rule(rules)
    res = cli("rules", "test", "--rules", str(rules))
    assert res.exit_code == 0, res.stdout
    assert "FAIL acme-task" not in res.stdout


def test_policy_plans_and_defaults_carry_student_task(tmp_path: Path) -> None:
    from licheck.policy import PolicyError, load_policy

    (tmp_path / "licheck.yaml").write_text(
        "defaults: {student_task: embedding}\n"
        "plans:\n"
        "  - {name: narrow, teacher: org/teacher, student_task: classifier}\n"
        "  - {name: inherited, teacher: org/teacher}\n",
        encoding="utf-8",
    )
    policy = load_policy(tmp_path / "licheck.yaml")
    assert [p.plan.student_task for p in policy.plans] == ["classifier", "embedding"]
    (tmp_path / "licheck.yaml").write_text(
        "plans:\n  - {name: bad, teacher: org/teacher, student_task: chatbot}\n", encoding="utf-8"
    )
    with pytest.raises(PolicyError, match="student_task"):
        load_policy(tmp_path / "licheck.yaml")
