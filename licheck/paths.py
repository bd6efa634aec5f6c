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


def redact_url(url: str) -> str:
    """The URL without the user:password part (HF_ENDPOINT may carry credentials; they are never printed or stored)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, tail = rest.partition("/")
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rsplit('@', 1)[1]}{slash}{tail}"


def default_endpoint() -> str:
    """The Hub endpoint (HF_ENDPOINT as given, credentials included: only the HTTP client may see it)."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def new_file_mode(path: str) -> int:
    """Mode for a file that replaces `path`: the existing file's permission bits, else the umask default."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def looks_local(value: str) -> bool:
    """Whether a user-given id names a folder on disk rather than a Hub repo (`./m`, `../m`, `/abs`, `~/m`, `.`)."""
    value = value.strip()
    return value.startswith(("./", "../", "/", "~")) or value in (".", "..")
