"""Build a model's provenance graph: every model, dataset and API its weights, data or outputs came from.

Breadth-first by graph level; the nodes of one level are fetched concurrently. A parent that cannot be read
becomes a `missing` node with the reason and the walk goes on; cycles are reported and cut; a depth limit
stops the walk with a warning (the unread ancestors are `missing`, so no verdict can be `permitted`).
"""

from __future__ import annotations

import os
from pathlib import Path

from licheck.domain import Graph, ModelNode
from licheck.errors import NotFound, OfflineMiss, SourceError, Unreachable, UsageError
from licheck.provenance.evidence import (
    MAX_CONFIG_DEPTH,
    UNREAD,
    config_level,
    node_from_record,
    parent_edges,
    unread_reason,
)
from licheck.provenance.ids import Subject, parse_subject
from licheck.provenance.records import RepoRecord, new_record
from licheck.provenance.sources import LayeredSource
from licheck.rules.apis import ApiCatalogue, load_catalogue

DEFAULT_MAX_DEPTH = 20
GUESS_PATTERN = "same-org model named"  # cardparse's label for a bare model name resolved within the card's org
LOCAL_FILES = ("README.md", "adapter_config.json", "mergekit_config.yml", "config.json")
MAX_LOCAL_FILE = 1024 * 1024


def subject_for(node_id: str) -> Subject:
    if node_id.startswith("api:"):
        return Subject("api", node_id)
    if node_id.startswith("datasets/"):
        return Subject("dataset", node_id)
    return Subject("model", node_id)


def api_node(subject: Subject, api: ApiCatalogue) -> ModelNode:
    provider_id, _, _product = subject.repo_id.partition("/")
    provider = api.provider(provider_id)
    return ModelNode(
        id=subject.id,
        kind="api",
        source="catalogue",
        provider=provider.id if provider else None,
        missing_reason=None if provider else f"unknown API provider {provider_id!r}",
    )


def missing_node(node_id: str, reason: str) -> ModelNode:
    return ModelNode(id=node_id, kind="missing", source="none", missing_reason=reason)


def read_regular(path: Path, cap: int) -> tuple[bytes | None, str | None]:
    """(up to cap + 1 bytes, None) of a regular file; (None, why) for anything else, which is never opened.

    A FIFO would block the read forever and a device could stream without end; a symbolic link could lead out of
    the folder. `lstat` first, then open without following links and without blocking, and check again."""
    import stat

    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or type(exc).__name__})"
    if stat.S_ISLNK(mode):
        return None, "is a symbolic link (not followed)"
    if not stat.S_ISREG(mode):
        return None, "is not a regular file (a FIFO, socket or device; not opened)"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or type(exc).__name__})"
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None, "is not a regular file (not read)"
        try:
            return fh.read(cap + 1), None
        except OSError as exc:
            return None, f"cannot be read ({exc.strerror or type(exc).__name__})"


def read_local(folder: str, api: ApiCatalogue) -> RepoRecord:
    """A model folder on disk: only the four known files, only inside the folder given."""
    from licheck.provenance import recordbuild as build

    base = Path(folder).expanduser()
    if not base.is_dir():
        raise UsageError(f"not a folder: {folder}")
    base = base.resolve()
    files: dict[str, str] = {}
    cut: set[str] = set()
    unread: list[str] = []
    oversized: list[str] = []
    for name in LOCAL_FILES:
        p = base / name
        if not os.path.lexists(p):
            continue
        data, why = read_regular(p, MAX_LOCAL_FILE)
        if data is None:
            unread.append(f"{name} {why}")
            continue
        if len(data) > MAX_LOCAL_FILE:
            cut.add(name)
            oversized.append(build.too_large(name, MAX_LOCAL_FILE))
        files[name] = data[:MAX_LOCAL_FILE].decode("utf-8", errors="replace")
    files.update(_subfolder_configs(base, files))
    rec = new_record(folder, "model", source="local", files=list(files), problems=unread, incomplete=oversized)
    if "README.md" in files:
        build.add_card(rec, files["README.md"], truncated="README.md" in cut, api=api, self_id=base.name)
    import json

    for path in config_level(list(files), "adapter_config.json"):
        build.add_config(rec, path, files[path])
    bases = rec.card_data.get("base_model")
    if "config.json" in files and not bases and not rec.file_parents:
        # Weakest evidence: whatever path the trainer loaded from (often a local folder; only Hub ids count).
        trained_from: object = None
        try:
            cfg = json.loads(files["config.json"])
            trained_from = cfg.get("_name_or_path") if isinstance(cfg, dict) else None
        except ValueError:
            pass
        from licheck.provenance.ids import parent_subject
        from licheck.provenance.records import ProseEdge

        subj = parent_subject(trained_from) if isinstance(trained_from, str) and "/" in trained_from else None
        if subj is not None and subj.kind == "model":
            rec.prose.append(
                ProseEdge("finetune", subj.id, f"config.json _name_or_path: {trained_from}", "config.json")
            )
    for path in config_level(list(files), "mergekit_config.yml"):
        build.add_config(rec, path, files[path])
    _local_license_file(rec, base)
    return rec


def _local_license_file(rec: RepoRecord, base: Path) -> None:
    """The folder's LICENSE / LICENSE.md / LICENSE.txt when the card names no licence, as the Hub client reads it."""
    from licheck.provenance import recordbuild
    from licheck.rules import fingerprint

    present = [n for n in fingerprint.LICENSE_FILES if (base / n).resolve().parent == base and (base / n).is_file()]
    name = recordbuild.license_file_to_read(rec, present)
    if name is None:
        return
    try:
        with (base / name).open("rb") as fh:
            data = fh.read(fingerprint.MAX_LICENSE_BYTES + 1)
    except OSError:
        return
    recordbuild.add_license_file(rec, name, data)


LOCAL_WALK_LIMIT = 2000  # directory entries looked at for sub-folder configs
LOCAL_CONFIG_FILES = 16  # sub-folder config files read at most


def _subfolder_configs(base: Path, files: dict[str, str]) -> dict[str, str]:
    """The sub-folder adapter/merge configs that count (evidence.config_level) when the folder has no root copy.

    Bounded like a Hub listing: MAX_CONFIG_DEPTH deep, LOCAL_WALK_LIMIT entries, LOCAL_CONFIG_FILES read; symlinked
    folders are not entered and a file must resolve inside the folder."""
    names = [n for n in ("adapter_config.json", "mergekit_config.yml") if n not in files]
    found: list[str] = []
    stack: list[tuple[Path, str]] = [(base, "")]
    seen = 0
    while names and stack and seen < LOCAL_WALK_LIMIT:
        folder, rel = stack.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries[: LOCAL_WALK_LIMIT - seen]:
            seen += 1
            path = rel + entry.name
            try:
                if entry.is_dir(follow_symlinks=False) and path.count("/") < MAX_CONFIG_DEPTH:
                    stack.append((Path(entry.path), path + "/"))
                elif rel and entry.name in names:
                    found.append(path)
            except OSError:
                continue
    out: dict[str, str] = {}
    for name in names:
        for path in config_level(found, name)[:LOCAL_CONFIG_FILES]:
            p = (base / path).resolve()
            data = read_regular(p, MAX_LOCAL_FILE)[0] if p.is_relative_to(base) else None
            if data is not None:
                out[path] = data[:MAX_LOCAL_FILE].decode("utf-8", errors="replace")
    return out


class ProvenanceResolver:
    def __init__(
        self,
        source: LayeredSource,
        *,
        api: ApiCatalogue | None = None,
        max_depth: int = DEFAULT_MAX_DEPTH,
        workers: int = 8,
    ) -> None:
        self.source = source
        self.api = api or load_catalogue()
        self.max_depth = max_depth
        self.workers = workers

    def parse(self, raw: str) -> Subject:
        return parse_subject(raw, api_lookup=self.api.is_product)

    def resolve(self, raw_root: str, revision: str | None = None) -> Graph:
        root = self.parse(raw_root)
        if root.kind == "local":
            rec = read_local(root.id, self.api)
        elif root.kind == "api":
            graph = Graph(root=root.id)
            graph.nodes[root.id] = api_node(root, self.api)
            return graph
        else:
            try:
                rec = self.source.fetch(root, revision)  # a root that cannot be read is a tool error
            except (OfflineMiss, Unreachable) as exc:
                hint = self.source.hint(root) if "not in the " in str(exc) else ""
                if hint:
                    raise type(exc)(f"{exc}; {hint}") from None
                raise
        graph = Graph(root=rec.key)
        if rec.source == "snapshot" and rec.requested_id:
            graph.warnings.append(
                f"{rec.requested_id} is now {rec.key} ({self._redirect_note(rec)}; using the canonical id)"
            )
        depth: dict[str, int] = {}
        level = self._add_record(graph, rec, depth, 0)
        current_depth = 0
        while level:
            current_depth += 1
            if current_depth > self.max_depth:
                for nid in level:
                    graph.nodes[nid] = missing_node(nid, f"not read: depth limit {self.max_depth} reached")
                graph.warnings.append(
                    f"depth limit {self.max_depth} reached; {len(level)} ancestor(s) not read (use --max-depth)"
                )
                break
            subjects = [subject_for(nid) for nid in level]
            results = self._fetch_level(subjects)
            next_level: list[str] = []
            for subj, outcome in zip(subjects, results, strict=True):
                if isinstance(outcome, RepoRecord):
                    canonical = outcome.key
                    if canonical != subj.id:
                        self._rename(graph, subj.id, canonical, self._redirect_note(outcome))
                        if canonical in graph.nodes:
                            continue
                    next_level += self._add_record(graph, outcome, depth, current_depth)
                elif isinstance(outcome, ModelNode):
                    graph.nodes[subj.id] = outcome
                elif isinstance(outcome, NotFound) and self._only_guessed(graph, subj.id):
                    # A same-org name guessed from prose ("generated by DeepSeek-R1") that is not on the Hub: the
                    # guess was wrong, not the parent unreadable. Drop it, say so.
                    graph.edges = [e for e in graph.edges if e.parent != subj.id]
                    graph.warnings.append(f"{subj.id}: guessed from card prose but not on the Hub; ignored")
                else:
                    graph.nodes[subj.id] = missing_node(subj.id, str(outcome))
            level = [n for n in dict.fromkeys(next_level) if n not in graph.nodes]
        self._report_cycles(graph)
        for w in self.source.stats.warnings:
            if w not in graph.warnings:
                graph.warnings.append(w)
        return graph

    def _fetch_level(self, subjects: list[Subject]) -> list[RepoRecord | ModelNode | str | SourceError]:
        def one(subj: Subject) -> RepoRecord | ModelNode | str | SourceError:
            if subj.kind == "api":
                return api_node(subj, self.api)
            if subj.id.startswith("invalid:"):
                return f"not a Hub id: {subj.id[len('invalid:') :]!r}"
            if subj.id.startswith(UNREAD):
                return unread_reason(subj.id)
            try:
                return self.source.fetch(subj)
            except SourceError as exc:
                return exc

        if len(subjects) == 1 or self.workers <= 1:
            return [one(s) for s in subjects]
        from concurrent.futures import ThreadPoolExecutor  # only when a level has several nodes

        with ThreadPoolExecutor(max_workers=min(self.workers, len(subjects))) as pool:
            return list(pool.map(one, subjects))

    def _add_record(self, graph: Graph, rec: RepoRecord, depth: dict[str, int], d: int) -> list[str]:
        node = node_from_record(rec)
        graph.nodes[node.id] = node
        depth[node.id] = d
        if rec.card_warning:
            graph.warnings.append(f"{node.id}: {rec.card_warning}")
        edges, warnings = parent_edges(rec, self.api)
        graph.warnings.extend(w for w in warnings if w not in graph.warnings)
        graph.edges.extend(edges)
        return [e.parent for e in edges if e.parent not in graph.nodes]

    @staticmethod
    def _only_guessed(graph: Graph, node_id: str) -> bool:
        incoming = [e for e in graph.edges if e.parent == node_id]
        return bool(incoming) and all(
            e.relation_source == "prose" and all(ev.detail.startswith(GUESS_PATTERN) for ev in e.evidence)
            for e in incoming
        )

    def _redirect_note(self, rec: RepoRecord) -> str:
        note = getattr(self.source.snapshot, "rename_note", None)
        if rec.source == "snapshot" and rec.requested_id and note is not None:
            return f"the embedded snapshot records the rename: {note(rec.requested_id)}"
        return "the Hub redirected"

    @staticmethod
    def _rename(graph: Graph, old: str, new: str, why: str = "the Hub redirected") -> None:
        for e in graph.edges:
            if e.parent == old:
                e.parent = new
        graph.warnings.append(f"{old} is now {new} ({why}; using the canonical id)")

    @staticmethod
    def _report_cycles(graph: Graph) -> None:
        children: dict[str, list[str]] = {}
        for e in graph.edges:
            children.setdefault(e.child, []).append(e.parent)
        state: dict[str, int] = {}
        found: list[list[str]] = []
        for start in list(graph.nodes):
            if state.get(start):
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            path: list[str] = []
            while stack:
                nid, idx = stack.pop()
                if idx == 0:
                    state[nid] = 1
                    path.append(nid)
                kids = children.get(nid, [])
                if idx < len(kids):
                    stack.append((nid, idx + 1))
                    nxt = kids[idx]
                    if state.get(nxt) == 1:
                        found.append(path[path.index(nxt) :] + [nxt])
                    elif not state.get(nxt):
                        stack.append((nxt, 0))
                else:
                    state[nid] = 2
                    path.pop()
        graph.cycles = found[:20]
        for c in graph.cycles:
            graph.warnings.append("cycle in provenance (walk stopped there): " + " -> ".join(c))
