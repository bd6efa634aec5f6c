"""A local, in-process fake of the Hugging Face Hub for tests.

Why: licheck talks to the Hub through the REAL ``huggingface_hub`` client
(``HfApi.model_info`` / ``dataset_info``, ``get_session().get(hf_hub_url(...))`` +
``hf_raise_for_status``, ``hf_hub_download``). Mocking those functions would test our
assumptions, not the client; this server speaks the wire protocol the client expects
(routes, ``X-Error-Code`` / ``X-Repo-Commit`` / ``ETag`` headers, 307 renames), so the
client's own error mapping and redirect handling run for real.  The HTTP server is
stdlib only (``http.server``); PyYAML -- a hard dependency of ``huggingface_hub`` -- is
used to write/parse README front matter.

Usage: put ``pytest_plugins = ["tests.fakehub"]`` in the ROOT ``conftest.py`` (or
``from tests.fakehub import fake_hub, hub_env`` in it / in a test module), then take
``hub_env`` in a test and call ``hub_env.add_model(...)``; ``tests/__init__.py`` makes
``tests.fakehub`` importable under plain ``pytest`` too.

Routes served (everything else is a bare 404):

* ``GET /api/{models|datasets}/{id}`` and ``.../{id}/revision/{quoted rev}`` -> repo
  JSON; ``expand`` / ``expand[]`` query params restrict the keys (``id`` and ``_id`` are
  always present); ``blobs=true`` adds ``size``/``blobId`` to siblings.
* ``HEAD|GET /{id}/resolve/{rev}/{file}`` and ``/datasets/{id}/resolve/{rev}/{file}`` ->
  file bytes with ``X-Repo-Commit``, ``ETag`` and ``Content-Length`` (never
  ``X-Xet-Hash``: that would switch the client to Xet).
* :meth:`FakeHub.stream` / :meth:`FakeHub.drip` -> a generated body streamed in chunks (huge body, or one byte
  every few seconds), for byte-cap and time-budget tests.
* ``GET /api/agent-harnesses`` -> an empty registry (the client fetches it once per
  process unless telemetry is disabled; answering keeps it off the network).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
import yaml

__all__ = ["FakeHub", "Fault", "Stream", "fake_hub", "hub_env"]

RepoType = Literal["model", "dataset"]
JSON = dict[str, Any]

_API_PREFIX: dict[str, str] = {"model": "/api/models/", "dataset": "/api/datasets/"}
_RESOLVE_PREFIX: dict[str, str] = {"model": "/", "dataset": "/datasets/"}
# Same regex as huggingface_hub/repocard.py ("exact same regex as in the Hub server").
_FRONT_MATTER = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
_HEX40 = re.compile(r"^[0-9a-f]{40}$")
# Keys the real Hub only returns when explicitly asked for with ``expand``.
_EXPAND_ONLY = frozenset({"baseModels", "childrenModelCount"})


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _git_blob_sha(data: bytes) -> str:
    """Git blob id, which is what the Hub reports as ``blobId`` for non-LFS files."""
    return _sha1(b"blob %d\0" % len(data) + data)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _to_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def parse_front_matter(text: str) -> dict[str, Any] | None:
    """Parse README front matter the way the Hub does, so ``cardData`` matches the
    served README.
    """
    match = _FRONT_MATTER.search(text)
    if match is None:
        return None
    data = yaml.safe_load(match.group(2))
    return data if isinstance(data, dict) else None


def compute_tags(card_data: Mapping[str, Any] | None, extra_tags: Sequence[str] = ()) -> list[str]:
    """Tags the way the Hub derives them from a card: explicit + card tags, then
    dataset/base_model/license tags.

    Only the FIRST ``base_model`` is tagged (also the Hub's behaviour for multi-parent
    merges); the relation defaults to ``finetune`` like the Hub's inference does.
    """
    tags: list[str] = [*extra_tags]
    card = card_data or {}
    tags += [str(t) for t in _as_list(card.get("tags"))]
    tags += [f"dataset:{d}" for d in _as_list(card.get("datasets"))]
    bases = _as_list(card.get("base_model"))
    if bases:
        relation = card.get("base_model_relation") or "finetune"
        tags += [f"base_model:{bases[0]}", f"base_model:{relation}:{bases[0]}"]
    tags += [f"license:{lic}" for lic in _as_list(card.get("license"))]
    return list(dict.fromkeys(tags))  # de-duplicate, keep order


def default_readme(repo_id: str, card_data: Mapping[str, Any] | None) -> str:
    """``---\\n<yaml>---\\n`` + a short body; no front matter at all when there is no
    card data.
    """
    body = f"\n# {repo_id.split('/')[-1]}\n\nFake card served by tests/fakehub.py.\n"
    if card_data is None:
        return body.lstrip("\n")
    dumped = yaml.safe_dump(dict(card_data), sort_keys=False, allow_unicode=True)
    return f"---\n{dumped}---\n{body}"


@dataclass
class Fault:
    """One injected failure; ``times`` counts down per matching request (HEAD and GET
    each count).
    """

    path_prefix: str
    status: int | None = None
    times: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float | None = None
    close: bool = False
    hits: int = 0

    def matches(self, raw_path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return raw_path.startswith(self.path_prefix) or unquote(raw_path).startswith(self.path_prefix)


@dataclass
class _Commit:
    sha: str
    card_data: dict[str, Any] | None
    tags: list[str]
    siblings: list[str]
    files: dict[str, bytes]
    gated: bool | str
    last_modified: str
    pipeline_tag: str | None
    extra: dict[str, Any]


@dataclass
class _Repo:
    repo_type: str
    repo_id: str
    created_at: str
    commits: dict[str, _Commit] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)


@dataclass
class _Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    """Threading server that never blocks ``stop()`` on a stalled handler and keeps
    quiet about dropped sockets.
    """

    daemon_threads = True
    block_on_close = False
    hub: FakeHub

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Client hang-ups (timeouts in tests) are expected; don't spam stderr with
        tracebacks.
        """


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request stderr logging; ``FakeHub.requests`` is the log."""

    def _serve(self, method: str) -> None:
        hub = self.server.hub
        # One request per connection: no keep-alive state survives a fault.
        self.close_connection = True
        hub._log(method, self.path)
        auth = self.headers.get("Authorization")
        if auth:
            hub._log_auth(auth)
        raw_path = urlsplit(self.path).path
        stream = hub._take_stream(raw_path)
        if stream is not None:
            self._write_stream(method, stream)
            return
        fault = hub._take_fault(raw_path)
        if fault is not None and fault.delay:
            hub._stop_event.wait(fault.delay)
        if fault is not None and fault.close:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault is not None and (fault.status is not None or fault.body is not None):
            reply = hub._fault_reply(fault, raw_path)
        else:
            reply = hub._route(method, self.path)
            if fault is not None:  # headers-only / delay-only fault: normal answer
                reply.headers |= fault.headers
        self._write(method, reply)

    def _write_stream(self, method: str, item: Stream) -> None:
        hub = self.server.hub
        try:
            self.send_response(item.status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            for key, value in item.headers.items():
                self.send_header(key, value)
            if item.declare_length:
                self.send_header("Content-Length", str(item.size))
            self.send_header("Connection", "close")
            self.end_headers()
            if method == "HEAD":
                return
            # The head is dripped too (a slow server is slow from its first byte); the filler comes from one buffer.
            filler = b"x" * item.chunk
            left = item.size
            pending = item.head[: item.size]
            while left > 0 and not hub._stop_event.is_set():
                if pending:
                    piece, pending = pending[: item.chunk], pending[item.chunk :]
                else:
                    piece = filler[: min(item.chunk, left)]
                self.wfile.write(piece)
                self.wfile.flush()
                left -= len(piece)
                with hub._lock:
                    item.sent += len(piece)
                if item.interval:
                    hub._stop_event.wait(item.interval)
        except OSError:
            pass  # the client gave up: that is what these routes test

    def _write(self, method: str, reply: _Reply) -> None:
        try:
            self.send_response(reply.status)
            headers = {k.lower(): (k, v) for k, v in reply.headers.items()}
            if "content-type" not in headers:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for key, value in headers.values():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(reply.body)
        except OSError:
            pass  # client gave up (e.g. a timeout test); nothing to do


@dataclass
class Stream:
    """A generated answer streamed in chunks (never held in memory): a huge body, or a slow drip.

    ``head`` is sent first, then filler bytes up to ``size`` in total, ``chunk`` bytes at a time with ``interval``
    seconds between chunks. ``declare_length=False`` leaves ``Content-Length`` out (the body ends when the
    connection closes).
    """

    path_prefix: str
    size: int
    head: bytes = b""
    chunk: int = 64 * 1024
    interval: float = 0.0
    declare_length: bool = True
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0
    sent: int = 0  # bytes written so far, over all hits


class FakeHub:
    """An in-memory Hub: register repos, then point ``HfApi(endpoint=hub.url)`` (or
    ``hub_env``) at it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._repos: dict[tuple[str, str], _Repo] = {}
        self._renames: dict[tuple[str, str], str] = {}
        self._gates: dict[tuple[str, str], int] = {}
        self._loops: set[tuple[str, str]] = set()
        self._faults: list[Fault] = []
        self._streams: list[Stream] = []
        self._log_entries: list[tuple[str, str]] = []
        self.authorizations: list[str] = []  # Authorization headers received (token-leak tests)
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> FakeHub:
        """Bind 127.0.0.1 on a random free port and serve from a daemon thread."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.hub = self
        self._server = server
        self._stop_event.clear()
        self.url = f"http://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="fakehub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; stalled (``delay``) handlers are woken so nothing lingers."""
        self._stop_event.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---------------------------------------------------------------- fixtures
    def add_model(
        self,
        repo_id: str,
        *,
        card_data: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        siblings: Sequence[str | Mapping[str, Any]] | None = None,
        sha: str | None = None,
        gated: bool | str = False,
        readme: str | bytes | Literal[False] | None = None,
        files: Mapping[str, bytes | str] | None = None,
        last_modified: str = "2025-01-01T00:00:00.000Z",
        pipeline_tag: str | None = None,
        extra: Mapping[str, Any] | None = None,
        auto_tags: bool = True,
        ref: str = "main",
    ) -> str:
        """Add a model repo (or a new commit to it) and return the commit sha.

        Calling it again for the same id adds a new commit that ``ref`` (default
        ``main``) then points to; older shas stay addressable, which models "licence
        changed in a later revision".  ``readme=False`` means the repo has no README.md;
        ``readme=None`` generates one from ``card_data``.  When ``card_data`` is None
        but a README is served, ``cardData`` is parsed from its front matter (as the Hub
        does).  ``gated`` ("auto", "manual" or True="manual") only sets the JSON field
        and makes files other than README.md answer 401 GatedRepo, as the real Hub does
        anonymously; use :meth:`gate` to also refuse the metadata API.
        ``auto_tags=False`` serves ``tags`` verbatim.  ``extra`` is merged last into the
        API JSON (its ``baseModels``/``childrenModelCount`` only appear when expanded,
        as on the Hub; nothing computes them).
        """
        return self._add(
            "model",
            repo_id,
            card_data=card_data,
            tags=tags,
            siblings=siblings,
            sha=sha,
            gated=gated,
            readme=readme,
            files=files,
            last_modified=last_modified,
            pipeline_tag=pipeline_tag,
            extra=extra,
            auto_tags=auto_tags,
            ref=ref,
        )

    def add_dataset(
        self,
        repo_id: str,
        *,
        card_data: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        siblings: Sequence[str | Mapping[str, Any]] | None = None,
        sha: str | None = None,
        gated: bool | str = False,
        readme: str | bytes | Literal[False] | None = None,
        files: Mapping[str, bytes | str] | None = None,
        last_modified: str = "2025-01-01T00:00:00.000Z",
        pipeline_tag: str | None = None,
        extra: Mapping[str, Any] | None = None,
        auto_tags: bool = True,
        ref: str = "main",
    ) -> str:
        """Same as :meth:`add_model` for a dataset repo (served under ``/api/datasets``
        and ``/datasets/``).
        """
        return self._add(
            "dataset",
            repo_id,
            card_data=card_data,
            tags=tags,
            siblings=siblings,
            sha=sha,
            gated=gated,
            readme=readme,
            files=files,
            last_modified=last_modified,
            pipeline_tag=pipeline_tag,
            extra=extra,
            auto_tags=auto_tags,
            ref=ref,
        )

    def rename(self, old_id: str, new_id: str, repo_type: RepoType = "model") -> None:
        """Old id answers 307 to the new id (API and resolve), like the Hub after a repo
        move.

        If the old repo was registered and the new one was not, its content moves to the
        new id (if both were, the old content is dropped).
        """
        with self._lock:
            old_key, new_key = (repo_type, old_id), (repo_type, new_id)
            repo = self._repos.pop(old_key, None)
            if repo is not None and new_key not in self._repos:
                repo.repo_id = new_id
                self._repos[new_key] = repo
            self._renames[old_key] = new_id

    def gate(self, repo_id: str, repo_type: RepoType = "model", status: int = 401) -> None:
        """Refuse everything for this repo (API and files) with ``status`` +
        ``X-Error-Code: GatedRepo``.

        Stronger than the real Hub, which serves gated repos' metadata and README
        anonymously (see add_model).
        """
        with self._lock:
            self._gates[(repo_type, repo_id)] = status
            repo = self._repos.get((repo_type, repo_id))
            if repo is not None:
                for commit in repo.commits.values():
                    commit.gated = commit.gated or "manual"

    def redirect_loop(self, repo_id: str, repo_type: RepoType = "model") -> None:
        """Make the repo's URLs bounce between two addresses forever (the client gives
        up after 20 hops).
        """
        with self._lock:
            self._loops.add((repo_type, repo_id))

    def fault(
        self,
        path_prefix: str,
        *,
        status: int | None = None,
        times: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        delay: float | None = None,
        close: bool = False,
    ) -> Fault:
        """Inject a failure for requests whose URL path (raw or unquoted) starts with
        ``path_prefix``.

        ``status`` gets Hub-like default headers (429: ``Retry-After``/``RateLimit``;
        401/403: ``X-Error-Code: GatedRepo``; 404: ``RepoNotFound``), overridable by
        ``headers``.  ``body`` alone answers 200 with those bytes.  ``delay`` stalls
        first, then answers normally unless status/body/close are also given. ``close``
        drops the connection without answering.  ``times=None`` means forever; faults
        are tried in the order added, the first live match wins.  Returns the
        :class:`Fault` (``.hits`` counts its uses).
        """
        item = Fault(path_prefix, status, times, dict(headers or {}), body, delay, close)
        with self._lock:
            self._faults.append(item)
        return item

    def stream(
        self,
        path_prefix: str,
        *,
        size: int,
        head: bytes | str = b"",
        chunk: int = 64 * 1024,
        interval: float = 0.0,
        declare_length: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Stream:
        """Answer requests under ``path_prefix`` with a generated body of ``size`` bytes (huge-body route)."""
        item = Stream(
            path_prefix, size, _to_bytes(head), max(1, chunk), interval, declare_length, 200, dict(headers or {})
        )
        with self._lock:
            self._streams.append(item)
        return item

    def drip(self, path_prefix: str, *, interval: float = 3.0, head: bytes | str = b"", size: int = 10**6) -> Stream:
        """Slow-drip route: one byte every ``interval`` seconds, so no per-read timeout ever fires."""
        return self.stream(path_prefix, size=size, head=head, chunk=1, interval=interval)

    def _take_stream(self, raw_path: str) -> Stream | None:
        with self._lock:
            for item in self._streams:
                if raw_path.startswith(item.path_prefix) or unquote(raw_path).startswith(item.path_prefix):
                    item.hits += 1
                    return item
        return None

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    # ---------------------------------------------------------------- request log
    @property
    def requests(self) -> list[tuple[str, str]]:
        """Snapshot of ``(method, path-with-query)`` for every request received, in
        arrival order.
        """
        with self._lock:
            return list(self._log_entries)

    def clear_log(self) -> None:
        with self._lock:
            self._log_entries.clear()

    def count(self, prefix: str) -> int:
        """How many logged requests have a path starting with ``prefix`` (raw or
        unquoted).
        """
        return sum(1 for _, p in self.requests if p.startswith(prefix) or unquote(p).startswith(prefix))

    # ---------------------------------------------------------------- internals
    def _log_auth(self, value: str) -> None:
        with self._lock:
            self.authorizations.append(value)

    def _log(self, method: str, path: str) -> None:
        with self._lock:
            self._log_entries.append((method, path))

    def _add(
        self,
        repo_type: str,
        repo_id: str,
        *,
        card_data: Mapping[str, Any] | None,
        tags: Sequence[str] | None,
        siblings: Sequence[str | Mapping[str, Any]] | None,
        sha: str | None,
        gated: bool | str,
        readme: str | bytes | Literal[False] | None,
        files: Mapping[str, bytes | str] | None,
        last_modified: str,
        pipeline_tag: str | None,
        extra: Mapping[str, Any] | None,
        auto_tags: bool,
        ref: str,
    ) -> str:
        served = {name: _to_bytes(content) for name, content in (files or {}).items()}
        card = dict(card_data) if card_data is not None else None
        if readme is False:
            served.pop("README.md", None)
        elif readme is not None:
            served["README.md"] = _to_bytes(readme)
        elif "README.md" not in served:
            served["README.md"] = default_readme(repo_id, card).encode("utf-8")
        if card is None and "README.md" in served:
            card = parse_front_matter(served["README.md"].decode("utf-8", errors="replace"))
        if siblings is None:
            names = (["README.md"] if "README.md" in served else []) + [n for n in served if n != "README.md"]
        else:
            names = [s if isinstance(s, str) else str(s["rfilename"]) for s in siblings]
        tag_list = compute_tags(card, tags or ()) if auto_tags else list(tags or ())
        with self._lock:
            repo = self._repos.get((repo_type, repo_id))
            if repo is None:
                repo = _Repo(repo_type, repo_id, created_at=last_modified)
                self._repos[(repo_type, repo_id)] = repo
            if sha is None:
                seed = repo_id if not repo.commits else f"{repo_id}@{len(repo.commits)}"
                sha = _sha1(seed.encode("utf-8"))
            if pipeline_tag is None:
                pipeline_tag = (card or {}).get("pipeline_tag")
            repo.commits[sha] = _Commit(
                sha=sha,
                card_data=card,
                tags=tag_list,
                siblings=names,
                files=served,
                gated="manual" if gated is True else gated,
                last_modified=last_modified,
                pipeline_tag=pipeline_tag,
                extra=dict(extra or {}),
            )
            repo.refs[ref] = sha
            repo.refs.setdefault("main", sha)
        return sha

    def _take_fault(self, raw_path: str) -> Fault | None:
        with self._lock:
            for item in self._faults:
                if item.matches(raw_path):
                    item.hits += 1
                    return item
        return None

    def _fault_reply(self, item: Fault, raw_path: str) -> _Reply:
        status = item.status if item.status is not None else 200
        headers: dict[str, str] = {}
        body = item.body
        if status >= 400:
            bucket = "api" if raw_path.startswith("/api/") else "resolvers"
            if status == 429:
                headers |= {
                    "Retry-After": "1",
                    "RateLimit": f'"{bucket}";r=0;t=1',
                    "RateLimit-Policy": f'"fixed window";"{bucket}";q=500;w=300',
                }
                message = "Too many requests"
            elif status in (401, 403):
                headers["X-Error-Code"] = "GatedRepo"
                message = "Access to this repo is restricted (fake gate)."
            elif status == 404:
                headers["X-Error-Code"] = "RepoNotFound"
                message = "Repository not found"
            else:
                message = f"Injected error {status}"
            headers["X-Error-Message"] = message
            if body is None:
                body = json.dumps({"error": message}).encode("utf-8")
        merged = {k.lower(): (k, v) for k, v in headers.items()}
        merged |= {k.lower(): (k, v) for k, v in item.headers.items()}
        return _Reply(status, body or b"", dict(merged.values()))

    @staticmethod
    def _error(
        status: int,
        code: str | None,
        message: str,
        extra: Mapping[str, str] | None = None,
    ) -> _Reply:
        headers = {"X-Error-Message": message, **(extra or {})}
        if code is not None:
            headers["X-Error-Code"] = code
        return _Reply(status, json.dumps({"error": message}).encode("utf-8"), headers)

    def _route(self, method: str, target: str) -> _Reply:
        """Dispatch on the raw path; ids and revisions are unquoted only after
        splitting.
        """
        split = urlsplit(target)
        raw_path, query = split.path, parse_qs(split.query)
        if raw_path == "/api/agent-harnesses":
            return _Reply(200, b'{"standardEnvVars": [], "harnesses": {}}')
        for repo_type, prefix in _API_PREFIX.items():
            if raw_path.startswith(prefix):
                if method != "GET":
                    return _Reply(405, b"")
                return self._api(repo_type, prefix, raw_path, split.query, query)
        parsed = self._parse_resolve(raw_path)
        if parsed is not None:
            return self._resolve(method, *parsed, query=split.query)
        return self._error(404, None, "Not found")

    @staticmethod
    def _parse_resolve(raw_path: str) -> tuple[str, str, str, str] | None:
        repo_type = "model"
        rest = raw_path
        if rest.startswith("/datasets/"):
            repo_type, rest = "dataset", rest[len("/datasets/") :]
        else:
            rest = rest[1:]
        raw_id, sep, tail = rest.partition("/resolve/")
        raw_rev, slash, raw_file = tail.partition("/")
        if not sep or not raw_id or not slash or not raw_file:
            return None
        return repo_type, raw_id, raw_rev, raw_file

    def _redirect_for(self, repo_type: str, repo_id: str, location: str, query: str) -> _Reply | None:
        """307 for loops and renames; ``location`` is the URL with the id at ``{}``."""
        key = (repo_type, repo_id)
        with self._lock:
            looping = key in self._loops
            new_id = self._renames.get(key)
            known = key in self._repos
        if looping:
            here = location.format(quote(repo_id, safe="/"))
            target = here if query == "hop=1" else f"{here}?hop=1"  # A -> B -> A -> ...
            return _Reply(307, b"", {"Location": target})
        if new_id is not None and not known:
            target = location.format(quote(new_id, safe="/")) + (f"?{query}" if query else "")
            return _Reply(307, b"", {"Location": target})
        return None

    def _api(
        self,
        repo_type: str,
        prefix: str,
        raw_path: str,
        raw_query: str,
        query: dict[str, list[str]],
    ) -> _Reply:
        raw_id, sep, raw_rev = raw_path[len(prefix) :].partition("/revision/")
        repo_id = unquote(raw_id)
        if repo_id.count("/") > 1 or not repo_id:
            # /tree/main, /refs, ... are not faked: bare 404 like any unknown route
            return self._error(404, None, "Not found")
        suffix = f"/revision/{raw_rev}" if sep else ""
        redirect = self._redirect_for(repo_type, repo_id, prefix + "{}" + suffix, raw_query)
        if redirect is not None:
            return redirect
        with self._lock:
            gate_status = self._gates.get((repo_type, repo_id))
            repo = self._repos.get((repo_type, repo_id))
        if gate_status is not None:
            return self._error(
                gate_status,
                "GatedRepo",
                f"Access to {repo_type} {repo_id} is restricted.",
            )
        if repo is None:
            return self._error(404, "RepoNotFound", "Repository not found")
        revision = unquote(raw_rev) if sep else "main"
        commit = self._commit(repo, revision)
        if commit is None:
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        expand = query.get("expand", []) + query.get("expand[]", [])
        blobs = query.get("blobs", ["false"])[-1].lower() in ("1", "true")
        return _Reply(
            200,
            json.dumps(self._repo_json(repo, commit, expand, blobs=blobs)).encode("utf-8"),
        )

    @staticmethod
    def _commit(repo: _Repo, revision: str) -> _Commit | None:
        sha = repo.refs.get(revision)
        if sha is None and _HEX40.match(revision):
            sha = revision
        return repo.commits.get(sha) if sha is not None else None

    @staticmethod
    def _repo_json(repo: _Repo, commit: _Commit, expand: Sequence[str], *, blobs: bool) -> JSON:
        """The Hub's JSON: the full record, or ``id``/``_id`` + the expanded keys."""
        siblings: list[JSON] = []
        for name in commit.siblings:
            entry: JSON = {"rfilename": name}
            if blobs and name in commit.files:
                entry |= {
                    "size": len(commit.files[name]),
                    "blobId": _git_blob_sha(commit.files[name]),
                }
            siblings.append(entry)
        record: JSON = {
            "_id": _sha1(f"{repo.repo_type}:{repo.repo_id}".encode())[:24],
            "id": repo.repo_id,
            "author": repo.repo_id.split("/")[0] if "/" in repo.repo_id else None,
            "sha": commit.sha,
            "lastModified": commit.last_modified,
            "createdAt": repo.created_at,
            "private": False,
            "gated": commit.gated,
            "disabled": False,
            "tags": list(commit.tags),
            "siblings": siblings,
        }
        if repo.repo_type == "model":
            record["modelId"] = repo.repo_id
            card = commit.card_data or {}
            if commit.pipeline_tag is not None:
                record["pipeline_tag"] = commit.pipeline_tag
            if card.get("library_name") is not None:
                record["library_name"] = card["library_name"]
        if commit.card_data is not None:
            record["cardData"] = commit.card_data
        record |= commit.extra
        if expand:
            wanted = set(expand) | {"id", "_id"}
            return {k: v for k, v in record.items() if k in wanted}
        return {k: v for k, v in record.items() if k not in _EXPAND_ONLY}

    def _resolve(
        self,
        method: str,
        repo_type: str,
        raw_id: str,
        raw_rev: str,
        raw_file: str,
        *,
        query: str,
    ) -> _Reply:
        repo_id = unquote(raw_id)
        base = _RESOLVE_PREFIX[repo_type]
        redirect = self._redirect_for(repo_type, repo_id, base + "{}" + f"/resolve/{raw_rev}/{raw_file}", query)
        if redirect is not None:
            return redirect
        with self._lock:
            gate_status = self._gates.get((repo_type, repo_id))
            repo = self._repos.get((repo_type, repo_id))
        if gate_status is not None:
            return self._error(
                gate_status,
                "GatedRepo",
                f"Access to {repo_type} {repo_id} is restricted.",
            )
        if repo is None:
            return self._error(404, "RepoNotFound", "Repository not found")
        revision, filename = unquote(raw_rev), unquote(raw_file)
        commit = self._commit(repo, revision)
        if commit is None:
            return self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        commit_header = {"X-Repo-Commit": commit.sha}
        if commit.gated and filename != "README.md":
            return self._error(
                401,
                "GatedRepo",
                f"Access to {repo_type} {repo_id} is restricted.",
                commit_header,
            )
        content = commit.files.get(filename)
        if content is None:
            return self._error(404, "EntryNotFound", "Entry not found", commit_header)
        headers = commit_header | {
            "ETag": f'"{_sha1(content)}"',
            "Content-Type": "text/plain; charset=utf-8" if filename.endswith(".md") else "application/octet-stream",
            "Accept-Ranges": "bytes",
        }
        return _Reply(200, content, headers)


# -------------------------------------------------------------------- pytest fixtures
@pytest.fixture
def fake_hub() -> Iterator[FakeHub]:
    """A started FakeHub for one test."""
    hub = FakeHub().start()
    try:
        yield hub
    finally:
        hub.stop()


def _close_hf_session() -> None:
    """Drop the client's pooled httpx client so no connection outlives its server."""
    import huggingface_hub

    if hasattr(huggingface_hub, "close_session"):
        huggingface_hub.close_session()


@pytest.fixture
def hub_env(fake_hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """Point huggingface_hub (and licheck's cache) at ``fake_hub`` and temp dirs; no
    token, not offline.

    huggingface_hub reads these variables ONCE at import, so besides the environment
    (for subprocesses and late importers) the already-imported
    ``huggingface_hub.constants`` are patched too; otherwise ``hf_hub_download`` would
    still use huggingface.co and the user's real cache and token.
    """
    from huggingface_hub import constants

    hf_home = tmp_path / "hf"
    hf_home.mkdir()
    env = {
        "HF_ENDPOINT": fake_hub.url,
        "HF_HOME": str(hf_home),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_XET": "1",
        "LICHECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in (
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_HUB_CACHE",
    ):
        monkeypatch.delenv(name, raising=False)
    patched: dict[str, Any] = {
        "ENDPOINT": fake_hub.url,
        "HUGGINGFACE_CO_URL_TEMPLATE": fake_hub.url + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_HOME": str(hf_home),
        "HF_HUB_CACHE": str(hf_home / "hub"),
        "HUGGINGFACE_HUB_CACHE": str(hf_home / "hub"),
        "HF_ASSETS_CACHE": str(hf_home / "assets"),
        "HF_TOKEN_PATH": str(hf_home / "token"),
        "HF_STORED_TOKENS_PATH": str(hf_home / "stored_tokens"),
        "AGENT_HARNESSES_PATH": str(hf_home / ".agent_harnesses.json"),
        "HF_HUB_OFFLINE": False,
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_DISABLE_XET": True,
    }
    for name, value in patched.items():
        monkeypatch.setattr(constants, name, value, raising=False)
    _close_hf_session()
    try:
        yield fake_hub
    finally:
        _close_hf_session()
