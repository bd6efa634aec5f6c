"""Writing the generated files without ever overwriting one: new files are created (atomically, and only if the
name is still free), an existing file gets a unified diff of what licheck would add, and is left as it was."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from licheck.errors import UsageError
from licheck.notices.files import GenFile, norm_text

MAX_EXISTING_BYTES = 1024 * 1024


@dataclass
class Outcome:
    """What happened to one file: written, unchanged (already says it all), diff (exists, left alone), or would
    write (--dry-run)."""

    name: str
    action: str
    content: str
    diff: str | None = None


def plan_writes(files: list[GenFile], folder: Path, *, dry_run: bool) -> list[Outcome]:
    """Write what can be written; for an existing file, the diff against the merge licheck proposes."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    out: list[Outcome] = []
    for f in files:
        content = f.render()
        target = folder / f.name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            out.append(Outcome(f.name, "diff", content, f"{target}: not a regular file, left alone\n"))
            continue
        if target.exists():
            old = _read(target)
            new = _merge(f, old, content)
            if new == old:
                out.append(Outcome(f.name, "unchanged", old))
            else:
                diff = "".join(
                    difflib.unified_diff(
                        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{f.name}", f"b/{f.name}"
                    )
                )
                out.append(Outcome(f.name, "diff", new, diff))
            continue
        if dry_run:
            out.append(Outcome(f.name, "would write", content))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        out.append(Outcome(f.name, "written" if _create(target, content) else "diff", content))
    return out


def _read(path: Path) -> str:
    from licheck.provenance.resolver import read_regular

    raw, why = read_regular(path, MAX_EXISTING_BYTES)
    if raw is None or len(raw) > MAX_EXISTING_BYTES:
        raise UsageError(f"{path}: {why or 'larger than 1 MiB'}; not merged")
    return raw.decode("utf-8", errors="replace")


def _create(target: Path, content: str) -> bool:
    """Create `target` with `content` only if no file has that name (a temp file linked in: all or nothing)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        try:
            os.link(tmp, target)  # fails if the name was taken meanwhile: never replaces a file
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)


def _merge(f: GenFile, old: str, new: str) -> str:
    """The existing file plus what it lacks: missing NOTICE lines appended; a card gets its missing front-matter
    keys and body lines; any other file (a licence copy or pointer) is proposed as licheck would write it."""
    if f.name == "NOTICE":
        have = norm_text(old)
        add = [ln for ln in new.splitlines() if ln.strip() and norm_text(ln.split("  [", 1)[0]) not in have]
        return old + ("" if old.endswith("\n") or not old else "\n") + "".join(a + "\n" for a in add)
    if f.front:
        return _merge_card(old, new)
    return new


def _merge_card(old: str, new: str) -> str:
    new_lines = new.splitlines()
    end = new_lines.index("---", 1)
    front, body = new_lines[1:end], new_lines[end + 1 :]
    lines = old.splitlines()
    if lines and lines[0].strip() == "---" and "---" in [x.rstrip() for x in lines[1:]]:
        close = 1 + [x.rstrip() for x in lines[1:]].index("---")
        keys = {x.split(":", 1)[0].strip() for x in lines[1:close] if ":" in x and not x.startswith((" ", "#"))}
        missing = [x for x in front if x.split(":", 1)[0].strip() not in keys and not x.startswith("#")]
        lines[close:close] = missing
    else:
        lines = new_lines[: end + 1] + lines
    have = norm_text("\n".join(lines))
    extra = [x for x in body if x.strip() and not x.startswith("#") and norm_text(x.split(" <!--")[0]) not in have]
    if extra:
        lines += ["", *extra]
    return "\n".join(lines) + "\n"
