"""`licheck check`: a repository's model cards, its licheck.yaml plans and (optionally) its Python code.

One module per job: `discover` (which files), `cardread` + `cards` (a card as a local model), `drift` and
`duties` (what a card must declare and ship), `plans` (each plan audited), `codescan` (Hub ids in code),
`lists` + `waivers` (the organisation policy applied), `render` (text), `runner` (`check_repo`, `run_check`).
`results` holds the shapes they all fill. The policy file itself is read and matched in licheck.policy.
"""

from licheck.check.codescan import CodeRef, scan_source
from licheck.check.discover import discover
from licheck.check.render import render_text
from licheck.check.results import CheckFinding, CheckOptions, CheckReport, CheckResult, Location
from licheck.check.runner import check_repo, run_check

__all__ = [
    "CheckFinding",
    "CheckOptions",
    "CheckReport",
    "CheckResult",
    "CodeRef",
    "Location",
    "check_repo",
    "discover",
    "render_text",
    "run_check",
    "scan_source",
]
