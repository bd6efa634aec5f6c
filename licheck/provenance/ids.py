"""Parsing and validation of the ids users and cards give us: Hub models, datasets, API products, local folders."""

from __future__ import annotations

import re
from dataclasses import dataclass

from licheck.errors import InvalidRepoId
from licheck.paths import looks_local

# The Hub's rule (huggingface_hub validate_repo_id): optional namespace, name of [\w.-]{1,96}, no '--' or '..'.
_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?"
_REPO_RE = re.compile(rf"^(?:{_PART}/)?{_PART}$")
_HF_URL_RE = re.compile(r"^https?://(?:www\.)?huggingface\.co/(datasets/)?([^/?#\s]+(?:/[^/?#\s]+)?)/?$")


@dataclass(slots=True, frozen=True)
class Subject:
    """What the user (or a card) named: a Hub model, a Hub dataset, an API product or a local folder."""

    kind: str  # model | dataset | api | local
    id: str  # canonical key: org/name, datasets/org/name, api:provider/product, or the path

    @property
    def repo_id(self) -> str:
        if self.kind == "dataset":
            return self.id[len("datasets/") :]
        if self.kind == "api":
            return self.id[len("api:") :]
        return self.id


def is_valid_repo_id(value: str) -> bool:
    return bool(_REPO_RE.match(value)) and "--" not in value and ".." not in value and not value.endswith(".git")


def check_repo_id(value: str) -> str:
    if not isinstance(value, str) or not is_valid_repo_id(value):
        shown = value if isinstance(value, str) else repr(value)
        raise InvalidRepoId(f"not a Hugging Face repo id (expected org/name): {shown[:120]!r}")
    return value


def parse_subject(raw: str, *, api_lookup=None) -> Subject:
    """Read a user-given id. `api_lookup(provider, product)` says whether `provider/product` is an API product."""
    value = raw.strip()
    if not value:
        raise InvalidRepoId("empty model id")
    if looks_local(value):
        return Subject("local", value)
    m = _HF_URL_RE.match(value)
    if m:
        value = ("datasets/" if m.group(1) else "") + m.group(2)
    if value.startswith("api:"):
        rest = value[4:]
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.:-]*", rest):
            raise InvalidRepoId(f"not an API id (expected api:provider/model): {raw[:120]!r}")
        return Subject("api", "api:" + rest.lower())
    if value.startswith("datasets/"):
        return Subject("dataset", "datasets/" + check_repo_id(value[len("datasets/") :]))
    if value.startswith("models/"):
        value = value[len("models/") :]
    if "://" in value:
        raise InvalidRepoId(f"only huggingface.co URLs are understood: {raw[:120]!r}")
    if api_lookup is not None and "/" in value:
        provider, product = value.split("/", 1)
        if api_lookup(provider, product):
            return Subject("api", f"api:{provider.lower()}/{product.lower()}")
    return Subject("model", check_repo_id(value))


def parent_subject(raw: object, *, dataset: bool = False, api_lookup=None) -> Subject | None:
    """Read an id found in metadata; None when it is not a usable Hub id (local path, URL, number...)."""
    if not isinstance(raw, str):
        return None
    value = raw.strip()
    if not value or len(value) > 200:
        return None
    m = _HF_URL_RE.match(value)
    if m:
        dataset = dataset or bool(m.group(1))
        value = m.group(2)
    if value.startswith("datasets/"):
        dataset, value = True, value[len("datasets/") :]
    if not is_valid_repo_id(value):
        return None
    if dataset:
        return Subject("dataset", "datasets/" + value)
    if api_lookup is not None and "/" in value:
        provider, product = value.split("/", 1)
        if api_lookup(provider, product):
            return Subject("api", f"api:{provider.lower()}/{product.lower()}")
    return Subject("model", value)
