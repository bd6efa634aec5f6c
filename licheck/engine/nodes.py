"""What the engine reads of one node beyond its licence: modality, an unnamed licence, a known licence, a LICENSE
file match. Shared by the Auditor and the scan's class judge (one definition each)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from licheck.domain import ModelNode
from licheck.rules.ruleset import Identification

if TYPE_CHECKING:
    from licheck.rules.fingerprint import FileMatch

MULTIMODAL_PIPELINES = {
    "image-text-to-text",
    "visual-question-answering",
    "image-to-text",
    "any-to-any",
    "video-text-to-text",
    "document-question-answering",
    "audio-text-to-text",
}
TEXT_PIPELINES = {"text-generation", "text2text-generation", "fill-mask", "feature-extraction", "text-classification"}
_MM_NAME_RE = re.compile(r"(vision|[-_]vl\b|[-_]vl[-_]|llama-4|scout|maverick|multimodal|omni|llava|cosmos)", re.I)
# Relation sources strong enough to read a quantisation's unnamed licence from its base (see unnamed_licence).
STRONG_RELATION_SOURCES = frozenset({"base_model_relation", "file"})


def multimodal(node: ModelNode) -> bool | None:
    """Whether the node is a multimodal model, from its record: a multimodal pipeline tag, tag or name says yes; a
    text pipeline tag (or, with no pipeline tag, a text task among its tags) says no; failing both, the licensor's own
    card as recorded in rules/model-modalities.yaml. None when nothing says (the question stays open: `review`)."""
    tags = {t.lower() for t in node.tags}
    if (node.pipeline_tag or "") in MULTIMODAL_PIPELINES or tags & MULTIMODAL_PIPELINES or "vision" in tags:
        return True
    if _MM_NAME_RE.search(node.id):
        return True
    if (node.pipeline_tag or "") in TEXT_PIPELINES or (not node.pipeline_tag and tags & TEXT_PIPELINES):
        return False
    return card_modality(node.id)


def card_modality(repo_id: str) -> bool | None:
    """The licensor's own card's word on modality (rules/model-modalities.yaml), when the record settles nothing."""
    from fnmatch import fnmatchcase

    from licheck import resources
    from licheck.rules.compiled import bundle

    rid = repo_id.lower()
    for entry in bundle(resources.rules_dir(), packaged=True).get("modalities") or []:
        if any(fnmatchcase(rid, str(p).lower()) for p in entry.get("ids") or ()):
            return entry.get("modality") != "text"
    return None


def unnamed_licence(node: ModelNode, ident: Identification) -> bool:
    """The node names no licence of its own: `license: other` (or no licence field at all) with no license_name,
    license_link, gate heading or licence line in the card text, and nothing identified.

    Not when the source could not see the licence (a snapshot record with `license` unknown): that is missing
    data, not a quantiser who named nothing. Only such a node's licence may be read from its base."""
    info = node.license
    if node.kind != "model" or "license" in node.unknown:
        return False
    if info.license_name or info.license_link or info.gated_prompt_head or info.prose or info.file:
        return False  # it names something (a LICENSE file read counts, identified or not)
    if ident.groups or ident.review or not (ident.unresolved or ident.missing):
        return False
    return all(v.strip().lower() == "other" for v in info.card + info.tags)


def licence_known(node: ModelNode, ident: Identification) -> bool:
    """A read model whose own licence names rules, with nothing unresolved, unreviewed or missing."""
    return (
        node.kind == "model"
        and bool(ident.rule_ids or ident.statements)
        and not (ident.unresolved or ident.review or ident.missing)
    )


def _file_match(stored: object) -> FileMatch | None:
    """The stored LICENSE match (imported only when a node has one: warm audits stay lean)."""
    from licheck.rules.fingerprint import FileMatch

    return FileMatch.from_json(stored)
