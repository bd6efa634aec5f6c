"""Live Hub access through the real `huggingface_hub` client: one API call per node plus at most one README.

Imported lazily: a warm audit never pays for importing huggingface_hub. Every failure becomes a typed
SourceError; retries are bounded (429/5xx/network, honouring Retry-After), every request has a timeout
(HF_HUB_ETAG_TIMEOUT for metadata, HF_HUB_DOWNLOAD_TIMEOUT for files, LICHECK_HTTP_TIMEOUT for both), and the
whole run has a time budget (LICHECK_TIME_BUDGET, default 10 s) that also bounds each answer (see hubhttp).
Files are streamed with a byte cap. A record is only ever about the repository that was asked for: an answer
naming another id is trusted only when the client followed a redirect there. Transport only: which files a
record needs and what they say is licheck.provenance.recordbuild's business.
"""

from __future__ import annotations

import os
import time
from typing import Any

from licheck.errors import Gated, NotFound, OfflineMiss, SourceError, Unreachable
from licheck.paths import default_endpoint, redact_url
from licheck.provenance import recordbuild as build
from licheck.provenance.ids import Subject
from licheck.provenance.recordbuild import too_large
from licheck.provenance.records import RepoRecord
from licheck.rules.apis import ApiCatalogue

MODEL_EXPAND = ["cardData", "tags", "sha", "lastModified", "gated", "siblings", "pipeline_tag"]
DATASET_EXPAND = ["cardData", "tags", "sha", "lastModified", "gated", "siblings"]
RETRY_STATUS = {408, 429, 500, 502, 503, 504}
MAX_FILE_BYTES = 1024 * 1024
DEFAULT_TIME_BUDGET = 10.0
__all__ = ["HubClient", "default_endpoint", "mergekit_models", "offline_env", "time_budget", "too_large"]


def _env_float(name: str, default: float) -> float:
    try:
        return max(0.05, float(os.environ.get(name, "")))
    except ValueError:
        return default


def time_budget() -> float:
    """Seconds one run may spend waiting for the Hub (LICHECK_TIME_BUDGET; then cache/snapshot answer)."""
    return _env_float("LICHECK_TIME_BUDGET", DEFAULT_TIME_BUDGET)


def _request_timeout(hf_var: str) -> float:
    return _env_float("LICHECK_HTTP_TIMEOUT", _env_float(hf_var, 10.0))


def offline_env() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _unreachable(what: str, cause: str) -> Unreachable:
    """The Hub was reached but gave no usable answer about `what`."""
    return Unreachable(f"{what}: {cause}", cause=cause)


class HubClient:
    def __init__(
        self,
        endpoint: str | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        max_retry_wait: float | None = None,
        api: ApiCatalogue | None = None,
        budget: float | None = None,
    ) -> None:
        self._url = (endpoint or default_endpoint()).rstrip("/")  # may carry user:password; only the client sees it
        self.endpoint = redact_url(self._url)  # what messages and outputs show
        # Every request is bounded; LICHECK_HTTP_TIMEOUT / LICHECK_HTTP_RETRIES tune it (tests use short ones).
        self.timeout = timeout if timeout is not None else _request_timeout("HF_HUB_ETAG_TIMEOUT")
        self.download_timeout = timeout if timeout is not None else _request_timeout("HF_HUB_DOWNLOAD_TIMEOUT")
        self.retries = retries if retries is not None else int(_env_float("LICHECK_HTTP_RETRIES", 3))
        self.max_retry_wait = (
            max_retry_wait if max_retry_wait is not None else _env_float("LICHECK_MAX_RETRY_WAIT", 8.0)
        )
        self.api_catalogue = api
        from licheck.provenance.hubhttp import Budget

        self.budget = Budget(budget if budget is not None else time_budget())
        self.requests = 0
        self._hf: Any = None
        self._down: str | None = None  # set once the Hub proved unreachable: later nodes fall back at once

    # -- plumbing ---------------------------------------------------------------------------------------------
    def _lib(self) -> Any:
        if self._hf is None:
            import huggingface_hub
            from huggingface_hub import utils as hf_utils

            from licheck.provenance import hubhttp

            hubhttp.install(hf_utils)
            self._hf = (huggingface_hub, hf_utils, huggingface_hub.HfApi(endpoint=self._url))
        return self._hf

    def _exhausted(self, what: str) -> Unreachable:
        self._down = f"time budget of {self.budget.seconds:g} s exhausted"
        budget = f"{self.budget.seconds:g} s"
        return _unreachable(what, f"{self.endpoint} did not answer within the time budget of {budget}")

    def _call(self, what: str, fn: Any) -> tuple[Any, list[tuple[str, int, str | None]]]:
        """fn()'s value and the HTTP hops its successful attempt made; failures become SourceErrors."""
        hf, hf_utils, _ = self._lib()
        from licheck.provenance import hubhttp

        errors = hf.errors
        attempt = 0
        while True:
            attempt += 1
            if self.budget.remaining() <= 0:
                raise self._exhausted(what)
            self.requests += 1
            try:
                with hubhttp.scope(self.budget) as hops:
                    return fn(), hops
            except hubhttp.BudgetExhausted:
                raise self._exhausted(what) from None
            except hubhttp.AnswerTooLarge as exc:
                raise _unreachable(what, str(exc)) from None
            except errors.GatedRepoError:
                raise Gated(f"{what}: gated repository (access must be granted on the Hub)") from None
            except errors.RevisionNotFoundError:
                raise NotFound(f"{what}: revision not found") from None
            except errors.RepositoryNotFoundError:
                raise NotFound(f"{what}: repository not found") from None
            except errors.OfflineModeIsEnabled:
                raise OfflineMiss(f"{what}: HF_HUB_OFFLINE is set") from None
            except errors.HfHubHTTPError as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if status in (401, 403):
                    raise Gated(f"{what}: access denied (HTTP {status})") from None
                if status == 404:
                    raise NotFound(f"{what}: not found (HTTP 404)") from None
                wait = self._wait(exc, attempt)
                if status in RETRY_STATUS and attempt <= self.retries and wait < self.budget.remaining():
                    time.sleep(wait)
                    continue
                raise _unreachable(what, f"Hub answered HTTP {status}") from None
            except SourceError:
                raise
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise _unreachable(what, f"malformed answer from the Hub ({type(exc).__name__})") from None
            except Exception as exc:  # network layer: connect errors, timeouts, redirect loops
                name = type(exc).__name__
                if "Redirect" in name:
                    raise _unreachable(what, "too many redirects") from None
                # A refused or unresolvable connection is retried once; timeouts and dropped answers up to `retries`.
                limit = min(1, self.retries) if "Connect" in name else self.retries
                wait = min(0.2 * 2**attempt, self.max_retry_wait)
                if attempt <= limit and wait < self.budget.remaining():
                    time.sleep(wait)
                    continue
                if self.budget.remaining() <= 0:
                    raise self._exhausted(what) from None
                if "Connect" in name:
                    self._down = name
                raise Unreachable(
                    f"{what}: cannot reach {self.endpoint} ({name})", cause=name, connected=False
                ) from None

    def _wait(self, exc: Any, attempt: int) -> float:
        headers = getattr(getattr(exc, "response", None), "headers", {}) or {}
        value = headers.get("Retry-After") if hasattr(headers, "get") else None
        try:
            wait = float(value) if value is not None else 0.25 * 2**attempt
        except ValueError:
            wait = 0.25 * 2**attempt
        return max(0.0, min(wait, self.max_retry_wait))

    def _get_bytes(self, repo_id: str, filename: str, repo_type: str, revision: str, cap: int) -> tuple[bytes, bool]:
        """(the first `cap` bytes of a repo file, whether it is longer): streamed, never read past the cap."""
        hf, hf_utils, _ = self._lib()

        def do() -> tuple[bytes, bool]:
            url = hf.hf_hub_url(
                repo_id,
                filename,
                repo_type=None if repo_type == "model" else repo_type,
                revision=revision,
                endpoint=self._url,
            )
            session = hf_utils.get_session()
            with session.stream("GET", url, headers=hf_utils.build_hf_headers(), timeout=self.download_timeout) as r:
                if r.status_code >= 400:
                    r.read()
                hf_utils.hf_raise_for_status(r)
                data = bytearray()
                for chunk in r.iter_bytes():
                    data += chunk
                    if len(data) > cap:
                        return bytes(data[:cap]), True
            return bytes(data), False

        return self._call(f"{repo_id}/{filename}", do)[0]

    def _get_file(self, repo_id: str, filename: str, repo_type: str, revision: str) -> tuple[str, bool]:
        """(text of the first MAX_FILE_BYTES, whether the file is longer)."""
        data, over = self._get_bytes(repo_id, filename, repo_type, revision, MAX_FILE_BYTES)
        return data.decode("utf-8", errors="replace"), over

    # -- public ---------------------------------------------------------------------------------------------
    def fetch(self, subject: Subject, revision: str | None = None) -> RepoRecord:
        if subject.kind not in ("model", "dataset"):
            raise NotFound(f"{subject.id}: not a Hub repository")
        if self._down:
            cause = f"{self._down}, earlier in this run"
            raise Unreachable(f"{subject.id}: cannot reach {self.endpoint} ({cause})", cause=cause, connected=False)
        _, _, api = self._lib()
        repo_id = subject.repo_id
        if subject.kind == "model":
            info, hops = self._call(
                subject.id,
                lambda: api.model_info(repo_id, revision=revision, expand=MODEL_EXPAND, timeout=self.timeout),
            )
        else:
            info, hops = self._call(
                subject.id,
                lambda: api.dataset_info(repo_id, revision=revision, expand=DATASET_EXPAND, timeout=self.timeout),
            )
        return self._record(subject, info, hops)

    def _record(self, subject: Subject, info: Any, hops: list[tuple[str, int, str | None]]) -> RepoRecord:
        """Check that the answer is about the repository asked for, then read the files its record needs
        (recordbuild decides which, and what they say)."""
        canonical = getattr(info, "id", None) or subject.repo_id
        if not isinstance(canonical, str):
            raise _unreachable(subject.id, "malformed answer from the Hub (id)")
        if canonical.lower() != subject.repo_id.lower() and not redirected_to(hops, subject.kind, canonical):
            # Only a redirect the client followed renames a repo; an id the answer merely claims is not trusted.
            raise _unreachable(
                subject.id,
                f"the Hub's answer is about another repository ({canonical[:120]!r}) and no redirect "
                "led there; not used",
            )
        requested = subject.repo_id if canonical != subject.repo_id else None
        rec = build.record_from_info(info, subject.kind, canonical, requested)
        revision = rec.sha or "main"
        if build.wants_card(rec):
            try:
                text, over = self._get_file(canonical, "README.md", subject.kind, revision)
            except NotFound:
                text, over = None, False
            if text is not None:
                if over:
                    build.cut(rec, "README.md", MAX_FILE_BYTES)
                build.add_card(rec, text, truncated=over, api=self.api_catalogue)
        for path in build.hub_configs_to_read(rec):
            try:
                text, over = self._get_file(rec.id, path, subject.kind, revision)
            except SourceError:
                text, over = None, False  # unread: recordbuild.add_config says what that means
            if over:
                build.cut(rec, path, MAX_FILE_BYTES)
            build.add_config(rec, path, text)
        self._license_file(rec, subject.kind, revision)
        return rec

    def _license_file(self, rec: RepoRecord, repo_type: str, revision: str) -> None:
        """A card naming no licence but shipping a LICENSE file: one more request (pinned to the sha, streamed,
        capped) and only its fingerprint result is kept (licheck.rules.fingerprint)."""
        from licheck.rules import fingerprint

        path = build.license_file_to_read(rec)
        if path is None:
            return
        try:
            data, over = self._get_bytes(rec.id, path, repo_type, revision, fingerprint.MAX_LICENSE_BYTES)
        except (NotFound, Gated):
            return  # not readable: the licence stays unidentified (review); transient failures fail the fetch
        build.add_license_file(rec, path, data, over=over)


def redirected_to(hops: list[tuple[str, int, str | None]], kind: str, repo_id: str) -> bool:
    """Whether the client followed a redirect to this repository's API URL (how the Hub reports a rename)."""
    from urllib.parse import unquote, urljoin, urlsplit

    prefix = ("/api/datasets/" if kind == "dataset" else "/api/models/") + repo_id.lower()
    for url, status, location in hops:
        if 300 <= status < 400 and location:
            path = unquote(urlsplit(urljoin(url, location)).path).lower()
            if path == prefix or path.startswith(prefix + "/"):
                return True
    return False


def mergekit_models(cfg: Any) -> list[str]:
    """Every model a mergekit recipe references (base_model, models[].model, slices[].sources[].model)."""
    from licheck.provenance.configfiles import mergekit_models_checked

    return mergekit_models_checked(cfg)[0]
