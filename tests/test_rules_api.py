"""API terms by what the student is, and second-hand API outputs by use (issue 11 items 1, 3, 6), end to end.

Every audit goes through the CLI against the local fake Hub; API teachers (`openai/gpt-4o`) come from the catalogue,
the student bases and the Alpaca / OpenHermes dataset cards from tests/fixtures/hub_records.yaml or added here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import hubdata

CLASSIFIER = "FacebookAI/roberta-base"
MISTRAL = "mistralai/Mistral-7B-v0.1"
ALPACA = "datasets/tatsu-lab/alpaca"
HERMES = "datasets/teknium/OpenHermes-2.5"


@pytest.fixture
def hub(hub_env: Any) -> Any:
    hub_env.add_model(CLASSIFIER, card_data={"license": "mit"})
    hub_env.add_model(MISTRAL, card_data={"license": "apache-2.0"})
    hubdata.load(hub_env, ALPACA, HERMES)
    return hub_env


def audit(cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    res = cli("audit", *args, "--format", "json")
    assert "Traceback" not in res.stderr
    return res.exit_code, res.json()


def clauses(doc: dict[str, Any], effect: str | None = None) -> set[str]:
    return {f["clause"] for f in doc["findings"] if f["clause"] and (effect is None or f["effect"] == effect)}


def obligation_clauses(doc: dict[str, Any]) -> set[str]:
    return {o["clause"] for o in doc["obligations"]}


# -- item 1: OpenAI's Permitted Exception ---------------------------------------------------------------------------
def test_internal_gpt4o_ticket_classifier_is_conditional_on_staying_undistributed(hub, cli) -> None:
    code, doc = audit(cli, "openai/gpt-4o", "--student", CLASSIFIER, "--student-task", "classifier", "--internal")
    assert (code, doc["verdict"]) == (0, "conditional")
    assert doc["query"]["student_task"] == "classifier"
    assert {"OPENAI-OSA-PE", "OPENAI-TOU-2024-NARROW"} <= obligation_clauses(doc)
    pe = next(o for o in doc["obligations"] if o["clause"] == "OPENAI-OSA-PE")
    assert "not be distributed or made commercially available to third parties" in pe["text"]
    assert "January 1, 2026" in pe["text"]  # which edition decided
    (finding,) = [f for f in doc["findings"] if f["clause"] == "OPENAI-OSA-PE"]
    assert "(e.g., embeddings or classifiers)" in finding["quote"] and finding["url"]
    assert "student task classifier (--student-task)" in finding["triggered_by"]
    assert "internal (--internal)" in finding["triggered_by"]
    assert not clauses(doc, "forbid") and not clauses(doc, "review")


def test_internal_embedding_model_takes_the_same_exception(hub, cli) -> None:
    code, doc = audit(cli, "openai/gpt-4o-mini", "--student", CLASSIFIER, "--student-task", "embedding", "--internal")
    assert (code, doc["verdict"]) == (0, "conditional")
    assert "OPENAI-OSA-PE" in obligation_clauses(doc)


def test_published_classifier_loses_the_exception_and_is_review(hub, cli) -> None:
    code, doc = audit(cli, "openai/gpt-4o", "--student", CLASSIFIER, "--student-task", "classifier")
    assert (code, doc["verdict"]) == (3, "review")
    (lost,) = [f for f in doc["findings"] if f["clause"] == "OPENAI-OSA-PE-LOST"]
    assert lost["effect"] == "review" and "distributed" in lost["triggered_by"]
    assert "exception is lost" in lost["reason"] and "January 1, 2026" in lost["reason"]
    assert "Permitted Exception" in lost["quote"]
    assert "OPENAI-OSA-PE" not in clauses(doc) and not clauses(doc, "forbid")


def test_generative_student_of_gpt4o_stays_forbidden_internal_or_not(hub, cli) -> None:
    for extra in ((), ("--internal",), ("--student-task", "generative", "--internal")):
        code, doc = audit(cli, "openai/gpt-4o", "--student", CLASSIFIER, *extra)
        assert (code, doc["verdict"]) == (1, "forbidden")
        assert {"OPENAI-OSA-3.3e", "OPENAI-TOU-2024"} <= clauses(doc, "forbid")
        assert not {"OPENAI-OSA-PE", "OPENAI-OSA-PE-LOST"} & clauses(doc)


def test_text_davinci_003_classifier_is_decided_by_the_2023_terms_which_covered_the_api(hub, cli) -> None:
    code, doc = audit(
        cli, "openai/text-davinci-003", "--student", CLASSIFIER, "--student-task", "classifier", "--internal"
    )
    assert (code, doc["verdict"]) == (1, "forbidden")
    (ban,) = [f for f in doc["findings"] if f["clause"] == "OPENAI-TOU-2023-2c-iii"]
    assert ban["effect"] == "forbid" and "March 14, 2023 edition also covered the API" in ban["reason"]


@pytest.mark.parametrize(
    ("teacher", "ban"),
    [("google/gemini-2.5-pro", "GEMINI-API-USE"), ("xai/grok-4", "XAI-ENT-3.2"), ("xai/grok-3", "XAI-AUP-DISTILL")],
)
def test_providers_without_a_classifier_exception_stay_forbidden(hub, cli, teacher: str, ban: str) -> None:
    code, doc = audit(cli, teacher, "--student", CLASSIFIER, "--student-task", "classifier", "--internal")
    assert (code, doc["verdict"]) == (1, "forbidden")
    assert ban in clauses(doc, "forbid")


# -- item 1: Anthropic's conflicting sources ------------------------------------------------------------------------
def test_anthropic_classifier_is_review_with_usage_policy_and_help_centre_quoted(hub, cli) -> None:
    code, doc = audit(
        cli, "anthropic/claude-sonnet-4", "--student", CLASSIFIER, "--student-task", "classifier", "--internal"
    )
    assert (code, doc["verdict"]) == (3, "review")
    assert not clauses(doc, "forbid")
    by_clause = {f["clause"]: f for f in doc["findings"] if f["clause"]}
    aup, help_centre = by_clause["ANTH-AUP-DISTILL-NARROW"], by_clause["ANTH-HELP-NONCOMPETING"]
    assert aup["effect"] == help_centre["effect"] == "review"
    assert "model distillation" in aup["quote"] and "prior authorization" in aup["quote"]
    assert "Sentiment analysis tools" in help_centre["quote"]
    assert "github.com/johnzfitch/claude-wiki" in help_centre["url"]


def test_anthropic_generative_student_stays_forbidden(hub, cli) -> None:
    code, doc = audit(cli, "anthropic/claude-sonnet-4", "--student", CLASSIFIER)
    assert (code, doc["verdict"]) == (1, "forbidden")
    assert {"ANTH-AUP-DISTILL", "ANTH-COM-D4", "ANTH-CONS-3"} <= clauses(doc, "forbid")
    assert "ANTH-HELP-NONCOMPETING" not in clauses(doc)


# -- item 3: second-hand API outputs by use -------------------------------------------------------------------------
def test_alpaca_research_student_is_conditional_with_origin_and_use_noted(hub, cli) -> None:
    code, doc = audit(cli, ALPACA, "--student", MISTRAL, "--use", "research")
    assert (code, doc["verdict"]) == (0, "conditional")
    assert {"DATA-ALPACA-PROV-NC", "OPENAI-OSA-3.3e-SECONDHAND", "CCBYNC4-1i"} <= obligation_clauses(doc)
    texts = " ".join(o["text"] for o in doc["obligations"])
    assert "text-davinci-003" in texts and "attribute" in texts and "research" in texts
    assert not clauses(doc, "review")


def test_alpaca_commercial_student_stays_forbidden_by_cc_by_nc_with_the_provenance_review(hub, cli) -> None:
    code, doc = audit(cli, ALPACA, "--student", MISTRAL)
    assert (code, doc["verdict"]) == (1, "forbidden")
    assert {"DATA-ALPACA", "CCBYNC4-2a1"} <= clauses(doc, "forbid")
    assert {"DATA-ALPACA-PROV", "OPENAI-TOU-2023-2c-iii-INDIRECT"} <= clauses(doc, "review")
    assert "OPENAI-OSA-3.3e-SECONDHAND" not in clauses(doc)


def test_alpaca_non_commercial_non_research_release_stays_review(hub, cli) -> None:
    code, doc = audit(cli, ALPACA, "--student", MISTRAL, "--use", "non-commercial")
    assert (code, doc["verdict"]) == (3, "review")
    assert "DATA-ALPACA-NC" in clauses(doc, "review")


def test_gpt4_generated_dataset_with_a_licence_is_conditional_for_research_review_for_commercial(hub_env, cli) -> None:
    hub_env.add_model(MISTRAL, card_data={"license": "apache-2.0"})
    hub_env.add_dataset("acme/gpt4-instruct", card_data={"license": "mit"}, tags=["synthetic", "GPT-4"])
    teacher = "datasets/acme/gpt4-instruct"
    code, doc = audit(cli, teacher, "--student", MISTRAL, "--use", "research")
    assert (code, doc["verdict"]) == (0, "conditional"), doc["findings"]
    assert "OPENAI-OSA-3.3e-SECONDHAND" in obligation_clauses(doc)
    code, doc = audit(cli, teacher, "--student", MISTRAL)
    assert (code, doc["verdict"]) == (3, "review")
    assert {"OPENAI-OSA-3.3e-INDIRECT", "OPENAI-TOU-2024-INDIRECT"} <= clauses(doc, "review")
    assert "OPENAI-OSA-3.3e-SECONDHAND" not in clauses(doc)


def test_openhermes_without_a_licence_stays_review_for_every_use(hub, cli) -> None:
    for use in ("research", "non-commercial", "commercial"):
        code, doc = audit(cli, HERMES, "--student", MISTRAL, "--use", use)
        assert (code, doc["verdict"]) == (3, "review")
        assert "license_unresolvable" in doc["flags"]


# -- the student_task fact in licheck.yaml plans --------------------------------------------------------------------
def test_licheck_yaml_plans_carry_student_task_to_the_verdict(hub, cli, tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    monkeypatch.chdir(repo)
    (repo / "licheck.yaml").write_text(
        "plans:\n"
        f"  - {{name: tickets, teacher: openai/gpt-4o, student: {CLASSIFIER}, student_task: classifier,"
        " internal: true}\n"
        f"  - {{name: chatbot, teacher: openai/gpt-4o, student: {CLASSIFIER}, internal: true}}\n",
        encoding="utf-8",
    )
    res = cli("check", "--format", "json")
    plans = {r["subject"]: r for r in res.json()["results"] if r["kind"] == "plan"}
    assert plans["tickets"]["verdict"] == "conditional" and plans["tickets"]["plan"]["student_task"] == "classifier"
    assert plans["chatbot"]["verdict"] == "forbidden" and plans["chatbot"]["plan"]["student_task"] == "generative"
    _, direct = audit(cli, "openai/gpt-4o", "--student", CLASSIFIER, "--student-task", "classifier", "--internal")
    keys = {(f["rule"], f["clause"]) for f in direct["findings"]}
    assert keys == {(f["rule"], f["clause"]) for f in plans["tickets"]["findings"]}
