import random
from collections import deque

import pytest

from crmhub.reverse_etl.ratelimit import TokenBucket, backoff_delay, parse_retry_after


class Clock:
    """Virtual time: sleep() advances it, so bucket behaviour is exact and the test takes no time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_bucket_never_exceeds_the_rolling_window_and_runs_near_the_limit():
    clock = Clock()
    bucket = TokenBucket.for_limit(100, 10, clock=clock, sleep=clock.sleep)
    window: deque[float] = deque()
    worst = 0
    for _ in range(1000):
        bucket.acquire()
        window.append(clock.now)
        while window[0] <= clock.now - 10:
            window.popleft()
        worst = max(worst, len(window))
    assert worst <= 98                      # headroom under the API's 100 per 10 s
    rate = 1000 / clock.now
    assert rate >= 9.5                      # >= 95 % of 10 requests/s sustained


def test_bucket_burst_then_refill():
    clock = Clock()
    bucket = TokenBucket(rate=2, capacity=3, clock=clock, sleep=clock.sleep)
    assert [bucket.try_acquire() for _ in range(3)] == [0, 0, 0]
    assert bucket.try_acquire() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.try_acquire() == 0


def test_pause_blocks_everyone_for_retry_after():
    clock = Clock()
    bucket = TokenBucket(rate=10, capacity=10, clock=clock, sleep=clock.sleep)
    bucket.pause(3)
    waited = bucket.acquire()
    assert waited >= 3 and clock.now >= 3


def test_backoff_is_exponential_with_jitter_and_honours_retry_after():
    rng = random.Random(1)
    for attempt in range(1, 8):
        delays = [backoff_delay(attempt, base=0.5, cap=8, rng=rng) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= min(8, 0.5 * 2 ** (attempt - 1))
    assert len({round(backoff_delay(3, rng=rng), 6) for _ in range(20)}) > 10   # jitter
    for _ in range(50):
        d = backoff_delay(1, retry_after=4, rng=rng)
        assert 4 <= d <= 4.4


def test_parse_retry_after():
    assert parse_retry_after("3") == 3
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480) == pytest.approx(10)
