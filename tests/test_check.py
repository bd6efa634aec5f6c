"""`licheck check`: model cards, licheck.yaml plans, code references, policy lists, waivers, output formats.

Offline tests use the embedded snapshot (meta-llama/Llama-2-7b-chat-hf, meta-llama/Llama-3.1-8B and
mistralai/Mistral-7B-v0.1 are recorded there with licence and ancestry); tests that need other models serve them
from the fake Hub.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from licheck import resources
from licheck.check import scan_source

LLAMA2 = "meta-llama/Llama-2-7b-chat-hf"
LLAMA31 = "meta-llama/Llama-3.1-8B"
MISTRAL = "mistralai/Mistral-7B-v0.1"
NOTICE2 = (
    "Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta Platforms, Inc. All Rights Reserved."
)
NOTICE31 = (
    "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."
)
AUDIT_SCHEMA = json.loads((resources.data_dir().parent / "schemas" / "audit.schema.json").read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository (the .git folder stops the policy search) that is the current folder."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def card(folder: Path, body: str = "# model\n", **front: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "README.md"
    path.write_text("---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" + body, encoding="utf-8")
    return path


def llama2_files(folder: Path, notice: str = NOTICE2) -> None:
    (folder / "LICENSE").write_text(
        "LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023\n"
    )
    (folder / "NOTICE").write_text(notice + "\n")


def results(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in doc["results"] if r["kind"] == kind]


def keys(findings: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    return {(f["rule"], f["clause"]) for f in findings}


# -- model cards ----------------------------------------------------------------------------------------------------
def test_drifting_llama2_card_fails_and_passes_once_fixed(repo: Path, cli) -> None:
    folder = repo / "models" / "chat-ft"
    card(folder, license="mit", base_model=LLAMA2)
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 1, res.stdout + res.stderr
    doc = res.json()
    assert set(doc) == {"schema_version", "tool_version", "results", "summary"}
    (c,) = results(doc, "card")
    assert (c["path"], c["subject"], c["verdict"], c["line"]) == (
        "models/chat-ft/README.md",
        "./models/chat-ft",
        "forbidden",
        2,
    )
    drift = next(f for f in c["findings"] if f["clause"] == "license-drift")
    assert drift["rule"] == "llama-2" and drift["violation"] and drift["node"] == "./models/chat-ft"
    assert drift["location"] == {"uri": "models/chat-ft/README.md", "line": 2}
    assert "license: llama2" in drift["reason"]
    # The licence copy and the NOTICE file Llama 2 asks for are missing too.
    violations = {(f["rule"], f["clause"], f["flag"]) for f in c["findings"] if f.get("violation")}
    assert ("llama-2", "LLAMA2-1bi", "license_file_missing") in violations
    assert ("llama-2", "LLAMA2-1biii", "notice_file_missing") in violations
    # Not a Llama-2-family student? It is Llama 2 itself: the "no other LLM" ban must not fire on a fine-tune.
    assert ("llama-2", "LLAMA2-1bv") not in keys(c["findings"])
    assert doc["summary"]["exit_code"] == 1 and doc["summary"]["violations"] == 3

    card(folder, license="llama2", base_model=LLAMA2)
    llama2_files(folder)
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 0, res.stdout
    (c,) = results(res.json(), "card")
    assert c["verdict"] == "conditional" and not [f for f in c["findings"] if f.get("violation")]
    assert {o["clause"] for o in c["obligations"]} >= {"LLAMA2-1bi", "LLAMA2-1biii", "LLAMA2-2"}


def test_text_output_names_the_violation(repo: Path, cli) -> None:
    card(repo / "m", license="mit", base_model=LLAMA2)
    res = cli("check", "--offline")
    assert res.exit_code == 1
    assert "FORBIDDEN" in res.stdout and "VIOLATION llama-2 license-drift on ./m at m/README.md:2" in res.stdout
    assert res.stdout.rstrip().endswith("exit 1")
    # Each problem once: the drift violation without the engine's drift note beside it, a missing NOTICE as its
    # violation (with the quote) without a second "duty missing" line.
    assert "but inherits" not in res.stdout and "INFO" not in res.stdout, res.stdout
    assert res.stdout.count("no NOTICE file next to the card") == 1, res.stdout
    doc = cli("check", "--offline", "--format", "json").json()
    (c,) = results(doc, "card")
    assert any(d["status"] == "missing" and d["clause"] == "LLAMA2-1biii" for d in c["duties"])  # JSON keeps it


def test_llama31_name_prefix(repo: Path, cli) -> None:
    folder = repo / "models" / "qwen-distill"
    card(folder, license="llama3.1", base_model=LLAMA31)
    (folder / "LICENSE").write_text("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n")
    (folder / "NOTICE").write_text(NOTICE31.replace("©", "(c)") + "\n")  # (c) for © is the same notice
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 1
    (c,) = results(res.json(), "card")
    (v,) = [f for f in c["findings"] if f.get("violation")]
    assert (v["rule"], v["clause"], v["flag"]) == ("llama-3.1", "LLAMA31-1bi-NAME", "name_prefix_missing")
    assert "'qwen-distill' must begin with 'Llama'" in v["reason"]

    card(folder, license="llama3.1", base_model=LLAMA31, model_name="Llama-3.1-Qwen-Distill")
    assert cli("check", "--offline").exit_code == 0
    # An internal model is not "distributed or made available": no name duty.
    card(folder, license="llama3.1", base_model=LLAMA31)
    (repo / "licheck.yaml").write_text("defaults:\n  internal: true\n")
    assert cli("check", "--offline").exit_code == 0


def test_notice_without_the_attribution_is_review_and_fails_only_when_strict(repo: Path, cli) -> None:
    folder = repo / "m"
    card(folder, license="llama2", base_model=LLAMA2)
    llama2_files(folder, notice="Some other notice.")
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 0
    (c,) = results(res.json(), "card")
    assert c["verdict"] == "review"
    assert any(f["flag"] == "notice_text_missing" for f in c["findings"])
    assert cli("check", "--offline", "--strict").exit_code == 3
    (repo / "licheck.yaml").write_text("strictness: paranoid\n")
    assert cli("check", "--offline").exit_code == 3


def test_permissive_ancestor_is_no_drift(repo: Path, cli) -> None:
    card(repo / "m", license="mit", base_model=MISTRAL)
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 0
    (c,) = results(res.json(), "card")
    assert "license-drift" not in {f["clause"] for f in c["findings"]}


def test_same_licensor_relicensing_is_not_drift(repo: Path, hub_env, cli) -> None:
    hub_env.add_model("deepseek-ai/V3x", card_data={"license": "other", "license_name": "deepseek"})
    hub_env.add_model("deepseek-ai/R1x", card_data={"license": "mit", "base_model": "deepseek-ai/V3x"})
    card(repo / "on-r1", license="mit", base_model="deepseek-ai/R1x")
    card(repo / "on-v3", license="mit", base_model="deepseek-ai/V3x")
    doc = cli("check", "--online", "--format", "json").json()
    by = {r["subject"]: r for r in results(doc, "card")}
    assert "license-drift" not in {f["clause"] for f in by["./on-r1"]["findings"]}
    drift = [f for f in by["./on-v3"]["findings"] if f["clause"] == "license-drift"]
    assert drift and drift[0]["rule"] == "deepseek-license-1.0"
    assert "license: other, license_name: deepseek" in drift[0]["reason"]
    assert hub_env.count("/api/models/deepseek-ai/") >= 2  # really resolved through the Hub


def test_only_model_cards_are_checked(repo: Path, cli) -> None:
    (repo / "README.md").write_text("# A software project\n\nNo front matter here.\n")
    docs = repo / "docs"
    docs.mkdir()
    (docs / "README.md").write_text("---\ntitle: Docs\nlayout: page\n---\nhello\n")
    card(repo / "data", license="cc-by-4.0", task_categories=["text-generation"], size_categories=["1K<n<10K"])
    card(repo / ".hidden", license="mit", base_model=LLAMA2)
    card(repo / "node_modules" / "x", license="mit", base_model=LLAMA2)
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 0 and res.json()["results"] == []


def test_broken_front_matter_is_review_at_its_line(repo: Path, cli) -> None:
    folder = repo / "m"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\nbase_model: [unclosed\n---\n# m\n")
    doc = cli("check", "--offline", "--format", "json").json()
    (c,) = results(doc, "card")
    assert c["verdict"] == "review" and c["findings"][0]["flag"] == "card_unreadable"
    assert c["findings"][0]["location"]["line"] in (3, 4, 5)


def test_missing_path_is_a_usage_error(repo: Path, cli) -> None:
    res = cli("check", "no-such-folder")
    assert res.exit_code == 2 and "no such file or folder" in res.stderr


# -- plans ----------------------------------------------------------------------------------------------------------
PLANS = f"""\
defaults:
  use: commercial
  mau: 1000
plans:
  - name: llama2-into-mistral
    teacher: {LLAMA2}
    student: {MISTRAL}
  - name: llama31-into-mistral
    teacher: {LLAMA31}
    student: {MISTRAL}
    eu: false
"""


def test_plans_are_audited_as_licheck_audit_would(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text(PLANS)
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 1
    plans = {r["subject"]: r for r in results(res.json(), "plan")}
    assert set(plans) == {"llama2-into-mistral", "llama31-into-mistral"}
    p2, p31 = plans["llama2-into-mistral"], plans["llama31-into-mistral"]
    assert (p2["verdict"], p2["line"], p2["path"]) == ("forbidden", 5, "licheck.yaml")
    assert p31["verdict"] == "conditional" and p31["plan"]["eu"] is False and p31["plan"]["mau"] == 1000
    ban = next(f for f in p2["findings"] if f["clause"] == "LLAMA2-1bv")
    assert ban["location"] == {"uri": "licheck.yaml", "line": 6}  # the teacher's line
    audit = cli("audit", LLAMA2, "--student", MISTRAL, "--mau", "1000", "--offline", "--format", "json").json()
    assert audit["verdict"] == p2["verdict"]
    assert keys(audit["findings"]) == keys(p2["findings"])


def test_a_single_card_run_does_not_audit_the_plans(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text(PLANS)
    card(repo / "m", license="llama2", base_model=LLAMA2)
    llama2_files(repo / "m")
    res = cli("check", "--offline", "--format", "json", "m/README.md")
    assert res.exit_code == 0
    assert [r["kind"] for r in res.json()["results"]] == ["card"]
    assert [r["kind"] for r in cli("check", "--offline", "--format", "json", "licheck.yaml").json()["results"]] == [
        "plan",
        "plan",
    ]


WAIVER = """\
waivers:
  - rule: llama-2
    clause: LLAMA2-1bv
    subject: meta-llama/Llama-2-7b-chat-hf
    reason: licence_acquired
    approver: legal@example.com
    ticket: LEGAL-42
    expires: {expires}
"""


def test_waived_findings_are_printed_and_do_not_count(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text(PLANS + WAIVER.format(expires="2099-12-31"))
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 0, res.stdout
    doc = res.json()
    p2 = next(r for r in results(doc, "plan") if r["subject"] == "llama2-into-mistral")
    assert p2["verdict"] == "conditional"
    (w,) = p2["waived"]
    assert (
        w["clause"] == "LLAMA2-1bv" and w["waiver"]["ticket"] == "LEGAL-42" and w["waiver"]["expires"] == "2099-12-31"
    )
    assert "LLAMA2-1bv" not in {f["clause"] for f in p2["findings"]}
    assert doc["summary"]["waived"] == 1
    text = cli("check", "--offline").stdout
    assert "WAIVED (licence_acquired, LEGAL-42, legal@example.com, until 2099-12-31) llama-2 LLAMA2-1bv" in text


def test_an_expired_waiver_is_itself_a_violation(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text(PLANS + WAIVER.format(expires="2024-01-31"))
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 1
    doc = res.json()
    p2 = next(r for r in results(doc, "plan") if r["subject"] == "llama2-into-mistral")
    assert p2["verdict"] == "forbidden" and p2["waived"] == []
    (pol,) = results(doc, "policy")
    (f,) = pol["findings"]
    assert (f["rule"], f["clause"], f["violation"]) == ("policy", "waiver-expired", True)
    assert f["location"] == {"uri": "licheck.yaml", "line": 13} and "expired on 2024-01-31" in f["reason"]
    assert doc["summary"]["expired_waivers"] == 1


def test_an_unused_waiver_is_reported_but_harmless(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text(WAIVER.format(expires="2099-12-31"))
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 0
    (pol,) = results(res.json(), "policy")
    assert pol["findings"][0]["clause"] == "waiver-unused" and pol["verdict"] == "permitted"


def test_unreadable_plan_teacher_is_a_tool_error_but_the_rest_is_reported(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text(PLANS + "  - name: unknown\n    teacher: someorg/not-recorded-anywhere\n")
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 2
    doc = res.json()
    bad = next(r for r in results(doc, "plan") if r["subject"] == "unknown")
    assert "not in the embedded snapshot (" in bad["error"] and bad["verdict"] == "review"
    assert len(results(doc, "plan")) == 3 and doc["summary"]["errors"] == 1


def test_malformed_policy_is_exit_2_with_file_and_line(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text("plans:\n  - name: a\n    teacher: x/y\n    metod: logits\n")
    res = cli("check", "--offline")
    assert res.exit_code == 2
    assert res.stderr.startswith("licheck: error: licheck.yaml:4: plans/0/metod: unknown key 'metod'")


# -- policy lists and strictness ------------------------------------------------------------------------------------
def test_licence_and_model_lists(repo: Path, cli) -> None:
    card(repo / "m", license="llama2", base_model=LLAMA2)
    llama2_files(repo / "m")
    (repo / "licheck.yaml").write_text(
        PLANS + "licenses:\n  deny: [llama2]\nmodels:\n  allow: ['mistralai/*', 'meta-llama/Llama-3.1-*']\n"
    )
    doc = cli("check", "--offline", "--format", "json").json()
    (c,) = results(doc, "card")
    denied = {(f["clause"], f["node"]) for f in c["findings"] if f["rule"] == "policy"}
    # The Hub id `llama2` names rule llama-2: the card and its base are both under it; the base is not allowed.
    assert ("license-deny", LLAMA2) in denied and ("license-deny", "./m") in denied
    assert ("model-not-allowed", LLAMA2) in denied
    plans = {r["subject"]: r for r in results(doc, "plan")}
    assert ("model-not-allowed", LLAMA2) in {(f["clause"], f["node"]) for f in plans["llama2-into-mistral"]["findings"]}
    assert not [f for f in plans["llama31-into-mistral"]["findings"] if f["rule"] == "policy"]

    (repo / "licheck.yaml").write_text(PLANS + "models:\n  deny: ['meta-llama/*-chat-hf']\n")
    doc = cli("check", "--offline", "--format", "json").json()
    (c,) = results(doc, "card")
    assert ("model-deny", LLAMA2) in {(f["clause"], f["node"]) for f in c["findings"]}


def test_cautious_treats_or_as_and(repo: Path, hub_env, cli) -> None:
    hub_env.add_model("acme/dual", card_data={"license": "apache-2.0 OR cc-by-nc-4.0"})
    hub_env.add_model("acme/base", card_data={"license": "apache-2.0"})
    plan = "plans:\n  - name: dual\n    teacher: acme/dual\n    student: acme/base\n"
    (repo / "licheck.yaml").write_text(plan)
    res = cli("check", "--format", "json")
    (p,) = results(res.json(), "plan")
    assert res.exit_code == 0 and p["verdict"] in ("permitted", "conditional")
    (repo / "licheck.yaml").write_text("strictness: cautious\n" + plan)
    res = cli("check", "--format", "json")
    (p,) = results(res.json(), "plan")
    assert p["verdict"] == "forbidden" and ("cc-by-nc-4.0", "CCBYNC4-2a1") in keys(p["findings"])
    assert res.exit_code == 1
    # A deny list follows the same rule: one denied alternative is enough only when OR counts as AND.
    (repo / "licheck.yaml").write_text("licenses:\n  deny: [cc-by-nc-4.0]\n" + plan)
    (p,) = results(cli("check", "--format", "json").json(), "plan")
    assert "license-deny" not in {f["clause"] for f in p["findings"]}
    (repo / "licheck.yaml").write_text("strictness: cautious\nlicenses:\n  deny: [cc-by-nc-4.0]\n" + plan)
    (p,) = results(cli("check", "--format", "json").json(), "plan")
    assert "license-deny" in {f["clause"] for f in p["findings"]}


# -- code -----------------------------------------------------------------------------------------------------------
SOURCE = '''\
"""Docstring: from_pretrained("evil/in-docstring") is text, not a call."""
from huggingface_hub import hf_hub_download, snapshot_download
from transformers import AutoModelForCausalLM, pipeline

TEACHER_ID = "meta-llama/Llama-2-7b-chat-hf"
# teacher = AutoModelForCausalLM.from_pretrained("evil/in-comment")
teacher = AutoModelForCausalLM.from_pretrained(TEACHER_ID)
student = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1", torch_dtype="auto")
name = "x"
dynamic = AutoModelForCausalLM.from_pretrained(f"org/{name}")
local = AutoModelForCausalLM.from_pretrained("./checkpoints/step-100")
data = hf_hub_download(repo_id="tatsu-lab/alpaca", filename="a.json", repo_type="dataset")


def load_teacher():
    return snapshot_download("google/gemma-2-9b")


trainer = Distiller(teacher_model=AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-72B"))
gen = pipeline("text-generation", model="gpt2")
'''


def test_scan_source_reads_calls_not_text() -> None:
    refs = {(r.model, r.role, r.line, r.call) for r in scan_source(SOURCE, Path("train.py"))}
    assert refs == {
        (LLAMA2, "teacher", 7, "from_pretrained"),
        (MISTRAL, "student", 8, "from_pretrained"),
        ("datasets/tatsu-lab/alpaca", None, 12, "hf_hub_download"),
        ("google/gemma-2-9b", "teacher", 16, "snapshot_download"),
        ("Qwen/Qwen2.5-72B", "teacher", 19, "from_pretrained"),
        ("gpt2", None, 20, "pipeline"),
    }
    assert scan_source("def broken(:\n", Path("x.py")) == []


def test_scan_code_reports_teachers_without_a_plan(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text(PLANS)
    (repo / "src").mkdir()
    (repo / "src" / "train.py").write_text(SOURCE)
    assert not [r for r in cli("check", "--offline", "--format", "json").json()["results"] if r["kind"] == "code"]
    doc = cli("check", "--offline", "--scan-code", "--format", "json").json()
    code = {r["subject"]: r for r in results(doc, "code")}
    planned = code[LLAMA2]["findings"][0]
    assert planned["clause"] == "code-teacher-planned" and "'llama2-into-mistral' (forbidden)" in planned["reason"]
    assert code[LLAMA2]["verdict"] == "permitted"  # the plan result carries the verdict
    for teacher in ("google/gemma-2-9b", "Qwen/Qwen2.5-72B"):
        (f,) = code[teacher]["findings"]
        assert f["clause"] == "code-teacher-unplanned" and f["violation"] and code[teacher]["verdict"] == "forbidden"
        assert f["location"]["uri"] == "src/train.py"
    assert code["gpt2"]["findings"][0]["effect"] == "info" and code["gpt2"]["verdict"] == "permitted"
    assert code[MISTRAL]["findings"][0]["clause"] == "code-student-planned"


# -- formats --------------------------------------------------------------------------------------------------------
def test_audit_documents_for_the_formats_validate(repo: Path, cli) -> None:
    import jsonschema

    from licheck.check import CheckOptions, check_repo
    from licheck.policy import load_policy
    from licheck.service import Options

    card(repo / "m", license="mit", base_model=LLAMA2)
    (repo / "licheck.yaml").write_text(PLANS + WAIVER.format(expires="2099-12-31"))
    report = check_repo([Path(".")], CheckOptions(service=Options(offline=True)), load_policy(repo / "licheck.yaml"))
    docs = report.audit_docs()
    assert [d["kind"] for d in docs] == ["card", "plan", "plan"]
    for d in docs:
        jsonschema.validate(d, AUDIT_SCHEMA)
        assert all(f["location"]["uri"] in ("m/README.md", "licheck.yaml") for f in d["findings"])


def test_sarif_points_at_the_card_and_the_policy_line(repo: Path, cli) -> None:
    card(repo / "m", license="mit", base_model=LLAMA2)
    (repo / "licheck.yaml").write_text(PLANS)
    res = cli("check", "--offline", "--format", "sarif")
    assert res.exit_code == 1, res.stderr
    log = json.loads(res.stdout)
    where = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
        )
        for r in log["runs"][0]["results"]
    }
    assert ("llama-2/license-drift", "m/README.md", 2) in where
    assert ("llama-2/LLAMA2-1bv", "licheck.yaml", 6) in where
    md = cli("check", "--offline", "--format", "markdown")
    assert md.exit_code == 1 and LLAMA2 in md.stdout and "FORBIDDEN" in md.stdout


def test_card_without_licence_drifts_from_its_base(repo: Path, cli) -> None:
    card(repo / "m", base_model=LLAMA2)
    res = cli("check", "--offline", "--format", "json")
    assert res.exit_code == 1
    (c,) = results(res.json(), "card")
    drift = next(f for f in c["findings"] if f["clause"] == "license-drift")
    assert drift["location"]["line"] == 2 and "declares no licence" in drift["reason"]
    assert any(f["flag"] == "license_unresolvable" and f["node"] == "./m" for f in c["findings"])
