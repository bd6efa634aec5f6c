"""Which files a `licheck check` looks at: README.md model cards, Python files, and whether the plans run."""

from __future__ import annotations

import os
from pathlib import Path

from licheck.errors import UsageError

SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "build", "dist"})


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
                    if name == "README.md":  # links and FIFOs too: read_card reports them, never opens them
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
