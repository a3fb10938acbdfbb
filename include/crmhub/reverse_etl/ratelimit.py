"""Client-side rate limiting (token bucket) and retry delays (exponential backoff with jitter).

The CRM limits requests in a rolling window (HubSpot: 100 requests per 10 s). A token bucket of
capacity ``burst`` refilled at ``rate`` tokens/s lets through at most ``burst + rate * window``
requests in any window, so :meth:`TokenBucket.for_limit` picks ``burst`` and ``rate`` with that sum
``slack`` requests under the limit: the API never has to say 429 because of us. Default: burst 1,
slack 1, i.e. 9.8 requests/s for 100 per 10 s (98 % of the maximum; the one request of slack absorbs
the jitter between our clock and the server's window). A 429 that happens anyway (another client
shares the quota) pauses the whole bucket for the server's ``Retry-After``.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime


class TokenBucket:
    """Thread-safe token bucket; :meth:`acquire` blocks until a token is available.

    Args:
        rate: tokens added per second.
        capacity: most tokens held (the burst); the bucket starts full.
        clock, sleep: injectable for tests.

    Counters: ``taken`` tokens; ``idle_s`` seconds of tokens that overflowed the full bucket after the
    first take (the limit left unused while work was going on); ``paused_s`` seconds paused for 429s.
    """

    def __init__(self, rate: float, capacity: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if rate <= 0 or capacity < 1:
            raise ValueError("token bucket needs rate > 0 and capacity >= 1")
        self.rate = float(rate)
        self.capacity = float(capacity)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._last = clock()
        self._paused_until = 0.0
        self._pauses = 0
        self._lock = threading.Lock()
        self.waited_s = 0.0
        self.idle_s = 0.0
        self.paused_s = 0.0
        self.taken = 0

    @classmethod
    def for_limit(cls, requests: int, per_seconds: float, *, slack: int = 1, burst: int = 1,
                  **kw: Callable) -> TokenBucket:
        """A bucket that lets at most ``requests - slack`` requests into any rolling ``per_seconds`` window.

        A bucket of capacity ``burst`` refilled at ``rate`` admits at most ``burst + rate * per_seconds``
        requests in any window of that length, so ``rate = (requests - slack - burst) / per_seconds``.
        For a run longer than ``requests`` calls a small burst is best (it leaves the most for the rate),
        hence burst 1: one request every ``per_seconds / (requests - slack - 1)`` s.
        """
        budget = max(1.0, float(requests - slack))
        capacity = max(1.0, min(budget - 1, float(burst))) if budget > 1 else 1.0
        rate = max(budget - capacity, 1.0) / per_seconds
        return cls(rate, capacity, **kw)

    def _refill(self, now: float) -> None:
        if now > self._last:
            tokens = self._tokens + (now - self._last) * self.rate
            if tokens > self.capacity:
                if self.taken:
                    self.idle_s += (tokens - self.capacity) / self.rate
                tokens = self.capacity
            self._tokens = tokens
            self._last = now

    def try_acquire(self) -> float:
        """Take a token if one is there and return 0, else return the seconds to wait (nothing taken)."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            if now < self._paused_until:
                return self._paused_until - now
            if self._tokens >= 1 - 1e-9:  # float slack: a refill of exactly the deficit must be enough
                self._tokens = max(0.0, self._tokens - 1)
                self.taken += 1
                return 0.0
            return max(1e-6, (1 - self._tokens) / self.rate)

    def acquire(self) -> float:
        """Block until a token is ours; returns the seconds waited.

        When the bucket is empty the caller *reserves* the next token (the balance goes negative) and
        sleeps until it is due, so callers queue in order and a thread that wakes a few ms late does not
        waste its token (a late send only spreads requests out). A 429 pause cancels the reservations:
        callers waiting for one ask again after the pause.
        """
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                if now < self._paused_until:
                    wait, reserved = self._paused_until - now, False
                else:
                    self._tokens -= 1
                    self.taken += 1
                    wait, reserved = max(0.0, -self._tokens / self.rate), True
                    epoch = self._pauses
            if wait > 0:
                self._sleep(wait)
                waited += wait
            if reserved:
                with self._lock:
                    if self._pauses == epoch:
                        self.waited_s += waited
                        return waited
                    self.taken -= 1   # a 429 pause came in while we slept: the reservation is void

    def pause(self, seconds: float) -> None:
        """The server said 429: hand out nothing for ``seconds`` and drop the tokens saved up."""
        with self._lock:
            now = self._clock()
            self._refill(now)
            until = max(self._paused_until, now + seconds)
            self.paused_s += until - max(self._paused_until, now)
            self._paused_until = until
            self._tokens = 0.0                     # also cancels reservations (a negative balance)
            self._last = max(self._last, until)  # no tokens accrue during the pause
            self._pauses += 1


def backoff_delay(attempt: int, *, base: float = 0.5, cap: float = 30.0, retry_after: float | None = None,
                  rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = first retry).

    Exponential with full jitter (uniform in ``[0, min(cap, base * 2**(attempt-1))]``). A server's
    ``Retry-After`` is a floor: wait at least that long, plus up to 10 % jitter so that clients told
    the same time do not come back together.
    """
    rng = rng or random
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    delay = rng.uniform(0, ceiling)
    if retry_after is not None and retry_after >= 0:
        delay = retry_after + rng.uniform(0, max(0.05, retry_after * 0.1))
    return delay


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds (``"3"``) or an HTTP date; None when absent/invalid."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (time.time() if now is None else now))
