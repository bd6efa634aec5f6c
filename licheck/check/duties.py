"""Card duties: the obligations a repository can be checked against (name prefix, NOTICE file, licence copy)."""

from __future__ import annotations

import re
from pathlib import Path

from licheck.check.cardread import Card, model_name
from licheck.check.results import CheckFinding, Location
from licheck.domain import Finding
from licheck.rules.ruleset import RuleSet

NAME_PREFIX_FLAGS = frozenset({"name_prefix_required"})
NOTICE_FLAGS = frozenset({"notice_file_required"})
LICENSE_COPY_FLAGS = frozenset({"license_copy_required", "licence_copy_required", "built_with_llama"})
MAX_TEXT_FILE_BYTES = 1024 * 1024


def _norm_name(value: str) -> str:
    return re.sub(r"[\s_\-]+", " ", value).strip().casefold()


def _norm_text(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.replace("\u00a9", "(c)").casefold())


def _folder_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []


def _read_small(path: Path) -> str:
    from licheck.provenance.resolver import read_regular

    raw, _why = read_regular(path, MAX_TEXT_FILE_BYTES)
    return raw[:MAX_TEXT_FILE_BYTES].decode("utf-8", errors="replace") if raw is not None else ""


def card_duties(
    card: Card, folder: Path, subject: str, findings: list[Finding], rules: RuleSet, path: str
) -> list[CheckFinding]:
    """Turn the obligations a card can be checked against (name prefix, NOTICE, licence copy) into findings."""
    out: list[CheckFinding] = []
    done: set[tuple[str, str | None, str]] = set()
    files = _folder_files(folder)
    name = model_name(card, folder)
    base_line = card.key_line("base_model") or 1
    for f in findings:
        if f.node == subject or f.effect not in ("obligation", "review") or not f.flag:
            continue
        rule = rules.get(f.rule)
        clause = next((c for c in rule.clauses if c.id == f.clause), None) if rule else None
        if rule is None or clause is None:
            continue
        text = clause.obligation or ""
        if f.flag in NAME_PREFIX_FLAGS and (f.rule, f.clause, "name") not in done:
            done.add((f.rule, f.clause, "name"))
            m = re.search(r"begin with \"([^\"]+)\"", text)
            line = card.key_line("model_name") or card.key_line("license") or 1
            if m is None:
                out.append(_duty(f, subject, "review", f"cannot tell which name prefix {rule.id} requires", line, path))
            elif not _norm_name(name).startswith(_norm_name(m.group(1))):
                out.append(
                    _duty(
                        f,
                        subject,
                        "forbid",
                        f"the model name {name!r} must begin with {m.group(1)!r} ({rule.title} {clause.section}, "
                        f"through {f.node}); set model_name or rename the folder",
                        line,
                        path,
                        flag="name_prefix_missing",
                        violation=True,
                    )
                )
        if f.flag in NOTICE_FLAGS and (f.rule, f.clause, "notice") not in done:
            done.add((f.rule, f.clause, "notice"))
            notices = [p for p in files if re.fullmatch(r"notice(\.txt|\.md)?", p.name, re.I)]
            m = re.search(r"file:\s*[\"\u201c](.+)[\"\u201d]\s*$", text)
            if not notices:
                out.append(
                    _duty(
                        f,
                        subject,
                        "forbid",
                        f"no NOTICE file next to the card; {rule.title} {clause.section} (through {f.node}) requires "
                        f"one: {text}",
                        base_line,
                        path,
                        flag="notice_file_missing",
                        violation=True,
                    )
                )
            elif m and not any(_norm_text(m.group(1)) in _norm_text(_read_small(p)) for p in notices):
                out.append(
                    _duty(
                        f,
                        subject,
                        "review",
                        f"{notices[0].name} does not contain the attribution {rule.title} {clause.section} requires: "
                        f"{m.group(1)}",
                        base_line,
                        path,
                        flag="notice_text_missing",
                    )
                )
        if f.flag in LICENSE_COPY_FLAGS and (f.rule, f.clause, "copy") not in done:
            done.add((f.rule, f.clause, "copy"))
            copies = [p for p in files if p.name.upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
            markers = [" ".join(m.upper().split()) for m in rule.identifiers.get("text_markers", ())]
            if not copies:
                out.append(
                    _duty(
                        f,
                        subject,
                        "forbid",
                        f"no LICENSE file next to the card; {rule.title} {clause.section} (through {f.node}) requires "
                        f"a copy of the licence with the model",
                        base_line,
                        path,
                        flag="license_file_missing",
                        violation=True,
                    )
                )
            elif markers and not any(
                any(mk in " ".join(_read_small(p).upper().split()) for mk in markers) for p in copies
            ):
                out.append(
                    _duty(
                        f,
                        subject,
                        "review",
                        f"{', '.join(p.name for p in copies)} found, but none is the {rule.title} "
                        f"(no {markers[0]!r} heading)",
                        base_line,
                        path,
                        flag="license_file_mismatch",
                    )
                )
    return out


def _duty(
    f: Finding,
    subject: str,
    effect: str,
    reason: str,
    line: int,
    path: str,
    *,
    flag: str | None = None,
    violation: bool = False,
) -> CheckFinding:
    return CheckFinding(
        Finding(
            rule=f.rule,
            clause=f.clause,
            section=f.section,
            effect=effect,
            node=subject,
            path=[subject, *f.path],
            quote=f.quote,
            url=f.url,
            reason=reason,
            channel=f.channel,
            flag=flag or f.flag,
        ),
        Location(path, line),
        violation=violation,
    )
