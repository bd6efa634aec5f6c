"""The library API: what the CLI, pre-commit hooks and other tools call. No printing here."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from licheck.domain import Graph, Plan, Verdict
from licheck.engine.auditor import Auditor
from licheck.engine.plancheck import validate_plan
from licheck.provenance.cache import RecordCache
from licheck.provenance.resolver import DEFAULT_MAX_DEPTH, ProvenanceResolver
from licheck.provenance.snapshot import load_snapshot
from licheck.provenance.sources import LayeredSource
from licheck.rules.apis import load_catalogue
from licheck.rules.ruleset import RuleSet, load_rules


@dataclass(slots=True)
class Options:
    offline: bool = False
    refresh: bool = False
    max_depth: int = DEFAULT_MAX_DEPTH
    revision: str | None = None
    rules_dirs: list[Path] = field(default_factory=list)
    endpoint: str | None = None
    cache: bool = True
    time_budget: float | None = None  # seconds for all Hub requests of the run (None: LICHECK_TIME_BUDGET or 10)


def make_options(
    offline: bool = False,
    refresh: bool = False,
    max_depth: int = DEFAULT_MAX_DEPTH,
    revision: str | None = None,
    rules: list[Any] | None = None,
    time_budget: float | None = None,
) -> Options:
    """Options from command-line values (shared by every entry point), with their bounds checked."""
    if max_depth < 0 or max_depth > 10_000:
        from licheck.errors import UsageError

        raise UsageError("--max-depth must be between 0 and 10000")
    if time_budget is not None and not 0 < time_budget <= 3600:
        from licheck.errors import UsageError

        raise UsageError("--time-budget must be between 0 and 3600 seconds")
    return Options(
        offline=offline,
        refresh=refresh,
        max_depth=max_depth,
        revision=revision,
        rules_dirs=[Path(p) for p in rules or []],
        time_budget=time_budget,
    )


@dataclass(slots=True)
class Session:
    """One run's sources; reports which source answered and how many requests were made."""

    options: Options
    source: LayeredSource
    hub: Any

    @classmethod
    def open(cls, options: Options) -> Session:
        offline = options.offline or env_flag("HF_HUB_OFFLINE") or env_flag("TRANSFORMERS_OFFLINE")
        hub = None
        if not offline:
            from licheck.provenance.hub import HubClient  # huggingface_hub itself is imported on the first request

            hub = HubClient(options.endpoint, api=load_catalogue(), budget=options.time_budget)
        from licheck.paths import default_endpoint

        cache = RecordCache(endpoint=options.endpoint or default_endpoint()) if options.cache else None
        return cls(options, LayeredSource(hub, cache, load_snapshot(), offline=offline, refresh=options.refresh), hub)

    def resolver(self) -> ProvenanceResolver:
        return ProvenanceResolver(self.source, max_depth=self.options.max_depth)

    def sources_summary(self, graph: Graph) -> dict[str, object]:
        snap = load_snapshot()
        counts: dict[str, int] = {}
        for n in graph.nodes.values():
            counts[n.source] = counts.get(n.source, 0) + 1
        return {
            "endpoint": self.hub.endpoint if self.hub else None,
            "offline": self.source.offline,
            "requests": self.hub.requests if self.hub else 0,
            "nodes_by_source": counts,
            "snapshot_date": snap.date,
            "snapshot_record_dates": sorted(
                {n.source_date[:10] for n in graph.nodes.values() if n.source == "snapshot" and n.source_date}
            ),
            "snapshot_records": len(snap),
            "cache_dir": str(self.source.cache.dir) if self.source.cache else None,
        }


def chain(model_id: str, options: Options | None = None) -> tuple[Graph, Session]:
    session = Session.open(options or Options())
    graph = session.resolver().resolve(model_id, session.options.revision)
    return graph, session


def resolve_plan(plan: Plan, options: Options) -> tuple[Graph, Graph | None, Session]:
    """The plan checked, then its teacher's graph (at the pinned revision) and its student's, read in one session:
    how every command that audits a plan reads it (audit, alternatives)."""
    validate_plan(plan)  # a plan that cannot happen is an error (exit 2), before any request
    session = Session.open(options)
    resolver = session.resolver()
    teacher = resolver.resolve(plan.teacher, options.revision)
    student = resolver.resolve(plan.student) if plan.student else None
    return teacher, student, session


def audit(plan: Plan, options: Options | None = None, rules: RuleSet | None = None) -> tuple[Verdict, Session]:
    options = options or Options()
    validate_plan(plan)  # before the rules are read, too
    rules = rules or load_rules(options.rules_dirs)
    teacher, student, session = resolve_plan(plan, options)
    return Auditor(rules).audit(plan, teacher, student), session


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
