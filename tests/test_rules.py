"""The rule library: schema, coverage of Hub licence ids, per-rule example cases, identification."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from licheck import resources
from licheck.domain import LicenseInfo, ModelNode
from licheck.rules.examples import run_example
from licheck.rules.ruleset import load_rules, rule_files, validate_text

RULES = load_rules()
EXAMPLES = [(r.id, ex) for r in sorted(RULES.rules.values(), key=lambda r: r.id) for ex in r.examples]
# The 83 licence ids the Hub accepts (hub-docs repositories-licenses.md @242f4a1).
HUB_IDS = """apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
bigcode-openrail-m
afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5
cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0
cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 cdla-permissive-1.0
cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl
lgpl-2.1 lgpl-3.0 isc h-research intel-research lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0 odc-by odbl openmdw-1.0
openmdw-1.1 openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr deepfloyd-if-license
fair-noncommercial-research-license llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 grok2-community gemma unknown
other""".split()


def test_every_rule_file_validates():
    files = rule_files(resources.rules_dir())
    assert len(files) >= 45
    for path in files:
        validate_text(path.read_text(encoding="utf-8"), str(path))


def test_hub_id_list_is_complete():
    assert len(HUB_IDS) == 83


@pytest.mark.parametrize("hub_id", HUB_IDS)
def test_every_hub_licence_id_maps_to_a_rule_or_to_review(hub_id):
    mapping = yaml.safe_load((resources.rules_dir() / "hub-licenses.yaml").read_text())["licenses"]
    assert hub_id in mapping, hub_id
    entry = mapping[hub_id]
    assert ("rule" in entry) != ("review" in entry)
    if "rule" in entry:
        assert RULES.get(entry["rule"]) is not None
        assert hub_id in RULES.get(entry["rule"]).identifiers.get("hub", ())


@pytest.mark.parametrize("rule_id,example", EXAMPLES, ids=[f"{r}:{e['name'][:50]}" for r, e in EXAMPLES])
def test_rule_examples(rule_id, example):
    result = run_example(RULES, rule_id, example)
    assert result.ok, result.message


def test_every_rule_has_positive_and_negative_examples():
    """Positive: a case where its clauses fire. Negative: a different verdict, or clauses that must not fire."""
    for rule in RULES.rules.values():
        expects = {ex["expect"] for ex in rule.examples}
        assert len(rule.examples) >= 2, rule.id
        assert any(ex.get("expect_clauses") for ex in rule.examples), rule.id
        has_negative = len(expects) >= 2 or any(ex.get("expect_no_clauses") for ex in rule.examples)
        assert has_negative or rule.kind == "policy", (rule.id, expects)


def test_includes_and_catalogue_terms_exist():
    from licheck.rules.apis import load_catalogue

    for rule in RULES.rules.values():
        for inc in rule.includes:
            assert RULES.get(inc), (rule.id, inc)
    for provider in load_catalogue().providers.values():
        for rid in provider.terms + tuple(t for ts in provider.product_terms.values() for t in ts):
            assert RULES.get(rid), (provider.id, rid)


def test_no_two_rules_claim_the_same_identifier():
    seen: dict[tuple[str, str], str] = {}
    for rule in RULES.rules.values():
        for kind, values in rule.identifiers.items():
            for v in values:
                key = (kind, v.lower())
                assert key not in seen, f"{key} claimed by {seen.get(key)} and {rule.id}"
                seen[key] = rule.id


def test_every_clause_has_a_quote_section_and_source():
    for rule in RULES.rules.values():
        assert rule.source_url.startswith("http"), rule.id
        assert rule.text_sha256 or rule.verification == "secondary", rule.id
        for c in rule.clauses:
            assert c.quote.strip() and c.section.strip(), (rule.id, c.id)
            if c.effect in ("obligation",):
                assert c.obligation, (rule.id, c.id)


def node(**lic) -> ModelNode:
    return ModelNode(id=lic.pop("id", "org/x"), kind="model", license=LicenseInfo(**lic))


@pytest.mark.parametrize(
    "info,expected",
    [
        (dict(card=["llama3.1"]), ["llama-3.1"]),
        (dict(card=["llama3"]), ["llama-3"]),
        (dict(card=["other"], license_name="qwen-research"), ["qwen-research-2024"]),
        (dict(card=["other"], license_name="gemma-terms-of-use"), ["gemma-2025-03-24"]),
        (dict(card=["gemma"]), ["gemma-2025-03-24"]),
        (dict(card=["MIT"]), ["mit"]),
        (dict(card=[], tags=["llama2"]), ["llama-2"]),
        (dict(card=[], gated_prompt_head="LLAMA 3.1 COMMUNITY LICENSE AGREEMENT"), ["llama-3.1"]),
    ],
)
def test_identification_is_version_exact(info, expected):
    ident = RULES.identify(node(**info))
    assert [r for r in ident.rule_ids if not RULES.get(r).kind == "policy"] == expected


@pytest.mark.parametrize(
    "info,why",
    [
        (dict(card=["other"]), "without license_name"),
        (dict(card=["llаma3.1"]), "non-ASCII"),  # Cyrillic 'а'
        (dict(card=["my-own-licence"]), "no rule"),
        (dict(card=[]), None),
    ],
)
def test_unknown_licences_are_unresolved(info, why):
    ident = RULES.identify(node(**info))
    assert not ident.rule_ids
    if why:
        assert any(why in u for u in ident.unresolved)
    else:
        assert ident.missing


def test_spdx_expressions():
    ident = RULES.identify(node(card=["MIT AND llama3.1"]))
    assert {"mit", "llama-3.1"} <= set(ident.rule_ids)
    ident = RULES.identify(node(card=["MIT OR Apache-2.0"]))
    assert len(ident.groups) == 2
    ident = RULES.identify(node(card=["MIT OR my-secret"]))
    assert ident.unresolved


def test_card_and_tag_disagreement_is_reported_and_both_apply():
    ident = RULES.identify(node(card=["mit"], tags=["llama2"]))
    assert ident.disagreement and {"mit", "llama-2"} <= set(ident.rule_ids)


def test_rules_validate_reports_file_and_line(tmp_path, cli):
    good = (resources.rules_dir() / "mit.yaml").read_text()
    (tmp_path / "ok.yaml").write_text(good)
    (tmp_path / "bad.yaml").write_text(good.replace("effect: permit", "effect: allow", 1))
    res = cli("rules", "validate", str(tmp_path))
    assert res.exit_code == 2
    line = [x for x in res.stdout.splitlines() if "bad.yaml" in x][0]
    assert ":" in line.split("bad.yaml", 1)[1] and "effect" in line


def test_rules_cli_list_show_test(cli):
    assert "llama-3.1" in cli("rules", "list").stdout
    shown = " ".join(cli("rules", "show", "llama-3.1").stdout.split())  # quotes wrap to the terminal width
    assert "LLAMA31-1bi-NAME" in shown and "at the beginning of any such AI model name" in shown
    res = cli("rules", "test")
    assert res.exit_code == 0 and " 0 failed" in res.stdout
    assert cli("rules", "show", "nope").exit_code == 2


def test_org_rules_folder_adds_a_licence(tmp_path, hub_env, cli):
    text = (Path(resources.rules_dir()) / "mit.yaml").read_text()
    data = yaml.safe_load(text)
    data["id"] = "acme-model-licence"
    data["identifiers"] = {"license_name": ["acme-model-licence"]}
    data["clauses"] = [dict(data["clauses"][0], id="ACME-1", effect="forbid", reason="ACME forbids distillation")]
    data["examples"] = []
    (tmp_path / "acme.yaml").write_text(yaml.safe_dump(data))
    hub_env.add_model("acme/m", card_data={"license": "other", "license_name": "acme-model-licence"})
    res = cli("audit", "acme/m", "--rules", str(tmp_path), "--format", "json")
    assert res.json()["verdict"] == "forbidden" and res.exit_code == 1
    res = cli("audit", "acme/m", "--format", "json")
    assert res.json()["verdict"] == "review"


def test_shipped_compiled_rules_are_current():
    """`python -m licheck.rules.compiled` must be re-run after editing rules/ (else first runs compile the YAML)."""
    import json

    from licheck.rules.compiled import SHIPPED, build_shipped

    shipped = json.loads(SHIPPED.read_text())
    assert shipped == json.loads(json.dumps(build_shipped(resources.rules_dir()), sort_keys=True))


# `license_name` / `license_link` spellings seen in real Hub data (scripts/license_spellings.py over the shared
# snapshots and the 2025-04 scrape, copied here as facts), and the rule each must identify. Unknown spellings stay
# unresolved (the audit answers `review`).
SPELLINGS = [
    (dict(license_name="llama4"), "llama-4"),
    (dict(license_name="llama3"), "llama-3"),
    (dict(license_name="llama3.3"), "llama-3.3"),
    (dict(license_name="gemma"), "gemma-2025-03-24"),
    (dict(license_name="gemma-terms-of-use"), "gemma-2025-03-24"),
    (dict(license_link="https://ai.google.dev/gemma/terms"), "gemma-2025-03-24"),
    (dict(license_name="deepseek"), "deepseek-license-1.0"),
    (dict(license_name="deepseek-license"), "deepseek-license-1.0"),
    (dict(license_name="stabilityai-ai-community"), "stability-ai-community"),
    (dict(license_name="stable-video-diffusion-community"), "stability-ai-community"),
    (dict(license_name="tongyi-qianwen-license-agreement"), "tongyi-qianwen-2023"),
    (dict(license_name="tongyi-qianwen"), "tongyi-qianwen-2023"),
    (
        dict(license_link="https://github.com/QwenLM/Qwen/blob/main/Tongyi%20Qianwen%20LICENSE%20AGREEMENT"),
        "tongyi-qianwen-2023",
    ),
    (dict(license_link="https://huggingface.co/Qwen/Qwen2-72B/blob/main/LICENSE"), "tongyi-qianwen-2023"),
    (dict(license_name="qwen"), "qwen-2024"),
    (dict(license_name="qwen-research"), "qwen-research-2024"),
    (dict(license_link="https://huggingface.co/Qwen/Qwen2.5-3B-Instruct/blob/main/LICENSE"), "qwen-research-2024"),
    (dict(license_link="https://huggingface.co/Qwen/Qwen2.5-72B/blob/main/LICENSE"), "qwen-2024"),
    (dict(license_name="mrl"), "mistral-mrl-0.1"),
    (dict(license_link="https://mistral.ai/licenses/MRL-0.1.md"), "mistral-mrl-0.1"),
    (dict(license_name="flux-1-dev-non-commercial-license"), "flux-1-dev"),
    (dict(license_name="nvidia-open-model-license"), "nvidia-open-model-2025-10-24"),
    (
        dict(license_link="https://www.nvidia.com/en-us/agreements/enterprise-software/nvidia-open-model-license/"),
        "nvidia-open-model-2025-10-24",
    ),
    (
        dict(
            license_name="nvidia-open-model-license",
            license_link="https://developer.download.nvidia.com/licenses/nvidia-open-model-license-agreement-june-2024.pdf",
        ),
        "nvidia-open-model-2025-10-24",
    ),
    (
        dict(license_name="modified-mit", license_link="https://github.com/MoonshotAI/Kimi-K2/blob/main/LICENSE"),
        "kimi-k2-modified-mit",
    ),
    (
        dict(
            license_name="minimax-m2.7-license",
            license_link="https://github.com/MiniMax-AI/MiniMax-M2.7/blob/main/LICENSE",
        ),
        "minimax-m2.7-2026-04-15",
    ),
    # names that do not say which text they mean stay unresolved
    (dict(license_name="modified-mit"), None),
    (dict(license_name="minimax-open-model"), None),
    (dict(license_name="exaone"), None),
    (dict(license_name="yi-license"), None),
    (dict(license_link="LICENSE"), None),
]


@pytest.mark.parametrize("info,expected", SPELLINGS, ids=[str(i) for i, _ in SPELLINGS])
def test_hub_licence_spellings_identify_their_rule(info, expected):
    ident = RULES.identify(node(card=["other"], **info))
    got = [r for r in ident.rule_ids if RULES.get(r).kind != "policy"]
    assert got == ([expected] if expected else []), (info, got, ident.unresolved)
    if expected is None:
        assert ident.unresolved


@pytest.mark.parametrize(
    "model_id,expected",
    [
        ("moonshotai/Kimi-K2-Instruct", {"kimi-k2-modified-mit"}),
        ("MiniMaxAI/MiniMax-Text-01", {"minimax-01-2025-02-20"}),
        ("MiniMaxAI/MiniMax-M2", {"minimax-m2-modified-mit"}),
        ("MiniMaxAI/MiniMax-M2.5", {"minimax-m2.5-model-2026-03-06", "minimax-m2.5-modified-mit-2026-02-13"}),
        ("MiniMaxAI/MiniMax-M2.7", {"minimax-m2.7-2026-04-15"}),
    ],
)
def test_editions_are_bound_by_model_not_by_the_generic_name(model_id, expected):
    """`license: other` + `modified-mit` names several different texts: the repository id picks the edition."""
    ident = RULES.identify(node(id=model_id, card=["other"], license_name="modified-mit"))
    assert set(ident.rule_ids) | set(ident.statements) == expected


def test_licenses_extra_texts_match_their_index_and_rules():
    """Texts kept in licenses-extra/ are the recorded bytes, and every quote citing them is verbatim."""
    import hashlib
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("check_quotes", root / "scripts" / "check_quotes.py")
    cq = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cq)  # type: ignore[union-attr]
    entries = yaml.safe_load((root / "licenses-extra" / "index.yaml").read_text())["texts"]
    by_file = {e["file"]: e for e in entries}
    cited = set()
    for path in rule_files(resources.rules_dir()):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = ((data if isinstance(data, dict) else {}).get("source") or {}).get("text")
        if text not in by_file:
            continue
        cited.add(text)
        assert data["text_sha256"] == by_file[text]["sha256"], path.name
        assert by_file[text]["url"] == data["source"]["url"], path.name
        if by_file[text]["stored"]:
            body = (root / "licenses-extra" / text).read_bytes()
            assert hashlib.sha256(body).hexdigest() == by_file[text]["sha256"]
            for c in data["clauses"]:
                assert cq.find_fragments(c["quote"], cq.norm(body.decode())) is None, (path.name, c["id"])
    assert cited == set(by_file)


# Issue 11 situations end to end: the real huggingface_hub client against the local fake Hub.
E2E = [
    # use policies bind the use of the teacher: MiniMax's Prohibited Uses Policy reaches an output-distilled student
    (
        {
            "MiniMaxAI/MiniMax-Text-01": {"library_name": "transformers"},
            "mistralai/Mistral-7B-v0.3": {"license": "apache-2.0"},
        },
        ["MiniMaxAI/MiniMax-Text-01", "--student", "mistralai/Mistral-7B-v0.3", "--use", "commercial"],
        "conditional",
        "MINIMAX-2025-02-2biii",
    ),
    # the same for NVIDIA's Trustworthy AI terms (generic licence name -> the current edition)
    (
        {
            "nvidia/Llama-3_3-Nemotron-Super-49B-v1_5": {
                "license": "other",
                "license_name": "nvidia-open-model-license",
                "pipeline_tag": "text-generation",
            },
            "Qwen/Qwen2.5-7B": {"license": "apache-2.0"},
        },
        ["nvidia/Llama-3_3-Nemotron-Super-49B-v1_5", "--student", "Qwen/Qwen2.5-7B", "--use", "commercial"],
        "conditional",
        "NVOML25-2.3",
    ),
    # MiniMax-M2.7's own edition: commercial use needs written authorisation
    (
        {
            "MiniMaxAI/MiniMax-M2.7": {"license": "other", "license_name": "modified-mit"},
            "Qwen/Qwen2.5-7B": {"license": "apache-2.0"},
        },
        ["MiniMaxAI/MiniMax-M2.7", "--student", "Qwen/Qwen2.5-7B", "--use", "commercial"],
        "forbidden",
        "MINIMAXM27-3",
    ),
    # Llama 3.3 includes no multimodal model: an EU company is not sent to review when the modality is unrecorded
    (
        {"meta-llama/Llama-3.3-70B-Instruct": {"license": "llama3.3"}, "Qwen/Qwen2.5-7B": {"license": "apache-2.0"}},
        [
            "meta-llama/Llama-3.3-70B-Instruct",
            "--student",
            "Qwen/Qwen2.5-7B",
            "--use",
            "commercial",
            "--eu",
            "--mau",
            "1000",
        ],
        "conditional",
        "LLAMA33-AUP-EU",
    ),
]


@pytest.mark.parametrize("models,args,verdict,clause", E2E, ids=[a[0] for _, a, _, _ in E2E])
def test_issue11_situations_through_the_fake_hub(hub_env, cli, models, args, verdict, clause):
    for repo_id, card in models.items():
        hub_env.add_model(repo_id, card_data=card)
    doc = cli("audit", *args, "--method", "outputs", "--format", "json").json()
    assert doc["verdict"] == verdict, [(f["effect"], f["clause"], f["reason"][:80]) for f in doc["findings"]]
    hit = [f for f in doc["findings"] if f["clause"] == clause]
    assert hit and hit[0]["quote"] and hit[0]["url"], clause
