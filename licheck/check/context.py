"""The state one `licheck check` run shares between its jobs: options, policy, rules, the day, one Hub session."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from licheck.check.results import CheckOptions
from licheck.domain import ModelNode
from licheck.policy import Policy, display_path
from licheck.rules.ruleset import Identification, RuleSet
from licheck.service import Session


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


@dataclass
class CheckContext:
    """Built once by check_repo; the Hub session opens on first use (a run with nothing to resolve opens none)."""

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
