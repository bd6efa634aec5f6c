"""The organisation policy (licheck.yaml / [tool.licheck]): loading, schema errors with file:line, waivers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from licheck.domain import Finding, LicenseInfo, ModelNode
from licheck.policy import Policy, PolicyError, Waiver, find_policy, load_policy
from licheck.rules.ruleset import load_rules

GOOD = """\
version: 1
strictness: cautious
defaults:
  use: research
  distribution: internal
  mau: 1000
licenses:
  allow: [apache-2.0, mit, llama3.1]
  deny: ["cc-by-nc-*"]
models:
  deny: ["openai/*"]
plans:
  - name: llama-into-mistral
    teacher: meta-llama/Llama-3.1-8B
    student: mistralai/Mistral-7B-v0.1
    use: commercial
    internal: false
  - name: local-teacher
    teacher: ./models/teacher
waivers:
  - rule: llama-3.1
    clause: LLAMA31-1bi-NAME
    subject: ./models/qwen-distill
    reason: legal_approved
    approver: jane@example.com
    ticket: LEGAL-1
    expires: 2030-06-30
"""


def write(tmp_path: Path, text: str, name: str = "licheck.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_full_policy_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    p = load_policy(write(tmp_path, GOOD))
    assert p.strictness == "cautious" and p.or_as_and and not p.review_fails
    assert p.defaults == {"use": "research", "mau": 1000, "internal": True}
    first, local = p.plans
    # Plan facts override the defaults; facts a plan leaves out come from them.
    assert (first.plan.use, first.plan.internal, first.plan.mau) == ("commercial", False, 1000)
    assert (local.plan.use, local.plan.internal, local.plan.student) == ("research", True, None)
    assert local.plan.teacher == "./models/teacher"
    assert (first.line, first.teacher_line, first.student_line) == (13, 14, 15)
    (w,) = p.waivers
    assert w.expires == dt.date(2030, 6, 30) and w.line == 21 and w.reason == "legal_approved"
    assert p.model_denied(["api:openai/gpt-4o", "openai/gpt-4o"]) == "openai/*"
    assert p.model_allowed(["anything"])  # no allow list: everything is allowed


def test_local_plan_paths_are_relative_to_the_policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    write(repo, "plans:\n  - name: t\n    teacher: ./models/teacher\n")
    monkeypatch.chdir(tmp_path)
    (spec,) = load_policy(repo / "licheck.yaml").plans
    assert spec.plan.teacher == "./repo/models/teacher"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("plans:\n  - name: a\n    teachr: x/y\n", 3, "unknown key 'teachr'"),
        ("plans:\n  - name: a\n    teacher: x/y\n    use: commerce\n", 4, "'commerce' is not one of"),
        ("plans:\n  - name: a\n    teacher: x/y\n    mau: -5\n", 4, "plans/0/mau"),
        ("defaults: &d\n  use: research\nplans: *d\n", 3, "aliases are not allowed"),
        ("plans:\n  - name: a\n    teacher: x/y\n  - name: a\n    teacher: x/z\n", 4, "duplicate plan name 'a'"),
        ("plans:\n  - name: a\n   teacher: x/y\n", 3, ""),
        ("plans:\n  - name: a\n    teacher: 'bad id!!'\n", 3, "not a Hugging Face repo id"),
        ("strictness: lenient\n", 1, "strictness"),
        ("defaults:\n  internal: true\n  distribution: internal\n", 2, "either internal or distribution"),
        ("rules: [no-such-folder]\n", 1, "rule folder not found"),
        ("- just\n- a list\n", 1, "must be a mapping"),
        (
            "waivers:\n  - rule: x\n    clause: y\n    subject: z\n    reason: because\n"
            "    approver: a\n    ticket: t\n    expires: 2030-01-01\n",
            5,
            "'because' is not one of",
        ),
        (
            "waivers:\n  - rule: x\n    clause: y\n    subject: z\n    reason: legal_approved\n"
            "    approver: a\n    ticket: t\n",
            2,
            "'expires' is a required property",
        ),
        (
            "waivers:\n  - rule: x\n    clause: y\n    subject: z\n    reason: legal_approved\n"
            "    approver: a\n    ticket: t\n    expires: next year\n",
            8,
            "waivers/0/expires",
        ),
    ],
)
def test_malformed_policy_names_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: int, needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PolicyError) as err:
        load_policy(write(tmp_path, text))
    assert err.value.line == line, str(err.value)
    assert str(err.value).startswith(f"licheck.yaml:{line}: ")
    assert needle in str(err.value)


def test_empty_policy_is_the_default(tmp_path: Path) -> None:
    p = load_policy(write(tmp_path, "# nothing yet\n"))
    assert p.plans == [] and p.strictness == "standard" and p.base == tmp_path.resolve()


PYPROJECT = """\
[project]
name = "demo"

[tool.licheck]
strictness = "paranoid"

[tool.licheck.defaults]
use = "research"

[[tool.licheck.plans]]
name = "a"
teacher = "meta-llama/Llama-2-7b-chat-hf"

[[tool.licheck.plans]]
name = "b"
teacher = "openai/gpt-4o"
method = "telepathy"
"""


def test_pyproject_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, PYPROJECT.replace("telepathy", "logits"), "pyproject.toml")
    p = load_policy(path)
    assert p.review_fails and [s.name for s in p.plans] == ["a", "b"]
    assert p.plans[0].plan.use == "research" and p.plans[1].plan.method == "logits"
    assert p.plans[1].line == 14 and p.plans[1].teacher_line == 16


def test_pyproject_errors_point_at_the_toml_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PolicyError) as err:
        load_policy(write(tmp_path, PYPROJECT, "pyproject.toml"))
    assert str(err.value).startswith("pyproject.toml:17: plans/1/method")
    with pytest.raises(PolicyError) as err:
        load_policy(write(tmp_path, "[tool.licheck]\nstrictness = \n", "pyproject.toml"))
    assert str(err.value).startswith("pyproject.toml:2: invalid TOML")


def test_find_policy_walks_up_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "models" / "m").mkdir(parents=True)
    write(tmp_path, "strictness: paranoid\n")  # above the repository: never used
    assert find_policy(repo / "models" / "m") is None
    write(repo, '[project]\nname = "x"\n', "pyproject.toml")
    assert find_policy(repo / "models" / "m") is None  # a pyproject without [tool.licheck] is not a policy
    write(repo, '[project]\nname = "x"\n[tool.licheck]\nstrictness = "cautious"\n', "pyproject.toml")
    assert find_policy(repo / "models" / "m") == (repo / "pyproject.toml").resolve()
    write(repo, "strictness: paranoid\n")
    assert find_policy(repo / "models" / "m" / "README.md") == (repo / "licheck.yaml").resolve()


def _finding(rule: str, clause: str | None, node: str, reason: str = "x") -> Finding:
    return Finding(rule, clause, None, "forbid", node, [node], None, None, reason)


def test_waivers_are_keyed_by_rule_clause_and_subject_never_by_message() -> None:
    w = Waiver(
        "llama-2", "LLAMA2-1bv", "meta-llama/Llama-2-7b-chat-hf", "licence_acquired", "a", "T-1", dt.date(2030, 1, 1)
    )
    assert w.matches(_finding("llama-2", "LLAMA2-1bv", "meta-llama/llama-2-7b-chat-hf", "any text at all"))
    assert not w.matches(_finding("llama-2", "LLAMA2-1bi", "meta-llama/Llama-2-7b-chat-hf"))
    assert not w.matches(_finding("llama-3", "LLAMA2-1bv", "meta-llama/Llama-2-7b-chat-hf"))
    assert not w.matches(_finding("llama-2", "LLAMA2-1bv", "meta-llama/Llama-2-13b-chat-hf"))
    assert not w.expired(dt.date(2030, 1, 1)) and w.expired(dt.date(2030, 1, 2))
    null_clause = Waiver("licheck", None, "org/x", "legal_approved", "a", "T-2", dt.date(2030, 1, 1))
    assert null_clause.matches(_finding("licheck", None, "org/x"))


def _node(*card: str, **info: str) -> ModelNode:
    return ModelNode(id="org/x", kind="model", license=LicenseInfo(card=list(card), **info))


def test_licence_lists_match_rules_names_and_globs_and_fail_closed() -> None:
    rules = load_rules()
    dual = _node("apache-2.0 OR cc-by-nc-4.0")
    for deny in (["cc-by-nc-4.0"], ["CC-BY-NC-*"]):  # a rule id or a glob, case-insensitive
        policy = Policy(deny_licenses=deny)
        assert policy.licence_verdict(_node("cc-by-nc-4.0"), rules) == (
            "license-deny",
            "licence cc-by-nc-4.0 of org/x is on the policy's deny list",
        )
        assert policy.licence_verdict(dual, rules) is None  # the licensee may choose the alternative not denied
        assert policy.licence_verdict(_node("llama2"), rules) is None
    allow = Policy(allow_licenses=["apache-2.0"])
    assert allow.licence_verdict(dual, rules) is None  # one alternative wholly allowed
    assert allow.licence_verdict(_node("llama2"), rules) == (
        "license-not-allowed",
        "licence llama-2 of org/x is not on the policy's allow list",  # the Hub id names its rule
    )
    assert Policy(allow_licenses=["llama-*"]).licence_verdict(_node("llama2"), rules) is None  # glob over rule ids
    # Nothing declared, or terms no rule knows, are never "allowed".
    assert allow.licence_verdict(_node(), rules) == (
        "license-not-allowed",
        "licence no licence of org/x is not on the policy's allow list",
    )
    assert allow.licence_verdict(_node("other", license_name="my-own-terms"), rules)[0] == "license-not-allowed"
    assert Policy().licence_verdict(_node(), rules) is None  # no lists: nothing to say
