"""HTTP client for the CRM's HubSpot v3 API: rate limited, retried, idempotent writes.

Every request takes a token from a shared :class:`~crmhub.reverse_etl.ratelimit.TokenBucket`. A 429
(honouring ``Retry-After``), a 5xx, a timeout or a dropped connection is retried with exponential
backoff and jitter, up to ``max_attempts``. Every write carries an ``Idempotency-Key``; the caller
derives it from the sync run and the batch content, so a retry of a request whose response was lost
(the server committed, then the connection dropped) is answered from the server's idempotency store
instead of being applied twice.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import random
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from crmhub.exceptions import CrmHubError
from crmhub.hubspot import wire
from crmhub.hubspot.connection import tls_verify
from crmhub.reverse_etl.ratelimit import TokenBucket, backoff_delay, parse_retry_after

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 500, 502, 503, 504}
USER_AGENT = "crmhub-reverse-etl/1"  # names crmhub's own requests (the test suite validates them by it)
TRANSPORT_ERRORS = (httpx.TransportError,)  # connect/read/write errors, timeouts, dropped connections


class CrmApiError(CrmHubError):
    """A CRM request failed for good (not retryable, or out of attempts)."""

    def __init__(self, message: str, status: int | None = None, body: Any = None, attempts: int = 0):
        super().__init__(message)
        self.status = status
        self.body = body
        self.attempts = attempts


@dataclass
class ApiResult:
    """The final answer to one logical request (after retries)."""

    status: int | None
    body: Any
    attempts: int
    replayed: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt on the timeline (monotonic seconds): asked for a token, got it, finished."""

    asked: float
    sent: float
    done: float
    outcome: str          # HTTP status or transport error name
    attempt: int          # 1 = first try of the logical request
    backoff_s: float = 0.0  # sleep before the next try (0 when none)


@dataclass
class ClientStats:
    """Counters for ops.sync_runs: HTTP attempts, failed attempts, summed latency."""

    api_calls: int = 0
    api_errors: int = 0
    latency_s_total: float = 0.0
    rate_limited: int = 0
    retries: int = 0
    writes: int = 0
    hedged: int = 0          # hedged copies of hanging requests (sent by the destination at a run's tail)
    by_status: dict[str, int] = field(default_factory=dict)

    def merge(self, other: ClientStats) -> None:
        self.api_calls += other.api_calls
        self.api_errors += other.api_errors
        self.latency_s_total += other.latency_s_total
        self.rate_limited += other.rate_limited
        self.retries += other.retries
        self.writes += other.writes
        self.hedged += other.hedged
        for k, v in other.by_status.items():
            self.by_status[k] = self.by_status.get(k, 0) + v


def idempotency_key(*parts: Any) -> str:
    """Deterministic key from the run, the action and the batch content (canonical JSON)."""
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str).encode()
    return "crmhub-retl-" + hashlib.sha256(raw).hexdigest()[:40]


class CrmClient:
    """A HubSpot-v3-format CRM API client.

    Args:
        base_url: e.g. ``http://127.0.0.1:8765`` (the sandbox) or ``https://api.hubapi.com``.
        token: bearer token (private app token); None sends no Authorization header.
        rate_limit: ``{"requests": 100, "per_seconds": 10}``, the API's limit; ``bucket`` overrides it.
        max_attempts: tries per request (first + retries).
        timeout_s: per-request timeout (connect/read/write).
        backoff_base, backoff_cap: exponential backoff parameters in seconds.
        seed: seeds the jitter (tests).
        verify: TLS verification of the API: True (system CAs), False, or a CA bundle path (httpx ``verify``);
            the strings ``"false"``/``"true"`` (a hand-typed connection extra) read as booleans (:func:`tls_verify`).
    """

    def __init__(self, base_url: str, token: str | None = None, *, rate_limit: dict | None = None,
                 bucket: TokenBucket | None = None, max_attempts: int = 8, timeout_s: float = 10.0,
                 backoff_base: float = 0.1, backoff_cap: float = 15.0, seed: int | None = None,
                 concurrency: int = 4, verify: bool | str = True):
        rl = rate_limit or {"requests": 100, "per_seconds": 10}
        self.bucket = bucket or TokenBucket.for_limit(int(rl["requests"]), float(rl["per_seconds"]))
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.stats = ClientStats()
        self.timeline: deque[Attempt] = deque(maxlen=100_000)  # recent attempts (benchmark breakdown)
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        limits = httpx.Limits(max_connections=max(2, concurrency * 2), max_keepalive_connections=max(2, concurrency))
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_s, limits=limits,
                                  verify=tls_verify(verify))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CrmClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------ core
    def _count(self, outcome: str, latency: float, error: bool) -> None:
        with self._stats_lock:
            self.stats.api_calls += 1
            self.stats.latency_s_total += latency
            self.stats.by_status[outcome] = self.stats.by_status.get(outcome, 0) + 1
            if error:
                self.stats.api_errors += 1
            if outcome == "429":
                self.stats.rate_limited += 1

    def _record(self, entry: Attempt) -> None:
        with self._stats_lock:
            self.timeline.append(entry)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        with self._rng_lock:
            return backoff_delay(attempt, base=self.backoff_base, cap=self.backoff_cap, retry_after=retry_after,
                                 rng=self._rng)

    def request(self, method: str, path: str, body: Any = None, *, key: str | None = None,
                params: dict | None = None, cancelled: Callable[[], bool] | None = None,
                in_flight: Callable[[float | None], None] | None = None) -> ApiResult:
        """Send one logical request, retrying retryable failures; never raises for HTTP statuses.

        Returns the final :class:`ApiResult`: a 2xx/207, a non-retryable 4xx, or the last retryable
        failure once ``max_attempts`` are used (``status`` None when the last try got no response).
        ``cancelled`` is asked before each retry: True stops retrying (a hedged copy already answered).
        ``in_flight`` is told the send time of each attempt, and None when its answer (or error) is in.
        """
        headers = {"Idempotency-Key": key} if key else {}
        last = ApiResult(None, None, 0, error="not sent")
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1 and cancelled is not None and cancelled():
                return last
            asked = time.monotonic()
            self.bucket.acquire()
            started = time.monotonic()
            retry_after = None
            if in_flight is not None:
                in_flight(started)
            try:
                try:
                    resp = self._http.request(method, path, json=body, params=params, headers=headers)
                finally:
                    if in_flight is not None:
                        in_flight(None)
            except TRANSPORT_ERRORS as exc:
                outcome = type(exc).__name__
                self._count(outcome, time.monotonic() - started, True)
                last = ApiResult(None, None, attempt, error=f"{type(exc).__name__}: {exc}".strip())
                log.info("%s %s attempt %d: %s", method, path, attempt, last.error)
            else:
                status = resp.status_code
                outcome = str(status)
                self._count(outcome, time.monotonic() - started, status >= 400)
                try:
                    payload = resp.json() if resp.content else None
                except ValueError:
                    payload = resp.text
                last = ApiResult(status, payload, attempt, replayed=resp.headers.get("Idempotent-Replayed") == "true",
                                 error=None if status < 400 else _message(payload, status))
                final = status not in RETRY_STATUSES or (
                    status == 429 and isinstance(payload, dict) and payload.get("policyName") == "DAILY")
                if final:  # a daily-quota 429 does not come back within a run
                    self._record(Attempt(asked, started, time.monotonic(), outcome, attempt))
                    if method != "GET" and key and status not in RETRY_STATUSES:
                        with self._stats_lock:
                            self.stats.writes += 1
                    return last
                retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                if status == 429:
                    self.bucket.pause(retry_after if retry_after is not None else 1.0)
                log.info("%s %s attempt %d: HTTP %s", method, path, attempt, status)
            delay = self._delay(attempt, retry_after) if attempt < self.max_attempts else 0.0
            self._record(Attempt(asked, started, time.monotonic(), outcome, attempt, delay))
            if attempt < self.max_attempts and not (cancelled is not None and cancelled()):
                with self._stats_lock:
                    self.stats.retries += 1
                time.sleep(delay)
        return last

    def typical_latency(self, last: int = 20) -> float | None:
        """Median seconds of the ``last`` answered (2xx) attempts; None before any."""
        with self._stats_lock:
            recent = [a.done - a.sent for a in itertools.islice(reversed(self.timeline), 4 * last)
                      if a.outcome.startswith("2")][:last]
        return statistics.median(recent) if recent else None

    # ------------------------------------------------------------------------------------------ API calls
    def batch(self, object_type: str, action: str, inputs: list[dict], *, key: str | None = None,
              extra: dict | None = None, cancelled: Callable[[], bool] | None = None,
              in_flight: Callable[[float | None], None] | None = None) -> ApiResult:
        """``POST /crm/v3/objects/{object}/batch/{action}`` with ``{"inputs": [...]}``."""
        body = {**wire.batch_body(inputs), **(extra or {})}
        return self.request("POST", f"/crm/v3/objects/{object_type}/batch/{action}", body, key=key,
                            cancelled=cancelled, in_flight=in_flight)

    def batch_read(self, object_type: str, ids: list[str], properties: list[str],
                   id_property: str | None = None) -> dict[str, dict]:
        """Current values of ``properties`` for ``ids`` (missing records are absent), in batches of 100.

        Keys of the result are the ids as given (lower-cased for an ``id_property`` lookup).

        Raises:
            CrmApiError: a read failed after retries.
        """
        out: dict[str, dict] = {}
        for start in range(0, len(ids), wire.MAX_BATCH_INPUTS):
            chunk = ids[start:start + wire.MAX_BATCH_INPUTS]
            res = self.request("POST", f"/crm/v3/objects/{object_type}/batch/read",
                               wire.read_body(chunk, properties, id_property))
            if res.status not in (200, 207):
                raise CrmApiError(f"batch read of {object_type} failed: {res.error}", res.status, res.body,
                                  res.attempts)
            for rec in (res.body or {}).get("results", []):
                props = rec.get("properties") or {}
                ident = str(props.get(id_property) or "").lower() if id_property else str(rec["id"])
                out[ident] = {"id": str(rec["id"]), "properties": props}
        return out


def _message(payload: Any, status: int) -> str:
    if isinstance(payload, dict) and payload.get("message"):
        return f"HTTP {status}: {payload['message']}"
    return f"HTTP {status}"
