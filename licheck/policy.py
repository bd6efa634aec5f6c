"""Organisation policy for `licheck check`: licheck.yaml (or `[tool.licheck]` in pyproject.toml).

Why a separate, schema-validated file: the policy decides whether a commit is blocked, so a typo in it must be a
loud error with file and line (exit 2), never a silently ignored key. Waivers are keyed by rule id, clause id and
subject (node id) -- never by message text, which changes between releases -- and every waiver expires, so an
exception granted once cannot outlive its reason unnoticed.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from licheck import yamlsafe
from licheck.domain import Finding, Plan
from licheck.engine.facts import FACT_NAMES
from licheck.errors import DataFileError, LicheckError

if TYPE_CHECKING:
    from licheck.domain import ModelNode
    from licheck.rules.ruleset import Identification, RuleSet

POLICY_FILE = "licheck.yaml"
PYPROJECT = "pyproject.toml"
STRICTNESS = ("standard", "cautious", "paranoid")
WAIVER_REASONS = ("licence_acquired", "legal_approved", "not_distributed")
PLAN_FACTS = FACT_NAMES  # plan keys of policy files and licheck.yaml plans: the registry's names
MAX_POLICY_BYTES = 1024 * 1024


class PolicyError(DataFileError):
    """The policy file is unreadable, not valid YAML/TOML, or does not match licheck/schemas/policy.schema.json."""


@dataclass(frozen=True)
class Waiver:
    """An accepted exception for one finding: which rule/clause on which subject, why, who, and until when."""

    rule: str
    clause: str | None
    subject: str
    reason: str
    approver: str
    ticket: str
    expires: _dt.date
    line: int | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        return f"{self.rule} {self.clause or '-'} {self.subject}"

    def expired(self, today: _dt.date) -> bool:
        return today > self.expires

    def matches(self, finding: Finding) -> bool:
        return (
            self.rule == finding.rule
            and (self.clause or None) == (finding.clause or None)
            and self.subject.lower() == finding.node.lower()
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "clause": self.clause,
            "subject": self.subject,
            "reason": self.reason,
            "approver": self.approver,
            "ticket": self.ticket,
            "expires": self.expires.isoformat(),
        }
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class PlanSpec:
    """One `plans:` entry, with the lines where it, its teacher and its student are written (for SARIF)."""

    name: str
    plan: Plan
    line: int | None = None
    teacher_line: int | None = None
    student_line: int | None = None
    student_dir: Path | None = None  # the folder the student is released from (its card, NOTICE, licence files)


@dataclass
class Policy:
    path: Path | None = None  # None: no policy file, built-in defaults
    base: Path = field(default_factory=Path.cwd)  # folder of the policy file: relative paths start here
    strictness: str = "standard"
    defaults: dict[str, Any] = field(default_factory=dict)
    rules_dirs: list[Path] = field(default_factory=list)
    allow_licenses: list[str] = field(default_factory=list)
    deny_licenses: list[str] = field(default_factory=list)
    allow_models: list[str] = field(default_factory=list)
    deny_models: list[str] = field(default_factory=list)
    plans: list[PlanSpec] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    defaults_line: int | None = None

    @property
    def or_as_and(self) -> bool:
        """cautious and paranoid apply every alternative of an OR licence instead of the least restrictive one."""
        return self.strictness in ("cautious", "paranoid")

    @property
    def review_fails(self) -> bool:
        return self.strictness == "paranoid"

    def plan_defaults(self) -> dict[str, Any]:
        """Plan facts for model cards and for plans that leave a fact out."""
        return dict(self.defaults)

    def make_plan(self, teacher: str, student: str | None, facts: dict[str, Any]) -> Plan:
        merged = {**self.defaults, **{k: v for k, v in facts.items() if k in PLAN_FACTS}}
        return Plan(teacher=teacher, student=student, **merged)

    def waiver_for(self, finding: Finding) -> Waiver | None:
        """The first waiver keyed to this finding (expired ones included: the caller decides what expiry means)."""
        return next((w for w in self.waivers if w.matches(finding)), None)

    def model_denied(self, ids: list[str]) -> str | None:
        return _first_match(self.deny_models, ids)

    def model_allowed(self, ids: list[str]) -> bool:
        return not self.allow_models or _first_match(self.allow_models, ids) is not None

    def licence_verdict(self, node: ModelNode, rules: RuleSet) -> tuple[str, str] | None:
        """(clause, reason) when the node's licence is denied or not allowed by the licence lists.

        Entries are globs over rule ids and Hub/SPDX/licence names; a choice (OR) is fine while one alternative
        avoids every denied licence (with one alternative that is "any"), and allowed when one is wholly allowed.
        """
        groups = _licence_groups(rules.identify(node), rules)
        names = _licence_names(node)
        raw_denied = [n for n in names if _first_match(self.deny_licenses, [n])]
        if self.deny_licenses:
            if raw_denied or (
                groups and all(any(_rule_matches(r, self.deny_licenses, rules) for r in g) for g in groups)
            ):
                denied = raw_denied or [r for g in groups for r in g if _rule_matches(r, self.deny_licenses, rules)]
                return "license-deny", f"licence {denied[0]} of {node.id} is on the policy's deny list"
        if self.allow_licenses:
            raw_ok = _first_match(self.allow_licenses, names) is not None
            group_ok = any(g and all(_rule_matches(r, self.allow_licenses, rules) for r in g) for g in groups)
            if not (group_ok or (raw_ok and not groups)):
                shown = ", ".join(r for g in groups for r in g) or ", ".join(names) or "no licence"
                return "license-not-allowed", f"licence {shown} of {node.id} is not on the policy's allow list"
        return None

    def relpath(self, path: Path) -> str:
        return display_path(path, self.base)


def display_path(path: Path, base: Path) -> str:
    """POSIX path relative to `base` when it lies below it (what SARIF and humans want), else absolute."""
    p = path.resolve()
    try:
        rel = p.relative_to(base.resolve())
    except ValueError:
        return p.as_posix()
    return rel.as_posix() or "."


def _first_match(patterns: list[str], ids: list[str]) -> str | None:
    """Hub ids are case-insensitive, so the globs are too."""
    for pat in patterns:
        low = pat.lower()
        for i in ids:
            if i and fnmatch.fnmatchcase(i.lower(), low):
                return pat
    return None


def _licence_names(node: ModelNode) -> list[str]:
    lic = node.license
    return [v.lower() for v in [*lic.card, *lic.tags, lic.license_name or ""] if v]


def _resolve_entry(entry: str, rules: RuleSet) -> str | None:
    low = entry.lower()
    if low in rules.rules:
        return low
    return rules.by_hub.get(low) or rules.by_spdx.get(low) or rules.by_name.get(low)


def _rule_matches(rid: str, patterns: list[str], rules: RuleSet) -> bool:
    return any(_first_match([p], [rid]) or _resolve_entry(p, rules) == rid for p in patterns)


def _licence_groups(ident: Identification, rules: RuleSet) -> list[list[str]]:
    """Each alternative's licences, without what they only pull in (`includes:` such as an AUP)."""
    bound = [s for s in ident.statements if (r := rules.get(s)) is not None and r.kind == "licence"]
    groups = []
    for g in ident.groups or ([[]] if bound else []):
        included = {i for rid in g if (r := rules.get(rid)) for i in rules.with_includes(list(r.includes))}
        groups.append([rid for rid in dict.fromkeys(g + bound) if rid not in included])
    return groups


# -- finding the file ----------------------------------------------------------------------------------------------
def find_policy(start: Path) -> Path | None:
    """licheck.yaml, else a pyproject.toml with [tool.licheck], from `start` up to the repository root (.git)."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / POLICY_FILE
        if candidate.is_file():
            return candidate
        py = folder / PYPROJECT
        if py.is_file() and _has_tool_table(py):
            return py
        if (folder / ".git").exists():
            break
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\[?\s*tool\.licheck\b", text, re.M) is not None


# -- loading ------------------------------------------------------------------------------------------------------
def load_policy(path: Path | None) -> Policy:
    """The policy at `path` (licheck.yaml or pyproject.toml), or the built-in defaults when `path` is None."""
    if path is None:
        return Policy()
    shown = display_path(path, Path.cwd())
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyError(f"cannot read the policy file ({exc.strerror or type(exc).__name__})", path=shown) from None
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyError(f"policy file larger than {MAX_POLICY_BYTES} bytes", path=shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError("the policy file is not UTF-8", path=shown) from None
    if path.name == PYPROJECT:
        data, line_of = _read_pyproject(text, shown)
    else:
        data, line_of = _read_yaml(text, shown)
    return parse_policy(data, path, line_of, shown)


LineOf = Callable[[list[Any]], "int | None"]


def _read_yaml(text: str, shown: str) -> tuple[dict[str, Any], LineOf]:
    from licheck.rules.ruleset import line_of

    try:
        data = yamlsafe.load(text, max_bytes=MAX_POLICY_BYTES)
    except yamlsafe.YamlError as exc:
        raise PolicyError(str(exc).splitlines()[0], path=shown, line=exc.line) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PolicyError("the policy must be a mapping (key: value)", path=shown, line=1)
    return data, lambda elems: line_of(text, elems)


def _read_pyproject(text: str, shown: str) -> tuple[dict[str, Any], LineOf]:
    try:
        import tomllib as toml
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as toml  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise PolicyError(
                "reading [tool.licheck] needs Python 3.11+ (or tomli); use licheck.yaml", path=shown
            ) from None
    try:
        doc = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise PolicyError(f"invalid TOML: {exc}", path=shown, line=int(m.group(1)) if m else None) from None
    tool = doc.get("tool")
    data = tool.get("licheck", {}) if isinstance(tool, dict) else {}
    if not isinstance(data, dict):
        raise PolicyError("[tool.licheck] must be a table", path=shown, line=_toml_line(text, []))
    return data, lambda elems: _toml_line(text, elems)


def _toml_line(text: str, elems: list[Any]) -> int | None:
    """Best-effort line of tool.licheck.<elems> in a pyproject.toml: the deepest table header or key that matches.

    TOML parsers keep no positions; this follows `[table]`, `[[array.of.tables]]` (counting entries) and `key =`
    lines, which is where a policy's keys are written in practice.
    """
    target = ["tool", "licheck", *elems]
    current: list[Any] = []
    counters: dict[tuple[str, ...], int] = {}
    best, best_len = None, 0
    header = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
    key_re = re.compile(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")
    for number, line in enumerate(text.splitlines(), 1):
        m = header.match(line)
        if m:
            name = [p.strip().strip("\"'") for p in m.group(2).split(".")]
            if m.group(1) == "[[":
                counters[tuple(name)] = counters.get(tuple(name), -1) + 1
                current = [*name, counters[tuple(name)]]
            else:
                current = name
            candidate = current
        else:
            k = key_re.match(line)
            if not k:
                continue
            candidate = [*current, k.group(1).strip("\"'")]
        n = len(candidate)
        if n > best_len and candidate == target[:n]:
            best, best_len = number, n
    return best


def _plain(value: Any) -> Any:
    """Dates become ISO strings and keys strings, so the JSON Schema sees JSON types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]
    return value


_VALIDATOR: Any = None


_SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "policy.schema.json"


def _validator() -> Any:
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema

        schema = json.loads(_SCHEMA_PATH.read_text("utf-8"))
        _VALIDATOR = jsonschema.Draft202012Validator(schema)
    return _VALIDATOR


def validate(data: dict[str, Any], shown: str, line_of: LineOf) -> dict[str, Any]:
    """Schema-check; the first error (by position) becomes one message with file and line."""
    data = _plain(data)
    from licheck.rules.compiled import known_valid, remember_valid

    if known_valid(_SCHEMA_PATH, data):
        return data
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        remember_valid(_SCHEMA_PATH, data)
    if errors:
        err = errors[0]
        elems = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set((err.schema or {}).get("properties", {}))
            extra = [k for k in err.instance if k not in allowed]
            if extra:
                elems.append(extra[0])
                err_msg = f"unknown key {extra[0]!r}"
            else:
                err_msg = err.message
        elif err.validator == "not" and isinstance(err.instance, dict):
            err_msg = "give either internal or distribution, not both"
        else:
            err_msg = err.message
        where = "/".join(str(p) for p in elems) or "(top)"
        raise PolicyError(f"{where}: {err_msg[:200]}", path=shown, line=line_of(elems))
    return data


def _facts(raw: dict[str, Any]) -> dict[str, Any]:
    out = {k: raw[k] for k in PLAN_FACTS if k in raw}
    if "distribution" in raw:
        out["internal"] = raw["distribution"] == "internal"
    return out


def parse_policy(data: dict[str, Any], path: Path, line_of: LineOf, shown: str | None = None) -> Policy:
    """Validate and build the policy; `shown` is how error messages name the file."""
    from licheck.engine.plancheck import plan_problem
    from licheck.provenance.ids import parse_subject

    shown = shown or str(path)
    data = validate(data, shown, line_of)
    base = path.resolve().parent
    policy = Policy(path=path, base=base, strictness=data.get("strictness", "standard"))
    policy.defaults = _facts(data.get("defaults") or {})
    policy.defaults_line = line_of(["defaults"]) if "defaults" in data else None
    for i, folder in enumerate(data.get("rules") or []):
        p = (base / folder).resolve()
        if not p.is_dir():
            raise PolicyError(f"rules/{i}: rule folder not found: {folder}", path=shown, line=line_of(["rules", i]))
        policy.rules_dirs.append(p)
    policy.allow_licenses = list((data.get("licenses") or {}).get("allow") or [])
    policy.deny_licenses = list((data.get("licenses") or {}).get("deny") or [])
    policy.allow_models = list((data.get("models") or {}).get("allow") or [])
    policy.deny_models = list((data.get("models") or {}).get("deny") or [])
    seen: dict[str, int | None] = {}
    for i, raw in enumerate(data.get("plans") or []):
        line = line_of(["plans", i])
        name = raw["name"]
        if name in seen:
            raise PolicyError(
                f"plans/{i}: duplicate plan name {name!r} (first at line {seen[name]})", path=shown, line=line
            )
        seen[name] = line
        for key in ("teacher", "student"):
            value = raw.get(key)
            if value is None:
                continue
            try:
                parse_subject(value)
            except LicheckError as exc:
                raise PolicyError(f"plans/{i}/{key}: {exc}", path=shown, line=line_of(["plans", i, key])) from None
        student = raw.get("student")
        plan = policy.make_plan(
            _local_ref(raw["teacher"], base), _local_ref(student, base) if student else None, _facts(raw)
        )
        problem = plan_problem(plan)  # bad input in licheck.yaml: an error naming file, line and plan (exit 2)
        if problem is not None:
            raise PolicyError(f"plans/{i} ({name!r}): {problem}", path=shown, line=line)
        folder = _student_dir(raw.get("student_dir"), base, shown, line_of(["plans", i, "student_dir"]), i)
        policy.plans.append(
            PlanSpec(name, plan, line, line_of(["plans", i, "teacher"]), line_of(["plans", i, "student"]), folder)
        )
    for i, raw in enumerate(data.get("waivers") or []):
        line = line_of(["waivers", i])
        try:
            expires = _dt.date.fromisoformat(raw["expires"])
        except ValueError:
            raise PolicyError(
                f"waivers/{i}/expires: not a date: {raw['expires']!r}",
                path=shown,
                line=line_of(["waivers", i, "expires"]),
            ) from None
        policy.waivers.append(
            Waiver(
                rule=raw["rule"],
                clause=raw.get("clause"),
                subject=raw["subject"],
                reason=raw["reason"],
                approver=raw["approver"],
                ticket=raw["ticket"],
                expires=expires,
                line=line,
                note=raw.get("note"),
            )
        )
    return policy


def _student_dir(value: str | None, base: Path, shown: str, line: int | None, i: int) -> Path | None:
    """A plan's `student_dir`: a folder inside the repository (relative to the policy file), never outside it."""
    if value is None:
        return None
    folder = (base / value).resolve()
    if Path(value).is_absolute() or not folder.is_relative_to(base):
        raise PolicyError(
            f"plans/{i}/student_dir: must be a folder inside the repository: {value}", path=shown, line=line
        )
    return folder


def _local_ref(value: str, base: Path) -> str:
    """A plan's local folder (./model) is relative to the policy file, not to wherever licheck was started."""
    if not value.startswith(("./", "../")):
        return value
    import os

    rel = os.path.relpath((base / value).resolve(), Path.cwd())
    rel = Path(rel).as_posix()
    return rel if rel.startswith(("../", "/")) else "./" + rel
