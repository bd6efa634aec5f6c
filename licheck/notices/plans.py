"""Which plan `licheck notices` works on: one given by the audit flags, or one of a repository's licheck.yaml."""

from __future__ import annotations

from pathlib import Path

from licheck.errors import UsageError
from licheck.policy import PlanSpec, Policy


def policy_file(target: str) -> Path | None:
    """`target` as a repository (a folder with licheck.yaml or [tool.licheck]) or a policy file; None: a teacher."""
    from licheck.policy import POLICY_FILE, PYPROJECT, _has_tool_table

    path = Path(target)
    if path.is_file() and (path.name == POLICY_FILE or (path.name == PYPROJECT and _has_tool_table(path))):
        return path
    if not path.is_dir():
        return None
    if (path / POLICY_FILE).is_file():
        return path / POLICY_FILE
    py = path / PYPROJECT
    return py if py.is_file() and _has_tool_table(py) else None


def pick_plan(policy: Policy, name: str | None) -> PlanSpec:
    """The plan named `name`, or the only one; several and no name is a usage error listing them."""
    names = [p.name for p in policy.plans]
    if name is not None:
        spec = next((p for p in policy.plans if p.name == name), None)
        if spec is None:
            raise UsageError(f"no plan {name!r} in {policy.path}; plans: {', '.join(names) or 'none'}")
        return spec
    if len(policy.plans) != 1:
        raise UsageError(f"{policy.path} has {len(names)} plans; choose one with --plan ({', '.join(names)})")
    return policy.plans[0]
