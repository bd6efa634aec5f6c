"""`check_repo`: check a repository's model cards, declared distillation plans and (optionally) Python code.

Why a repository check on top of `audit`: licences are broken at publication time -- a Llama fine-tune pushed as
`license: mit`, a student named without the required prefix, a release without the licence copy or NOTICE file.
Those are facts of the repository, so they are checked where the repository is written (pre-commit, CI), against
the same provenance graph and rule library `licheck audit` uses. A model card is treated as a local model whose
ancestors bind it through its weights; each plan in licheck.yaml is audited exactly as `licheck audit` would.
No printing here: the CLI renders the report.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from licheck.check.cards import check_card
from licheck.check.codescan import check_code
from licheck.check.context import CheckContext, EveryAlternativeRuleSet
from licheck.check.discover import discover
from licheck.check.lists import apply_policy_lists
from licheck.check.plans import check_plan
from licheck.check.render import render_text
from licheck.check.results import CheckOptions, CheckReport, CheckResult
from licheck.check.waivers import apply_waivers, policy_result
from licheck.errors import UsageError
from licheck.policy import Policy, Waiver
from licheck.service import Options


def check_repo(paths: list[Path], options: CheckOptions | None = None, policy: Policy | None = None) -> CheckReport:
    """Check model cards (and plans, and code) found under `paths`; `policy` from licheck.policy.load_policy."""
    from licheck.lock.hook import LockHook
    from licheck.rules.ruleset import load_rules

    options = options or CheckOptions()
    policy = policy or Policy()
    targets = paths or [Path(".")]
    lock = LockHook.find(targets, policy, offline=offline_mode(options.service)) if options.verify_lock else None
    options = lock.options(options) if lock is not None else options  # online: every node re-read from the Hub
    rules = load_rules(list(options.service.rules_dirs) + list(policy.rules_dirs))
    if policy.or_as_and:
        rules = EveryAlternativeRuleSet(rules)
    ctx = CheckContext(options, policy, rules, options.today or _dt.date.today())
    readmes, sources, run_plans = discover(targets, policy.path, scan_code=options.scan_code)

    results: list[CheckResult] = []
    used: set[Waiver] = set()

    def finish(res: CheckResult) -> CheckResult:
        apply_policy_lists(res, ctx)
        used.update(apply_waivers(res, ctx))
        _settle(res)
        results.append(res)
        return res

    for readme in readmes:
        card = check_card(readme, ctx)
        if card is not None:
            finish(card)
    plan_results = {spec.name: finish(check_plan(spec, ctx)) for spec in (policy.plans if run_plans else [])}
    if options.scan_code:
        for res in check_code(sources, ctx, plan_results):
            finish(res)
    about_policy = policy_result(ctx, used, run_plans)
    if about_policy is not None:
        _settle(about_policy)
        results.append(about_policy)
    if lock is not None:  # licheck.lock: any difference from what was approved is a violation
        results.append(lock.result(ctx, results))
        _settle(results[-1])
    return CheckReport(results, policy, options.strict, rules.version, offline_mode(options.service), rules)


def offline_mode(options: Options) -> bool:
    """--offline, HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE (what Session.open also obeys)."""
    from licheck.service import env_flag

    return options.offline or env_flag("HF_HUB_OFFLINE") or env_flag("TRANSFORMERS_OFFLINE")


def _settle(res: CheckResult) -> None:
    """Verdict and obligations from the findings that are not waived (the engine's settle); an error is review."""
    from licheck.engine.verdicts import settle

    res.verdict, res.obligations = settle([cf.finding for cf in res.findings])
    if res.error and res.verdict in ("permitted", "conditional"):
        res.verdict, res.obligations = "review", []


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
    from licheck.service import make_options

    targets = [Path(p) for p in paths] or [Path(".")]
    loaded = policy_for(targets, policy)
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


def policy_for(targets: list[Path], policy: str | None) -> Policy:
    """The policy file given, else licheck.yaml (or pyproject's [tool.licheck]) searched upwards from the first path."""
    from licheck.policy import find_policy, load_policy

    if policy is not None and not Path(policy).is_file():
        raise UsageError(f"policy file not found: {policy}")
    return load_policy(
        Path(policy) if policy is not None else find_policy(targets[0] if targets[0].exists() else Path("."))
    )
