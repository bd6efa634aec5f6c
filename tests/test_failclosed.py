"""Issue 14: odd or hostile cards and config files fail closed (`review` with the reason), never a wrong `permitted`.

Local folders use the embedded snapshot for the parents (`--offline`); "through the Hub" cases use the fake Hub.
M and L2 are real records (Mistral-7B-v0.1 is apache-2.0, Llama-2-7b-hf is llama2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from licheck.domain import Plan
from tests import test_check
from tests.test_scan import assert_same, rec

M = "mistralai/Mistral-7B-v0.1"
L2 = "meta-llama/Llama-2-7b-hf"
PADDED = [M] * 1000 + [L2]
repo = test_check.repo  # the fixture: an empty repository that is the current folder


def folder(root: Path, name: str, front: str, files: dict[str, str] | None = None) -> Path:
    d = root / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "README.md").write_text(f"---\n{front}---\n# {name}\n", encoding="utf-8")
    for fname, text in (files or {}).items():
        (d / fname).write_text(text, encoding="utf-8")
    return d


def base_list(ids: list[str]) -> str:
    return "base_model:\n" + "".join(f"- {i}\n" for i in ids)


def audit(cli, target: str, *extra: str) -> dict[str, Any]:
    res = cli("audit", target, "--format", "json", *extra)
    assert res.exit_code in (0, 1, 3), res.stderr
    return res.json()


def reasons(doc: dict[str, Any], effect: str = "review") -> str:
    return "\n".join(f["reason"] for f in doc["findings"] if f["effect"] == effect)


# -- item 2: the parent cap applies after de-duplication ------------------------------------------------------------
def test_padded_base_model_list_keeps_the_last_parent(repo: Path, cli) -> None:
    padded = folder(repo, "padded", "license: mit\n" + base_list(PADDED))
    plain = folder(repo, "plain", "license: mit\n" + base_list([M, L2]))
    got, ref = audit(cli, str(padded), "--offline"), audit(cli, str(plain), "--offline")
    assert L2 in {n["id"] for n in got["graph"]["nodes"]}
    assert got["verdict"] == ref["verdict"] != "permitted"


def test_more_distinct_parents_than_the_cap_is_review(repo: Path, cli) -> None:
    many = folder(repo, "many", "license: mit\n" + base_list([f"org{i}/m-{i}" for i in range(1001)]))
    doc = audit(cli, str(many), "--offline")
    assert doc["verdict"] == "review"
    assert "1 more distinct base model(s) than the 1000 followed" in reasons(doc)


def test_padded_datasets_list_keeps_the_last_dataset(repo: Path, cli) -> None:
    front = "license: mit\nbase_model: " + M + "\ndatasets:\n" + "- HuggingFaceFW/fineweb\n" * 1000 + "- nobody/gone\n"
    doc = audit(cli, str(folder(repo, "ds", front)), "--offline")
    assert "datasets/nobody/gone" in {n["id"] for n in doc["graph"]["nodes"]}
    assert doc["verdict"] != "permitted"


def test_padded_list_under_check_strict(repo: Path, cli) -> None:
    folder(repo, "padded", "license: mit\n" + base_list(PADDED))
    res = cli("check", ".", "--offline", "--strict", "--format", "json")
    assert res.exit_code != 0
    assert L2 in json.dumps(res.json())


def test_padded_list_through_the_hub(hub_env, cli) -> None:
    hub_env.add_model(M, card_data={"license": "apache-2.0"})
    hub_env.add_model(L2, card_data={"license": "llama2"})
    hub_env.add_model("evil/padded", card_data={"license": "mit", "base_model": PADDED}, auto_tags=False)
    got = audit(cli, "evil/padded")
    assert L2 in {n["id"] for n in got["graph"]["nodes"]} and got["verdict"] != "permitted"


def test_padded_list_in_scan_equals_audit(tmp_path: Path) -> None:
    records = [
        rec(M, {"license": "apache-2.0"}),
        rec(L2, {"license": "llama2"}),
        rec("evil/padded", {"license": "mit", "base_model": PADDED}),
        rec("evil/many", {"license": "mit", "base_model": [f"org{i}/m-{i}" for i in range(1001)]}),
        rec("evil/ds", {"license": "mit", "base_model": M, "datasets": ["d/ok"] * 1000 + ["d/gone"]}),
        rec("d/ok", {"license": "mit"}, repoType="dataset"),
    ]
    got = assert_same(tmp_path, records, Plan(teacher="*"))
    assert {got[k]["verdict"] for k in ("evil/padded", "evil/many", "evil/ds")} <= {"review", "forbidden"}


# -- item 3: a repeated key is review ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "front",
    [f"license: mit\nbase_model: {L2}\nbase_model: {M}\n", f"license: llama2\nlicense: mit\nbase_model: {M}\n"],
    ids=["base_model", "license"],
)
def test_repeated_key_is_review(front: str, repo: Path, cli, hub_env) -> None:
    d = folder(repo, "dup", front)
    doc = audit(cli, str(d), "--offline")
    assert doc["verdict"] == "review" and "front matter repeats key" in reasons(doc)
    res = cli("check", str(d), "--offline", "--strict", "--format", "json")
    assert res.exit_code == 3 and "repeats key" in res.stdout
    hub_env.add_model(M, card_data={"license": "apache-2.0"})
    hub_env.add_model(L2, card_data={"license": "llama2"})
    hub_env.add_model("evil/dup", readme=(d / "README.md").read_text(encoding="utf-8"))
    hub = audit(cli, "evil/dup")
    assert hub["verdict"] == "review" and "repeats key" in reasons(hub)


# -- item 4: a front matter too large to read ----------------------------------------------------------------------
def test_oversized_front_matter_is_review_and_fails_check_strict(repo: Path, cli) -> None:
    d = folder(repo, "big", "license: mit\nnotes: " + "y" * 600_000 + "\n")
    doc = audit(cli, str(d), "--offline")
    assert doc["verdict"] == "review" and "larger than 512 KiB" in reasons(doc)
    res = cli("check", ".", "--offline", "--strict")
    assert res.exit_code == 3 and "nothing to check" not in res.stdout and "512 KiB" in res.stdout


# -- item 6 (first half): an adapter with no known base ------------------------------------------------------------
@pytest.mark.parametrize(
    "config",
    ['{"base_model_name_or_path": null}', "{}", '{"base_model_name_or_path": 5}', '{"base_model_name_or_path": ""}'],
    ids=["null", "missing", "number", "empty"],
)
def test_adapter_without_a_base_is_review(config: str, repo: Path, cli) -> None:
    d = folder(repo, "lora", "license: mit\n", {"adapter_config.json": config})
    doc = audit(cli, str(d), "--offline")
    assert doc["verdict"] == "review" and "the adapter's base model is unknown" in reasons(doc)


def test_adapter_config_repeating_its_base_is_review(repo: Path, cli) -> None:
    config = f'{{"base_model_name_or_path": "{L2}", "base_model_name_or_path": "{M}"}}'
    d = folder(repo, "lora", "license: apache-2.0\n", {"adapter_config.json": config})
    doc = audit(cli, str(d), "--offline")
    assert doc["verdict"] == "review" and "adapter_config.json repeats key" in reasons(doc)


def test_adapter_with_its_base_in_the_card_is_judged_on_that_base(repo: Path, cli) -> None:
    d = folder(repo, "lora", f"license: apache-2.0\nbase_model: {M}\n", {"adapter_config.json": "{}"})
    assert "adapter's base model is unknown" not in reasons(audit(cli, str(d), "--offline"))


def test_adapter_without_a_base_through_the_hub_and_in_scan(hub_env, cli, tmp_path: Path) -> None:
    hub_env.add_model(
        "evil/lora",
        card_data={"license": "mit"},
        files={"adapter_config.json": '{"base_model_name_or_path": null}'},
    )
    doc = audit(cli, "evil/lora")
    assert doc["verdict"] == "review" and "the adapter's base model is unknown" in reasons(doc)
    records = [
        rec("evil/lora", {"license": "mit"}, files=["README.md", "adapter_config.json"]),
        rec("evil/merge", {"license": "mit"}, files=["README.md", "mergekit_config.yml"]),
        rec("fine/lora", {"license": "mit", "base_model": M}, files=["adapter_config.json"]),
        rec(M, {"license": "apache-2.0"}),
    ]
    got = assert_same(tmp_path, records, Plan(teacher="*"))
    assert got["evil/lora"]["verdict"] == got["evil/merge"]["verdict"] == "review"


# -- item 11: odd types in a mergekit recipe -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "recipe",
    [
        "models: 5\n",
        "models: [5]\n",
        "models: {a: b}\n",
        "slices: 5\n",
        "slices: [{sources: 7}]\n",
        "base_model: [1, 2]\nmodels: [{model: x/y}]\n",
        "models:\n  - model: x/y\nmodels: []\n",
        "[1, 2]\n",
    ],
)
def test_odd_mergekit_recipe_in_the_ancestry_is_review_not_a_crash(recipe: str, hub_env, cli) -> None:
    hub_env.add_model("x/y", card_data={"license": "mit"})
    hub_env.add_model("odd/merge", card_data={"license": "mit"}, files={"mergekit_config.yml": recipe})
    hub_env.add_model("kid/ft", card_data={"license": "mit", "base_model": "odd/merge"})
    doc = audit(cli, "kid/ft")
    assert doc["verdict"] == "review"
    assert "mergekit_config.yml" in reasons(doc)


def test_odd_mergekit_recipe_in_a_local_folder(repo: Path, cli) -> None:
    d = folder(repo, "merge", "license: mit\n", {"mergekit_config.yml": "models: 5\n"})
    doc = audit(cli, str(d), "--offline")
    assert doc["verdict"] == "review" and "mergekit_config.yml models is a int" in reasons(doc)


# -- item 5: card strings cannot drive the terminal ----------------------------------------------------------------
FAKE = "\x1b[2J\x1b[H\x1b[32mPERMITTED [green]ok[/green]\u202e\r\nVERDICT: PERMITTED"


def assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "\nVERDICT: PERMITTED" not in text  # a newline inside a card string cannot start a line of its own


def test_control_characters_in_card_strings_are_escaped_in_every_text_output(repo: Path, cli, tmp_path) -> None:
    front = f"license: other\nlicense_name: {json.dumps(FAKE)}\nbase_model: {json.dumps('evil/' + FAKE)}\n"
    d = folder(repo, "esc", front)
    for args in (("audit", str(d), "--offline"), ("chain", str(d), "--offline"), ("check", str(d), "--offline")):
        res = cli(*args)
        assert res.exit_code in (0, 1, 3), res.stderr
        assert_inert(res.stdout)
        assert "\\x1b[2J" in res.stdout  # shown, not obeyed
    md = cli("audit", str(d), "--offline", "--format", "markdown")
    assert_inert(md.stdout)
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(rec("evil/esc", {"license": FAKE, "base_model": "x/" + FAKE})) + "\n", encoding="utf-8")
    scan = cli("scan", str(dump), "--workers", "1")
    assert scan.exit_code == 0, scan.stderr
    assert_inert(scan.stdout)


def test_rich_markup_in_a_card_is_printed_not_interpreted(repo: Path, cli) -> None:
    d = folder(repo, "markup", "license: other\nlicense_name: '[green]PERMITTED[/green]'\n")
    out = cli("audit", str(d), "--offline").stdout
    assert "[green]PERMITTED[/green]" in out


# -- item 7: an organisation's rule cannot silently take over a packaged licence ----------------------------------
def org_rule(folder: Path, rid: str, identifiers: dict[str, list[str]], **extra: Any) -> Path:
    import yaml

    from licheck import resources

    data = yaml.safe_load((resources.rules_dir() / "mit.yaml").read_text(encoding="utf-8"))
    data.update(id=rid, identifiers=identifiers, examples=[], **extra)
    data["clauses"] = [dict(c, id=f"{rid.upper()}-{i}") for i, c in enumerate(data["clauses"])]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rid}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("rid", "identifiers"),
    [
        ("my-llama", {"hub": ["llama2"]}),
        ("my-llama", {"spdx": ["LLAMA2"]}),  # the same `license:` value through another identifier kind
        ("llama-2", {"hub": ["acme-only"]}),  # a packaged rule id
        ("my-llama", {"text_markers": ["LLAMA 2 COMMUNITY LICENSE"]}),  # a prefix of the packaged heading
    ],
    ids=["hub-id", "other-kind", "rule-id", "gate-heading"],
)
def test_user_rule_taking_over_a_packaged_identifier_fails_to_load(rid, identifiers, repo: Path, cli) -> None:
    rules = repo / "org-rules"
    path = org_rule(rules, rid, identifiers)
    d = folder(repo, "ft", f"license: llama2\nbase_model: {L2}\n")
    (repo / "licheck.yaml").write_text("rules: [org-rules]\n", encoding="utf-8")
    for args in (("audit", str(d), "--offline", "--rules", str(rules)), ("check", ".", "--offline")):
        res = cli(*args)
        assert res.exit_code == 2, (args, res.stdout)
        assert path.name in res.stderr and "overrides" in res.stderr and "Traceback" not in res.stderr
    res = cli("rules", "validate", str(rules))
    assert res.exit_code == 2 and "overrides" in res.stdout


def test_declared_override_is_applied_and_named_in_the_output(repo: Path, cli) -> None:
    rules = repo / "org-rules"
    path = org_rule(rules, "my-llama", {"hub": ["llama2"]}, overrides=["llama-2"])
    d = folder(repo, "ft", "license: llama2\n")
    doc = audit(cli, str(d), "--offline", "--rules", str(rules))
    decided = [f for f in doc["findings"] if f["rule"] == "my-llama"]
    assert decided and all(f["rule_file"] == str(path) for f in decided)
    assert all("rule_file" not in f for f in doc["findings"] if f["rule"] != "my-llama")
    text = cli("audit", str(d), "--offline", "--rules", str(rules)).stdout
    assert "rulefile:" + str(path) in "".join(text.split())  # rich may wrap the long path anywhere
    md = cli("audit", str(d), "--offline", "--rules", str(rules), "--format", "markdown").stdout
    assert f"**Rule file:** `{path}`" in md


def test_user_rule_adding_a_new_licence_needs_no_override(repo: Path, cli) -> None:
    rules = repo / "org-rules"
    org_rule(rules, "acme-licence", {"hub": ["acme-licence"]})
    assert cli("rules", "validate", str(rules)).exit_code == 0
    d = folder(repo, "ft", "license: acme-licence\n")
    assert audit(cli, str(d), "--offline", "--rules", str(rules))["verdict"] == "permitted"


def test_override_naming_no_rule_fails(repo: Path, cli) -> None:
    rules = repo / "org-rules"
    org_rule(rules, "acme-licence", {"hub": ["acme-licence"]}, overrides=["no-such-rule"])
    res = cli("audit", str(folder(repo, "ft", "license: mit\n")), "--offline", "--rules", str(rules))
    assert res.exit_code == 2 and "no-such-rule" in res.stderr


# -- item 11: README links and FIFOs, code files that cannot be scanned --------------------------------------------
def special_readme(d: Path, kind: str, outside: Path) -> None:
    import os

    d.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(d / "README.md")
    else:
        outside.write_text(f"---\nlicense: mit\nbase_model: {L2}\n---\n", encoding="utf-8")
        (d / "README.md").symlink_to(outside)


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_special_readme_is_reported_never_opened(kind: str, repo: Path, cli, tmp_path: Path) -> None:
    d = repo / "m"
    special_readme(d, kind, tmp_path / "elsewhere.md")
    res = cli("check", ".", "--offline", "--strict")  # a FIFO must not hang the run
    assert res.exit_code == 3, res.stdout
    assert "README.md is not a regular file" in res.stdout or "README.md is a symbolic link" in res.stdout
    assert cli("check", ".", "--offline").exit_code == 0  # review: reported, fails only under --strict
    doc = audit(cli, str(d), "--offline")
    assert doc["verdict"] == "review" and "README.md " in reasons(doc)


@pytest.mark.parametrize(
    ("name", "source"),
    [("big.py", "x = 1\n" * 200_000), ("broken.py", "from_pretrained('meta-llama/Llama-2-7b-hf'\n")],
    ids=["over-1MiB", "syntax-error"],
)
def test_scan_code_reports_files_it_cannot_scan(name: str, source: str, repo: Path, cli) -> None:
    (repo / name).write_text(source, encoding="utf-8")
    res = cli("check", ".", "--offline", "--scan-code", "--strict")
    assert res.exit_code == 3 and name in res.stdout and "not scanned" in res.stdout
    loose = cli("check", ".", "--offline", "--scan-code")
    assert loose.exit_code == 0 and "not scanned" in loose.stdout


def test_pseudo_parents_are_valid_in_every_format(repo: Path, cli) -> None:
    """`unread:` / `invalid:` parents have no Hub page: the CycloneDX BOM stays valid against its schema."""
    from tests.test_formats import _validate_cyclonedx

    d = folder(repo, "lora", "license: mit\nbase_model: ./local/path\n", {"adapter_config.json": "{}"})
    many = folder(repo, "many", "license: mit\n" + base_list([f"org{i}/m-{i}" for i in range(1001)]))
    for target in (d, many):
        res = cli("audit", str(target), "--offline", "--format", "cyclonedx")
        assert res.exit_code == 3, res.stderr
        _validate_cyclonedx(res.stdout)
        for fmt in ("spdx", "sarif", "markdown"):
            assert cli("audit", str(target), "--offline", "--format", fmt).exit_code == 3
