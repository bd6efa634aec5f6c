"""Where to put the LICENSE-file similarity threshold, measured on the real licence texts.

Usage: python benchmarks/bench_fingerprint.py LICENSE_DIR [--sketch K]

For every licence rule's primary text (as scripts/build_fingerprints.py reads them): its similarity to every
*other* known text (must stay below the threshold: distinct licences, or versions of one, bind differently), and
to lightly edited copies of itself (must stay above): a quantiser's copyright line added and years changed, the
text re-wrapped as Markdown with a heading, one sentence reworded, a short notice appended, and all of these
together. Prints the highest cross-text score, the lowest edited-copy score, the pairs nearest the boundary
and whether licheck.rules.fingerprint.THRESHOLD separates them. Scores use the shipped form (bottom-k sketch of the
known text against the full shingle set of the candidate), exactly as at run time.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_fingerprints import build  # noqa: E402

from licheck.rules import fingerprint as fp  # noqa: E402


def light_edits(text: str) -> dict[str, str]:
    """Edits that leave the terms unchanged: these copies must be identified."""
    own = [ln for ln in text.splitlines() if not fp._COPYRIGHT_RE.match(ln.lower())]
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return {
        "copyright line changed": "Copyright (c) 2025 Example Quantiser Ltd.\n\n" + "\n".join(own),
        "heading + markdown reflow": "# LICENSE\n\n" + "\n\n".join(textwrap.fill(p, 60) for p in paragraphs),
        "typography": text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'").replace(" ", "  "),
    }


def substantive_edits(text: str) -> dict[str, str]:
    """Edits that change the terms: a match here is a wrong identification unless the change is tiny."""
    sentences = re.split(r"(?<=[.;])\s+", text)
    mid = len(sentences) // 2
    reworded = (
        sentences[:mid]
        + ["You may not use the Materials for any commercial purpose whatsoever."]
        + sentences[mid + 1 :]
    )
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    dropped = paragraphs[: len(paragraphs) // 2] + paragraphs[len(paragraphs) // 2 + 1 :]
    return {
        "one sentence replaced": " ".join(reworded),
        "one paragraph dropped": "\n\n".join(dropped),
        "restriction appended": text
        + "\n\nIn addition, the weights in this repository may not be used commercially.\n",
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    if "--sketch" in argv:
        fp.SKETCH = int(argv[argv.index("--sketch") + 1])
    lic_dir = Path(argv[1])
    data = build(lic_dir, ROOT / "rules")
    texts = {e["rules"][0]: (lic_dir / e["sources"][0]["text"]).read_text(encoding="utf-8") for e in data["texts"]}
    cross: list[tuple[float, str]] = []
    light: list[tuple[float, str]] = []
    subst: list[tuple[float, str]] = []
    wrong: list[str] = []
    missed: list[str] = []  # fail closed (review), reported
    for e in data["texts"]:
        rid = e["rules"][0]
        for other, text in texts.items():
            if other != rid:
                cross.append((fp.similarity(fp.shingle_hashes(fp.tokens(text)), e["sketch"]), f"{other} vs {rid}"))
        for kind, out in (("light", light), ("substantive", subst)):
            variants = light_edits(texts[rid]) if kind == "light" else substantive_edits(texts[rid])
            for name, text in variants.items():
                got = fp.identify(text.encode(), "LICENSE", data)
                sim = fp.similarity(fp.shingle_hashes(fp.tokens(text)), e["sketch"])
                out.append((sim, f"{rid}: {name} -> {got.rule or 'none'} ({got.similarity:.2f})"))
                if kind == "light" and got.rule != rid:
                    missed.append(out[-1][1])
                if got.rule not in (None, rid):
                    wrong.append(f"identified as another licence: {out[-1][1]}")
    cross.sort(reverse=True)
    light.sort()
    subst.sort(reverse=True)
    print(f"{len(texts)} known texts, sketch {fp.SKETCH}, shingles of {fp.SHINGLE} words, threshold {fp.THRESHOLD}")
    print("highest similarity between different known texts (must be < threshold):")
    for s, what in cross[:5]:
        print(f"  {s:.3f}  {what}")
    print("lowest similarity of a light edit to its original (must be >= threshold):")
    for s, what in light[:5]:
        print(f"  {s:.3f}  {what}")
    print("highest similarity of a substantive edit (matched only when the change is tiny against the text):")
    for s, what in subst[:5]:
        print(f"  {s:.3f}  {what}")
    matched = sum(1 for _s, w in subst if "-> none" not in w)
    print(f"substantive edits still identified: {matched}/{len(subst)}")
    print(f"light edits identified: {len(light) - len(missed)}/{len(light)} (the rest stay review)")
    for m in missed:
        print(f"  not identified: {m}")
    ok = cross[0][0] < fp.THRESHOLD <= light[0][0] and not wrong
    print(f"max cross {cross[0][0]:.3f} < {fp.THRESHOLD} <= min light {light[0][0]:.3f}: {ok}")
    for w in wrong:
        print("  " + w)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
