"""`check_repo`: check a repository's model cards, declared distillation plans and (optionally) Python code.

Why a repository check on top of `audit`: licences are broken at publication time -- a Llama fine-tune pushed as
`license: mit`, a student named without the required prefix, a release without the licence copy or NOTICE file.
Those are facts of the repository, so they are checked where the repository is written (pre-commit, CI), against
the same provenance graph and rule library `licheck audit` uses. A model card is treated as a local model whose
ancestors bind it through its weights; each plan in licheck.yaml is audited exactly as `licheck audit` would.
No printing here: the CLI renders the report.
"""

from __future__ import annotations

import ast
import datetime as _dt
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck import SCHEMA_VERSION, __version__
from licheck.domain import VERDICT_RANK, WEIGHT_RELATIONS, Finding, Graph, ModelNode, Plan
from licheck.errors import EXIT_ERROR, EXIT_FORBIDDEN, EXIT_OK, EXIT_REVIEW, LicheckError, UsageError
from licheck.evidence import UNREAD
from licheck.policy import PlanSpec, Policy, Waiver, display_path
from licheck.rules import Identification, RuleSet
from licheck.service import Options, Session
from licheck.textsafe import clean_lines

TOOL = "licheck"  # rule id of findings about the repository itself (as the engine's tool findings)
POLICY_RULE = "policy"  # rule id of findings the organisation policy raises
# Front-matter keys that make a README.md a model card (a docs page with `title:` front matter is not one).
MODEL_CARD_KEYS = frozenset(
    {
        "license",
        "license_name",
        "license_link",
        "base_model",
        "base_model_relation",
        "model_name",
        "model-index",
        "library_name",
        "pipeline_tag",
    }
)
DATASET_CARD_KEYS = frozenset({"task_categories", "task_ids", "size_categories", "dataset_info", "configs"})
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "build", "dist"})
NAME_PREFIX_FLAGS = frozenset({"name_prefix_required"})
NOTICE_FLAGS = frozenset({"notice_file_required"})
LICENSE_COPY_FLAGS = frozenset({"license_copy_required", "licence_copy_required", "built_with_llama"})
MAX_CARD_BYTES = 512 * 1024
MAX_SOURCE_BYTES = 1024 * 1024
MAX_TEXT_FILE_BYTES = 1024 * 1024
# Calls that load a model by Hub id, and the keyword that carries the id (else the first positional argument).
LOADERS: dict[str, tuple[str, bool]] = {
    "from_pretrained": ("pretrained_model_name_or_path", True),
    "hf_hub_download": ("repo_id", True),
    "snapshot_download": ("repo_id", True),
    "pipeline": ("model", False),  # pipeline("text-generation", model="org/name"): keyword only
}


@dataclass
class CheckOptions:
    """How to check: sources (offline, cache, rule folders), strictness and which parts to run."""

    service: Options = field(default_factory=Options)
    strict: bool = False  # review fails (exit 3), as policy strictness `paranoid` does
    scan_code: bool = False
    today: _dt.date | None = None  # waiver expiry is judged against this day (tests pin it)


@dataclass(frozen=True)
class Location:
    uri: str
    line: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uri": self.uri}
        if self.line is not None:
            out["line"] = self.line
        return out


@dataclass
class CheckFinding:
    """A finding plus where it points in the repository, and whether `check` or the policy raised it."""

    finding: Finding
    location: Location | None = None
    violation: bool = False  # a repository or policy violation found by `check` (not a licence clause outcome)
    waiver: Waiver | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.finding.to_json()
        if self.location is not None:
            out["location"] = self.location.to_json()
        if self.finding.obligation:
            out["obligation"] = self.finding.obligation
        if self.violation:
            out["violation"] = True
        if self.waiver is not None:
            out["waiver"] = self.waiver.to_json()
        return out


@dataclass
class CheckResult:
    kind: str  # card | plan | code | policy
    path: str  # repository-relative POSIX path of the file the result is about
    line: int | None
    subject: str  # card: ./folder; plan: its name; code: the model id; policy: the policy file
    findings: list[CheckFinding] = field(default_factory=list)  # active (not waived)
    waived: list[CheckFinding] = field(default_factory=list)
    verdict: str = "permitted"
    obligations: list[dict[str, str]] = field(default_factory=list)
    graph: Graph | None = None
    plan: Plan | None = None
    sources: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the result could not be computed (tool error: exit 2)
    detail: str | None = None  # one line for humans (plan: teacher -> student)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "subject": self.subject,
            "verdict": self.verdict,
            "findings": [f.to_json() for f in self.findings],
            "waived": [f.to_json() for f in self.waived],
            "obligations": self.obligations,
        }
        if self.plan is not None:
            out["plan"] = self.plan.to_json()
        if self.detail:
            out["detail"] = self.detail
        if self.graph is not None:
            out["root"] = self.graph.root
        if self.warnings:
            out["warnings"] = self.warnings
        if self.error:
            out["error"] = self.error
        return out

    def audit_doc(self, rules_version: str, generated_at: str) -> dict[str, Any]:
        """The result as an audit JSON document (report.audit_json shape) for licheck.formats.render."""
        plan = self.plan or Plan(teacher=self.subject)
        graph = self.graph or Graph(root=self.subject)
        flags: list[str] = []
        for f in self.findings:
            if f.finding.flag and f.finding.flag not in flags:
                flags.append(f.finding.flag)
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "rules_version": rules_version,
            "generated_at": generated_at,
            "query": plan.to_json(),
            "verdict": self.verdict,
            "obligations": self.obligations,
            "findings": [f.to_json() for f in self.findings],
            "flags": flags,
            "graph": graph.to_json(),
            "root": graph.root,
            "warnings": self.warnings,
            "sources": self.sources,
            "kind": self.kind,
            "path": self.path,
            "line": self.line,
            "subject": self.subject,
            "waived": [f.to_json() for f in self.waived],
        }


@dataclass
class CheckReport:
    results: list[CheckResult]
    policy: Policy
    strict: bool
    rules_version: str
    offline: bool

    @property
    def review_fails(self) -> bool:
        return self.strict or self.policy.review_fails

    @property
    def exit_code(self) -> int:
        """2 a result could not be computed; 1 forbidden or a violation; 3 review under --strict/paranoid; 0."""
        if any(r.error for r in self.results):
            return EXIT_ERROR
        if any(r.verdict == "forbidden" for r in self.results):
            return EXIT_FORBIDDEN
        if self.review_fails and any(r.verdict == "review" for r in self.results):
            return EXIT_REVIEW
        return EXIT_OK

    def summary(self) -> dict[str, Any]:
        verdicts = {v: 0 for v in ("permitted", "conditional", "review", "forbidden")}
        kinds: dict[str, int] = {}
        for r in self.results:
            verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        return {
            "results": len(self.results),
            "by_kind": kinds,
            "by_verdict": verdicts,
            "violations": sum(1 for r in self.results for f in r.findings if f.violation),
            "waived": sum(len(r.waived) for r in self.results),
            "expired_waivers": sum(1 for r in self.results for f in r.findings if f.finding.flag == "waiver_expired"),
            "errors": sum(1 for r in self.results if r.error),
            "strict": self.review_fails,
            "strictness": self.policy.strictness,
            "policy": self.policy.relpath(self.policy.path) if self.policy.path else None,
            "offline": self.offline,
            "rules_version": self.rules_version,
            "exit_code": self.exit_code,
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "results": [r.to_json() for r in self.results],
            "summary": self.summary(),
        }

    def audit_docs(self) -> list[dict[str, Any]]:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return [r.audit_doc(self.rules_version, stamp) for r in self.results]


class EveryAlternativeRuleSet(RuleSet):
    """cautious/paranoid policies: an OR licence binds with all its alternatives.

    The engine shows the least restrictive alternative of `A OR B` (the licensee may choose); an organisation that
    does not want to rely on having made that choice applies every alternative, i.e. treats OR as AND.
    """

    def __init__(self, base: RuleSet) -> None:  # a view of `base`, not a reload of the rule files
        self.__dict__.update(base.__dict__)

    def identify(self, node: ModelNode) -> Identification:
        ident = super().identify(node)
        if len(ident.groups) > 1:
            ident.groups = [ident.rule_ids]
            ident.notes.append("OR licence treated as AND (policy strictness)")
        return ident


# -- the check ----------------------------------------------------------------------------------------------------
@dataclass
class _Ctx:
    options: CheckOptions
    policy: Policy
    rules: RuleSet
    today: _dt.date
    session: Session | None = None

    def open_session(self) -> Session:
        if self.session is None:
            self.session = Session.open(self.options.service)
        return self.session

    def rel(self, path: Path) -> str:
        return display_path(path, self.policy.base)


def check_repo(paths: list[Path], options: CheckOptions | None = None, policy: Policy | None = None) -> CheckReport:
    """Check model cards (and plans, and code) found under `paths`; `policy` from licheck.policy.load_policy."""
    from licheck.rules import load_rules

    options = options or CheckOptions()
    policy = policy or Policy()
    rules = load_rules(list(options.service.rules_dirs) + list(policy.rules_dirs))
    if policy.or_as_and:
        rules = EveryAlternativeRuleSet(rules)
    ctx = _Ctx(options, policy, rules, options.today or _dt.date.today())
    readmes, sources, run_plans = discover(paths or [Path(".")], policy.path, scan_code=options.scan_code)

    results: list[CheckResult] = []
    used: set[Waiver] = set()

    def finish(res: CheckResult) -> CheckResult:
        _apply_policy_lists(res, ctx)
        used.update(_apply_waivers(res, ctx))
        _settle(res)
        results.append(res)
        return res

    for readme in readmes:
        card = _check_card(readme, ctx)
        if card is not None:
            finish(card)
    plan_results = {spec.name: finish(_check_plan(spec, ctx)) for spec in (policy.plans if run_plans else [])}
    if options.scan_code:
        for res in _check_code(sources, ctx, plan_results):
            finish(res)
    policy_result = _policy_result(ctx, used, run_plans)
    if policy_result is not None:
        _settle(policy_result)
        results.append(policy_result)
    return CheckReport(results, policy, options.strict, rules.version, _offline(options.service))


def _offline(options: Options) -> bool:
    from licheck.service import env_flag

    return options.offline or env_flag("HF_HUB_OFFLINE") or env_flag("TRANSFORMERS_OFFLINE")


# -- discovery ----------------------------------------------------------------------------------------------------
def _skip_dir(path: Path, name: str) -> bool:
    return (
        name.startswith(".")
        or name in SKIP_DIRS
        or name.endswith(".egg-info")
        or (path / "pyvenv.cfg").exists()  # a virtual environment under any name
    )


def discover(paths: list[Path], policy_path: Path | None, *, scan_code: bool) -> tuple[list[Path], list[Path], bool]:
    """README.md files, Python files (with scan_code) and whether the plans belong to what was asked for.

    Plans run when the policy file lies inside a folder given (the whole repository), or is itself given;
    a per-card invocation (pre-commit's licheck-card) checks only the cards it was handed.
    """
    readmes: list[Path] = []
    py: list[Path] = []
    run_plans = False
    policy_real = policy_path.resolve() if policy_path else None
    for p in paths:
        if not p.exists():
            raise UsageError(f"no such file or folder: {p}")
        if p.is_dir():
            root = p.resolve()
            if policy_real is not None and (root == policy_real.parent or root in policy_real.parents):
                run_plans = True
            for dirpath, dirnames, filenames in os.walk(p):
                here = Path(dirpath)
                dirnames[:] = sorted(d for d in dirnames if not _skip_dir(here / d, d))
                for name in sorted(filenames):
                    f = here / name
                    if name == "README.md":  # links and FIFOs too: _read_card reports them, never opens them
                        readmes.append(f)
                    elif scan_code and name.endswith(".py"):
                        py.append(f)
        elif policy_real is not None and p.resolve() == policy_real:
            run_plans = True
        elif p.name == "README.md":
            readmes.append(p)
        elif scan_code and p.suffix == ".py":
            py.append(p)
    return _unique(readmes), _unique(py), run_plans


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out: list[Path] = []
    for p in paths:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            out.append(p)
    return out


# -- model cards ----------------------------------------------------------------------------------------------------
@dataclass
class _Card:
    """What the check needs from one README.md: its text, front matter, and where the front matter's keys are."""

    readme: Path
    text: str
    data: dict[str, Any]
    offset: int  # file line of the opening `---`
    front: str  # the YAML between the fences

    def key_line(self, key: str) -> int | None:
        from licheck.rules import line_of

        if key not in self.data:
            return None
        line = line_of(self.front, [key])
        return self.offset + line if line else None

    def line_mentioning(self, needle: str) -> int | None:
        low = needle.lower()
        for number, line in enumerate(self.text.splitlines(), 1):
            if low in line.lower():
                return number
        return None


def _read_card(readme: Path) -> tuple[_Card | None, str | None]:
    """(card, None); (None, None) when the README is no model card; (card or None, problem) when it is unreadable."""
    from licheck import yamlsafe
    from licheck.cardparse import split_card
    from licheck.provenance import read_regular

    raw, why = read_regular(readme, MAX_CARD_BYTES)
    if raw is None:
        return None, f"{readme.name} {why}"
    text = raw[:MAX_CARD_BYTES].decode("utf-8", errors="replace")
    parsed = split_card(text, truncated=len(raw) > MAX_CARD_BYTES)
    lines = text.lstrip("\ufeff").splitlines()
    offset = next((i for i, line in enumerate(lines, 1) if line.strip()), 1)
    end = next((i for i, line in enumerate(lines[offset:], offset + 1) if line.rstrip() == "---"), offset)
    front = "\n".join(lines[offset : end - 1])
    if parsed.warning in ("no YAML front matter", "front matter is empty"):
        return None, None
    if parsed.warning and not parsed.data:  # a card with data and a problem (a repeated key) is audited: review
        line = None
        try:
            yamlsafe.load(front)
        except yamlsafe.YamlError as exc:
            line = exc.line
        return _Card(readme, text, {}, offset, front), f"line {offset + (line or 0)}: {parsed.warning}"
    data = parsed.data
    if not (set(data) & MODEL_CARD_KEYS) or (set(data) & DATASET_CARD_KEYS and "base_model" not in data):
        return None, None
    return _Card(readme, text, data, offset, front), None


def _card_subject(folder: Path, base: Path) -> str:
    rel = display_path(folder, base)
    if rel == ".":
        return "."
    return rel if rel.startswith("/") else "./" + rel


def _rename_root(graph: Graph, old: str, new: str) -> None:
    """The resolver names a local root by the path it was given; the check names it by its repository path."""
    node = graph.nodes.pop(old, None)
    if node is not None:
        node.id = new
        graph.nodes[new] = node
    for e in graph.edges:
        if e.child == old:
            e.child = new
        if e.parent == old:
            e.parent = new
    graph.root = new
    graph.warnings = [w.replace(old, new) for w in graph.warnings]
    unread = f"{UNREAD}{old}: "  # pseudo-parents named after the root (evidence.unread_parent)
    for nid in [n for n in graph.nodes if n.startswith(unread)]:
        node = graph.nodes.pop(nid)
        node.id = f"{UNREAD}{new}: {nid[len(unread) :]}"
        graph.nodes[node.id] = node
    for e in graph.edges:
        if e.parent.startswith(unread):
            e.parent = f"{UNREAD}{new}: {e.parent[len(unread) :]}"


def _check_card(readme: Path, ctx: _Ctx) -> CheckResult | None:
    from licheck.engine import Auditor

    card, problem = _read_card(readme)
    if card is None and problem is None:
        return None
    folder = readme.parent.resolve()
    subject = _card_subject(folder, ctx.policy.base)
    path = ctx.rel(readme)
    res = CheckResult("card", path, card.key_line("license") if card and card.data else 1, subject)
    if problem is not None or card is None:
        m = re.match(r"line (\d+): ", problem or "")
        res.findings.append(
            _located(
                _tool(subject, "review", f"{path}: {problem}", "card_unreadable"),
                Location(path, int(m.group(1)) if m else 1),
            )
        )
        return res
    try:
        graph = ctx.open_session().resolver().resolve(str(folder))
    except LicheckError as exc:
        res.error = str(exc)
        res.findings.append(_located(_tool(subject, "review", str(exc), "card_unreadable"), Location(path, 1)))
        return res
    _rename_root(graph, graph.root, subject)
    plan = ctx.policy.make_plan(subject, subject, {})
    # The card's model is a derivative of its ancestors: audit it as a student whose base is the card itself, so
    # weight ancestors bind through the weight channel and declared teachers (distillation edges) through outputs.
    verdict = Auditor(ctx.rules).audit(plan, Graph(root=subject), graph)
    res.graph, res.plan = verdict.graph, plan
    res.sources = ctx.open_session().sources_summary(graph)
    res.warnings = list(graph.warnings)
    res.detail = f"{_model_name(card, folder)} ({_declared(graph.nodes[subject])})"
    # The card's own licence binds its recipients, not its author: keep only the tool findings about the card.
    findings = [f for f in verdict.findings if f.node != subject or f.rule == TOOL]
    license_line = card.key_line("license") or card.key_line("license_name")
    base_line = card.key_line("base_model")
    for f in findings:
        if f.node == subject:
            line = license_line or 1
        else:
            via = f.path[1] if len(f.path) > 1 else f.node
            line = card.line_mentioning(via) or base_line or 1
        res.findings.append(_located(f, Location(path, line)))
    for f in _drift(graph, subject, ctx.rules):
        res.findings.append(_located(f, Location(path, license_line or base_line or 1), violation=True))
    res.findings += _card_duties(card, folder, subject, findings, ctx.rules, path)
    return res


def _declared(node: ModelNode) -> str:
    lic = node.license
    parts = list(lic.card) + ([f"license_name {lic.license_name}"] if lic.license_name else [])
    return "license " + ", ".join(parts) if parts else "no licence declared"


def _model_name(card: _Card, folder: Path) -> str:
    name = card.data.get("model_name")
    if isinstance(name, str) and name.strip():
        return name.strip().rsplit("/", 1)[-1]
    return folder.name


def _weight_closure(graph: Graph, root: str) -> dict[str, list[str]]:
    """Ancestors whose weights are in the root (fine-tune, adapter, quantisation, merge), with a path to each."""
    by_child: dict[str, list[Any]] = {}
    for e in graph.edges:
        by_child.setdefault(e.child, []).append(e)
    paths = {root: [root]}
    queue = [root]
    while queue:
        cur = queue.pop(0)
        for e in by_child.get(cur, []):
            if e.relation in WEIGHT_RELATIONS and e.parent not in paths:
                paths[e.parent] = paths[cur] + [e.parent]
                queue.append(e.parent)
    return paths


def _drift(graph: Graph, subject: str, rules: RuleSet) -> list[Finding]:
    """Licence drift: an ancestor's non-permissive licence (another licensor's) missing from the card's `license`.

    The engine already applies the ancestor's clauses whatever the card says; the drift finding is about the card
    misinforming its users. Same-licensor relicensing on the way (DeepSeek-R1 MIT over DeepSeek-V3) supersedes.
    """
    own = rules.identify(graph.nodes[subject])
    declared = set(own.rule_ids) | set(own.statements)
    licensors = {r.licensor for rid in declared if (r := rules.get(rid)) is not None and r.licensor}
    out: list[Finding] = []
    seen: set[str] = set()
    for nid, path in _weight_closure(graph, subject).items():
        node = graph.nodes.get(nid)
        if nid == subject or node is None or node.kind not in ("model", "dataset"):
            continue
        ident = rules.identify(node)
        for rid in dict.fromkeys(ident.rule_ids + ident.statements):
            rule = rules.get(rid)
            if rule is None or rule.kind != "licence" or rule.permissive or rid in seen:
                continue
            if rid in declared or (rule.licensor and rule.licensor in licensors):
                continue
            between = path[1:-1]
            if any(n.split("/", 1)[0].lower() in rule.licensor_orgs for n in between):
                continue  # the licensor itself published a descendant under another licence
            seen.add(rid)
            hub = rule.identifiers.get("hub", ())
            names = rule.identifiers.get("license_name", ())
            fix = f"license: {hub[0]}" if hub else (f"license: other, license_name: {names[0]}" if names else rule.id)
            stated = ", ".join(graph.nodes[subject].license.card) or "no licence"
            out.append(
                Finding(
                    rule=rid,
                    clause="license-drift",
                    section=None,
                    effect="forbid",
                    node=subject,
                    path=path,
                    quote=None,
                    url=rule.source_url,
                    reason=(
                        f"licence drift: the card declares {stated}, but its ancestor {nid} "
                        f"(via {' -> '.join(path)}) is under the {rule.title}, which still binds this model; "
                        f"declare it ({fix})"
                    ),
                    flag="license_drift",
                )
            )
    return out


def _norm_name(value: str) -> str:
    return re.sub(r"[\s_\-]+", " ", value).strip().casefold()


def _norm_text(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.replace("\u00a9", "(c)").casefold())


def _folder_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []


def _read_small(path: Path) -> str:
    from licheck.provenance import read_regular

    raw, _why = read_regular(path, MAX_TEXT_FILE_BYTES)
    return raw[:MAX_TEXT_FILE_BYTES].decode("utf-8", errors="replace") if raw is not None else ""


def _card_duties(
    card: _Card, folder: Path, subject: str, findings: list[Finding], rules: RuleSet, path: str
) -> list[CheckFinding]:
    """Turn the obligations a card can be checked against (name prefix, NOTICE, licence copy) into findings."""
    out: list[CheckFinding] = []
    done: set[tuple[str, str | None, str]] = set()
    files = _folder_files(folder)
    name = _model_name(card, folder)
    base_line = card.key_line("base_model") or 1
    for f in findings:
        if f.node == subject or f.effect not in ("obligation", "review") or not f.flag:
            continue
        rule = rules.get(f.rule)
        clause = next((c for c in rule.clauses if c.id == f.clause), None) if rule else None
        if rule is None or clause is None:
            continue
        text = clause.obligation or ""
        if f.flag in NAME_PREFIX_FLAGS and (f.rule, f.clause, "name") not in done:
            done.add((f.rule, f.clause, "name"))
            m = re.search(r"begin with \"([^\"]+)\"", text)
            line = card.key_line("model_name") or card.key_line("license") or 1
            if m is None:
                out.append(_duty(f, subject, "review", f"cannot tell which name prefix {rule.id} requires", line, path))
            elif not _norm_name(name).startswith(_norm_name(m.group(1))):
                out.append(
                    _duty(
                        f,
                        subject,
                        "forbid",
                        f"the model name {name!r} must begin with {m.group(1)!r} ({rule.title} {clause.section}, "
                        f"through {f.node}); set model_name or rename the folder",
                        line,
                        path,
                        flag="name_prefix_missing",
                        violation=True,
                    )
                )
        if f.flag in NOTICE_FLAGS and (f.rule, f.clause, "notice") not in done:
            done.add((f.rule, f.clause, "notice"))
            notices = [p for p in files if re.fullmatch(r"notice(\.txt|\.md)?", p.name, re.I)]
            m = re.search(r"file:\s*[\"\u201c](.+)[\"\u201d]\s*$", text)
            if not notices:
                out.append(
                    _duty(
                        f,
                        subject,
                        "forbid",
                        f"no NOTICE file next to the card; {rule.title} {clause.section} (through {f.node}) requires "
                        f"one: {text}",
                        base_line,
                        path,
                        flag="notice_file_missing",
                        violation=True,
                    )
                )
            elif m and not any(_norm_text(m.group(1)) in _norm_text(_read_small(p)) for p in notices):
                out.append(
                    _duty(
                        f,
                        subject,
                        "review",
                        f"{notices[0].name} does not contain the attribution {rule.title} {clause.section} requires: "
                        f"{m.group(1)}",
                        base_line,
                        path,
                        flag="notice_text_missing",
                    )
                )
        if f.flag in LICENSE_COPY_FLAGS and (f.rule, f.clause, "copy") not in done:
            done.add((f.rule, f.clause, "copy"))
            copies = [p for p in files if p.name.upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
            markers = [" ".join(m.upper().split()) for m in rule.identifiers.get("text_markers", ())]
            if not copies:
                out.append(
                    _duty(
                        f,
                        subject,
                        "forbid",
                        f"no LICENSE file next to the card; {rule.title} {clause.section} (through {f.node}) requires "
                        f"a copy of the licence with the model",
                        base_line,
                        path,
                        flag="license_file_missing",
                        violation=True,
                    )
                )
            elif markers and not any(
                any(mk in " ".join(_read_small(p).upper().split()) for mk in markers) for p in copies
            ):
                out.append(
                    _duty(
                        f,
                        subject,
                        "review",
                        f"{', '.join(p.name for p in copies)} found, but none is the {rule.title} "
                        f"(no {markers[0]!r} heading)",
                        base_line,
                        path,
                        flag="license_file_mismatch",
                    )
                )
    return out


def _duty(
    f: Finding,
    subject: str,
    effect: str,
    reason: str,
    line: int,
    path: str,
    *,
    flag: str | None = None,
    violation: bool = False,
) -> CheckFinding:
    return CheckFinding(
        Finding(
            rule=f.rule,
            clause=f.clause,
            section=f.section,
            effect=effect,
            node=subject,
            path=[subject, *f.path],
            quote=f.quote,
            url=f.url,
            reason=reason,
            channel=f.channel,
            flag=flag or f.flag,
        ),
        Location(path, line),
        violation=violation,
    )


# -- plans --------------------------------------------------------------------------------------------------------
def _check_plan(spec: PlanSpec, ctx: _Ctx) -> CheckResult:
    from licheck import service

    path = ctx.rel(ctx.policy.path) if ctx.policy.path else "licheck.yaml"
    plan = spec.plan
    res = CheckResult("plan", path, spec.line, spec.name, plan=plan)
    res.detail = (
        f"{plan.teacher} -> {plan.student or 'student trained from scratch'}; use {plan.use}, "
        f"{'internal' if plan.internal else 'distributed'}, method {plan.method}"
    )
    try:
        verdict, session = service.audit(plan, ctx.options.service, ctx.rules)
    except LicheckError as exc:
        res.error = str(exc)
        on_student = bool(plan.student) and str(exc).startswith(f"{plan.student}:")
        subject = plan.student if on_student and plan.student else plan.teacher
        res.findings.append(
            _located(
                _tool(subject, "review", f"plan {spec.name!r}: {exc}", "root_unreadable"),
                Location(path, (spec.student_line if on_student else spec.teacher_line) or spec.line),
            )
        )
        return res
    res.graph = verdict.graph
    res.sources = session.sources_summary(verdict.graph)
    res.warnings = list(verdict.graph.warnings)
    for f in verdict.findings:
        on_teacher = not f.path or f.path[0] == verdict.graph.root or not plan.student
        line = (spec.teacher_line if on_teacher else spec.student_line) or spec.line
        res.findings.append(_located(f, Location(path, line)))
    return res


# -- code ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeRef:
    model: str  # Hub id (datasets/ prefix for repo_type="dataset")
    path: Path
    line: int
    call: str
    role: str | None  # teacher | student | None (from the names around the call)


def scan_source(text: str, path: Path, problems: list[str] | None = None) -> list[CodeRef]:
    """Hub ids loaded by from_pretrained / hf_hub_download / snapshot_download / pipeline(model=) in one file.

    Only literal strings and names bound once to a literal count; an id built at run time cannot be known
    statically and is not guessed. Parsed with `ast`, so comments, strings and docstrings never match.
    """
    from licheck.ids import parent_subject

    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        if problems is not None:
            problems.append(f"has a syntax error (line {exc.lineno})")
        return []
    except (ValueError, RecursionError) as exc:
        if problems is not None:
            problems.append(f"cannot be parsed ({type(exc).__name__})")
        return []
    constants: dict[str, str | None] = {}
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for t in targets:
            if isinstance(t, ast.Name):
                lit = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
                constants[t.id] = lit if t.id not in constants or constants[t.id] == lit else None
    out: list[CodeRef] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        fn = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if fn not in LOADERS:
            continue
        kw_name, positional = LOADERS[fn]
        arg: ast.expr | None = next((k.value for k in node.keywords if k.arg == kw_name), None)
        if arg is None and positional and node.args:
            arg = node.args[0]
        names: list[str] = []
        model_id: str | None = None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            model_id = arg.value
        elif isinstance(arg, ast.Name):
            model_id = constants.get(arg.id)
            names.append(arg.id)
        if not model_id:
            continue
        dataset = any(
            k.arg == "repo_type" and isinstance(k.value, ast.Constant) and k.value.value == "dataset"
            for k in node.keywords
        )
        subj = parent_subject(model_id, dataset=dataset)
        if subj is None or subj.kind == "api":
            continue
        names += _names_around(node, parents)
        role = next((r for n in names for r in ("teacher", "student") if r in n.lower()), None)
        out.append(CodeRef(subj.id, path, node.lineno, fn, role))
    return out


def _names_around(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[str]:
    """Innermost first: keyword arguments, assignment targets and function names the call sits in."""
    names: list[str] = []
    cur: ast.AST | None = node
    while cur is not None:
        if isinstance(cur, ast.keyword) and cur.arg:
            names.append(cur.arg)
        elif isinstance(cur, (ast.Assign, ast.AnnAssign)):
            targets = cur.targets if isinstance(cur, ast.Assign) else [cur.target]
            for t in targets:
                for sub in ast.walk(t):
                    if isinstance(sub, ast.Name):
                        names.append(sub.id)
                    elif isinstance(sub, ast.Attribute):
                        names.append(sub.attr)
        elif isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(cur.name)
        cur = parents.get(cur)
    return names


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.lower() == b.lower()


def _check_code(files: list[Path], ctx: _Ctx, plan_results: dict[str, CheckResult]) -> list[CheckResult]:
    from licheck.provenance import read_regular

    refs: list[CodeRef] = []
    out: list[CheckResult] = []
    for f in files:
        raw, why = read_regular(f, MAX_SOURCE_BYTES)
        problems: list[str] = []
        if raw is None:
            problems.append(f"{why}")
        elif len(raw) > MAX_SOURCE_BYTES:
            problems.append(f"is larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB")
        else:
            refs += scan_source(raw.decode("utf-8", errors="replace"), f, problems)
        if problems:
            # Not scanned: the models this file loads are unknown. Reported; fails the check under --strict.
            path = ctx.rel(f)
            res = CheckResult("code", path, 1, path)
            reason = f"{path} {problems[0]}: not scanned, so the models it loads are unknown"
            res.findings.append(_located(_tool(path, "review", reason, "code_unreadable"), Location(path, 1)))
            out.append(res)
    seen: set[tuple[str, str]] = set()
    for ref in refs:
        path = ctx.rel(ref.path)
        key = (ref.model.lower(), path)
        if key in seen:
            continue
        seen.add(key)
        res = CheckResult("code", path, ref.line, ref.model, plan=Plan(teacher=ref.model))
        res.detail = f"{ref.call}({ref.model!r})" + (f" as {ref.role}" if ref.role else "")
        loc = Location(path, ref.line)
        as_teacher = [s for s in ctx.policy.plans if _same(s.plan.teacher, ref.model)]
        as_student = [s for s in ctx.policy.plans if _same(s.plan.student, ref.model)]
        if as_teacher:
            said = ", ".join(
                f"{s.name!r}" + (f" ({plan_results[s.name].verdict})" if s.name in plan_results else "")
                for s in as_teacher
            )
            res.findings.append(
                _located(
                    _tool(
                        ref.model,
                        "info",
                        f"teacher referenced in code; audited by plan {said}",
                        "code_teacher_planned",
                        clause="code-teacher-planned",
                    ),
                    loc,
                )
            )
        elif ref.role == "teacher":
            res.findings.append(
                _located(
                    _tool(
                        ref.model,
                        "forbid",
                        f"{ref.model} is loaded as a teacher ({res.detail}) but no plan in the policy file audits it; "
                        f"add a plan with teacher: {ref.model}",
                        "code_teacher_unplanned",
                        clause="code-teacher-unplanned",
                    ),
                    loc,
                    violation=True,
                )
            )
        elif as_student:
            res.findings.append(
                _located(
                    _tool(
                        ref.model,
                        "info",
                        f"student base of plan {as_student[0].name!r}",
                        "code_student_planned",
                        clause="code-student-planned",
                    ),
                    loc,
                )
            )
        else:
            res.findings.append(
                _located(
                    _tool(
                        ref.model,
                        "info",
                        f"{ref.model} is loaded in code and is not a teacher of any plan "
                        "(if it teaches a student, add a plan)",
                        "code_model_unplanned",
                        clause="code-model-unplanned",
                    ),
                    loc,
                )
            )
        out.append(res)
    return out


# -- policy -------------------------------------------------------------------------------------------------------
def _licence_names(node: ModelNode) -> list[str]:
    lic = node.license
    return [v.lower() for v in [*lic.card, *lic.tags, lic.license_name or ""] if v]


def _resolve_entry(entry: str, rules: RuleSet) -> str | None:
    low = entry.lower()
    if low in rules.rules:
        return low
    return rules.by_hub.get(low) or rules.by_spdx.get(low) or rules.by_name.get(low)


def _rule_matches(rid: str, patterns: list[str], rules: RuleSet) -> bool:
    import fnmatch

    for p in patterns:
        if fnmatch.fnmatchcase(rid.lower(), p.lower()) or _resolve_entry(p, rules) == rid:
            return True
    return False


def _licence_groups(ident: Identification, rules: RuleSet) -> list[list[str]]:
    """Each alternative's licences, without what they only pull in (`includes:` such as an AUP)."""
    bound = [s for s in ident.statements if (r := rules.get(s)) is not None and r.kind == "licence"]
    groups = []
    for g in ident.groups or ([[]] if bound else []):
        included = {i for rid in g if (r := rules.get(rid)) for i in rules.with_includes(list(r.includes))}
        groups.append([rid for rid in dict.fromkeys(g + bound) if rid not in included])
    return groups


def _licence_verdict(node: ModelNode, rules: RuleSet, policy: Policy) -> tuple[str, str] | None:
    """(clause, reason) when the node's licence is denied or not allowed by the policy lists."""
    import fnmatch

    groups = _licence_groups(rules.identify(node), rules)
    names = _licence_names(node)
    raw_denied = [n for n in names if any(fnmatch.fnmatchcase(n, p.lower()) for p in policy.deny_licenses)]
    if policy.deny_licenses:
        # A choice (OR) is fine while one alternative avoids every denied licence; with one group that is "any".
        if raw_denied or (
            groups and all(any(_rule_matches(r, policy.deny_licenses, rules) for r in g) for g in groups)
        ):
            denied = raw_denied or [r for g in groups for r in g if _rule_matches(r, policy.deny_licenses, rules)]
            return "license-deny", f"licence {denied[0]} of {node.id} is on the policy's deny list"
    if policy.allow_licenses:
        raw_ok = any(fnmatch.fnmatchcase(n, p.lower()) for n in names for p in policy.allow_licenses)
        group_ok = any(g and all(_rule_matches(r, policy.allow_licenses, rules) for r in g) for g in groups)
        if not (group_ok or (raw_ok and not groups)):
            shown = ", ".join(r for g in groups for r in g) or ", ".join(names) or "no licence"
            return "license-not-allowed", f"licence {shown} of {node.id} is not on the policy's allow list"
    return None


def _apply_policy_lists(res: CheckResult, ctx: _Ctx) -> None:
    """Licence and model allow/deny lists: deny reaches the whole provenance, allow the models named directly."""
    policy = ctx.policy
    if not (policy.allow_licenses or policy.deny_licenses or policy.allow_models or policy.deny_models):
        return
    loc = Location(res.path, res.line)
    where = f" ({policy.relpath(policy.path)})" if policy.path else ""
    seen: set[tuple[str, str]] = set()

    def add(clause: str, node: str, reason: str) -> None:
        if (clause, node.lower()) in seen:
            return
        seen.add((clause, node.lower()))
        f = Finding(
            rule=POLICY_RULE,
            clause=clause,
            section=None,
            effect="forbid",
            node=node,
            path=[node],
            quote=None,
            url=None,
            reason=reason + where,
            flag="policy_violation",
        )
        res.findings.append(CheckFinding(f, loc, violation=True))

    nodes = list(res.graph.nodes.values()) if res.graph else []
    for node in nodes:
        ids = [node.id, node.requested_id or "", node.id.split(":", 1)[-1]]
        pat = policy.model_denied(ids)
        if pat:
            add("model-deny", node.id, f"{node.id} is on the policy's model deny list ({pat})")
        if node.kind in ("model", "dataset") and (policy.allow_licenses or policy.deny_licenses):
            hit = _licence_verdict(node, ctx.rules, policy)
            if hit:
                add(hit[0], node.id, hit[1])
    direct: list[str] = []
    if res.kind == "plan" and res.plan is not None:
        direct = [x for x in (res.plan.teacher, res.plan.student) if x]
    elif res.kind == "card" and res.graph is not None:
        direct = [e.parent for e in res.graph.edges if e.child == res.subject]
    elif res.kind == "code":
        direct = [res.subject]
        pat = policy.model_denied([res.subject])
        if pat:
            add("model-deny", res.subject, f"{res.subject} is on the policy's model deny list ({pat})")
    for model in direct:
        canonical = [model]
        if res.graph is not None and model in res.graph.nodes:
            canonical.append(res.graph.nodes[model].id)
        if model.startswith(("./", "../", "/")):
            continue  # a local folder is the organisation's own model
        if not policy.model_allowed(canonical + [model.split(":", 1)[-1]]):
            add("model-not-allowed", model, f"{model} is not on the policy's model allow list")


def _apply_waivers(res: CheckResult, ctx: _Ctx) -> set[Waiver]:
    """Move findings with a live waiver to `waived`; return the waivers that matched something."""
    used: set[Waiver] = set()
    keep: list[CheckFinding] = []
    for cf in res.findings:
        waiver = (
            ctx.policy.waiver_for(cf.finding)
            if cf.finding.rule != POLICY_RULE or cf.finding.clause not in ("waiver-expired",)
            else None
        )
        if waiver is not None:
            used.add(waiver)
        if waiver is not None and not waiver.expired(ctx.today) and cf.finding.effect != "permit":
            cf.waiver = waiver
            res.waived.append(cf)
        else:
            keep.append(cf)
    res.findings = keep
    return used


def _policy_result(ctx: _Ctx, used: set[Waiver], run_plans: bool) -> CheckResult | None:
    """Findings about the policy file itself: expired waivers (violations) and, on whole-repo runs, unused ones."""
    policy = ctx.policy
    if policy.path is None or not policy.waivers:
        return None
    path = ctx.rel(policy.path)
    res = CheckResult("policy", path, 1, path)
    for w in policy.waivers:
        loc = Location(path, w.line)
        if w.expired(ctx.today):
            f = Finding(
                rule=POLICY_RULE,
                clause="waiver-expired",
                section=None,
                effect="forbid",
                node=w.subject,
                path=[w.subject],
                quote=None,
                url=None,
                reason=f"waiver {w.key} ({w.reason}, {w.ticket}, approved by {w.approver}) expired on "
                f"{w.expires.isoformat()}; renew it or fix the finding",
                flag="waiver_expired",
            )
            res.findings.append(CheckFinding(f, loc, violation=True))
        elif w not in used and run_plans:
            f = Finding(
                rule=POLICY_RULE,
                clause="waiver-unused",
                section=None,
                effect="info",
                node=w.subject,
                path=[w.subject],
                quote=None,
                url=None,
                reason=f"waiver {w.key} ({w.ticket}) matched no finding; remove it if the finding is gone",
                flag="waiver_unused",
            )
            res.findings.append(CheckFinding(f, loc))
    return res if res.findings else None


def _settle(res: CheckResult) -> None:
    """Verdict and obligations from the findings that are not waived (as the engine computes them)."""
    from licheck.engine import verdict_of

    verdict = "permitted"
    for cf in res.findings:
        v = verdict_of(cf.finding)
        if VERDICT_RANK[v] > VERDICT_RANK[verdict]:
            verdict = v
    if res.error and verdict in ("permitted", "conditional"):
        verdict = "review"
    res.verdict = verdict
    res.obligations = []
    if verdict not in ("permitted", "conditional"):
        return
    seen: set[str] = set()
    for cf in res.findings:
        f = cf.finding
        if f.effect == "obligation" and f.obligation and f.obligation.strip().lower() not in seen:
            seen.add(f.obligation.strip().lower())
            item = {"text": f.obligation, "rule": f.rule, "clause": f.clause or ""}
            if f.generic:
                item["generic"] = "true"
            res.obligations.append(item)


def _tool(node: str, effect: str, reason: str, flag: str, *, clause: str | None = None) -> Finding:
    return Finding(
        rule=TOOL,
        clause=clause,
        section=None,
        effect=effect,
        node=node,
        path=[node],
        quote=None,
        url=None,
        reason=reason,
        flag=flag,
    )


def _located(f: Finding, loc: Location | None, *, violation: bool = False) -> CheckFinding:
    return CheckFinding(f, loc, violation=violation)


# -- text ---------------------------------------------------------------------------------------------------------
_ORDER = {"forbid": 0, "review": 1, "obligation": 2, "info": 3, "permit": 4}


def render_text(report: CheckReport) -> str:
    """Plain text (no colour: it is read in pre-commit and CI logs)."""
    out: list[str] = []
    s = report.summary()
    head = f"licheck check: {s['results']} result(s)"
    if s["by_kind"]:
        head += " (" + ", ".join(f"{n} {k}" for k, n in s["by_kind"].items()) + ")"
    head += f"; policy {s['policy'] or 'none (built-in defaults)'}, strictness {s['strictness']}"
    head += ", review fails" if report.review_fails else ""
    head += "; offline" if report.offline else ""
    out.append(head)
    for r in report.results:
        where = f"{r.path}:{r.line}" if r.line else r.path
        label = "ERROR" if r.error else r.verdict.upper()
        out.append(f"{label:<12} {r.kind:<6} {where}  {r.subject}" + (f"  [{r.detail}]" if r.detail else ""))
        if r.error:
            out.append(f"    error: {r.error}")
        shown = sorted(
            (f for f in r.findings if f.finding.effect in ("forbid", "review", "info")),
            key=lambda f: (not f.violation, _ORDER.get(f.finding.effect, 9)),
        )
        for cf in shown:
            out += _finding_lines(cf, "VIOLATION" if cf.violation else cf.finding.effect.upper())
        for o in r.obligations:
            if not o.get("generic"):
                out.append(f"    must: {o['text']} ({o['rule']} {o['clause']})")
        for cf in r.waived:
            w = cf.waiver
            tag = f"WAIVED ({w.reason}, {w.ticket}, {w.approver}, until {w.expires.isoformat()})" if w else "WAIVED"
            out += _finding_lines(cf, tag)
    out.append(summary_line(report))
    if any(r.verdict == "review" for r in report.results) and not report.review_fails:
        out.append("(review does not fail the check; use --strict or strictness: paranoid to make it fail)")
    return clean_lines(out)


_NOUNS = {"card": "model card", "plan": "plan", "code": "model loaded in code", "policy": "policy entry"}
_PLURALS = {"model loaded in code": "models loaded in code", "policy entry": "policy entries"}
_FAILS = {EXIT_FORBIDDEN: "forbidden", EXIT_ERROR: "error", EXIT_REVIEW: "review fails"}


def summary_line(report: CheckReport) -> str:
    """The last line, a sentence: what each kind of result came to, then whether the check fails and its exit code
    (e.g. `summary: 1 plan forbidden, 2 model cards permitted; the check fails (forbidden): exit 1`)."""
    counts: dict[tuple[str, str], int] = {}
    for r in report.results:
        key = (r.kind, "could not be checked" if r.error else r.verdict)
        counts[key] = counts.get(key, 0) + 1
    parts = []
    for (kind, verdict), n in counts.items():
        noun = _NOUNS.get(kind, kind)
        parts.append(f"{n} {noun if n == 1 else _PLURALS.get(noun, noun + 's')} {verdict}")
    s = report.summary()
    extra = [f"{s['violations']} policy violation{'s' if s['violations'] != 1 else ''}"] if s["violations"] else []
    extra += [f"{s['waived']} waived"] if s["waived"] else []
    code = report.exit_code
    outcome = f"the check fails ({_FAILS[code]})" if code in _FAILS else "the check passes"
    return "; ".join(["summary: " + (", ".join(parts) or "nothing to check"), *extra, f"{outcome}: exit {code}"])


def _finding_lines(cf: CheckFinding, label: str) -> list[str]:
    f = cf.finding
    head = f"{f.rule}" + (f" {f.clause}" if f.clause else "") + (f" (section {f.section})" if f.section else "")
    where = f" at {cf.location.uri}:{cf.location.line}" if cf.location and cf.location.line else ""
    lines = [f"    {label} {head} on {f.node}{where}", f"        {f.reason}"]
    if f.rule_file:
        lines.append(f"        rule file: {f.rule_file}")
    if f.quote and f.effect == "forbid":
        q = f.quote if len(f.quote) < 300 else f.quote[:297] + "..."
        lines.append(f"        \u201c{q}\u201d")
    return lines


def run_check(
    paths: list[str],
    fmt: str = "text",
    *,
    offline: bool = False,
    strict: bool = False,
    scan_code: bool = False,
    policy: str | None = None,
    rules: list[str] | None = None,
    refresh: bool = False,
    max_depth: int = 20,
) -> int:
    """`licheck check` as a function (both command-line entry points call it): writes the report, returns the
    exit code."""
    import sys

    from licheck import report
    from licheck.policy import find_policy, load_policy
    from licheck.service import make_options

    targets = [Path(p) for p in paths] or [Path(".")]
    if policy is not None and not Path(policy).is_file():
        raise UsageError(f"policy file not found: {policy}")
    policy_path = Path(policy) if policy is not None else find_policy(targets[0] if targets[0].exists() else Path("."))
    loaded = load_policy(policy_path)
    options = CheckOptions(
        service=make_options(offline, refresh, max_depth, None, rules), strict=strict, scan_code=scan_code
    )
    result = check_repo(targets, options, loaded)
    if fmt == "json":
        sys.stdout.write(report.dumps(result.to_json()) + "\n")
    elif fmt == "text":
        sys.stdout.write(render_text(result))
    else:
        from licheck import formats

        sys.stdout.write(formats.render(fmt, result.audit_docs()))
    return result.exit_code
