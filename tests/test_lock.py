"""`licheck lock` and licheck.lock: pinning, verification by `licheck check`, re-pinning, CI form, bad locks.

Every model is served by the local fake Hub (tests/fakehub.py); the upstream changes of the scenarios are new
commits the fake Hub serves between the lock and the check.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from licheck import resources
from tests import test_check

BASE = "acme/base-7b"
STUDENT = "acme/student-1b"
card = test_check.card  # the card writer and the repository fixture of the check tests
repo = test_check.repo
PLAN = f"plans:\n  - name: distil\n    teacher: {BASE}\n    student: {STUDENT}\n"


@pytest.fixture
def relicensable(repo: Path, hub_env) -> Path:
    """A card consistent before and after its base is relicensed (its own licence is the stricter one), a plan."""
    hub_env.add_model(BASE, card_data={"license": "apache-2.0"})
    hub_env.add_model(STUDENT, card_data={"license": "apache-2.0"})
    card(repo / "models" / "nc", license="cc-by-nc-4.0", base_model=BASE)
    (repo / "licheck.yaml").write_text(PLAN)
    return repo


def lock_result(doc: dict[str, Any]) -> dict[str, Any]:
    (res,) = [r for r in doc["results"] if r["kind"] == "lock"]
    return res


def violations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in lock_result(doc)["findings"] if f.get("violation")]


def test_relicensed_base_fails_the_check_only_with_a_lock(relicensable: Path, hub_env, cli) -> None:
    assert cli("check", "--online").exit_code == 0
    res = cli("lock")
    assert res.exit_code == 0 and "wrote licheck.lock" in res.stdout, res.stdout + res.stderr
    old_sha = json.loads((relicensable / "licheck.lock").read_text())["nodes"][BASE]["sha"]

    new_sha = hub_env.add_model(BASE, card_data={"license": "mit"})  # upstream relicensing, a new commit
    (relicensable / "licheck.lock").rename(relicensable / "aside.lock")
    assert cli("check", "--online").exit_code == 0  # without a lock: consistent card, passes
    (relicensable / "aside.lock").rename(relicensable / "licheck.lock")

    res = cli("check", "--online")
    assert res.exit_code == 1, res.stdout
    line = f"{BASE}: licence apache-2.0 \u2192 mit (sha {old_sha[:7]} \u2192 {new_sha[:7]}) since the lock"
    assert line in res.stdout
    doc = cli("check", "--online", "--format", "json").json()
    (node,) = [f for f in violations(doc) if f["clause"] == "lock-node"]
    assert node["node"] == BASE and node["location"]["uri"] == "licheck.lock"
    assert "[card ./models/nc, plan distil]" in node["reason"]
    assert lock_result(doc)["verdict"] == "forbidden" and doc["summary"]["exit_code"] == 1


def test_unchanged_upstream_passes_and_offline_says_it_did_not_revalidate(relicensable: Path, hub_env, cli) -> None:
    assert cli("lock").exit_code == 0
    before = hub_env.count(f"/api/models/{BASE}")
    doc = cli("check", "--online", "--format", "json").json()
    assert doc["summary"]["exit_code"] == 0 and not violations(doc)
    assert hub_env.count(f"/api/models/{BASE}") > before  # revalidated live, not served from the warm cache
    assert "read live" in lock_result(doc)["detail"]

    res = cli("check", "--offline")
    assert res.exit_code == 0
    assert "could not revalidate live (offline)" in " ".join(res.stdout.split())


def test_check_form_never_writes(relicensable: Path, hub_env, cli) -> None:
    res = cli("lock", "--check")
    assert res.exit_code == 1 and "no licheck.lock" in res.stdout
    assert not (relicensable / "licheck.lock").exists()
    assert cli("lock").exit_code == 0
    lock = relicensable / "licheck.lock"
    text, mtime = lock.read_bytes(), lock.stat().st_mtime_ns
    assert cli("lock", "--check").exit_code == 0

    hub_env.add_model(STUDENT, card_data={"license": "llama3.1"})
    res = cli("lock", "--check")
    assert res.exit_code == 1 and f"{STUDENT}: licence apache-2.0 \u2192 llama-3.1" in res.stdout
    assert (lock.read_bytes(), lock.stat().st_mtime_ns) == (text, mtime)
    assert cli("lock", "--check", "--update").exit_code == 2


def test_lock_refuses_to_overwrite_a_differing_lock_until_update(relicensable: Path, hub_env, cli) -> None:
    assert cli("lock").exit_code == 0
    lock = relicensable / "licheck.lock"
    text = lock.read_text()
    assert cli("lock").stdout.rstrip().endswith("is up to date (2 card(s) and plan(s), 3 node(s), 2 licence term(s))")
    assert lock.read_text() == text  # byte-identical: stable output

    hub_env.add_model(BASE, card_data={"license": "mit"})
    res = cli("lock")
    assert res.exit_code == 1 and "left unchanged" in res.stdout and lock.read_text() == text
    res = cli("lock", "--update")
    assert res.exit_code == 0 and "updated licheck.lock" in res.stdout
    data = json.loads(lock.read_text())
    assert data["nodes"][BASE]["licences"] == ["mit"] and "mit" in data["terms"]
    assert list(data) == sorted(data) and list(data["nodes"]) == sorted(data["nodes"])
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(lock.stat().st_mode) == 0o666 & ~mask  # a file to commit, not a private cache file
    assert cli("check", "--online").exit_code == 0


def test_hand_edited_or_malformed_lock_is_an_error_and_left_alone(relicensable: Path, cli) -> None:
    assert cli("lock").exit_code == 0
    lock = relicensable / "licheck.lock"
    edited = lock.read_text().replace('"cc-by-nc-4.0"', '"mit"')
    lock.write_text(edited)
    for args in (("check", "--online"), ("lock",), ("lock", "--update"), ("lock", "--check")):
        res = cli(*args)
        assert res.exit_code == 2, (args, res.stdout)
        assert "licheck.lock" in res.stdout + res.stderr and "edited by hand" in res.stdout + res.stderr
        assert lock.read_text() == edited
    lock.write_text('{"lock_version": 1,\n  "nodes": [}\n')
    res = cli("lock")
    assert res.exit_code == 2 and "licheck.lock:2: is not valid JSON" in res.stderr
    assert "Traceback" not in res.stderr
    lock.write_text(json.dumps({"lock_version": 2}))
    res = cli("lock", "--update")
    assert res.exit_code == 2 and "does not match the lock format" in res.stderr
    assert json.loads(lock.read_text()) == {"lock_version": 2}


def org_rule(folder: Path, obligation: str) -> None:
    data = yaml.safe_load((Path(resources.rules_dir()) / "mit.yaml").read_text())
    data["id"] = "acme-model-licence"
    data["identifiers"] = {"license_name": ["acme-model-licence"]}
    data["clauses"] = [dict(data["clauses"][0], id="ACME-1", effect="obligation", obligation=obligation)]
    data["examples"] = []
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme.yaml").write_text(yaml.safe_dump(data))


def test_a_changed_rule_for_a_locked_licence_asks_for_review(repo: Path, hub_env, cli) -> None:
    hub_env.add_model("acme/org-base", card_data={"license": "other", "license_name": "acme-model-licence"})
    org_rule(repo / "legal", "Credit ACME.")
    (repo / "licheck.yaml").write_text("rules: [legal]\n")
    card(repo / "m", license="other", license_name="acme-model-licence", base_model="acme/org-base")
    assert cli("lock").exit_code == 0, cli("lock").stdout
    assert json.loads((repo / "licheck.lock").read_text())["terms"]["acme-model-licence"]["clauses"].keys() == {
        "ACME-1"
    }
    assert cli("check", "--online").exit_code == 0

    # A corrected clause, same upstream. (A new folder: a process reads a rule folder once, and this one is in-process.)
    org_rule(repo / "legal-v2", "Credit ACME Corporation in the model card.")
    (repo / "licheck.yaml").write_text("rules: [legal-v2]\n")
    res = cli("check", "--online", "--format", "json")
    assert res.exit_code == 1
    (terms,) = [f for f in violations(res.json()) if f["clause"] == "lock-terms"]
    assert terms["node"] == "acme-model-licence"
    assert "rules for this licence changed since the lock (clause ACME-1 changed)" in terms["reason"]
    assert "card ./m" in terms["reason"]


def test_cards_added_or_removed_and_per_card_runs(relicensable: Path, cli) -> None:
    assert cli("lock").exit_code == 0
    card(relicensable / "models" / "other", license="apache-2.0", base_model=BASE)
    res = cli("check", "--online")
    assert res.exit_code == 1 and "card ./models/other: not in the lock" in res.stdout
    # The pre-commit card hook checks only the cards it is given: the others are not "gone".
    res = cli("check", "--online", "models/nc/README.md")
    assert res.exit_code == 0, res.stdout
    (relicensable / "models" / "nc" / "README.md").unlink()
    res = cli("check", "--online")
    assert "card ./models/nc: in the lock, but no longer in the repository" in res.stdout
    # Re-pinning one card keeps the other entries of the lock.
    assert cli("lock", "--update", "models/other/README.md").exit_code == 0
    entries = json.loads((relicensable / "licheck.lock").read_text())["entries"]
    assert set(entries) == {"card ./models/nc", "card ./models/other", "plan distil"}


def test_lock_violations_reach_sarif(relicensable: Path, hub_env, cli) -> None:
    assert cli("lock").exit_code == 0
    hub_env.add_model(BASE, card_data={"license": "mit"})
    res = cli("check", "--online", "--format", "sarif")
    assert res.exit_code == 1
    results = res.json()["runs"][0]["results"]
    (hit,) = [r for r in results if r["ruleId"] == "licheck/lock-node"]
    assert hit["level"] == "error" and "apache-2.0 \u2192 mit" in hit["message"]["text"]
    assert hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "licheck.lock"


def test_a_card_that_cannot_be_read_any_more_is_its_error_not_a_removed_entry(relicensable: Path, cli) -> None:
    assert cli("lock").exit_code == 0
    (relicensable / "models" / "nc" / "README.md").write_text("---\nlicense: [apache-2.0\n---\n# broken\n")
    doc = cli("check", "--offline", "--format", "json").json()
    (broken,) = [r for r in doc["results"] if r["kind"] == "card"]
    assert broken["verdict"] == "review" and "card_unreadable" in str(broken["findings"]), broken  # what the user reads
    assert not [f for f in violations(doc) if f["clause"] == "lock-entry-removed"], violations(doc)
    (relicensable / "models" / "nc" / "README.md").unlink()  # a card really gone is still reported as removed
    doc = cli("check", "--offline", "--format", "json").json()
    assert [f for f in violations(doc) if f["clause"] == "lock-entry-removed"]


def test_a_plans_local_teacher_is_named_by_its_repository_path_from_any_folder(
    repo: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The policy makes a plan's ./folder relative to where licheck runs; the lock must not see a changed node id."""
    card(repo / "models" / "t", license="apache-2.0")
    (repo / "licheck.yaml").write_text("plans:\n  - name: local\n    teacher: ./models/t\n")
    assert cli("lock", "--offline").exit_code == 0
    assert "./models/t" in json.loads((repo / "licheck.lock").read_text())["nodes"]
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    doc = cli("check", "--offline", "--format", "json", "..").json()
    assert not violations(doc) and doc["summary"]["exit_code"] == 0, violations(doc)
    (plan,) = [r for r in doc["results"] if r["kind"] == "plan"]
    assert plan["verdict"] == "permitted" and "../models/t" not in json.dumps(plan["findings"])
