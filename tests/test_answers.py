"""Answers procurement can act on (issue 11 item 5): a review keeps its certain obligations and says what would
settle it; the MAU flag claims nothing nobody gave; a plan that cannot happen is an error, not a verdict."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from licheck import resources
from licheck.domain import Effect, Finding, Plan
from licheck.engine.plancheck import plan_problem, validate_plan
from licheck.engine.settle import open_questions, tool_settle
from licheck.engine.verdicts import settle
from licheck.errors import EXIT_ERROR, PlanError, UsageError, exit_code
from licheck.policy import PolicyError, load_policy
from tests.test_engine import audit, graph, node

AUDIT_SCHEMA = json.loads((resources.data_dir().parent / "schemas" / "audit.schema.json").read_text("utf-8"))
LLAMA31 = "meta-llama/Llama-3.1-8B"


def finding(effect: str, node_id: str = "org/x", **kw: object) -> Finding:
    base: dict = {"rule": "r", "clause": "C", "section": "1", "quote": "q", "url": None, "reason": "why"}
    return Finding(effect=effect, node=node_id, path=[node_id], **{**base, **kw})


# -- obligations and open questions --------------------------------------------------------------------------------
def test_review_keeps_its_obligations_each_text_once_and_forbidden_lists_none():
    duties = [
        finding("obligation", obligation="Ship the licence."),
        finding("obligation", obligation="ship the LICENCE."),
    ]
    verdict, obligations = settle([*duties, finding("review")])
    assert verdict == "review" and [o["text"] for o in obligations] == ["Ship the licence."]
    verdict, obligations = settle([*duties, finding("review"), finding("forbid")])
    assert verdict == "forbidden" and obligations == []


def test_open_questions_one_per_review_finding_with_what_and_whom():
    same = finding("review", rule="licheck", clause=None, flag="license_unresolvable")
    got = open_questions([same, same, finding("obligation", obligation="x"), finding("review", "org/y", flag="cycle")])
    assert [(q["node"], q["flag"]) for q in got] == [("org/x", "license_unresolvable"), ("org/y", "cycle")]
    assert got[0]["ask"] == "the repo owner of org/x" and "licence of org/x" in got[0]["settle"]
    stated = finding("review", settle="a reading of clause C", ask="your counsel")
    assert open_questions([stated]) == [
        {
            "node": "org/x",
            "rule": "r",
            "clause": "C",
            "flag": "",
            "settle": "a reading of clause C",
            "ask": "your counsel",
        }
    ]


@pytest.mark.parametrize(
    ("flag", "why", "settles", "asks"),
    [
        ("node_unreadable", "org/x: gated repository (access must be granted on the Hub)", "accept its gate", "owner"),
        ("node_unreadable", "org/x: repository not found", "current id", "org/child"),
        ("node_unreadable", "not read: depth limit 2 reached", "--max-depth", "no one"),
        ("node_unreadable", "org/x: the Hub was not asked (offline mode)", "online", "no one"),
        ("cycle", "cycle", "real base", "org/child"),
        ("synthetic_data_unknown_generator", "", "generated the data", "owner"),
        ("api_terms_unknown", "", "terms of service", "licensor"),
    ],
)
def test_engine_made_reviews_say_what_settles_them(flag, why, settles, asks):
    what, who = tool_settle(flag, "org/x", ["org/child", "org/x"], why)
    assert settles in what and asks in who


def test_llama_fine_tune_without_licence_is_review_with_obligations_and_the_owner_to_ask():
    llama = node(LLAMA31, "llama3.1")
    tuned = node("acme/tuned")
    v = audit(graph(tuned, (tuned, llama, "finetune")))
    assert v.verdict == "review"
    clauses = {o["clause"] for o in v.obligations}
    assert {"LLAMA31-1bi-NAME", "LLAMA31-1biv"} <= clauses
    assert any(q["node"] == "acme/tuned" and q["ask"] == "the repo owner of acme/tuned" for q in v.open_questions)


def test_a_rule_clause_settle_text_reaches_the_open_questions():
    """CC BY-SA outputs: whether the student is Adapted Material is a judgement; the clause says what settles it."""
    v = audit(graph(node("acme/sa-model", "cc-by-sa-4.0")))
    assert v.verdict == "review"
    reviews = [f for f in v.findings if f.effect == Effect.REVIEW and f.rule == "cc-by-sa-4.0"]
    assert reviews and all(f.settle for f in reviews)
    assert {q["settle"] for q in v.open_questions} >= {f.settle for f in reviews}
    assert all(q["ask"] == "your counsel" for q in v.open_questions if q["rule"] == "cc-by-sa-4.0")


# -- the MAU gate flag ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mau", "verdict", "flag", "not_flag"),
    [
        (None, "conditional", "mau_gate_applies", "mau_gate_exceeded"),
        (800_000_000, "forbidden", "mau_gate_exceeded", "mau_gate_applies"),
    ],
)
def test_mau_gate_is_exceeded_only_on_a_given_number(mau, verdict, flag, not_flag):
    v = audit(graph(node(LLAMA31, "llama3.1")), mau=mau)
    assert v.verdict == verdict and flag in v.flags and not_flag not in v.flags


def test_mau_under_the_gate_raises_no_gate_flag():
    v = audit(graph(node(LLAMA31, "llama3.1")), mau=1_000)
    assert v.verdict == "conditional" and not {"mau_gate_applies", "mau_gate_exceeded"} & set(v.flags)


def test_no_rule_still_claims_the_gate_is_exceeded_unconditionally():
    for path in (resources.rules_dir()).glob("*.yaml"):
        text = path.read_text("utf-8")
        assert "flag: mau_gate_exceeded" not in text, path.name  # only as flag_met, on a given --mau


# -- nonsense plans -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("plan", "words"),
    [
        (Plan(teacher="openai/gpt-4o", method="weights"), "method weights is impossible"),
        (Plan(teacher="api:anthropic/claude-3-opus", method="weights"), "API teacher"),
        (Plan(teacher="Qwen/Qwen2.5-7B", student="openai/gpt-4o"), "hosted API product"),
        (Plan(teacher="Qwen/Qwen2.5-7B", student="api:google/gemini-1.5-pro"), "hosted API product"),
        (Plan(teacher="Qwen/Qwen2.5-7B", mau=-1), "mau must be 0 or more"),
        (Plan(teacher="Qwen/Qwen2.5-7B", annual_revenue=-5), "annual_revenue must be 0 or more"),
        (Plan(teacher="Qwen/Qwen2.5-7B", monthly_revenue=-5), "monthly_revenue must be 0 or more"),
        (Plan(teacher="datasets/tatsu-lab/alpaca", method="weights"), "a dataset has no weights"),
        (Plan(teacher="Qwen/Qwen2.5-7B", student="datasets/tatsu-lab/alpaca"), "is a dataset, not a model"),
    ],
)
def test_nonsense_plans_are_plan_errors(plan, words):
    assert words in (plan_problem(plan) or "")
    with pytest.raises(PlanError) as exc:
        validate_plan(plan)
    assert isinstance(exc.value, UsageError) and exit_code(exc.value) == EXIT_ERROR and "\n" not in str(exc.value)


@pytest.mark.parametrize(
    "plan",
    [
        Plan(teacher="openai/gpt-4o"),  # outputs of an API: the ordinary question
        Plan(teacher="openai/gpt-oss-20b", method="weights"),  # an open-weight model of an API provider's org
        Plan(teacher="meta-llama/Llama-3.1-8B", student="Qwen/Qwen2.5-7B", method="weights", mau=0),
        Plan(teacher="*", student="./local-model"),  # the scan's plan
        Plan(teacher="datasets/tatsu-lab/alpaca"),  # training on a dataset's outputs: the ordinary question
    ],
)
def test_sensible_plans_pass(plan):
    assert plan_problem(plan) is None and validate_plan(plan) is plan


def test_policy_plan_that_cannot_happen_is_a_policy_error_naming_file_line_and_plan(tmp_path: Path):
    policy = tmp_path / "licheck.yaml"
    policy.write_text(
        "plans:\n  - name: fine\n    teacher: Qwen/Qwen2.5-7B\n"
        "  - name: into gpt\n    teacher: Qwen/Qwen2.5-7B\n    student: openai/gpt-4o\n",
        "utf-8",
    )
    with pytest.raises(PolicyError) as exc:
        load_policy(policy)
    msg = str(exc.value)
    assert msg.startswith(f"{policy}:4: plans/1 ('into gpt'): student openai/gpt-4o is a hosted API product"), msg


def test_policy_defaults_make_a_plan_impossible(tmp_path: Path):
    policy = tmp_path / "licheck.yaml"
    policy.write_text("defaults: {method: weights}\nplans:\n  - name: api\n    teacher: api:openai/gpt-4o\n", "utf-8")
    with pytest.raises(PolicyError, match=r"plans/0 \('api'\): method weights is impossible"):
        load_policy(policy)


# -- end to end, through the fake Hub -------------------------------------------------------------------------------
def _serve_tuned_llama(hub) -> None:
    hub.add_model(LLAMA31, card_data={"license": "llama3.1"})
    hub.add_model("acme/tuned", card_data={"base_model": LLAMA31})


def test_cli_review_lists_obligations_and_what_would_settle_it(hub_env, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    _serve_tuned_llama(hub_env)
    res = cli("audit", "acme/tuned", "--format", "json")
    doc = res.json()
    jsonschema.validate(doc, AUDIT_SCHEMA)
    assert res.exit_code == 3 and doc["verdict"] == "review"
    assert {"LLAMA31-1bi-NAME", "LLAMA31-1biv"} <= {o["clause"] for o in doc["obligations"]}
    asked = {(q["node"], q["flag"], q["ask"]) for q in doc["open_questions"]}
    assert ("acme/tuned", "license_unresolvable", "the repo owner of acme/tuned") in asked
    assert "mau_gate_applies" in doc["flags"] and "mau_gate_exceeded" not in doc["flags"]
    text = cli("audit", "acme/tuned").stdout
    order = [text.index(h) for h in ("To settle (", "To do (", "Findings:")]
    assert order == sorted(order)
    assert "ask the repo owner of acme/tuned" in " ".join(text.split())
    old = {k: v for k, v in doc.items() if k != "open_questions"}  # a document of an older licheck still validates
    jsonschema.validate(old, AUDIT_SCHEMA)


def test_cli_gated_parent_says_to_accept_the_gate(hub_env, cli):
    hub_env.add_model("acme/base", card_data={"license": "apache-2.0"})
    hub_env.gate("acme/base")
    hub_env.add_model("acme/child", card_data={"license": "apache-2.0", "base_model": "acme/base"})
    doc = cli("audit", "acme/child", "--format", "json").json()
    jsonschema.validate(doc, AUDIT_SCHEMA)
    assert doc["verdict"] == "review"
    (q,) = [q for q in doc["open_questions"] if q["node"] == "acme/base"]
    assert "accept its gate" in q["settle"] and q["ask"] == "the repo owner of acme/base"


def test_cli_permitted_and_conditional_have_no_open_questions(hub_env, cli):
    hub_env.add_model(LLAMA31, card_data={"license": "llama3.1"})
    doc = cli("audit", LLAMA31, "--mau", "800000000", "--format", "json").json()
    jsonschema.validate(doc, AUDIT_SCHEMA)
    assert doc["verdict"] == "forbidden" and doc["obligations"] == [] and doc["open_questions"] == []
    assert "mau_gate_exceeded" in doc["flags"]


@pytest.mark.parametrize(
    "args",
    [
        ("audit", "openai/gpt-4o", "--method", "weights"),
        ("audit", LLAMA31, "--student", "openai/gpt-4o"),
        ("alternatives", LLAMA31, "--student", "api:openai/gpt-4o"),
        ("audit", LLAMA31, "--mau", "-3"),
    ],
)
def test_cli_nonsense_plan_is_a_one_line_error_exit_2_before_any_request(args, hub_env, cli):
    hub_env.add_model(LLAMA31, card_data={"license": "llama3.1"})
    res = cli(*args)
    assert res.exit_code == 2 and res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("licheck: error")
    assert hub_env.count("/api/") == 0


def test_cli_check_reports_the_nonsense_plan_of_licheck_yaml(tmp_path: Path, hub_env, cli, monkeypatch):
    (tmp_path / "licheck.yaml").write_text(
        "plans:\n  - name: weights of gpt\n    teacher: openai/gpt-4o\n    method: weights\n", "utf-8"
    )
    monkeypatch.chdir(tmp_path)
    res = cli("check", str(tmp_path))
    assert res.exit_code == 2 and "licheck.yaml:2: plans/0 ('weights of gpt'): method weights" in res.stderr


def test_cli_scan_refuses_an_api_student(tmp_path: Path, cli):
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": "acme/m", "cardData": {"license": "mit"}}) + "\n", "utf-8")
    res = cli("scan", str(dump), "--student", "openai/gpt-4o")
    assert res.exit_code == 2 and "hosted API product" in res.stderr and res.stdout == ""


def test_cli_check_review_plan_lists_what_would_settle_it(tmp_path: Path, hub_env, cli, monkeypatch):
    _serve_tuned_llama(hub_env)
    (tmp_path / "licheck.yaml").write_text("plans:\n  - name: tuned\n    teacher: acme/tuned\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    doc = cli("check", str(tmp_path), "--format", "json").json()
    (plan,) = [r for r in doc["results"] if r["kind"] == "plan"]
    assert plan["verdict"] == "review" and plan["obligations"]
    assert any(q["ask"] == "the repo owner of acme/tuned" for q in plan["open_questions"])
    text = cli("check", str(tmp_path)).stdout
    assert "to settle: the licence of acme/tuned" in text and "ask the repo owner of acme/tuned" in text
