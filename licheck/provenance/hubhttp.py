"""The HTTP client licheck gives huggingface_hub: every request, and every answer read whole, fits the run's budget.

httpx's timeouts are per operation: a server that sends one byte every few seconds never trips a read timeout, and
a huge answer is read into memory whole. huggingface_hub lets an application supply its own `httpx2.Client`
(`set_client_factory`, its documented hook); the client licheck supplies is the library's default one (same request
hooks, redirects followed) with a transport wrapped in `BudgetTransport` (httpx's documented extension point).
For requests made by a HubClient (its `scope` marks the thread), the transport clamps every timeout to what is left
of the run's time budget, stops an answer whose body is still arriving at the deadline (a watchdog shuts its socket)
or grows past a byte cap, and notes each hop (URL, status, Location) so the caller can tell a redirect the client
followed from an id a body claims.
Requests made outside a HubClient's scope pass through unchanged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2

MAX_ANSWER_BYTES = 32 * 1024 * 1024  # any single answer; a repo listing of 100k files is a few MB


class BudgetExhausted(Exception):
    """The run's time budget ran out during (or before) a request."""


class AnswerTooLarge(Exception):
    """An answer's body grew past the byte cap; it was not read further."""


class Budget:
    """A whole-run deadline (monotonic clock), shared by every request of one HubClient."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


_local = threading.local()


@contextmanager
def scope(budget: Budget, cap: int = MAX_ANSWER_BYTES) -> Iterator[list[tuple[str, int, str | None]]]:
    """Requests made in this thread inside the block obey `budget` and `cap`; yields the hops they made."""
    hops: list[tuple[str, int, str | None]] = []
    saved = getattr(_local, "ctx", None)
    _local.ctx = (budget, cap, hops)
    try:
        yield hops
    finally:
        _local.ctx = saved


class _Watchdog:
    """Shuts the connection's socket down when the budget runs out, so a read blocked mid-body returns at once.

    (httpx's read timeout restarts with every byte; the socket comes from httpcore's documented `network_stream`
    response extension.) `fired` tells a body cut this way from one that really ended.
    """

    def __init__(self, budget: Budget, network_stream: Any) -> None:
        self.fired = False
        sock = network_stream.get_extra_info("socket") if network_stream is not None else None
        self._timer: threading.Timer | None = None
        if sock is not None:
            self._timer = threading.Timer(max(0.0, budget.remaining()), self._fire, (sock,))
            self._timer.daemon = True
            self._timer.start()

    def _fire(self, sock: Any) -> None:
        self.fired = True
        try:
            sock.shutdown(2)  # socket.SHUT_RDWR
        except OSError:
            pass

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _CappedBody(httpx2.SyncByteStream):
    def __init__(self, inner: Any, budget: Budget, cap: int, watchdog: _Watchdog) -> None:
        self._inner = inner
        self._budget = budget
        self._cap = cap
        self._watchdog = watchdog

    def _late(self) -> BudgetExhausted:
        return BudgetExhausted(f"time budget of {self._budget.seconds:g} s exhausted while reading an answer")

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        try:
            for chunk in self._inner:
                seen += len(chunk)
                if seen > self._cap:
                    raise AnswerTooLarge(f"answer larger than {self._cap // (1024 * 1024)} MiB")
                if self._watchdog.fired or self._budget.remaining() <= 0:
                    raise self._late()
                yield chunk
        except (AnswerTooLarge, BudgetExhausted):
            raise
        except Exception:
            if self._watchdog.fired:
                raise self._late() from None
            raise
        finally:
            self._watchdog.cancel()
        if self._watchdog.fired:  # the body "ended" because its socket was shut: it is cut, not complete
            raise self._late()

    def close(self) -> None:
        self._watchdog.cancel()
        self._inner.close()


class BudgetTransport(httpx2.BaseTransport):
    def __init__(self, inner: httpx2.BaseTransport | None = None) -> None:
        self._inner = inner or httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        ctx = getattr(_local, "ctx", None)
        if ctx is None:
            return self._inner.handle_request(request)
        budget, cap, hops = ctx
        left = budget.remaining()
        if left <= 0:
            raise BudgetExhausted(f"time budget of {budget.seconds:g} s exhausted")
        asked = request.extensions.get("timeout") or {}
        kinds = ("connect", "read", "write", "pool")
        request.extensions["timeout"] = {k: left if asked.get(k) is None else min(float(asked[k]), left) for k in kinds}
        response = self._inner.handle_request(request)
        hops.append((str(request.url), response.status_code, response.headers.get("location")))
        # No refusal on Content-Length alone: a caller that reads less than the cap (a file streamed with its own,
        # smaller cap) must still get the beginning; the body itself stops at the cap.
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedBody(
                response.stream, budget, cap, _Watchdog(budget, response.extensions.get("network_stream"))
            ),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._inner.close()


def _proxy_mounts() -> dict[str, httpx2.BaseTransport | None]:
    """The environment's proxies (HTTP(S)_PROXY, ALL_PROXY, NO_PROXY), each behind the budget too.

    httpx reads them only for a client without a transport of its own, and licheck's client has one: without these
    mounts every request behind a corporate proxy would go direct (and fail). The map is httpx's own reading of the
    environment (`get_environment_proxies`, not part of its public API); if a later httpx moves it, requests go
    direct as before. A proxy httpx cannot use (a socks URL without socksio) is left out: its requests fail, and a
    failed request falls back to the cache and snapshot like any other network failure."""
    try:
        from httpx2._utils import get_environment_proxies
    except ImportError:
        return {}
    mounts: dict[str, httpx2.BaseTransport | None] = {}
    for pattern, url in get_environment_proxies().items():
        if url is None:
            mounts[pattern] = None  # NO_PROXY: the default transport
            continue
        try:
            mounts[pattern] = BudgetTransport(httpx2.HTTPTransport(proxy=url))
        except (ImportError, ValueError, httpx2.InvalidURL):
            continue
    return mounts


_installed = False
_install_lock = threading.Lock()


def install(hf_utils: Any) -> None:
    """Make huggingface_hub's shared session a client with a BudgetTransport (once per process).

    The library's own request hooks (offline mode, request ids) are taken from its stock session, so requests
    behave as before; only the transport differs.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        try:
            hooks = list(hf_utils.get_session().event_hooks.get("request", []))
        except ImportError as exc:  # httpx builds the environment's proxies first: a SOCKS one needs socksio
            from licheck.errors import UsageError

            raise UsageError(f"the proxy set in the environment cannot be used: {exc}") from None

        def factory() -> httpx2.Client:
            return httpx2.Client(
                event_hooks={"request": list(hooks)},
                follow_redirects=True,
                timeout=None,
                transport=BudgetTransport(),
                mounts=_proxy_mounts(),
            )

        hf_utils.set_client_factory(factory)
        _installed = True
