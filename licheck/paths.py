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


def write_atomic(path: str, text: str) -> bool:
    """Write a file so that no reader ever sees it half-written (temporary file in the same folder + rename).

    Several licheck processes share the cache (pre-commit runs hooks in parallel), so the temporary name is
    unique per process and attempt, and created exclusively. Returns False when the disk refuses: a cache that
    cannot be written costs speed, never correctness.
    """
    folder = os.path.dirname(path) or "."
    tmp = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
    try:
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        return False
    return True
