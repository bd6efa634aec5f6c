"""Hostile metadata and input: malformed cards, odd types, deep chains, huge merges, regex bombs, fuzzing."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licheck.errors import LicheckError
from licheck.provenance.cardparse import extract_prose, split_card
from licheck.provenance.ids import parse_subject
from licheck.provenance.records import RepoRecord
from licheck.provenance.resolver import ProvenanceResolver
from licheck.provenance.snapshot import Snapshot
from licheck.provenance.sources import LayeredSource
from licheck.rules.apis import load_catalogue
from licheck.rules.ruleset import validate_text

BOMB = """---
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
license: mit
---
body
"""


@pytest.mark.parametrize(
    "readme",
    [
        "---\nlicense: [unclosed\n---\nbody",
        "---\n- just\n- a list\n---\nbody",
        "---\n42\n---\n",
        BOMB,
        "---\nlicense: mit\n" + "x: " + "y" * 400_000 + "\n---\n",
        "no front matter at all",
        "---\n!!python/object/apply:os.system ['echo pwned']\n---\n",
    ],
    ids=["malformed", "list", "scalar", "billion-laughs", "huge", "none", "python-tag"],
)
def test_hostile_front_matter_never_crashes_and_never_permits(readme, hub_env, cli):
    hub_env.add_model("evil/card", card_data={}, readme=readme)
    res = cli("audit", "evil/card", "--format", "json")
    assert res.exit_code == 3, res.stderr
    doc = res.json()
    assert doc["verdict"] == "review"


def test_billion_laughs_is_refused_not_expanded():
    parsed = split_card(BOMB)
    assert parsed.data == {} and "alias" in (parsed.warning or "")


@pytest.mark.parametrize(
    "base_model",
    [
        42,
        {"id": "x/y"},
        ["meta-llama/Llama-2-7b-hf", 7, None, {"a": 1}],
        "",
        "../../../etc/passwd",
        "/abs/local/path",
        "https://evil.example.com/org/model",
        "C:\\models\\x",
        "org/../../x",
        "a" * 500,
    ],
    ids=["number", "mapping", "mixed-list", "empty", "traversal", "abs-path", "url", "windows", "dotdot", "long"],
)
def test_hostile_base_model_values(base_model, hub_env, cli):
    hub_env.add_model("meta-llama/Llama-2-7b-hf", card_data={"license": "llama2"})
    hub_env.add_model("evil/base", card_data={"license": "mit", "base_model": base_model})
    res = cli("audit", "evil/base", "--format", "json")
    assert res.exit_code in (0, 1, 3), res.stderr
    doc = res.json()
    if base_model not in ("", None):
        # Something was declared that licheck could not follow: never a clean `permitted`.
        assert doc["verdict"] in ("review", "forbidden", "conditional")
        assert doc["verdict"] != "permitted"
    for n in doc["graph"]["nodes"]:
        assert "/etc/passwd" not in n["id"] or n["kind"] == "missing"


@pytest.mark.parametrize(
    "license_value,expected",
    [
        (["mit", "llama2"], {"forbidden", "conditional", "review"}),
        ({"name": "mit"}, {"review"}),
        ("totally-made-up-licence", {"review"}),
        ("llаma3.1", {"review"}),  # Cyrillic a
        ("ｍｉｔ", {"review"}),  # full-width
        (None, {"review"}),
        (7, {"review"}),
    ],
)
def test_hostile_licence_values(license_value, expected, hub_env, cli):
    card = {} if license_value is None else {"license": license_value}
    hub_env.add_model("evil/lic", card_data=card)
    res = cli("audit", "evil/lic", "--format", "json")
    assert res.json()["verdict"] in expected


class DictSource(LayeredSource):
    """In-memory records for graph-algorithm tests (the Hub client is covered by the fake-Hub tests)."""

    def __init__(self, records: dict[str, RepoRecord]) -> None:
        super().__init__(None, None, Snapshot(), offline=True)
        self.records = records

    def fetch(self, subject, revision=None):  # type: ignore[override]
        from licheck.errors import NotFound

        rec = self.records.get(subject.id)
        if rec is None:
            raise NotFound(f"{subject.id}: repository not found")
        return rec


def rec(rid: str, **card) -> RepoRecord:
    return RepoRecord(id=rid, kind="model", card_data=card, source="test")


def test_chain_1000_deep_stops_at_depth_limit_and_walks_when_allowed():
    records = {f"o/m{i}": rec(f"o/m{i}", license="mit", base_model=f"o/m{i + 1}") for i in range(1000)}
    records["o/m1000"] = rec("o/m1000", license="mit")
    graph = ProvenanceResolver(DictSource(records)).resolve("o/m0")
    assert any("depth limit 20" in w for w in graph.warnings)
    graph = ProvenanceResolver(DictSource(records), max_depth=2000).resolve("o/m0")
    assert len(graph.nodes) == 1001 and not graph.cycles

    from licheck.domain import Plan
    from licheck.engine.auditor import Auditor
    from licheck.rules.ruleset import load_rules

    verdict = Auditor(load_rules()).audit(Plan(teacher="o/m0"), graph, None)
    assert verdict.verdict == "permitted"


def test_merge_with_500_parents():
    parents = [f"p/m{i}" for i in range(500)]
    records = {p: rec(p, license="apache-2.0") for p in parents}
    records["o/merge"] = rec("o/merge", license="apache-2.0", base_model=parents)
    graph = ProvenanceResolver(DictSource(records)).resolve("o/merge")
    assert len(graph.nodes) == 501
    assert {e.relation for e in graph.edges} == {"merge"}


def test_long_cycle_detected():
    records = {f"o/c{i}": rec(f"o/c{i}", license="mit", base_model=f"o/c{(i + 1) % 50}") for i in range(50)}
    graph = ProvenanceResolver(DictSource(records), max_depth=100).resolve("o/c0")
    assert graph.cycles and len(graph.cycles[0]) == 51


@pytest.mark.parametrize(
    "text",
    [
        "fine-tuned from " + "a/" * 100_000,
        "distilled from " + "x-" * 100_000 + "/",
        "|" * 200_000,
        ("generated by GPT-4 " * 20_000),
        "https://huggingface.co/" + "a" * 100_000,
        "(" * 100_000 + "DeepSeek-R1-Distill | x",
    ],
    ids=["slashes", "hyphens", "pipes", "repeat-alias", "long-url", "parens"],
)
def test_prose_extractor_is_linear_on_pathological_input(text):
    # Completes (a catastrophic regex would hang the suite); results stay bounded.
    out = extract_prose(text, "org/DeepSeek-R1-Distill", api=load_catalogue(), is_dataset=False)
    assert len(out) < 1000


FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
yaml_chars = st.sampled_from(list(string.printable) + ["&", "*", "!", "\u00e9", "\u2026", "\ufeff"])


@FUZZ
@given(st.text(alphabet=yaml_chars, max_size=400))
def test_fuzz_front_matter(body):
    parsed = split_card("---\n" + body + "\n---\n" + body)
    assert isinstance(parsed.data, dict)


@FUZZ
@given(st.text(max_size=600))
def test_fuzz_prose_extractor(text):
    for edge in extract_prose(text, "org/model-1", api=load_catalogue(), is_dataset=False):
        assert edge.relation in ("finetune", "distillation", "generated_by")
        assert parse_subject(edge.target, api_lookup=load_catalogue().is_product)


@FUZZ
@given(st.text(alphabet=yaml_chars, max_size=400))
def test_fuzz_rule_loader(text):
    try:
        validate_text(text, "fuzz.yaml")
    except LicheckError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=1500, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "license",
                "license_name",
                "license_link",
                "base_model",
                "base_model_relation",
                "datasets",
                "tags",
                "annotations_creators",
                "extra_gated_prompt",
                "pipeline_tag",
            ]
        ),
        json_values,
        max_size=8,
    ),
    st.lists(st.text(max_size=40), max_size=5),
)
def test_fuzz_card_data_through_evidence_and_engine(card, tags):
    from licheck.domain import Graph, Plan
    from licheck.engine.auditor import Auditor
    from licheck.provenance.evidence import node_from_record, parent_edges
    from licheck.rules.ruleset import load_rules

    record = RepoRecord(id="fuzz/model", kind="model", card_data=json.loads(json.dumps(card)), tags=tags)
    node = node_from_record(record)
    edges, _warnings = parent_edges(record, load_catalogue())
    graph = Graph(root=node.id, nodes={node.id: node})
    from licheck.provenance.resolver import missing_node

    for e in edges:
        graph.nodes.setdefault(e.parent, missing_node(e.parent, "not read (fuzz)"))
    graph.edges = edges
    verdict = Auditor(load_rules()).audit(Plan(teacher=node.id), graph, None)
    if edges:
        assert verdict.verdict in ("review", "forbidden")


@pytest.mark.parametrize(
    "bad",
    [
        "org/name\x00",
        "org/name/../x",
        "org//name",
        "-org/name",
        "org/name.git",
        "datasets/../../x",
        "api:/x",
        "file:///etc/passwd",
    ],
)
def test_cli_rejects_bad_ids_with_exit_2(cli, bad):
    res = cli("audit", bad, "--offline", "--format", "json")
    assert res.exit_code == 2 and res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1


def test_local_paths_are_read_only_inside_the_folder(tmp_path, cli):
    secret = tmp_path / "secret.md"
    secret.write_text("---\nlicense: llama2\n---\n")
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").symlink_to(secret)  # a link pointing outside the folder is not followed
    res = cli("chain", str(model), "--offline", "--format", "json")
    doc = res.json()
    assert doc["graph"]["nodes"][0]["license"]["license"] is None


policy_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**10) | st.text(max_size=20) | st.dates().map(str),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "use",
                    "internal",
                    "mau",
                    "teacher",
                    "student",
                    "name",
                    "rule",
                    "clause",
                    "subject",
                    "reason",
                    "approver",
                    "ticket",
                    "expires",
                    "allow",
                    "deny",
                    "method",
                    "eu",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=15,
)


@settings(
    max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["version", "strictness", "rules", "defaults", "licenses", "models", "plans", "waivers", "bogus"]
        ),
        policy_values,
        max_size=6,
    )
)
def test_fuzz_policy_loader_structured(tmp_path_factory, data):
    import yaml

    from licheck.policy import load_policy

    path = tmp_path_factory.mktemp("pol") / "licheck.yaml"
    path.write_text(yaml.safe_dump(data))
    try:
        load_policy(path)
    except LicheckError:
        pass


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=yaml_chars, max_size=300))
def test_fuzz_policy_loader_raw_text(tmp_path_factory, text):
    from licheck.policy import load_policy

    path = tmp_path_factory.mktemp("pol") / "licheck.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_policy(path)
    except LicheckError:
        pass
