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


@pytest.mark.parametrize(("slack", "burst"), [(1, 1), (0, 1), (2, 2), (1, 10)])
def test_bucket_never_exceeds_the_rolling_window_and_runs_near_the_limit(slack, burst):
    clock = Clock()
    bucket = TokenBucket.for_limit(100, 10, slack=slack, burst=burst, clock=clock, sleep=clock.sleep)
    window: deque[float] = deque()
    worst = 0
    for _ in range(1000):
        bucket.acquire()
        window.append(clock.now)
        while window[0] <= clock.now - 10:   # the sandbox's rolling window: (now - 10 s, now]
            window.popleft()
        worst = max(worst, len(window))
    assert worst <= 100 - slack              # never over the API's 100 per 10 s, minus the slack
    rate = 1000 / clock.now
    assert rate >= (100 - slack - burst) / 10 * 0.999   # sustained: the rest of the window's budget


def test_default_bucket_is_one_request_under_the_limit():
    bucket = TokenBucket.for_limit(100, 10)
    assert bucket.capacity == 1 and bucket.rate == pytest.approx(9.8)


def test_a_late_wake_up_does_not_waste_the_token_and_idle_time_is_counted():
    clock = Clock()
    bucket = TokenBucket(rate=10, capacity=1, clock=clock, sleep=lambda s: clock.sleep(s + 0.02))  # 20 ms late
    for _ in range(101):
        bucket.acquire()
    assert clock.now == pytest.approx(10.0, abs=0.05)   # not 100 x 0.12 s: the reservation keeps its slot
    assert bucket.idle_s == pytest.approx(0.0, abs=1e-6)
    clock.now += 1.1                                   # nobody asks for 1.1 s: one token fits, 1 s overflows
    bucket.acquire()
    assert bucket.idle_s == pytest.approx(1.0, abs=0.05)


def test_pause_voids_reservations():
    clock = Clock()
    bucket = TokenBucket(rate=10, capacity=1, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    real_sleep = bucket._sleep

    def sleep_and_get_429(seconds: float) -> None:   # while this caller waits for its slot, a 429 arrives
        bucket._sleep = real_sleep
        bucket.pause(2)
        real_sleep(seconds)

    bucket._sleep = sleep_and_get_429
    bucket.acquire()
    assert clock.now >= 2 and bucket.paused_s == pytest.approx(2)


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
