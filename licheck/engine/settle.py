"""What would settle a `review`: for each review finding, the missing fact or document and who can give it.

Why: a `review` that only says "review" leaves procurement with nothing to do. Each review finding carries
`settle` (the fact or document that would decide it) and `ask` (who has it: the repo owner of a node, the licensor,
your counsel, or no one when running again online is enough). A rule's review clause states its own `settle:` text
(rules are data); the reviews licheck makes itself get theirs here, keyed by the flag they are made with, in
`tool_settle`, which the Auditor's one finding factory calls. `open_questions` lists them for the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

from licheck.domain import Clause, Effect, Finding

COUNSEL = "your counsel"


def _owner(node: str) -> str:
    return f"the repo owner of {node}"


def _unreadable(node: str, parent: str | None, why: str) -> tuple[str, str]:
    """A node that could not be read, by why (the reason recorded on the `missing` node)."""
    low = why.lower()
    if "gated" in low or "access denied" in low:
        return f"access to {node}: accept its gate on the Hub, then run again with HF_TOKEN set", _owner(node)
    if "depth limit" in low:
        return (
            f"the ancestry of {node} beyond the depth limit: run again with a larger --max-depth",
            "no one (run again)",
        )
    if "not found" in low or "not a hub repository" in low:
        named = f"the card of {parent}" if parent else "the card naming it"
        return f"where {node} is now (renamed, private or deleted): {named} should name its current id", _owner(
            parent or node
        )
    if "offline" in low or "not in the dump" in low:
        return f"the metadata of {node}: run again online (without --offline)", "no one (run again online)"
    return (
        f"the metadata of {node}: run again when the Hub answers (or with a longer --time-budget)",
        "no one (run again)",
    )


def tool_settle(flag: str | None, node: str, path: Sequence[str], why: str = "") -> tuple[str, str]:
    """(settle, ask) of a review licheck makes itself, by its flag; `why` is the reason it records."""
    parent = path[-2] if len(path) > 1 else None
    if flag == "node_unreadable" or flag == "root_unreadable":
        return _unreadable(node, parent, why)
    if flag == "cycle":
        nodes = ", ".join(dict.fromkeys(path))
        return f"which of {nodes} is the real base: one of their cards names a descendant as its parent", (
            f"the repo owners of {nodes}"
        )
    if flag == "license_unresolvable":
        return (
            f"the licence of {node}: a `license:` field (or license_name and license_link) on its card, or a LICENSE "
            "file in the repo",
            _owner(node),
        )
    if flag == "license_needs_review":
        return (
            f"a reading of the licence {node} declares for this plan (licheck has no verified rule for it; an "
            "organisation rule folder given with --rules can add one)",
            COUNSEL,
        )
    if flag == "synthetic_data_unknown_generator":
        return f"which model generated the data of {node} (named on its card, as base_model or in prose)", _owner(node)
    if flag == "metadata_incomplete" and "does not record its base models" in why:
        return f"the base models of {node}: run again online (the Hub records them)", "no one (run again online)"
    if flag == "metadata_incomplete":
        return f"the complete metadata of {node} (its base models, every file of the repo)", _owner(node)
    if flag == "card_unreadable":
        return f"a card and config files of {node} that can be read unambiguously", _owner(node)
    if flag == "api_terms_unknown":
        return (
            f"the terms of service that govern training on the outputs of {node} (and a rule file for them)",
            f"the licensor (the provider of {node}) or {COUNSEL}",
        )
    return f"a decision on the finding about {node}", COUNSEL


def clause_settle(clause: Clause, status: str, unknown: Sequence[str], url: str | None) -> tuple[str, str]:
    """(settle, ask) of a review made from a rule clause: its own `settle:` text, else what the engine could not
    tell (data the graph lacks) or the clause text that is not verified against its primary source."""
    if status == "unknown_data":
        return f"whether {', '.join(unknown)} (the cards of the models concerned)", "the repo owners of those models"
    if clause.effect != Effect.REVIEW:  # a forbid/obligation clause whose text is only a secondary copy
        return f"the text of clause {clause.id} checked against its primary source ({url})", COUNSEL
    return clause.settle or f"a legal reading of clause {clause.id} for this plan", COUNSEL


def open_questions(findings: Sequence[Finding]) -> list[dict[str, str]]:
    """One entry per review finding (identical ones once): node, rule, clause, flag, what settles it, who to ask."""
    out: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for f in findings:
        if f.effect != Effect.REVIEW:
            continue
        settle, ask = (f.settle, f.ask) if f.settle else tool_settle(f.flag, f.node, f.path, f.reason)
        entry = {"node": f.node, "rule": f.rule, "clause": f.clause or "", "flag": f.flag or ""}
        entry |= {"settle": settle, "ask": ask or COUNSEL}
        key = tuple(entry.values())
        if key not in seen:
            seen.add(key)
            out.append(entry)
    return out
