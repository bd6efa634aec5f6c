"""From a verdict to the files its obligations demand: NOTICE, licence copies or pointers, and the model card.

Why no text is made up here: every prescribed line (the NOTICE text, "Built with Llama", the name prefix) comes
from the rule data, verbatim from the licence (scripts/check_quotes.py), and each generated line names the clause
(or the plan fact) that requires it. A licence text is copied only when the licence allows it and licheck ships a
copy whose sha256 is the rule's; otherwise the file is a pointer to the recorded source with a TODO, and an MIT
style copy whose copyright line only the upstream LICENSE has is a pointer to that file, never an invented holder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from licheck.domain import Plan, Rule, Verdict
from licheck.notices.duties import Duty, collect_duties
from licheck.notices.files import POINTER_MARK, GenFile, Line, norm_name
from licheck.rules.ruleset import RuleSet

CARD = "README.md"


@dataclass
class Notices:
    """What `licheck notices` produces for one plan: the files, the student's name, and what is left to do."""

    plan: Plan
    verdict: str
    name: str
    files: list[GenFile] = field(default_factory=list)
    todos: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan.to_json(),
            "verdict": self.verdict,
            "name": self.name,
            "files": [f.to_json() for f in self.files],
            "todos": self.todos,
            "notes": self.notes,
        }


def build_notices(verdict: Verdict, rules: RuleSet, name: str) -> Notices:
    """The files for `verdict` (a forbidden verdict gets none: no file makes it allowed)."""
    out = Notices(verdict.plan, verdict.verdict, name)
    if verdict.verdict == "forbidden":
        out.notes.append("the plan is forbidden: no notice or licence file makes it allowed; nothing to write")
        return out
    duties = collect_duties(verdict.findings, rules)
    out.name = _name(duties, name, out.notes)
    notice = _notice(duties, out.todos)
    copies = _licence_files(duties, out.todos)
    out.files = ([notice] if notice.lines else []) + copies + [_card(verdict, rules, duties, out, copies)]
    if verdict.verdict == "review":
        out.notes.append("the verdict is review: these files cover the obligations found, the plan is not settled")
    return out


def _name(duties: list[Duty], name: str, notes: list[str]) -> str:
    """The student's name with every required prefix ("Llama"), saying when it had to be changed."""
    for duty in (d for d in duties if d.kind == "name" and d.deliver.name_prefix):
        prefix = duty.deliver.name_prefix or ""
        if norm_name(name).startswith(norm_name(prefix)):
            continue
        new = f"{prefix.replace(' ', '-')}-{name}"
        notes.append(f"the name {name!r} must begin with {prefix!r} ({duty.cite()}): the card names it {new!r}")
        name = new
    for duty in (d for d in duties if d.kind == "name" and d.deliver.name_prefix):
        if not norm_name(name).startswith(norm_name(duty.deliver.name_prefix or "")):
            notes.append(f"no name satisfies every prefix: {name!r} does not begin with {duty.deliver.name_prefix!r}")
    return name


def _notice(duties: list[Duty], todos: list[str]) -> GenFile:
    out = GenFile("NOTICE", "the notice lines the licences prescribe")
    seen: dict[str, int] = {}
    for duty in (d for d in duties if d.kind == "notice"):
        d = duty.deliver
        if d.notice:
            text = d.notice
        elif d.notice_upstream:  # only the upstream NOTICE has these lines: a to-do, never a placeholder shipped
            todos.append(
                f"NOTICE: if {duty.finding.node} ships a NOTICE file, copy its attribution notices ({duty.cite()})"
            )
            continue
        else:
            todos.append(f"NOTICE: {duty.rule.title} requires a Notice file, but its text is not recorded")
            continue
        if text in seen:
            i = seen[text]
            out.lines[i] = Line(text, (*out.lines[i].cites, duty.cite()))
            continue
        seen[text] = len(out.lines)
        out.lines.append(Line(text, (duty.cite(),)))
    return out


def _packaged_text(rule: Rule) -> str | None:
    """licheck's own copy of a redistributable licence text, only when it is byte for byte the rule's text."""
    from licheck import resources

    path = resources.data_dir() / "licence-texts" / f"{rule.id}.txt"
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not rule.text_sha256 or hashlib.sha256(raw).hexdigest() != rule.text_sha256:
        return None
    return raw.decode("utf-8")


def _licence_files(duties: list[Duty], todos: list[str]) -> list[GenFile]:
    files: dict[str, GenFile] = {}
    for duty in (d for d in duties if d.kind == "licence"):
        rule, d, cite, node = duty.rule, duty.deliver, duty.cite(), duty.finding.node
        if rule.id in files:
            files[rule.id].cites += (cite,)
            continue
        text = _packaged_text(rule) if d.redistributable and not d.upstream_copy else None
        if text is not None:
            files[rule.id] = GenFile(f"LICENSE-{rule.id}.txt", f"the {rule.title}, verbatim", verbatim=text)
            files[rule.id].cites = (cite,)
            continue
        source = d.licence_source or rule.source_url
        lines = [Line(f"# {rule.title}", (cite,)), Line("")]
        if d.link_suffices:
            lines.append(Line(f"This model contains {node}, licensed under the {rule.title}: {source}", (cite,)))
            todos.append(f"LICENSE-{rule.id}.md: credit the creator(s) of {node} as they ask to be credited")
            files[rule.id] = GenFile(f"LICENSE-{rule.id}.md", "a link to the licence", lines, "markdown")
            files[rule.id].cites = (cite,)
            continue
        if d.upstream_copy:
            url = f"https://huggingface.co/{node}/blob/main/LICENSE" if "/" in node else source
            what = f"the upstream LICENSE of {node} ({url}), with its copyright line"
            lines.append(Line(f"TODO: replace this file with {what}.", (cite,)))
        else:
            sha = f" (sha256 {rule.text_sha256})" if rule.text_sha256 else ""
            what = f"the verbatim text of the {rule.title} from {source}{sha}"
            lines.append(Line(f"TODO: replace this file with {what}; licheck may not redistribute it.", (cite,)))
        lines += [Line(""), Line(f"{POINTER_MARK} {rule.id}", (cite,))]
        todos.append(f"LICENSE-{rule.id}.md: replace the pointer with {what}")
        files[rule.id] = GenFile(f"LICENSE-{rule.id}.md", "a pointer to a licence text to ship", lines, "markdown")
        files[rule.id].cites = (cite,)
    return list(files.values())


def _card_licence(verdict: Verdict, rules: RuleSet) -> list[Line]:
    """`license:` honestly: the licences of the weights in the student (and terms that claim it), restrictive
    ones first; several restrictive licences of different licensors cannot be one value: a TODO says so."""
    found: dict[str, str] = {}
    for f in verdict.findings:
        rule = rules.get(f.rule)
        if rule is None or rule.kind != "licence" or f.rule in found:
            continue
        if f.channel == "weight" or f.flag == "declared_license_insufficient":
            found[f.rule] = f.node
    strict = [r for r in found if not rules.rules[r].permissive] or list(found)
    if len(strict) != 1:
        listed = ", ".join(strict) or "none found"
        return [Line(f"# license: TODO (one value cannot declare {listed}; see the LICENSE files)", ("plan",))]
    rule = rules.rules[strict[0]]
    cite = (f"{rule.id}: the licence of {found[rule.id]}",)
    hub, names = rule.identifiers.get("hub", ()), rule.identifiers.get("license_name", ())
    if hub:
        return [Line(f"license: {hub[0]}", cite)]
    return [Line("license: other", cite), Line(f"license_name: {names[0] if names else rule.id}", cite)]


def _card(verdict: Verdict, rules: RuleSet, duties: list[Duty], out: Notices, copies: list[GenFile]) -> GenFile:
    plan = verdict.plan
    front = _card_licence(verdict, rules)
    base = plan.student or (plan.teacher if plan.method == "weights" else None)
    if base:
        front.append(Line(f"base_model: {base}", ("plan: the student base" if plan.student else "plan: weights",)))
        front.append(Line("base_model_relation: finetune", ("plan: trained from the base model's weights",)))
    if plan.teacher.startswith("datasets/"):
        front.append(Line(f"datasets: [{plan.teacher.removeprefix('datasets/')}]", ("plan: the training data",)))
    else:
        front.append(Line("# datasets: [TODO: the datasets the student was trained on]", ("plan",)))
    name_cites = tuple(d.cite() for d in duties if d.kind == "name") or ("plan",)
    front.append(Line(f"model_name: {out.name}", name_cites))
    body = [Line(f"# {out.name}"), Line("")]
    if not plan.teacher.startswith("datasets/"):
        body.append(Line(f"Distilled from {plan.teacher} (method: {plan.method}).", ("plan: the teacher",)))
        body.append(Line(""))
    shown: dict[str, list[str]] = {}
    for duty in (d for d in duties if d.kind == "attribution"):
        text = duty.deliver.attribution[0]
        if duty.deliver.attribution_where == "user_interface":
            out.todos.append(f"display {text!r} on the user interface of the product ({duty.cite()})")
            continue
        shown.setdefault(text, []).append(duty.cite())
    if shown or copies:
        body += [Line("## Licence and attribution"), Line("")]
    body += [Line(text, tuple(cites)) for text, cites in shown.items()]
    if copies:
        names = ", ".join(f.name for f in copies)
        body.append(Line(""))
        body.append(Line(f"Licences that apply: {names}.", tuple(dict.fromkeys(c for f in copies for c in f.cites))))
    return GenFile(CARD, "the model card: provenance and the attribution lines", body, "markdown", front=front)
