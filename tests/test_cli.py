"""The command line as a person reads it: 80-column text, rule look-up by the Hub's spelling, a check summary in
words, one-line errors for a dump with nothing readable, and --format choices read from the renderer registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from licheck import formats

# In the embedded snapshot: conditional with 8 obligations; forbidden; conditional with prose-linked ancestors.
GEMMA = "google/gemma-2-9b-it"
LLAMA2 = "meta-llama/Llama-2-7b-hf"
R1_LLAMA = "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def overlong(text: str, cols: int) -> list[str]:
    """Lines wider than `cols` that are not a URL which alone (after its indent or a short label) cannot fit."""
    bad = []
    for line in text.splitlines():
        if len(line) <= cols:
            continue
        words = line.split()
        longest = max(words, key=len)
        if "://" not in longest or len(line) - len(longest) > 20:
            bad.append(line)
    return bad


def flat(text: str) -> str:
    return " ".join(text.split())


def test_overlong_flags_prose_but_not_a_lone_url():
    url = "https://example.org/" + "x" * 90
    assert overlong(f"    source: {url}\n    short", 80) == []
    assert overlong("word " * 30, 80) != []
    assert overlong(f"{'word ' * 12}{url}", 80) != []


@pytest.mark.parametrize("cols", [80, 60])
@pytest.mark.parametrize("model", [GEMMA, LLAMA2, R1_LLAMA])
def test_audit_text_fits_the_width_and_keeps_urls_whole(model, cols, cli, offline, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(cols))
    doc = cli("audit", model, "--offline", "--format", "json").json()
    for args in ((), ("--verbose",)):
        res = cli("audit", model, "--offline", *args)
        assert res.exit_code == {"forbidden": 1, "review": 3}.get(doc["verdict"], 0)
        assert overlong(res.stdout, cols) == []
        lines = res.stdout.splitlines()
        for url in {f["url"] for f in doc["findings"] if f.get("url")}:
            assert any(url in line for line in lines), url  # on one line, never split


def test_audit_text_puts_verdict_and_to_do_first_and_quotes_with_verbose(cli, offline, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    doc = cli("audit", GEMMA, "--offline", "--format", "json").json()
    text = cli("audit", GEMMA, "--offline").stdout
    lines = text.splitlines()
    assert lines[0].startswith(doc["verdict"].upper() + ": " + GEMMA)
    order = [text.index(h) for h in ("To do (", "Findings:", "Provenance:")]
    assert order == sorted(order)
    assert len(doc["obligations"]) == 8 and "\n 8. " in text
    for o in doc["obligations"]:
        assert flat(o["text"]) in flat(text)
    quotes = [f["quote"] for f in doc["findings"] if f.get("quote") and f["effect"] == "obligation"]
    assert quotes and not any(flat(q) in flat(text) for q in quotes)  # obligations: quotes only with --verbose
    verbose = flat(cli("audit", GEMMA, "--offline", "-v").stdout)
    assert all(flat(q) in verbose for q in quotes)
    assert len(lines) < 100


def test_forbidding_clause_is_quoted_without_verbose(cli, offline, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    doc = cli("audit", LLAMA2, "--offline", "--format", "json").json()
    (forbid,) = [f for f in doc["findings"] if f["effect"] == "forbid"]
    assert flat(forbid["quote"]) in flat(cli("audit", LLAMA2, "--offline").stdout)


def test_chain_text_fits_80_columns(cli, offline, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    res = cli("chain", R1_LLAMA, "--offline")
    assert res.exit_code == 0 and overlong(res.stdout, 80) == []
    assert "meta-llama/Llama-3.1-8B" in res.stdout and "└── " in res.stdout


def test_rules_list_and_show_fit_80_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    listed = cli("rules", "list").stdout
    assert overlong(listed, 80) == [] and "llama-3.1 " in listed
    shown = cli("rules", "show", "llama-3.1").stdout
    assert overlong(shown, 80) == []
    assert "LLAMA31-1bi-NAME" in shown and "at the beginning of any such AI model name" in flat(shown)


def test_rules_show_finds_the_hub_spelling(cli):
    res = cli("rules", "show", "llama3.1")
    assert res.exit_code == 0 and res.stdout.startswith("llama-3.1: ")
    assert "identifier of rule llama-3.1" in res.stderr
    assert cli("rules", "show", "Apache-2.0").stdout.startswith("apache-2.0: ")


@pytest.mark.parametrize("typo", ["lama-3.1", "llama31", "llama-3.1-community"])
def test_rules_show_suggests_close_rules(typo, cli):
    res = cli("rules", "show", typo)
    assert res.exit_code == 2 and res.stdout == ""
    assert len(res.stderr.splitlines()) == 1 and "did you mean" in res.stderr and "llama-3.1" in res.stderr


def test_rules_show_unknown_name_without_a_close_match(cli):
    res = cli("rules", "show", "zzzz-qqqq")
    assert res.exit_code == 2 and "did you mean" not in res.stderr and "no rule 'zzzz-qqqq'" in res.stderr


def card(folder: Path, licence: str, base: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    meta = f"license: {licence}\n" + (f"base_model: {base}\n" if base else "")
    (folder / "README.md").write_text(f"---\n{meta}---\n# model\n", encoding="utf-8")


def test_check_summary_is_a_sentence(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    card(tmp_path / "m", "mit", LLAMA2)  # drops the Llama 2 licence: forbidden
    (tmp_path / "licheck.yaml").write_text("plans:\n  - {name: p, teacher: deepseek-ai/DeepSeek-R1}\n")
    res = cli("check", "--offline")
    last = res.stdout.splitlines()[-1]
    assert res.exit_code == 1
    assert last.startswith("summary: 1 model card forbidden, 1 plan permitted; ")
    assert last.endswith("; the check fails (forbidden): exit 1") and "violation(s)" not in last
    (tmp_path / "m" / "README.md").unlink()
    (tmp_path / "m").rmdir()
    ok = cli("check", "--offline")
    assert ok.exit_code == 0
    assert ok.stdout.splitlines()[-1] == "summary: 1 plan permitted; the check passes: exit 0"


@pytest.mark.parametrize("content", ["", "\n\n", 'not json\n{"no": "id"}\n'])
def test_scan_without_a_readable_record_is_an_error(content, tmp_path, cli):
    dump = tmp_path / "dump.jsonl"
    dump.write_text(content)
    out = tmp_path / "results.jsonl"
    out.write_text("earlier results\n")
    res = cli("scan", str(dump), "-o", str(out))
    assert res.exit_code == 2 and res.stdout == ""
    assert len(res.stderr.splitlines()) == 1 and ("no record" in res.stderr or "no readable record" in res.stderr)
    assert out.read_text() == "earlier results\n"  # nothing the user had is lost
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.jsonl", "results.jsonl"]


def test_scan_output_replaces_the_file_after_success(tmp_path, cli):
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": "acme/m", "cardData": {"license": "mit"}}) + "\n")
    out = tmp_path / "results.jsonl"
    out.write_text("earlier results\n")
    res = cli("scan", str(dump), "-o", str(out), "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["output"] == str(out)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["acme/m"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dump.jsonl", "results.jsonl"]


@pytest.mark.parametrize("command", ["audit", "chain", "check", "scan"])
def test_format_choices_come_from_the_registry(command, cli):
    res = cli(command, "x", "--format", "bogus")
    assert res.exit_code == 2
    named = res.stderr.split("is not one of", 1)[1]
    assert tuple(name.strip(" '.\n") for name in named.split(",")) == formats.choices(command)


def test_every_registered_audit_format_renders(cli, offline):
    for fmt in formats.choices("audit"):
        res = cli("audit", LLAMA2, "--offline", "--format", fmt)
        assert res.exit_code == 1 and res.stdout.endswith("\n"), fmt
    assert cli("audit", LLAMA2, "--offline", "--format", "pdf").exit_code == 2


def test_readme_text_example_is_the_real_output(cli, offline, monkeypatch):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    command = readme.split("The start of\n`licheck ", 1)[1].split("`", 1)[0].split()
    example = readme.split("```text\n", 1)[1].split("```", 1)[0].splitlines()
    monkeypatch.setenv("COLUMNS", "80")
    res = cli(*command)
    assert res.stdout.splitlines()[: len(example)] == example


def test_one_clause_on_several_nodes_is_one_block(cli, offline, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    args = ("audit", "matrixportal/gemma-7b-it-GGUF", "--student", "Qwen/Qwen3-4B", "--offline")
    doc = cli(*args, "--format", "json").json()
    findings = flat(cli(*args).stdout.split("Findings:", 1)[1].split("Texts quoted", 1)[0])
    gemma = [f for f in doc["findings"] if f["effect"] == "obligation" and f["rule"].startswith("gemma")]
    clauses = {(f["rule"], f["clause"]) for f in gemma}
    assert len({f["node"] for f in gemma}) == 2 and len(clauses) == len(gemma) / 2
    for rule, clause in clauses:
        assert findings.count(f"OBLIGATION {rule} {clause} ") == 1
    assert "on: matrixportal/gemma-7b-it-GGUF; google/gemma-7b-it (via matrixportal/gemma-7b-it-GGUF)" in findings
