"""`licheck notices`: the files a verdict demands, written next to the student, and `licheck check` seeing them.

Every model comes from the local fake Hub (tests/fakehub.py) through the real huggingface_hub client.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from licheck import resources
from licheck.rules.ruleset import load_rules

LLAMA31_I = "meta-llama/Llama-3.1-8B-Instruct"
QWEN = "Qwen/Qwen2.5-7B"
NOTICE31 = (
    "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."
)
GEMMA_NOTICE = "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "r" / ".git").mkdir(parents=True)  # the .git folder stops the policy search
    monkeypatch.chdir(tmp_path / "r")
    return tmp_path / "r"


@pytest.fixture
def hub(hub_env):
    hub_env.add_model(LLAMA31_I, card_data={"license": "llama3.1"})
    hub_env.add_model(QWEN, card_data={"license": "apache-2.0"})
    return hub_env


def plan_file(repo: Path, teacher: str = LLAMA31_I, student: str = QWEN, extra: str = "") -> None:
    (repo / "licheck.yaml").write_text(
        f"plans:\n  - name: distil\n    teacher: {teacher}\n    student: {student}\n"
        f"    method: outputs\n    student_dir: models/student\n{extra}"
    )


def by_kind(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in doc["results"] if r["kind"] == kind]


def statuses(result: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {(d["duty"], d["clause"]): d["status"] for d in result.get("duties", [])}


def test_acceptance_llama31_teacher_qwen_student(repo: Path, hub, cli) -> None:
    plan_file(repo)
    before = cli("check", "--format", "json")
    (p,) = by_kind(before.json(), "plan")
    assert before.exit_code == 1  # the name lacks "Llama"
    assert statuses(p) == {
        ("name", "LLAMA31-1bi-NAME"): "missing",
        ("licence", "LLAMA31-1bi-BUILT"): "missing",
        ("attribution", "LLAMA31-1bi-BUILT"): "missing",
        ("notice", "LLAMA31-1biii"): "missing",
    }
    assert [f["flag"] for f in p["findings"] if f.get("violation")] == ["name_prefix_missing"]

    res = cli("notices", ".")
    assert res.exit_code == 0, res.stdout + res.stderr
    folder = repo / "models" / "student"
    assert sorted(p.name for p in folder.iterdir()) == [
        "LICENSE-apache-2.0.txt",
        "LICENSE-llama-3.1.md",
        "NOTICE",
        "README.md",
    ]
    notice = (folder / "NOTICE").read_text(encoding="utf-8")
    assert NOTICE31 in notice and "LLAMA31-1biii" in notice
    readme = (folder / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(readme.split("---\n")[1])
    assert front == {
        "license": "apache-2.0",
        "base_model": QWEN,
        "base_model_relation": "finetune",
        "model_name": "Llama-student",
    }
    assert "Built with Llama" in readme and f"Distilled from {LLAMA31_I}" in readme
    assert "Licensed under the Apache License" in (folder / "LICENSE-apache-2.0.txt").read_text()

    after = cli("check", "--format", "json")
    assert after.exit_code == 0, after.stdout
    doc = after.json()
    (p,) = by_kind(doc, "plan")
    (c,) = by_kind(doc, "card")  # the written card is a model card the check reads, with the teacher as ancestor
    for result in (p, c):
        got = statuses(result)
        assert got[("notice", "LLAMA31-1biii")] == "met"
        assert got[("attribution", "LLAMA31-1bi-BUILT")] == "met"
        assert got[("name", "LLAMA31-1bi-NAME")] == "met"
        assert got[("licence", "LLAMA31-1bi-BUILT")] == "pointer"  # a pointer is not the licence text
        assert not [f for f in result["findings"] if f.get("violation")]
    text = cli("check").stdout
    assert "recommended met: notice: NOTICE contains" in text and "duty met: name" in text


def test_every_generated_line_cites_its_clause(repo: Path, hub, cli) -> None:
    res = cli("notices", LLAMA31_I, "--student", QWEN, "--out", "student", "--format", "json", "--dry-run")
    assert res.exit_code == 0, res.stdout + res.stderr
    doc = res.json()
    assert not (repo / "student").exists()  # --dry-run writes nothing
    assert {o["action"] for o in doc["outcomes"]} == {"would write"}
    files = {f["path"]: f for f in doc["files"]}
    for f in files.values():
        if f.get("verbatim"):
            assert f["cites"] == ["apache-2.0 APACHE2-4 (section 4)"]
            continue
        for line in f["lines"]:
            if line["text"].strip() and not line["text"].startswith("#"):  # headings are layout, not duties
                assert line["cites"], (f["path"], line)
    notice_lines = {ln["text"]: ln["cites"] for ln in files["NOTICE"]["lines"]}
    assert notice_lines[NOTICE31] == ["llama-3.1 LLAMA31-1biii (section 1.b.iii), recommended by LLAMA31-1bi-BUILT-REC"]
    card_lines = {ln["text"]: ln["cites"] for ln in files["README.md"]["lines"]}
    assert any("LLAMA31-1bi-BUILT" in c for c in card_lines["Built with Llama"])
    assert any("LLAMA31-1bi-NAME" in c for c in card_lines["model_name: Llama-student"])
    # The rendered files carry the citations on the lines themselves.
    text = cli("notices", LLAMA31_I, "--student", QWEN, "--out", "student", "--dry-run").stdout
    assert "Built with Llama <!-- licheck: llama-3.1 LLAMA31-1bi-BUILT (section 1.b.i)" in text
    assert f"{NOTICE31}  [llama-3.1 LLAMA31-1biii" in text
    assert "more lines (all of them in --format json)" in text and "END OF TERMS AND CONDITIONS" not in text


def test_never_overwrites_a_users_file(repo: Path, hub, cli) -> None:
    folder = repo / "models" / "student"
    folder.mkdir(parents=True)
    (folder / "NOTICE").write_text("Copyright 2026 Example Corp.\n")
    readme = "---\nlicense: apache-2.0\nmodel_name: Llama-mine\n---\n# Mine\n\nOur words.\n"
    (folder / "README.md").write_text(readme)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    plan_file(repo)
    res = cli("notices", ".")
    assert res.exit_code == 1  # existing files differ: diffs shown, files left as they were
    for name, data in before.items():
        assert (folder / name).read_bytes() == data
    assert "--- a/NOTICE" in res.stdout and f"+{NOTICE31}" in res.stdout
    assert "+base_model: Qwen/Qwen2.5-7B" in res.stdout and "+Built with Llama" in res.stdout
    assert "-Copyright 2026 Example Corp." not in res.stdout  # additions only
    assert (folder / "LICENSE-llama-3.1.md").exists()  # new files are still written
    # Applying the proposed NOTICE makes it up to date: nothing left to add.
    (folder / "NOTICE").write_text("Copyright 2026 Example Corp.\n" + NOTICE31 + "\n")
    doc = cli("notices", ".", "--format", "json").json()
    assert {o["path"]: o["action"] for o in doc["outcomes"]}["NOTICE"] == "unchanged"


def test_forbidden_plan_writes_nothing(repo: Path, hub_env, cli) -> None:
    hub_env.add_model("meta-llama/Llama-2-7b-chat-hf", card_data={"license": "llama2"})
    hub_env.add_model("mistralai/Mistral-7B-v0.1", card_data={"license": "apache-2.0"})
    res = cli("notices", "meta-llama/Llama-2-7b-chat-hf", "--student", "mistralai/Mistral-7B-v0.1", "--out", "s")
    assert res.exit_code == 1 and "forbidden" in res.stdout
    assert not (repo / "s").exists()


def test_gemma_notice_is_required_and_checked(repo: Path, hub_env, cli) -> None:
    hub_env.add_model("google/gemma-2-9b-it", card_data={"license": "gemma"})
    hub_env.add_model(QWEN, card_data={"license": "apache-2.0"})
    plan_file(repo, teacher="google/gemma-2-9b-it")
    (p,) = by_kind(cli("check", "--format", "json").json(), "plan")
    assert statuses(p)[("notice", "GEMMA-3.1-NOTICE")] == "missing"
    assert "notice_file_missing" in {f["flag"] for f in p["findings"] if f.get("violation")}
    assert cli("notices", ".").exit_code == 0
    folder = repo / "models" / "student"
    assert GEMMA_NOTICE in (folder / "NOTICE").read_text(encoding="utf-8")
    front = yaml.safe_load((folder / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    assert front["license"] == "gemma"  # a Gemma Model Derivative is declared under the Gemma terms
    (p,) = by_kind(cli("check", "--format", "json").json(), "plan")
    got = statuses(p)
    assert got[("notice", "GEMMA-3.1-NOTICE")] == "met"
    assert got[("licence", "GEMMA-3.1-COPY")] == "pointer"  # licheck may not ship the Gemma terms
    assert "license_file_pointer" in {f["flag"] for f in p["findings"]}


def test_qwen_attribution_and_mit_pointer(repo: Path, hub_env, cli) -> None:
    hub_env.add_model("Qwen/Qwen2.5-72B-Instruct", card_data={"license": "other", "license_name": "qwen"})
    hub_env.add_model("acme/mit-base", card_data={"license": "mit"})
    res = cli("notices", "Qwen/Qwen2.5-72B-Instruct", "--student", "acme/mit-base", "--out", "s", "--mau", "1000")
    assert res.exit_code == 0, res.stdout + res.stderr
    readme = (repo / "s" / "README.md").read_text(encoding="utf-8")
    assert "Built with Qwen <!-- licheck: qwen-2024 QWEN2024-5b" in readme
    pointer = (repo / "s" / "LICENSE-mit.md").read_text(encoding="utf-8")
    assert "https://huggingface.co/acme/mit-base/blob/main/LICENSE" in pointer and "licheck-pointer: mit" in pointer
    assert "Copyright (c)" not in pointer  # no invented copyright holder
    assert not (repo / "s" / "NOTICE").exists()  # no clause here prescribes a Notice file


def test_kimi_display_is_a_todo_and_cc_by_gets_a_link(repo: Path, hub_env, cli) -> None:
    hub_env.add_model(
        "moonshotai/Kimi-K2-Instruct",
        card_data={"license": "other", "license_name": "modified-mit"},
    )
    hub_env.add_model("acme/ccby-base", card_data={"license": "cc-by-4.0"})
    args = ("notices", "moonshotai/Kimi-K2-Instruct", "--student", "acme/ccby-base", "--out", "s")
    res = cli(*args, "--mau", "200000000", "--monthly-revenue", "0", "--format", "json")
    assert res.exit_code == 0, res.stdout + res.stderr
    doc = res.json()
    assert any("'Kimi K2' on the user interface" in t and "KIMIK2-MOD-MAU" in t for t in doc["todos"])
    link = (repo / "s" / "LICENSE-cc-by-4.0.md").read_text(encoding="utf-8")
    assert "creativecommons" in link or "cc-by-4.0" in link
    assert "licheck-pointer" not in link  # CC BY accepts a link to the licence: this file is the fulfilment


def test_student_dir_outside_the_repository_is_an_error(repo: Path, cli) -> None:
    (repo / "licheck.yaml").write_text("plans:\n  - {name: p, teacher: a/b, student_dir: ../elsewhere}\n")
    res = cli("notices", ".")
    assert res.exit_code == 2 and "student_dir" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    res = cli("notices", ".", "--plan", "nope")
    assert res.exit_code == 2


def test_rules_carry_the_texts_their_duty_flags_name() -> None:
    """Rules are data: every packaged Notice / name-prefix / licence-copy clause says what to write."""
    rules = load_rules()
    # Notice clauses whose obligation is not one verbatim line yet (named here so a new gap cannot slip in).
    gaps = {"FLUXDEV-3b", "MINIMAXM25-2026-03-2bii", "MINIMAXM27-1", "NVOML-3.1", "NVOML25-3.1", "SAINC-1c"}
    for rule in rules.rules.values():
        for c in rule.clauses:
            d = c.deliver
            if c.flag == "notice_file_required" and c.id not in gaps:
                assert d is not None and d.notice, (rule.id, c.id)
                assert (
                    d.notice.replace("\u00a9", "(c)").split(",")[0][:20].lower()
                    in c.quote.replace("\u00a9", "(c)").lower()
                ), (rule.id, c.id)
            if c.flag == "name_prefix_required":
                assert d is not None and d.name_prefix and f"\u201c{d.name_prefix}\u201d" in c.quote, (rule.id, c.id)
            if c.flag in ("license_copy_required", "licence_copy_required", "built_with_llama"):
                assert d is not None and d.ship_licence, (rule.id, c.id)
            for target in d.recommends if d else ():
                assert target in {x.id for x in rule.clauses}, (rule.id, c.id, target)


def test_packaged_licence_texts_match_their_rules() -> None:
    import hashlib

    rules = load_rules()
    folder = resources.data_dir() / "licence-texts"
    for path in folder.iterdir():
        rule = rules.get(path.stem)
        assert rule is not None and hashlib.sha256(path.read_bytes()).hexdigest() == rule.text_sha256
        assert all(
            c.deliver is None or c.deliver.redistributable for c in rule.clauses if c.deliver and c.deliver.ship_licence
        )
    assert json.loads(json.dumps(sorted(p.name for p in folder.iterdir()))) == ["apache-2.0.txt"]
