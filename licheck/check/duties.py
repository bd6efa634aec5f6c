"""Card duties: the obligations a repository can be checked against (name prefix, NOTICE file, licence copy,
attribution line), each read from the rule data `licheck notices` writes from (licheck.notices.duties).

Every duty gets a status (met, missing, pointer, mismatch, unchecked) in the result's `duties`; a required duty
that is not met is also a finding as before (a missing NOTICE or LICENSE file or name prefix is a violation, a
NOTICE without the prescribed line or a licence pointer not yet replaced is review). Recommended duties and
display lines (which the licences let you show on a website or UI instead), only get a status.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from licheck.check.cardread import Card, model_name
from licheck.check.results import CheckFinding, Location
from licheck.domain import Finding
from licheck.notices.duties import Duty, collect_duties
from licheck.notices.files import POINTER_MARK, norm_name, norm_text
from licheck.rules.ruleset import RuleSet

MAX_TEXT_FILE_BYTES = 1024 * 1024


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
) -> tuple[list[CheckFinding], list[dict[str, Any]]]:
    """The card's duty findings and statuses (findings about the card itself bind its recipients, not it)."""
    name_line = card.key_line("model_name") or card.key_line("license") or 1
    base_line = card.key_line("base_model") or 1
    theirs = [f for f in findings if f.node != subject]
    return folder_duties(
        folder, model_name(card, folder), card.text, subject, theirs, rules, Location(path, name_line), base_line
    )


def folder_duties(
    folder: Path,
    name: str,
    card_text: str,
    subject: str,
    findings: list[Finding],
    rules: RuleSet,
    name_at: Location,
    line: int,
) -> tuple[list[CheckFinding], list[dict[str, Any]]]:
    """Check the files of the folder a model is released from against the duties of `findings`."""
    out: list[CheckFinding] = []
    statuses: list[dict[str, Any]] = []
    files = _folder_files(folder)
    at = Location(name_at.uri, line)
    for duty in collect_duties(findings, rules):
        if duty.clause.generic:
            continue  # an open licence's generic notice duty never fails a check (licheck notices still writes it)
        status, detail, finding = _judge(duty, files, name, card_text, subject, name_at, at)
        entry: dict[str, Any] = {
            "duty": duty.kind,
            "rule": duty.rule.id,
            "clause": duty.clause.id,
            "section": duty.clause.section,
            "required": duty.required,
            "status": status,
            "detail": detail,
        }
        if duty.via is not None:
            entry["recommended_by"] = duty.via.id
        statuses.append(entry)
        if finding is not None and duty.required:
            out.append(finding)
    return out, statuses


def _judge(
    duty: Duty, files: list[Path], name: str, card_text: str, subject: str, name_at: Location, at: Location
) -> tuple[str, str, CheckFinding | None]:
    """(status, what was found, the finding to report when a required duty is not met)."""
    rule, clause, d, f = duty.rule, duty.clause, duty.deliver, duty.finding
    where = f"{rule.title} {clause.section} (through {f.node})"
    needs = "requires" if duty.required else f"(recommended by {duty.via.id if duty.via else 'it'}) asks for"
    if duty.kind == "name":
        if not d.name_prefix:
            why = f"cannot tell which name prefix {rule.id} requires"
            return "unchecked", why, _duty(f, subject, "review", why, name_at)
        if norm_name(name).startswith(norm_name(d.name_prefix)):
            return "met", f"the model name {name!r} begins with {d.name_prefix!r}", None
        why = (
            f"the model name {name!r} must begin with {d.name_prefix!r} ({rule.title} {clause.section}, "
            f"through {f.node}); set model_name or rename the folder"
        )
        return "missing", why, _duty(f, subject, "forbid", why, name_at, flag="name_prefix_missing", violation=True)
    if duty.kind == "notice":
        notices = [p for p in files if re.fullmatch(r"notice(\.txt|\.md)?", p.name, re.I)]
        if not notices:
            why = f"no NOTICE file next to the card; {where} {needs} one: {clause.obligation or ''}".rstrip(": ")
            return "missing", why, _duty(f, subject, "forbid", why, at, flag="notice_file_missing", violation=True)
        if d.notice_upstream or not d.notice:
            return "met", f"{notices[0].name} present", None
        want = norm_text(d.notice)
        hit = next((p for p in notices if want in norm_text(_read_small(p))), None)
        if hit is not None:
            return "met", f"{hit.name} contains {d.notice!r}", None
        why = f"{notices[0].name} does not contain the attribution {rule.title} {clause.section} requires: {d.notice}"
        return "mismatch", why, _duty(f, subject, "review", why, at, flag="notice_text_missing")
    if duty.kind == "licence":
        copies = [p for p in files if p.name.upper().startswith(("LICENSE", "LICENCE", "COPYING"))]
        if not copies:
            why = f"no LICENSE file next to the card; {where} {needs} a copy of the licence with the model"
            return "missing", why, _duty(f, subject, "forbid", why, at, flag="license_file_missing", violation=True)
        texts = {p: _read_small(p) for p in copies}
        pointer = next((p for p, t in texts.items() if f"{POINTER_MARK} {rule.id}" in t), None)
        markers = [" ".join(m.upper().split()) for m in rule.identifiers.get("text_markers", ())]
        real = [p for p, t in texts.items() if POINTER_MARK not in t]
        if markers:
            real = [p for p in real if any(mk in " ".join(texts[p].upper().split()) for mk in markers)]
        if real:
            return "met", f"{real[0].name} is the {rule.title}", None
        if pointer is not None:
            why = f"{pointer.name} is a pointer licheck wrote, not the {rule.title}: replace it with the text"
            return "pointer", why, _duty(f, subject, "review", why, at, flag="license_file_pointer")
        why = f"{', '.join(p.name for p in copies)} found, but none is the {rule.title}"
        why += f" (no {markers[0]!r} heading)" if markers else ""
        return "mismatch", why, _duty(f, subject, "review", why, at, flag="license_file_mismatch")
    # attribution: a display line the licence lets you show on a website, UI or documentation; the card counts.
    if d.attribution_where == "user_interface":
        return "unchecked", f"display {' or '.join(map(repr, d.attribution))} on the product's user interface", None
    shown = next((t for t in d.attribution if norm_text(t) in norm_text(card_text)), None)
    if shown is not None:
        return "met", f"the card displays {shown!r}", None
    return "missing", f"the card does not display {' or '.join(map(repr, d.attribution))}", None


def _duty(
    f: Finding,
    subject: str,
    effect: str,
    reason: str,
    loc: Location,
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
        loc,
        violation=violation,
    )
