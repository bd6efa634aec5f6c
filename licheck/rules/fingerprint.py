"""Identify a repository's LICENSE file against the licence texts licheck knows, from fingerprints only.

Why fingerprints: most model licences (Llama, Gemma, Qwen, ...) may not be redistributed, so licheck ships no
texts. `scripts/build_fingerprints.py` reduces each licence rule's primary text (`source.text`, checked against
the rule's `text_sha256`) to (a) the sha256 of its normalised text and (b) a bottom-k sketch: the K smallest
64-bit hashes of its word 5-shingles. Neither gives the text back; both identify it.

Normalisation (after the SPDX matching guidelines): lower case; copyright-notice lines and a bare title first
line ("LICENSE", "MIT License") dropped (they differ per copy); only letters and digits kept, as tokens.
Matching: exact normalised sha256 first (similarity 1.0), then the bottom-k estimate of the Jaccard similarity
of shingle sets; the best rule must reach THRESHOLD and beat the runner-up by MARGIN, else nothing is identified
(the caller keeps `review`).

Why these numbers (`python benchmarks/bench_fingerprint.py /work/shared/licenses`: 36 distinct licence texts of
the rules, 2026-12-03): distinct texts peak at similarity 0.979 (Gemma 2024-04-01 vs 2025-03-24, which bind
differently), then 0.965 (CreativeML OpenRAIL-M vs OpenRAIL++-M) and 0.939 (CC BY-SA vs BY-NC-SA); copies with
a changed copyright line, a heading and Markdown re-wrap, or typographic changes score >= 0.991 (107 of 108
identified; the Falcon text, whose copyright line runs into licence text, stays `review`). THRESHOLD 0.985 sits
between, so an unknown neighbouring version no nearer than Gemma's two editions is not mistaken for one. A
clause added to a long licence barely moves the similarity (0.998), so a match must also have at most
MAX_DIFFERING estimated differing 5-word sequences: of 108 substantive edits (a sentence replaced, a paragraph
dropped, a restriction appended) only one is still identified, Falcon's with the 4-word heading "7. Submission of
Contributions." dropped. A sketch is a sample of hashes (about a third of a long text's shingles), never the
words; only texts shorter than SKETCH shingles (MIT and the two modified-MIT texts, redistributable) are whole.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

SHINGLE = 5  # words per shingle
SKETCH = 512  # hashes kept per text (bottom-k)
THRESHOLD = 0.985
MARGIN = 0.01
MAX_DIFFERING = 4  # estimated 5-word sequences in one text only: a heading line, not a clause
MAX_LICENSE_BYTES = 256 * 1024  # the longest known licence text is ~55 KB
LICENSE_FILES = ("LICENSE", "LICENSE.md", "LICENSE.txt")
DATA_FILE = "licence-fingerprints.json"

# A copyright *notice* line ("Copyright (c) 2024 Foo", "© 2025 Bar", "Copyright [yyyy] [name ...]"), not any line
# that starts with the word (Apache's "Copyright License. Subject to ..." after re-wrapping is licence text).
_COPYRIGHT_RE = re.compile(r"^\W*(copyright\s*(\(c\)|©)?|\(c\)|©)\s*(\d{4}|\[yyyy\]|<year>)", re.I)
# A bare title as first line ("LICENSE", "# License", "The MIT License (MIT)"): copies add or drop it freely.
_TITLE_RE = re.compile(r"^\W*(the\s+)?(mit\s+)?licen[cs]e(\s*\(mit\))?\W*$", re.I)
_TOKEN_RE = re.compile(r"[a-z0-9]+")


@dataclass(slots=True, frozen=True)
class FileMatch:
    """What a LICENSE file was identified as: stored in records instead of the text."""

    path: str  # file in the repository
    sha256: str  # of the bytes read
    rule: str | None  # rule id, None when nothing matched
    similarity: float  # best score (1.0: exact normalised text)
    note: str = ""  # why nothing matched, or the runner-up

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: Any) -> FileMatch | None:
        if not isinstance(d, dict) or not isinstance(d.get("path"), str) or not isinstance(d.get("sha256"), str):
            return None
        rule = d.get("rule")
        sim = d.get("similarity")
        return cls(
            path=d["path"],
            sha256=d["sha256"],
            rule=rule if isinstance(rule, str) else None,
            similarity=float(sim) if isinstance(sim, (int, float)) and not isinstance(sim, bool) else 0.0,
            note=str(d.get("note") or "")[:200],
        )

    def evidence(self) -> str:
        return f"identified from {self.path} (similarity {self.similarity:.2f})"


def tokens(text: str) -> list[str]:
    lines = [ln for ln in text.lower().splitlines() if ln.strip() and not _COPYRIGHT_RE.match(ln)]
    if lines and _TITLE_RE.match(lines[0]):
        lines = lines[1:]
    return _TOKEN_RE.findall("\n".join(lines))


def normalised_sha256(toks: list[str]) -> str:
    return hashlib.sha256(" ".join(toks).encode()).hexdigest()


def shingle_hashes(toks: list[str]) -> set[int]:
    if len(toks) < SHINGLE:
        toks = toks + [""] * (SHINGLE - len(toks)) if toks else []
    out: set[int] = set()
    for i in range(len(toks) - SHINGLE + 1):
        h = hashlib.blake2b(" ".join(toks[i : i + SHINGLE]).encode(), digest_size=8).digest()
        out.add(int.from_bytes(h, "big"))
    return out


def sketch(hashes: set[int]) -> list[int]:
    return sorted(heapq.nsmallest(SKETCH, hashes))


def fingerprint(text: str) -> dict[str, Any]:
    """The shipped form of one known text (no words, only hashes)."""
    toks = tokens(text)
    hashes = shingle_hashes(toks)
    return {"normalised_sha256": normalised_sha256(toks), "shingles": len(hashes), "sketch": sketch(hashes)}


def compare(candidate: set[int], known_sketch: list[int], known_size: int) -> tuple[float, float]:
    """(similarity, differing shingles) of a candidate's full shingle set against a known text's sketch.

    Similarity is the bottom-k estimate of Jaccard: of the k smallest hashes of the union, the share in both.
    Differing shingles estimates |C xor K| from the hashes up to the sketch's largest, where membership in the
    known set is exact (a hash in that range is in the known text iff it is in its sketch), scaled by the
    share of the hash range the sketch covers. A short clause added to a long licence barely moves the
    similarity but shows here."""
    if not candidate or not known_sketch:
        return 0.0, float(len(candidate) + known_size)
    known = set(known_sketch)
    cand_low = set(heapq.nsmallest(SKETCH, candidate))
    pool = known | cand_low
    union = heapq.nsmallest(min(SKETCH, len(pool)), pool)
    both = sum(1 for h in union if h in known and h in candidate)
    top = known_sketch[-1]
    differing = sum(1 for h in candidate if h <= top and h not in known) + sum(1 for h in known if h not in candidate)
    scale = known_size / len(known_sketch) if known_size > len(known_sketch) else 1.0
    return both / len(union), differing * scale


def similarity(candidate: set[int], known_sketch: list[int]) -> float:
    return compare(candidate, known_sketch, len(known_sketch))[0]


_LOADED: dict[str, Any] | None = None


def known_fingerprints() -> dict[str, Any]:
    """The packaged fingerprints (licheck/data/licence-fingerprints.json), loaded once."""
    global _LOADED
    if _LOADED is None:
        from licheck import resources

        _LOADED = json.loads((resources.data_dir() / DATA_FILE).read_text(encoding="utf-8"))
    return _LOADED


def identify(data: bytes, path: str, fingerprints: dict[str, Any] | None = None) -> FileMatch:
    """Identify one LICENSE file's bytes. Fails closed: oversized, empty, undecodable or unclear -> rule None."""
    sha = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_LICENSE_BYTES:
        return FileMatch(path, sha, None, 0.0, f"larger than {MAX_LICENSE_BYTES // 1024} KiB; not read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return FileMatch(path, sha, None, 0.0, "not UTF-8 text")
    toks = tokens(text)
    if len(toks) < 20:
        return FileMatch(path, sha, None, 0.0, "too short to identify")
    fps = fingerprints if fingerprints is not None else known_fingerprints()
    entries = fps.get("texts", [])
    norm = normalised_sha256(toks)
    for e in entries:
        if e["normalised_sha256"] == norm and len(e["rules"]) == 1:
            return FileMatch(path, sha, e["rules"][0], 1.0, "exact normalised text")
    cand = shingle_hashes(toks)
    scored = sorted(((*compare(cand, e["sketch"], e["shingles"]), e["rules"]) for e in entries), key=lambda t: -t[0])
    if not scored:
        return FileMatch(path, sha, None, 0.0, "no known licence texts")
    best, differing, rules = scored[0]
    second = scored[1][0] if len(scored) > 1 else 0.0
    shown = round(best, 2)
    name = "/".join(rules)
    if best < THRESHOLD:
        return FileMatch(path, sha, None, shown, f"closest known text {name} only {best:.3f}")
    if len(rules) != 1 or best - second < MARGIN:
        return FileMatch(path, sha, None, shown, f"ambiguous: {name} {best:.3f}, runner-up {second:.3f}")
    if differing > MAX_DIFFERING:
        return FileMatch(path, sha, None, shown, f"{name} {best:.3f} but ~{differing:.0f} word sequences differ")
    return FileMatch(path, sha, rules[0], shown, f"runner-up {second:.2f}")


def file_to_read(card: dict[str, Any], tags: list[str], siblings: list[str], repo_id: str) -> str | None:
    """The LICENSE file worth one request: the card says `other` or nothing, names no licence_name, and either
    links a file of this repository or ships LICENSE / LICENSE.md / LICENSE.txt at its root. Only files the
    repository lists are read (never a path built from the card alone)."""
    from licheck.provenance.evidence import card_licence_fields

    values, name, link, _gate = card_licence_fields(card)
    tag_values = [t.split(":", 1)[1] for t in tags if isinstance(t, str) and t.startswith("license:")]
    if name or any(v.strip().lower() != "other" for v in list(values) + tag_values):
        return None
    if link:
        path = linked_path(link, repo_id)
        return path if path is not None and path in siblings else None
    return next((f for f in LICENSE_FILES if f in siblings), None)


def linked_path(link: str, repo_id: str) -> str | None:
    """The repository file a license_link points to ("LICENSE", "./LICENSE.md", a Hub blob/resolve URL of this
    repository), or None for anything else (another repository, another site)."""
    link = link.strip().split("#", 1)[0].split("?", 1)[0]
    m = re.match(
        r"^(?:https?://(?:www\.)?huggingface\.co)?/?" + re.escape(repo_id) + r"/(?:blob|resolve)/[^/]+/(.+)$",
        link,
        re.I,
    )
    if m:
        path = m.group(1)
    elif "://" in link or link.startswith("/"):
        return None
    else:
        path = link[2:] if link.startswith("./") else link
    parts = path.split("/")
    return path if path and all(p not in ("", ".", "..") for p in parts) else None


def apply_file_match(rules: Any, info: Any, ident: Any) -> None:
    """RuleSet.identify's last source for `license: other` (or no licence) naming nothing: the LICENSE file.

    Applied only when nothing else identified the licence and every declared value is `other`; a file that
    matched no known text adds its note to the unresolved reason, so the review says what was read."""
    match = FileMatch.from_json(info.file)
    if match is None or ident.groups or ident.review or info.license_name:
        return
    if any(v.strip().lower() != "other" for v in list(info.card) + list(info.tags)):
        return
    if match.rule is None or rules.get(match.rule) is None:
        if ident.unresolved or ident.missing:
            ident.notes.append(f"{match.path} read but not identified ({match.note})")
            ident.unresolved = [f"{u}; {match.path} not identified ({match.note})" for u in ident.unresolved] or [
                f"no licence declared; {match.path} not identified ({match.note})"
            ]
            ident.missing = False
        return
    ident.groups = [[match.rule]]
    ident.notes.append(match.evidence())
    ident.unresolved = []
    ident.missing = False
