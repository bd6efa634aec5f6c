"""Where a node's facts come from, in order: live Hub -> cache -> embedded snapshot (and local folders).

Offline (`--offline` or HF_HUB_OFFLINE=1) skips the Hub. When the Hub cannot be reached, stale cache and
then the snapshot answer, with a visible warning. The answer always says which source it came from.
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from licheck.errors import Gated, NotFound, OfflineMiss, SourceError, Unreachable
from licheck.provenance.cache import RecordCache
from licheck.provenance.ids import Subject
from licheck.provenance.records import RepoRecord
from licheck.provenance.snapshot import Snapshot, load_snapshot

if TYPE_CHECKING:
    from licheck.provenance.hub import HubClient


@dataclass(slots=True)
class SourceStats:
    hub_fetches: int = 0
    cache_hits: int = 0
    snapshot_hits: int = 0
    warnings: list[str] = field(default_factory=list)
    # (key, revision, outcome) for every lookup: what a reused result depends on (see resultcache)
    lookups: list[tuple[str, str | None, str]] = field(default_factory=list)
    # nodes answered from cache/snapshot because the Hub failed, and the first failure (for the stderr notice)
    fallbacks: list[str] = field(default_factory=list)
    fallback_reason: str | None = None


class LayeredSource:
    def __init__(
        self,
        hub: HubClient | None,
        cache: RecordCache | None,
        snapshot: Snapshot | None = None,
        *,
        offline: bool = False,
        refresh: bool = False,
    ) -> None:
        self.hub = hub
        self.cache = cache
        self.snapshot = snapshot if snapshot is not None else load_snapshot()
        self.offline = offline or hub is None
        self.refresh = refresh
        self.stats = SourceStats()
        self._lock = threading.Lock()

    def _warn(self, msg: str) -> None:
        with self._lock:
            if msg not in self.stats.warnings:
                self.stats.warnings.append(msg)

    def _from_snapshot(self, subject: Subject) -> RepoRecord | None:
        rec = self.snapshot.get(subject.id)
        if rec is not None:
            with self._lock:
                self.stats.snapshot_hits += 1
        return rec

    def fetch(self, subject: Subject, revision: str | None = None) -> RepoRecord:
        try:
            rec = self._fetch(subject, revision)
        except SourceError:
            self._log(subject.id, revision, "error")
            raise
        self._log(subject.id, revision, rec.source)
        return rec

    def _log(self, key: str, revision: str | None, outcome: str) -> None:
        with self._lock:
            self.stats.lookups.append((key, revision, outcome))

    def _fetch(self, subject: Subject, revision: str | None = None) -> RepoRecord:
        if self.cache is not None and not self.refresh:
            rec = self.cache.get(subject.id, revision, allow_stale=self.offline)
            if rec is not None:
                with self._lock:
                    self.stats.cache_hits += 1
                return rec
        if self.offline:
            rec = self._from_snapshot(subject)
            if rec is not None and (revision is None or revision == rec.sha):
                return rec
            if rec is not None:
                raise OfflineMiss(f"{subject.id}: revision {revision} is not in the snapshot (offline)")
            raise OfflineMiss(self._miss(subject, "the Hub was not asked (offline mode)"))
        assert self.hub is not None
        try:
            rec = self.hub.fetch(subject, revision)
        except (Unreachable, Gated) as exc:
            fallback = self.cache.get(subject.id, revision, allow_stale=True) if self.cache else None
            if fallback is None:
                fallback = self._from_snapshot(subject)
                if fallback is not None and revision is not None and revision != fallback.sha:
                    fallback = None
            if fallback is None:
                if isinstance(exc, Unreachable) and self._from_snapshot(subject) is None:
                    raise Unreachable(self._miss(subject, self._unreachable(exc))) from None
                raise
            self._warn(f"{exc}; using {fallback.source} data recorded {fallback.recorded or 'on an unknown date'}")
            with self._lock:
                self.stats.fallbacks.append(subject.id)
                self.stats.fallback_reason = self.stats.fallback_reason or str(exc)
            return fallback
        except NotFound as exc:
            hint = did_you_mean(subject.id, self.snapshot) if isinstance(self.snapshot, Snapshot) else ""
            if hint:
                raise NotFound(f"{exc}; {hint}") from None
            raise
        except SourceError:
            raise
        with self._lock:
            self.stats.hub_fetches += 1
        if self.cache is not None:
            # Under the id that was asked only (the cache is also keyed by endpoint): an answer never writes the
            # entry of another repository, even after a genuine rename.
            self.cache.put(subject.id, revision, rec)
        return rec

    def notice(self) -> str | None:
        """One line for stderr when the Hub failed and older data answered instead (None when it did not)."""
        n = len(self.stats.fallbacks)
        if not n:
            return None
        return (
            f"licheck: notice: {self.stats.fallback_reason}; answered from the cache/snapshot for {n} "
            f"node{'s' if n > 1 else ''} instead (see the warnings)"
        )

    def _miss(self, subject: Subject, hub_fact: str) -> str:
        """One line with both facts: what the snapshot covers and why the Hub did not answer."""
        cached = ", not in the local cache" if self.cache is not None else ""
        if not isinstance(self.snapshot, Snapshot):  # the scan's dump stands in for the snapshot
            return f"{subject.id}: not in the {self.snapshot.description}{cached} and {hub_fact}"
        return f"{subject.id}: not in the embedded snapshot ({self.snapshot.coverage()}){cached} and {hub_fact}"

    def hint(self, subject: Subject) -> str:
        """`did you mean …?` from the snapshot: for the id the user typed only (the resolver asks for the root),
        since a difflib pass over every snapshot id per unknown parent would cost seconds on wide graphs."""
        return did_you_mean(subject.id, self.snapshot) if isinstance(self.snapshot, Snapshot) else ""

    def _unreachable(self, exc: Unreachable) -> str:
        endpoint = self.hub.endpoint if self.hub is not None else "https://huggingface.co"
        host = urlsplit(endpoint).netloc or endpoint
        return f"{host} {'did not answer' if exc.connected else 'could not be reached'} ({exc.cause})"


def close_matches(wanted: str, snapshot: Snapshot, n: int = 3) -> list[str]:
    """Snapshot ids close to `wanted`: the same id in another case or kind (model vs dataset) first, then the
    same name under another org, then difflib's closest spellings. Renamed ids suggest their canonical id."""
    canon: dict[str, str] = {}
    for key in [*snapshot.keys(), *snapshot.aliases]:
        canon.setdefault(key.lower().removeprefix("datasets/"), snapshot.aliases.get(key, key))
    want = wanted.lower().removeprefix("datasets/")
    found: list[str] = []
    if want in canon:
        found.append(canon[want])
    name = want.rsplit("/", 1)[-1]
    found += [v for k, v in canon.items() if k.rsplit("/", 1)[-1] == name]
    found += [canon[k] for k in difflib.get_close_matches(want, list(canon), n=n, cutoff=0.8)]
    return [k for k in dict.fromkeys(found) if k != wanted][:n]


def did_you_mean(wanted: str, snapshot: Snapshot) -> str:
    matches = close_matches(wanted, snapshot)
    return f"did you mean {' or '.join(matches)}?" if matches else ""
