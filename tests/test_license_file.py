"""Issue 10 item 4: `license: other` (or none) with a LICENSE file, identified by text fingerprint (fake Hub)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml

from licheck.rules import fingerprint as fp

FIXTURES = Path(__file__).parent / "fixtures" / "licenses"
APACHE = (FIXTURES / "Apache-2.0.txt").read_text(encoding="utf-8")
MIT = (FIXTURES / "MIT.txt").read_text(encoding="utf-8")
REAL_MIT_FILE = (FIXTURES / "deepseek-r1-LICENSE").read_text(encoding="utf-8")  # title + copyright line
UNRELATED = (
    "Proprietary model licence of Example Corp. All rights reserved. You may use these weights for evaluation "
    "only; any other use, including training other models, requires a written agreement with Example Corp. "
) * 3
ROOT = Path(__file__).resolve().parent.parent


def audit(cli, model: str, *args: str):
    res = cli("audit", model, "--format", "json", *args)
    assert res.exit_code in (0, 1, 3), res.stderr
    return res.json()


def node_of(doc, nid: str):
    return next(n for n in doc["graph"]["nodes"] if n["id"] == nid)


def test_apache_licence_file_identifies_license_other(hub_env, cli):
    hub_env.add_model("org/apache-other", card_data={"license": "other"}, files={"LICENSE": APACHE})
    doc = audit(cli, "org/apache-other")
    assert doc["verdict"] == "permitted", [f["reason"] for f in doc["findings"]]
    f = next(f for f in doc["findings"] if f["flag"] == "license_from_file")
    assert "identified from LICENSE (similarity 1.00)" in f["reason"] and "apache-2.0" in f["reason"]
    lf = node_of(doc, "org/apache-other")["license"]["license_file"]
    assert lf["rule"] == "apache-2.0" and lf["sha256"] == hashlib.sha256(APACHE.encode()).hexdigest()
    # one API call, the README, the LICENSE: pinned to the commit
    reqs = [p for _m, p in hub_env.requests]
    licence_reqs = [p for p in reqs if p.endswith("/LICENSE")]
    assert len(licence_reqs) == 1 and "/resolve/main/" not in licence_reqs[0]


def test_edited_real_mit_file_and_no_licence_field(hub_env, cli):
    edited = REAL_MIT_FILE.replace("2023 DeepSeek", "2025 Some Quantiser GmbH")
    assert edited != REAL_MIT_FILE
    hub_env.add_model("org/mit-nolicence", card_data={"tags": ["text-generation"]}, files={"LICENSE.md": edited})
    doc = audit(cli, "org/mit-nolicence")
    assert doc["verdict"] == "permitted", [f["reason"] for f in doc["findings"]]
    f = next(f for f in doc["findings"] if f["flag"] == "license_from_file")
    assert "mit" in f["reason"] and "identified from LICENSE.md (similarity" in f["reason"]


def test_unrelated_text_stays_review_and_says_what_was_read(hub_env, cli):
    hub_env.add_model("org/own-terms", card_data={"license": "other"}, files={"LICENSE.txt": UNRELATED})
    doc = audit(cli, "org/own-terms")
    assert doc["verdict"] == "review"
    msg = next(f["reason"] for f in doc["findings"] if f["flag"] == "license_unresolvable")
    assert "LICENSE.txt not identified" in msg
    assert node_of(doc, "org/own-terms")["license"]["license_file"]["rule"] is None


def test_a_clause_added_to_a_known_text_is_not_identified(hub_env, cli):
    text = APACHE + "\n\nAdditional term: the weights in this repository may not be used to train other models.\n"
    hub_env.add_model("org/apache-plus", card_data={"license": "other"}, files={"LICENSE": text})
    assert audit(cli, "org/apache-plus")["verdict"] == "review"


def test_license_link_to_a_repo_file_is_read_and_external_links_are_not(hub_env, cli):
    hub_env.add_model(
        "org/linked", card_data={"license": "other", "license_link": "LICENSE-MODEL"}, files={"LICENSE-MODEL": MIT}
    )
    assert audit(cli, "org/linked")["verdict"] == "permitted"
    hub_env.add_model(
        "org/elsewhere",
        card_data={"license": "other", "license_link": "https://example.com/terms"},
        files={"LICENSE": MIT},
    )
    hub_env.clear_log()
    assert audit(cli, "org/elsewhere")["verdict"] == "review"
    assert not [p for _m, p in hub_env.requests if p.endswith("/LICENSE")]


def test_named_licence_is_not_second_guessed_and_oversized_file_is_not_read(hub_env, cli):
    hub_env.add_model("org/named", card_data={"license": "mit"}, files={"LICENSE": APACHE})
    hub_env.clear_log()
    audit(cli, "org/named")
    assert not [p for _m, p in hub_env.requests if p.endswith("/LICENSE")]
    big = APACHE + ("x " * (fp.MAX_LICENSE_BYTES // 2 + 10))
    hub_env.add_model("org/huge", card_data={"license": "other"}, files={"LICENSE": big})
    doc = audit(cli, "org/huge")
    assert doc["verdict"] == "review"
    assert "larger than" in node_of(doc, "org/huge")["license"]["license_file"]["note"]


def test_cache_keeps_the_fingerprint_result_not_the_text(hub_env, cli):
    hub_env.add_model("org/apache-cached", card_data={"license": "other"}, files={"LICENSE": APACHE})
    first = audit(cli, "org/apache-cached")
    hub_env.clear_log()
    again = audit(cli, "org/apache-cached")
    assert again["verdict"] == first["verdict"] == "permitted"
    assert not hub_env.requests
    cache = Path(os.environ["LICHECK_CACHE_DIR"])
    stored = "".join(p.read_text(errors="replace") for p in cache.rglob("*.json") if p.is_file())
    assert '"license_file"' in stored and "apache-2.0" in stored
    assert "Grant of Copyright License" not in stored and "TERMS AND CONDITIONS" not in stored


def test_unnamed_quant_with_a_licence_file_names_a_licence(hub_env, cli):
    """A quantiser who ships a LICENSE did name a licence: both it and the base's terms apply (item 3 does not)."""
    hub_env.add_model("meta-llama/Llama-3.1-8B", card_data={"license": "llama3.1"})
    hub_env.add_model(
        "q/l31-gguf",
        card_data={"license": "other", "base_model": "meta-llama/Llama-3.1-8B"},
        files={"LICENSE": APACHE, "l31.Q4_K_M.gguf": "x"},
    )
    doc = audit(cli, "q/l31-gguf")
    flags = {f["flag"] for f in doc["findings"]}
    assert "license_from_file" in flags and "license_from_base" not in flags and "license_drift" in flags
    assert doc["verdict"] == "conditional"


# -- the matcher itself, and the shipped fingerprints ----------------------------------------------------------------
def test_matcher_on_real_redistributable_texts():
    assert fp.identify(APACHE.encode(), "LICENSE").rule == "apache-2.0"
    got = fp.identify(REAL_MIT_FILE.encode(), "LICENSE")
    assert got.rule == "mit" and got.similarity >= fp.THRESHOLD
    reflowed = "# License\n\n" + " ".join(MIT.split())
    assert fp.identify(reflowed.encode(), "LICENSE").rule == "mit"
    changed = MIT.replace("WITHOUT WARRANTY OF ANY KIND", "WITH A WARRANTY")
    assert fp.identify(changed.encode(), "LICENSE").rule is None
    assert fp.identify(UNRELATED.encode(), "LICENSE").rule is None
    assert fp.identify(b"\xff\xfe\x00", "LICENSE").rule is None


def test_shipped_fingerprints_match_the_rules_and_hold_no_text():
    """Built by scripts/build_fingerprints.py: every source sha256 equals its rule's text_sha256; only hashes."""
    data = fp.known_fingerprints()
    rules = {}
    for path in (ROOT / "rules").glob("*.yaml"):
        r = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(r, dict) and r.get("kind") == "licence" and (r.get("source") or {}).get("text"):
            rules[r["id"]] = r
    covered = {s["rule"]: s for e in data["texts"] for s in e["sources"]}
    assert set(covered) == set(rules)
    for rid, src in covered.items():
        assert src["sha256"] == rules[rid]["text_sha256"], rid
    for e in data["texts"]:
        assert all(isinstance(h, int) for h in e["sketch"]) and len(e["sketch"]) <= data["sketch_size"]
    raw = (ROOT / "licheck" / "data" / fp.DATA_FILE).read_text(encoding="utf-8")
    assert "Licensed Materials" not in raw and "Llama Materials" not in raw

    def strings(v: object) -> list[str]:
        if isinstance(v, str):
            return [v]
        if isinstance(v, dict):
            return [s for k, x in v.items() for s in [k, *strings(x)]]
        return [s for x in v for s in strings(x)] if isinstance(v, list) else []

    assert max(map(len, strings(data))) < 120  # ids, file names, hashes and one description: no licence prose


@pytest.mark.parametrize(
    ("link", "want"),
    [
        ("LICENSE", "LICENSE"),
        ("./LICENSE.md", "LICENSE.md"),
        ("https://huggingface.co/org/m/blob/main/LICENSE", "LICENSE"),
        ("https://huggingface.co/org/m/resolve/abc123/docs/LICENSE.txt", "docs/LICENSE.txt"),
        ("https://huggingface.co/other/m/blob/main/LICENSE", None),
        ("https://llama.meta.com/llama3/license", None),
        ("../../etc/passwd", None),
        ("/LICENSE", None),
    ],
)
def test_linked_path(link: str, want: str | None):
    assert fp.linked_path(link, "org/m") == want


def test_file_to_read_only_for_unnamed_licences():
    sib = ["README.md", "LICENSE", "LICENSE.md"]
    assert fp.file_to_read({"license": "other"}, [], sib, "o/m") == "LICENSE"
    assert fp.file_to_read({}, [], sib, "o/m") == "LICENSE"
    assert fp.file_to_read({"license": "mit"}, [], sib, "o/m") is None
    assert fp.file_to_read({"license": "other", "license_name": "x"}, [], sib, "o/m") is None
    assert fp.file_to_read({}, ["license:apache-2.0"], sib, "o/m") is None
    assert fp.file_to_read({"license": "other"}, [], ["README.md", "sub/LICENSE"], "o/m") is None
    assert fp.file_to_read({"license": "other", "license_link": "NOTICE"}, [], sib, "o/m") is None


def test_local_folder_licence_file(cli, tmp_path):
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: other\n---\n# my model\n", encoding="utf-8")
    (folder / "LICENSE").write_text(APACHE, encoding="utf-8")
    doc = audit(cli, str(folder), "--offline")
    assert doc["verdict"] == "permitted", [f["reason"] for f in doc["findings"]]
    (folder / "LICENSE").write_text(UNRELATED, encoding="utf-8")
    assert audit(cli, str(folder), "--offline")["verdict"] == "review"


def test_licence_file_request_is_retried_and_a_missing_file_stays_review(hub_env, cli):
    sha = hub_env.add_model("org/flaky", card_data={"license": "other"}, files={"LICENSE": APACHE})
    fault = hub_env.fault(f"/org/flaky/resolve/{sha}/LICENSE", status=503, times=1)
    assert audit(cli, "org/flaky")["verdict"] == "permitted"
    assert fault.hits == 1
    sha = hub_env.add_model("org/gone", card_data={"license": "other"}, files={"LICENSE": APACHE})
    hub_env.fault(f"/org/gone/resolve/{sha}/LICENSE", status=404)
    doc = audit(cli, "org/gone")
    assert doc["verdict"] == "review" and "license_file" not in node_of(doc, "org/gone")["license"]


def test_odd_stored_match_is_ignored():
    from licheck.domain import Graph, LicenseInfo, ModelNode, Plan
    from licheck.engine.auditor import Auditor
    from licheck.rules.ruleset import load_rules

    for odd in ({"rule": ["mit"]}, {"path": 3, "sha256": "x", "rule": "mit"}, {"path": "LICENSE", "sha256": "x"}):
        n = ModelNode(id="o/m", kind="model", license=LicenseInfo(card=["other"], file=odd))
        v = Auditor(load_rules()).audit(Plan(teacher="o/m"), Graph(root="o/m", nodes={"o/m": n}), None)
        assert v.verdict == "review", odd


def test_build_script_keeps_hashes_only_and_prefers_the_unbound_rule(tmp_path):
    """scripts/build_fingerprints.py on redistributable texts: an Apache text also used by a repo-bound rule (as
    MiniMax-M1's is) is stored once, under the generic rule; the result identifies the texts from hashes alone."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    from build_fingerprints import build

    texts, rules = tmp_path / "texts", tmp_path / "rules"
    texts.mkdir()
    rules.mkdir()
    for rid, name, text, extra in (
        ("apache-2.0", "apache.txt", APACHE, {}),
        ("vendor-apache", "vendor.txt", APACHE, {"identifiers": {"models": ["vendor/model"]}}),
        ("mit", "mit.txt", MIT, {}),
    ):
        (texts / name).write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode()).hexdigest()
        rule = {"id": rid, "kind": "licence", "source": {"text": name}, "text_sha256": sha, **extra}
        (rules / f"{rid}.yaml").write_text(yaml.safe_dump(rule), encoding="utf-8")
    data = build(texts, rules)
    assert [e["rules"] for e in data["texts"]] == [["apache-2.0"], ["mit"]]
    assert {s["rule"] for s in data["texts"][0]["sources"]} == {"apache-2.0", "vendor-apache"}
    assert "Permission is hereby granted" not in str(data)
    assert fp.identify(REAL_MIT_FILE.encode(), "LICENSE", data).rule == "mit"
    assert fp.identify(APACHE.encode(), "LICENSE", data).rule == "apache-2.0"
