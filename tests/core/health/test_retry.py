import random
import threading
from datetime import timedelta

import psycopg
import pytest
from health_support import NOW

from crmhub.health import retry


def test_backoff_is_exponential_capped_and_jittered():
    rng = random.Random(7)
    for attempts, full in [(1, 60), (2, 120), (3, 240), (10, 6 * 3600), (30, 6 * 3600)]:
        delays = [retry.backoff_seconds(attempts, rng=rng) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays)
        assert len({round(d, 6) for d in delays}) > 40  # jitter spreads retries out
    with pytest.raises(ValueError):
        retry.backoff_seconds(0)


def test_claim_fail_backoff_then_dead_letter(db):
    rng = random.Random(1)
    with psycopg.connect(db) as conn:
        item = retry.enqueue_retry(conn, "crm_contacts", {"record": {"id": "17"}}, reason="422 from API",
                                   max_attempts=3, due_at=NOW)
        assert retry.claim_due(conn, now=NOW - timedelta(seconds=1)) == []  # not due yet
        claimed = retry.claim_due(conn, now=NOW)
        assert [c["item_id"] for c in claimed] == [item] and claimed[0]["payload"] == {"record": {"id": "17"}}
        assert retry.claim_due(conn, now=NOW) == []  # claimed items are not handed out twice

        row = retry.record_failure(conn, item, "500", now=NOW, rng=rng)
        assert row["status"] == "pending" and row["attempts"] == 1
        first_delay = (row["next_attempt_at"] - NOW).total_seconds()
        assert 30 <= first_delay <= 60
        assert retry.claim_due(conn, now=NOW + timedelta(seconds=29)) == []

        t = row["next_attempt_at"]
        assert retry.claim_due(conn, now=t)
        row = retry.record_failure(conn, item, "500 again", now=t, rng=rng)
        assert row["attempts"] == 2 and 60 <= (row["next_attempt_at"] - t).total_seconds() <= 120

        t = row["next_attempt_at"]
        assert retry.claim_due(conn, now=t)
        row = retry.record_failure(conn, item, "still 500", now=t, rng=rng)
        assert row["status"] == "dead" and row["attempts"] == 3 and row["last_error"] == "still 500"
        assert row["dead_at"] == t
        assert retry.claim_due(conn, now=t + timedelta(days=1)) == []
        assert retry.queue_stats(conn) == {"crm_contacts": {"dead": 1}}


def test_success_and_dedupe_and_stale_claim(db):
    with psycopg.connect(db) as conn:
        a = retry.enqueue_retry(conn, "cdp_events", {"kind": "resync"}, dedupe_key="resync", due_at=NOW)
        assert retry.enqueue_retry(conn, "cdp_events", {"kind": "resync"}, dedupe_key="resync") is None
        assert retry.claim_due(conn, now=NOW)
        # a worker died holding it: after the claim timeout it is claimable again
        assert retry.claim_due(conn, now=NOW + timedelta(minutes=5)) == []
        again = retry.claim_due(conn, now=NOW + timedelta(minutes=16))
        assert [r["item_id"] for r in again] == [a]
        retry.record_success(conn, a, now=NOW)
        assert retry.enqueue_retry(conn, "cdp_events", {"kind": "resync"}, dedupe_key="resync") is not None
        assert retry.queue_stats(conn)["cdp_events"] == {"done": 1, "pending": 1}


def test_concurrent_claims_skip_locked_rows(db):
    with psycopg.connect(db) as conn:
        for i in range(20):
            retry.enqueue_retry(conn, "crm_contacts", {"i": i}, due_at=NOW)
    got: list[list[int]] = []
    barrier = threading.Barrier(2)

    def worker():
        with psycopg.connect(db) as conn:
            barrier.wait()
            with conn.transaction():
                rows = retry.claim_due(conn, now=NOW, limit=10)
            got.append([r["item_id"] for r in rows])

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [i for batch in got for i in batch]
    assert len(ids) == len(set(ids)) == 20
