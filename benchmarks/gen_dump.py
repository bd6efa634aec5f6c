"""Write a synthetic Hub dump (JSON Lines, Hub API shape) with the shape of the real Hub, for `licheck scan`.

Usage: python benchmarks/gen_dump.py --records N --out FILE [--seed 1] [--real PATH] [--no-real]

Calibration: when the real scrape (../shared/data/hub-scrape-2025-04.jsonl, 1,983 real records) is present it is
measured at generation time: licence mix (incl. `other` + `license_name`), how often a child keeps its parent's
licence, share with datasets and how many, adapter share (adapter_config.json), merge share and parents per merge,
share of parents that are themselves derivatives (depth), dangling parents, gating, pipeline tags, and the real
root models (ids and licences) seed the families. Without it the constants below (measured from that file on
2026-11-26) are used, so the benchmark runs without ../shared. Where the scrape is biased (it is a crawl of
finetune trees), documented constants fill in: share of new roots, quantised repos (GGUF), very long checkpoint
chains (depth 1000+), cycles and case-variant parent ids.

Fan-out follows preferential attachment (a new model picks the base of a random earlier model most of the time),
which gives the heavy tail seen on the Hub (a few bases with hundreds of thousands of children).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "hub-scrape-2025-04.jsonl"

# Measured from hub-scrape-2025-04.jsonl (1,983 records); used when the file is not available.
CONSTANTS: dict[str, Any] = {
    "licence_mix": [
        [None, None, 731],
        ["mit", None, 375],
        ["apache-2.0", None, 275],
        ["llama2", None, 189],
        ["creativeml-openrail-m", None, 157],
        ["other", None, 45],
        ["gemma", None, 41],
        ["openrail", None, 23],
        ["other", "exaone", 16],
        ["other", "llama4", 14],
        ["cc-by-nc-4.0", None, 11],
        ["unknown", None, 9],
        ["afl-3.0", None, 8],
        ["other", "gemma-terms-of-use", 6],
        ["cc-by-sa-4.0", None, 6],
        ["artistic-2.0", None, 5],
        ["llama3.3", None, 5],
        ["bigcode-openrail-m", None, 5],
        ["bigscience-bloom-rail-1.0", None, 4],
        ["bigscience-openrail-m", None, 3],
        ["mit", "deepseek", 3],
        ["other", "stabilityai-ai-community", 3],
        ["other", "darjyo", 2],
        ["ms-pl", None, 2],
        ["llama3.2", None, 2],
        ["wtfpl", None, 2],
        ["llama3.1", None, 2],
        ["openrail++", None, 2],
        ["other", "nvidia-open-model-license", 2],
        ["lgpl-3.0", None, 1],
        ["unlicense", None, 1],
        ["bsd-3-clause", None, 1],
        ["agpl-3.0", None, 1],
        ["gpl-2.0", None, 1],
        ["other", "private", 1],
        ["other", "microsoft-research-license", 1],
    ],
    "same_licence_as_parent": 715 / 1986,
    "with_datasets": 842 / 1983,
    "datasets_per_model": [[1, 765], [2, 39], [3, 19], [4, 5], [5, 1], [6, 1], [7, 1], [9, 5], [10, 1], [11, 1]],
    "adapter_share": 730 / 1983,
    "merge_share": 56 / 1983,
    "parents_per_merge": [[2, 40], [3, 10], [4, 4], [5, 2]],
    "parent_is_derivative": 207 / 1986,
    "dangling_parent": 55 / 2041,
    "gated_share": 63 / 1983,
    "declared_relation": 21 / 1983,
    "pipelines": [
        [None, 1625],
        ["text-generation", 146],
        ["text-classification", 36],
        ["question-answering", 33],
        ["text-to-image", 17],
        ["translation", 13],
        ["token-classification", 10],
        ["text2text-generation", 10],
        ["text-to-video", 9],
        ["any-to-any", 7],
    ],
    "roots": [
        ["meta-llama/Llama-2-7b-chat-hf", "llama2", None],
        ["meta-llama/Llama-2-7b", "llama2", None],
        ["google/gemma-7b", "gemma", None],
        ["microsoft/phi-2", "mit", None],
        ["deepseek-ai/DeepSeek-R1", "mit", None],
        ["deepseek-ai/DeepSeek-V3", None, None],
        ["stabilityai/stable-diffusion-2-1", "openrail++", None],
        ["deepseek-ai/Janus-Pro-7B", "mit", "deepseek"],
        ["mistralai/Mistral-Small-24B-Base-2501", "apache-2.0", None],
        ["THUDM/CogVideoX-5b", "other", None],
        ["LGAI-EXAONE/EXAONE-Deep-32B", "other", "exaone"],
        ["hexgrad/Kokoro-82M", "apache-2.0", None],
        ["meta-llama/Llama-4-Scout-17B-16E", "other", "llama4"],
        ["EleutherAI/gpt-neox-20b", "apache-2.0", None],
        ["bigscience/bloom", "bigscience-bloom-rail-1.0", None],
        ["stabilityai/stable-diffusion-3-medium", "other", "stabilityai-ai-community"],
        ["prompthero/openjourney", "creativeml-openrail-m", None],
        ["lllyasviel/ControlNet", "openrail", None],
    ],
}
# Not measurable from the scrape (documented choices).
NEW_ROOT_SHARE = 0.02  # ~50 models per family on average; the preferential attachment makes the tail heavy
QUANT_SHARE = 0.08  # GGUF/GPTQ repos on the Hub (the scrape of finetune trees under-counts them: 11 of 1,983)
CHAIN_SHARE = 0.001  # models in long checkpoint chains (each 1,000-2,000 deep; at least one per dump >= 20k)
CYCLE_SHARE = 0.0002  # models whose base_model points at one of their own descendants
CASE_VARIANT_SHARE = 0.003  # parent ids written with another capitalisation (renames, typing)
RELATION_PATTERNS = {"adapter": "adapter", "quantized": "quantized", "merge": "merge", "finetune": "finetune"}


def calibrate(path: Path | None) -> dict[str, Any]:
    """Measure the generator's parameters from the real scrape; fall back to the recorded constants."""
    if path is None or not path.is_file():
        return dict(CONSTANTS, source="constants recorded from hub-scrape-2025-04.jsonl")
    recs = [json.loads(line) for line in path.open(encoding="utf-8")]
    ids = {r["repo_id"]: r for r in recs}

    def bases(r: dict[str, Any]) -> list[str]:
        b = r["card_data"].get("base_model")
        return [x for x in (b if isinstance(b, list) else [b] if b else []) if isinstance(x, str)]

    def lic(r: dict[str, Any]) -> tuple[Any, Any]:
        cd = r["card_data"]
        return (cd.get("license") if isinstance(cd.get("license"), str) else None, cd.get("license_name"))

    mix = Counter(lic(r) for r in recs)
    refs = [(r, b) for r in recs for b in bases(r)]
    in_dump = [(r, ids[b]) for r, b in refs if b in ids]
    ds = [r["card_data"].get("datasets") for r in recs]
    ds_counts = Counter(len(d) if isinstance(d, list) else 1 for d in ds if d)
    merges = Counter(len(bases(r)) for r in recs if len(bases(r)) >= 2)
    roots = [r for r in recs if not [b for b in bases(r) if b in ids]]
    pipes = Counter(r["card_data"].get("pipeline_tag") for r in recs)
    return {
        "source": f"measured from {path.name} ({len(recs)} records)",
        "licence_mix": [[a, b, c] for (a, b), c in mix.most_common()],
        "same_licence_as_parent": sum(lic(r) == lic(p) for r, p in in_dump) / max(1, len(in_dump)),
        "with_datasets": sum(1 for d in ds if d) / len(recs),
        "datasets_per_model": sorted([k, v] for k, v in ds_counts.items()),
        "adapter_share": sum(any("adapter_config.json" in f for f in r["file_evidence"]) for r in recs) / len(recs),
        "merge_share": sum(merges.values()) / len(recs),
        "parents_per_merge": sorted([k, v] for k, v in merges.items()),
        "parent_is_derivative": sum(1 for _r, p in in_dump if [b for b in bases(p) if b in ids]) / max(1, len(in_dump)),
        "dangling_parent": sum(1 for _r, b in refs if b not in ids) / max(1, len(refs)),
        "gated_share": sum(1 for r in recs if r.get("gated")) / len(recs),
        "declared_relation": sum(1 for r in recs if r["card_data"].get("base_model_relation")) / len(recs),
        "pipelines": [[k, v] for k, v in pipes.most_common(10)],
        "roots": [[r["repo_id"], *lic(r)] for r in roots],
    }


class Weighted:
    """Draw from [[value..., weight]] lists fast (cumulative weights + bisect)."""

    def __init__(self, rows: list[list[Any]], rng: random.Random) -> None:
        import itertools

        self.values = [tuple(r[:-1]) if len(r) > 2 else r[0] for r in rows]
        self.cum = list(itertools.accumulate(r[-1] for r in rows))
        self.rng = rng

    def draw(self) -> Any:
        import bisect

        return self.values[bisect.bisect_right(self.cum, self.rng.random() * self.cum[-1])]


STEMS = ["chat", "instruct", "sft", "dpo", "lora", "ft", "merge", "coder", "math", "rp", "tuned", "v2", "base", "med"]
FILES = [
    ".gitattributes",
    "README.md",
    "config.json",
    "generation_config.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
]


class Generator:
    def __init__(self, n: int, seed: int, cal: dict[str, Any]) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.cal = cal
        self.lic = Weighted(cal["licence_mix"], self.rng)
        self.dsn = Weighted(cal["datasets_per_model"], self.rng)
        self.mergen = Weighted(cal["parents_per_merge"], self.rng)
        self.pipe = Weighted(cal["pipelines"], self.rng)
        self.orgs = [f"user{i}" if i % 7 else f"Org{i}Labs" for i in range(max(50, n // 12))]
        self.ids: list[str] = []
        self.lics: list[tuple[Any, Any]] = []
        self.parents: list[list[int]] = []
        self.is_root: list[bool] = []
        self.derivatives: list[int] = []
        self.roots: list[int] = []
        self.root_edges: list[int] = []  # one entry per edge into a root: the preferential attachment pool

    def _name(self, base: str) -> str:
        r = self.rng
        org = (
            self.orgs[min(int(r.paretovariate(1.2)) - 1, len(self.orgs) - 1)]
            if r.random() < 0.5
            else r.choice(self.orgs)
        )
        stem = base.split("/")[-1][:40].rstrip("-._")
        return f"{org}/{stem}-{r.choice(STEMS)}-{len(self.ids)}"

    def _add(self, rid: str, lic: tuple[Any, Any], parents: list[int]) -> int:
        i = len(self.ids)
        self.ids.append(rid)
        self.lics.append(lic)
        self.parents.append(parents)
        self.is_root.append(not parents)
        if parents:
            self.derivatives.append(i)
            self.root_edges.extend(p for p in parents if self.is_root[p])
        else:
            self.roots.append(i)
        return i

    def _pick_parent(self) -> int:
        r = self.rng
        if self.derivatives and r.random() < self.cal["parent_is_derivative"]:
            return r.choice(self.derivatives)
        if self.root_edges and r.random() < 0.9:
            return r.choice(self.root_edges)  # a root, with probability proportional to its children
        return r.choice(self.roots)

    def build(self) -> None:
        r, cal = self.rng, self.cal
        for rid, lic, name in cal["roots"]:
            self._add(rid, (lic, name), [])
        chain_left = 0
        n_chains = max(1, round(self.n * CHAIN_SHARE / 1500)) if self.n >= 20_000 else 0
        chain_at = {self.n * (k + 1) // (n_chains + 1) for k in range(n_chains)}
        while len(self.ids) < self.n:
            if chain_left:
                prev = len(self.ids) - 1
                self._add(f"{self.ids[prev].split('-ckpt')[0]}-ckpt{chain_left}", self.lics[prev], [prev])
                chain_left -= 1
                continue
            x = r.random()
            if x < NEW_ROOT_SHARE:
                self._add(f"{r.choice(self.orgs)}/base-model-{len(self.ids)}", self.lic.draw(), [])
            elif len(self.ids) in chain_at:
                chain_left = min(r.randint(1000, 2000), self.n - len(self.ids) - 1)
                p = self._pick_parent()
                self._add(f"{r.choice(self.orgs)}/checkpoints-{len(self.ids)}-ckpt0", self.lics[p], [p])
            else:
                if r.random() < cal["merge_share"]:
                    first = self._pick_parent()
                    ps = [first] + [self._pick_parent() for _ in range(self.mergen.draw() - 1)]
                    ps = list(dict.fromkeys(ps))
                else:
                    ps = [self._pick_parent()]
                lic = self.lics[ps[0]] if r.random() < cal["same_licence_as_parent"] else self.lic.draw()
                self._add(self._name(self.ids[ps[0]]), lic, ps)
        # cycles: a few derivatives also name one of their own children as a base (A -> B -> A), as seen when
        # two user repos point at each other; never on a root, which would make a whole family cyclic
        for _ in range(int(self.n * CYCLE_SHARE)):
            child = r.choice(self.derivatives)
            p = self.parents[child][0]
            if p != child and not self.is_root[p]:
                self.parents[p] = self.parents[p] + [child]

    def record(self, i: int) -> dict[str, Any]:
        r, cal = self.rng, self.cal
        rid = self.ids[i]
        lic, name = self.lics[i]
        card: dict[str, Any] = {}
        tags = ["transformers", "safetensors"]
        siblings = list(FILES)
        pipeline = self.pipe.draw()
        if lic:
            card["license"] = lic
            tags.append(f"license:{lic}")
        if name:
            card["license_name"] = name
            card["license_link"] = "LICENSE"
        parents = []
        for p in self.parents[i]:
            pid = self.ids[p]
            if r.random() < CASE_VARIANT_SHARE:
                pid = pid.lower() if pid != pid.lower() else pid.upper()
            parents.append(pid)
        if parents and r.random() < cal["dangling_parent"]:
            parents[0] = f"{parents[0].split('/')[0]}/deleted-{i}"
        relation = "finetune"
        if len(parents) >= 2:
            relation = "merge"
            tags += ["mergekit", "merge"]
            if r.random() < 0.2:
                siblings.append("mergekit_config.yml")
        elif parents:
            x = r.random()
            if x < cal["adapter_share"]:
                relation = "adapter"
                siblings += ["adapter_config.json", "adapter_model.safetensors"]
            elif x < cal["adapter_share"] + QUANT_SHARE:
                relation = "quantized"
                siblings += [f"{rid.split('/')[-1]}.{q}.gguf" for q in ("Q4_K_M", "Q5_K_M", "Q8_0")]
            else:
                siblings += ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
        else:
            siblings.append("model.safetensors")
        if parents:
            card["base_model"] = parents[0] if len(parents) == 1 and r.random() < 0.5 else parents
            if r.random() < cal["declared_relation"]:
                card["base_model_relation"] = relation
            tag_rel = "finetune" if relation in ("adapter", "quantized") and r.random() < 0.5 else relation
            for pid in parents[:1]:
                tags += [f"base_model:{pid}", f"base_model:{tag_rel}:{pid}"]
        if r.random() < cal["with_datasets"] and parents:
            k = self.dsn.draw()
            ds = [
                f"datasets-org{int(r.paretovariate(1.1)) % 5000}/data-{int(r.paretovariate(0.8)) % 100000}"
                for _ in range(k)
            ]
            card["datasets"] = ds
            tags += [f"dataset:{d}" for d in ds]
        if pipeline:
            card["pipeline_tag"] = pipeline
            tags.append(pipeline)
        tags.append("region:us")
        gated: Any = False
        if r.random() < cal["gated_share"]:
            gated = "auto" if r.random() < 0.75 else "manual"
        return {
            "id": rid,
            "sha": f"{r.getrandbits(160):040x}",
            "lastModified": f"2025-0{r.randint(1, 4)}-{r.randint(10, 28)}T12:00:00.000Z",
            "gated": gated,
            "pipeline_tag": pipeline,
            "cardData": card,
            "tags": tags,
            "siblings": [{"rfilename": s} for s in siblings],
        }


def generate(n: int, out: Path, seed: int = 1, real: Path | None = REAL) -> dict[str, Any]:
    """Write n records to `out`; returns the calibration used (and a few facts about the result)."""
    cal = calibrate(real)
    gen = Generator(n, seed, cal)
    gen.build()
    order = list(range(len(gen.ids)))
    gen.rng.shuffle(order)  # a Hub listing is not in family order: parents often come after their children
    with out.open("w", encoding="utf-8", buffering=1 << 22) as fh:
        dumps = json.dumps
        for i in order:
            fh.write(dumps(gen.record(i), separators=(",", ":")) + "\n")
    return {"records": len(gen.ids), "roots": len(gen.roots), "calibration": cal["source"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--real", type=Path, default=REAL, help="real scrape to calibrate on (default ../shared/...)")
    ap.add_argument("--no-real", action="store_true", help="use the recorded constants only")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    info = generate(args.records, args.out, args.seed, None if args.no_real else args.real)
    size = args.out.stat().st_size
    print(
        f"wrote {args.out}: {info['records']:,} records, {size / 1e6:.0f} MB, {info['roots']:,} roots "
        f"({info['calibration']}) in {time.perf_counter() - t:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
