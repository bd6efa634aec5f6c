"""Where licheck keeps its cache (stdlib `os` only: read before anything heavy is imported)."""

from __future__ import annotations

import os
import sys


def cache_dir() -> str:
    env = os.environ.get("LICHECK_CACHE_DIR")
    if env:
        return env
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "licheck")
