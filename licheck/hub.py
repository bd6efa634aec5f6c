"""Live Hub access through the real `huggingface_hub` client: one API call per node plus at most one README.

Imported lazily: a warm audit never pays for importing huggingface_hub. Every failure becomes a typed
SourceError; retries are bounded (429/5xx/network, honouring Retry-After) and every request has a timeout.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from licheck.apis import ApiCatalogue
from licheck.cardparse import extract_prose, licence_mentions, split_card
from licheck.errors import Gated, NotFound, OfflineMiss, SourceError, Unreachable
from licheck.evidence import config_level
from licheck.ids import Subject
from licheck.records import RepoRecord, trim_card

MODEL_EXPAND = ["cardData", "tags", "sha", "lastModified", "gated", "siblings", "pipeline_tag"]
DATASET_EXPAND = ["cardData", "tags", "sha", "lastModified", "gated", "siblings"]
RETRY_STATUS = {408, 429, 500, 502, 503, 504}
MAX_FILE_BYTES = 1024 * 1024


def default_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def _env_float(name: str, default: float) -> float:
    try:
        return max(0.05, float(os.environ.get(name, "")))
    except ValueError:
        return default


def offline_env() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


class HubClient:
    def __init__(
        self,
        endpoint: str | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        max_retry_wait: float | None = None,
        api: ApiCatalogue | None = None,
    ) -> None:
        self.endpoint = (endpoint or default_endpoint()).rstrip("/")
        # Every request is bounded; LICHECK_HTTP_TIMEOUT / LICHECK_HTTP_RETRIES tune it (tests use short ones).
        self.timeout = timeout if timeout is not None else _env_float("LICHECK_HTTP_TIMEOUT", 10.0)
        self.retries = retries if retries is not None else int(_env_float("LICHECK_HTTP_RETRIES", 3))
        self.max_retry_wait = (
            max_retry_wait if max_retry_wait is not None else _env_float("LICHECK_MAX_RETRY_WAIT", 8.0)
        )
        self.api_catalogue = api
        self.requests = 0
        self._hf: Any = None
        self._down: str | None = None  # set once the Hub proved unreachable: later nodes fall back at once

    # -- plumbing ---------------------------------------------------------------------------------------------
    def _lib(self) -> Any:
        if self._hf is None:
            import huggingface_hub
            from huggingface_hub import utils as hf_utils

            session = hf_utils.get_session()
            try:
                session.timeout = self.timeout  # the library's client has no timeout by default
            except Exception:  # pragma: no cover - depends on the HTTP stack
                pass
            self._hf = (huggingface_hub, hf_utils, huggingface_hub.HfApi(endpoint=self.endpoint))
        return self._hf

    def _call(self, what: str, fn: Any) -> Any:
        hf, hf_utils, _ = self._lib()
        errors = hf.errors
        deadline = time.monotonic() + self.timeout * (self.retries + 1) + self.max_retry_wait * self.retries
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                return fn()
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
                if status in RETRY_STATUS and attempt <= self.retries and time.monotonic() < deadline:
                    time.sleep(self._wait(exc, attempt))
                    continue
                raise Unreachable(f"{what}: Hub answered HTTP {status}") from None
            except SourceError:
                raise
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise Unreachable(f"{what}: malformed answer from the Hub ({type(exc).__name__})") from None
            except Exception as exc:  # network layer: connect errors, timeouts, redirect loops
                name = type(exc).__name__
                if "Redirect" in name:
                    raise Unreachable(f"{what}: too many redirects") from None
                # A refused or unresolvable connection is retried once; timeouts and dropped answers up to `retries`.
                limit = min(1, self.retries) if "Connect" in name else self.retries
                if attempt <= limit and time.monotonic() < deadline:
                    time.sleep(min(0.2 * 2**attempt, self.max_retry_wait))
                    continue
                if "Connect" in name:
                    self._down = name
                raise Unreachable(f"{what}: cannot reach {self.endpoint} ({name})") from None

    def _wait(self, exc: Any, attempt: int) -> float:
        headers = getattr(getattr(exc, "response", None), "headers", {}) or {}
        value = headers.get("Retry-After") if hasattr(headers, "get") else None
        try:
            wait = float(value) if value is not None else 0.25 * 2**attempt
        except ValueError:
            wait = 0.25 * 2**attempt
        return max(0.0, min(wait, self.max_retry_wait))

    def _get_file(self, repo_id: str, filename: str, repo_type: str, revision: str) -> str:
        hf, hf_utils, _ = self._lib()

        def do() -> str:
            url = hf.hf_hub_url(
                repo_id,
                filename,
                repo_type=None if repo_type == "model" else repo_type,
                revision=revision,
                endpoint=self.endpoint,
            )
            resp = hf_utils.get_session().get(url, headers=hf_utils.build_hf_headers(), timeout=self.timeout)
            hf_utils.hf_raise_for_status(resp)
            return resp.content[:MAX_FILE_BYTES].decode("utf-8", errors="replace")

        return self._call(f"{repo_id}/{filename}", do)

    # -- public ---------------------------------------------------------------------------------------------
    def fetch(self, subject: Subject, revision: str | None = None) -> RepoRecord:
        if subject.kind not in ("model", "dataset"):
            raise NotFound(f"{subject.id}: not a Hub repository")
        if self._down:
            raise Unreachable(f"{subject.id}: cannot reach {self.endpoint} ({self._down}, earlier in this run)")
        _, _, api = self._lib()
        repo_id = subject.repo_id
        if subject.kind == "model":
            info = self._call(
                subject.id,
                lambda: api.model_info(repo_id, revision=revision, expand=MODEL_EXPAND, timeout=self.timeout),
            )
        else:
            info = self._call(
                subject.id,
                lambda: api.dataset_info(repo_id, revision=revision, expand=DATASET_EXPAND, timeout=self.timeout),
            )
        return self._record(subject, info)

    def _record(self, subject: Subject, info: Any) -> RepoRecord:
        canonical = getattr(info, "id", None) or subject.repo_id
        if not isinstance(canonical, str):
            raise Unreachable(f"{subject.id}: malformed answer from the Hub (id)")
        card_obj = getattr(info, "card_data", None)
        card: dict[str, Any] = {}
        if card_obj is not None:
            try:
                card = card_obj.to_dict() if hasattr(card_obj, "to_dict") else dict(card_obj)
            except Exception:
                card = {}
        names = [getattr(s, "rfilename", None) for s in (getattr(info, "siblings", None) or [])]
        siblings: list[str] = [s for s in names if isinstance(s, str)][:5000]
        last_modified: Any = getattr(info, "last_modified", None)
        rec = RepoRecord(
            id=canonical,
            kind=subject.kind,
            sha=getattr(info, "sha", None),
            last_modified=last_modified.isoformat() if hasattr(last_modified, "isoformat") else last_modified,
            gated=getattr(info, "gated", False) or False,
            card_data=trim_card(card),
            tags=[t for t in (getattr(info, "tags", None) or []) if isinstance(t, str)][:1000],
            siblings=siblings,
            pipeline_tag=getattr(info, "pipeline_tag", None),
            source="hub",
            recorded=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            requested_id=subject.repo_id if canonical != subject.repo_id else None,
        )
        revision = rec.sha or "main"
        repo_type = subject.kind
        # Also when the answer lists no files at all (a server that leaves `siblings` out): the card prose may be
        # the only place a parent is named (the DeepSeek-R1-Distill cards name their bases only in a table).
        if "README.md" in siblings or not siblings:
            try:
                text = self._get_file(canonical, "README.md", repo_type, revision)
            except NotFound:
                text = ""
            parsed = split_card(text)
            if not rec.card_data and parsed.data:
                rec.card_data = trim_card(parsed.data)
            rec.card_warning = parsed.warning if text else None
            rec.prose_licenses = licence_mentions(parsed.body)
            rec.prose = extract_prose(
                parsed.body, canonical, api=self.api_catalogue, is_dataset=subject.kind == "dataset"
            )
        self._file_parents(rec, repo_type, revision)
        return rec

    def _file_parents(self, rec: RepoRecord, repo_type: str, revision: str) -> None:
        """Read adapter/merge configs only when the card does not already name the parents (keeps 2 requests/node).

        The most specific copy is read (evidence.config_level: the root file, else the shallowest sub-folder's,
        pinned to the sha and size-capped like every file); sub-folder copies cost at most one request per node."""
        bases = rec.card_data.get("base_model")
        n_bases = len(bases) if isinstance(bases, list) else (1 if bases else 0)
        adapters = config_level(rec.siblings, "adapter_config.json")
        merges = config_level(rec.siblings, "mergekit_config.yml")
        adapter = adapters[0] if adapters and n_bases == 0 else None
        merge = merges[0] if merges and n_bases < 2 else None
        if adapter and merge and "/" in adapter and "/" in merge:
            merge = None  # one sub-folder request at most
        if adapter:
            try:
                cfg = json.loads(self._get_file(rec.id, adapter, repo_type, revision))
                base = cfg.get("base_model_name_or_path") if isinstance(cfg, dict) else None
                if isinstance(base, str):
                    rec.file_parents[adapter] = [base]
            except (SourceError, ValueError):
                pass
        if merge:
            from licheck import yamlsafe

            try:
                cfg = yamlsafe.load(self._get_file(rec.id, merge, repo_type, revision))
                rec.file_parents[merge] = mergekit_models(cfg)
            except (SourceError, yamlsafe.YamlError):
                pass


def mergekit_models(cfg: Any) -> list[str]:
    """Every model a mergekit recipe references (base_model, models[].model, slices[].sources[].model)."""
    found: list[str] = []

    def add(v: Any) -> None:
        if isinstance(v, dict):
            v = v.get("model")
        if isinstance(v, str) and v not in found:
            found.append(v)

    if not isinstance(cfg, dict):
        return found
    add(cfg.get("base_model"))
    for m in cfg.get("models") or []:
        add(m.get("model") if isinstance(m, dict) else m)
    for s in cfg.get("slices") or []:
        if isinstance(s, dict):
            for src in s.get("sources") or []:
                if isinstance(src, dict):
                    add(src.get("model"))
    return found[:1000]
