"""Retry queue ``ops.retry_queue``: failed records and re-syncs, exponential backoff with jitter, dead letter.

An item is ``pending`` until :func:`claim_due` hands it to one worker (``claimed``; rows are picked with
``FOR UPDATE SKIP LOCKED`` so concurrent workers never get the same item). The worker then calls
:func:`record_success` (``done``) or :func:`record_failure`: ``attempts`` goes up and the item is due again
after ``backoff_seconds(attempts)``, or it is dead-lettered (``dead``) once ``attempts`` reaches
``max_attempts``. A claim older than ``claim_timeout_s`` (a worker died) is claimable again.

Backoff: ``min(cap_s, base_s * 2**(attempts-1))``, then "equal jitter": half of it fixed, the other half
uniformly random, so retries of one outage spread out instead of arriving together.

Draining: :func:`drain` runs each due item's handler (the ``crmhub_health`` DAG's ``drain_retry_queue`` task,
every 5 minutes, through :func:`crmhub.health.tasks.drain_retry_queue`); a dead item opens the connector's
``dead_letter`` incident.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

BASE_S = 60.0
CAP_S = 6 * 3600.0
MAX_ATTEMPTS = 5
CLAIM_TIMEOUT_S = 900.0


def backoff_seconds(
    attempts: int, *, base_s: float = BASE_S, cap_s: float = CAP_S, rng: random.Random | None = None
) -> float:
    """Delay before the next try after ``attempts`` failures (>= 1): exponential, capped, with equal jitter."""
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    delay = min(cap_s, base_s * 2 ** (attempts - 1))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


def enqueue_retry(
    conn: psycopg.Connection,
    connector: str,
    payload: dict[str, Any],
    *,
    reason: str | None = None,
    dedupe_key: str | None = None,
    incident_id: int | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    due_at: datetime | None = None,
) -> int | None:
    """Queue ``payload`` for ``connector``; returns the item id, or None when a live item has ``dedupe_key``."""
    row = conn.execute(
        """INSERT INTO ops.retry_queue (connector, payload, reason, dedupe_key, incident_id, max_attempts, next_attempt_at)
           VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s, now()))
           ON CONFLICT (connector, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'claimed')
           DO NOTHING RETURNING item_id""",
        (connector, json.dumps(payload, default=str), reason, dedupe_key, incident_id, max_attempts, due_at),
    ).fetchone()
    return row[0] if row else None


def claim_due(
    conn: psycopg.Connection,
    *,
    connector: str | None = None,
    limit: int = 100,
    now: datetime | None = None,
    claim_timeout_s: float = CLAIM_TIMEOUT_S,
) -> list[dict]:
    """Claim up to ``limit`` due items (oldest due first) for this worker; commit soon after.

    Uses ``FOR UPDATE SKIP LOCKED``: a row another transaction is claiming is skipped, not waited for.
    """
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(
        """WITH due AS (
               SELECT item_id FROM ops.retry_queue
               WHERE (%(connector)s::text IS NULL OR connector = %(connector)s)
                 AND ((status = 'pending' AND next_attempt_at <= coalesce(%(now)s, now()))
                      OR (status = 'claimed' AND claimed_at < coalesce(%(now)s, now()) - %(timeout)s))
               ORDER BY next_attempt_at, item_id
               LIMIT %(limit)s
               FOR UPDATE SKIP LOCKED)
           UPDATE ops.retry_queue q SET status = 'claimed', claimed_at = coalesce(%(now)s, now()),
                                        updated_at = coalesce(%(now)s, now())
           FROM due WHERE q.item_id = due.item_id
           RETURNING q.*""",
        {"connector": connector, "now": now, "limit": limit, "timeout": timedelta(seconds=claim_timeout_s)},
    ).fetchall()


def record_success(conn: psycopg.Connection, item_id: int, *, now: datetime | None = None) -> None:
    """Mark a claimed item done."""
    conn.execute(
        """UPDATE ops.retry_queue SET status = 'done', done_at = coalesce(%s, now()), updated_at = coalesce(%s, now())
           WHERE item_id = %s""",
        (now, now, item_id),
    )


def record_failure(
    conn: psycopg.Connection,
    item_id: int,
    error: str,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
    base_s: float = BASE_S,
    cap_s: float = CAP_S,
) -> dict:
    """Count a failed attempt: reschedule with backoff, or dead-letter at ``max_attempts``. Returns the row."""
    now = now or conn.execute("SELECT now()").fetchone()[0]
    cur = conn.cursor(row_factory=dict_row)
    item = cur.execute("SELECT attempts, max_attempts FROM ops.retry_queue WHERE item_id = %s FOR UPDATE",
                       (item_id,)).fetchone()
    if item is None:
        raise KeyError(f"no retry item {item_id}")
    attempts = item["attempts"] + 1
    if attempts >= item["max_attempts"]:
        return cur.execute(
            """UPDATE ops.retry_queue SET attempts = %s, status = 'dead', dead_at = %s, last_error = %s,
                      claimed_at = NULL, updated_at = %s
               WHERE item_id = %s RETURNING *""",
            (attempts, now, error, now, item_id),
        ).fetchone()
    due = now + timedelta(seconds=backoff_seconds(attempts, base_s=base_s, cap_s=cap_s, rng=rng))
    return cur.execute(
        """UPDATE ops.retry_queue SET attempts = %s, status = 'pending', next_attempt_at = %s, last_error = %s,
                  claimed_at = NULL, updated_at = %s
           WHERE item_id = %s RETURNING *""",
        (attempts, due, error, now, item_id),
    ).fetchone()


def queue_stats(conn: psycopg.Connection) -> dict[str, dict[str, int]]:
    """``{connector: {status: count}}``."""
    out: dict[str, dict[str, int]] = {}
    for connector, status, count in conn.execute(
        "SELECT connector, status, count(*) FROM ops.retry_queue GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall():
        out.setdefault(connector, {})[status] = count
    return out


Handler = Callable[[dict], object]


def drain(
    conn: psycopg.Connection,
    imap,
    handlers: dict[str, Handler],
    *,
    limit: int = 100,
    now: datetime | None = None,
    rng: random.Random | None = None,
    base_s: float = BASE_S,
    cap_s: float = CAP_S,
) -> dict:
    """Work off the due items: run each one's handler (by ``payload["kind"]``), then record the outcome.

    A handler that returns counts as success (``done``); one that raises is a failed attempt: the item is
    due again after :func:`backoff_seconds`, or dead-lettered at ``max_attempts`` - and a dead item opens
    (or repeats) the connector's ``dead_letter`` incident at once. An item whose kind has no handler fails
    the same way, naming the kinds that have one. Each item is committed on its own.

    Returns:
        ``{"claimed": n, "done": [ids], "retrying": [ids], "dead": [ids], "incidents": {...}}``
    """
    from crmhub.health import causes

    items = claim_due(conn, limit=limit, now=now)
    conn.commit()
    out: dict[str, Any] = {"claimed": len(items), "done": [], "retrying": [], "dead": []}
    for item in items:
        kind = (item["payload"] or {}).get("kind")
        try:
            handler = handlers.get(kind)
            if handler is None:
                raise LookupError(f"no retry handler for kind {kind!r}; handled: {', '.join(sorted(handlers)) or '-'}")
            handler(item)
        except Exception as exc:  # noqa: BLE001 - any failure is one failed attempt, recorded with its error
            row = record_failure(conn, item["item_id"], f"{type(exc).__name__}: {exc}"[:1000], now=now, rng=rng,
                                 base_s=base_s, cap_s=cap_s)
            out["dead" if row["status"] == "dead" else "retrying"].append(item["item_id"])
        else:
            record_success(conn, item["item_id"], now=now)
            out["done"].append(item["item_id"])
        conn.commit()
    out["incidents"] = causes.sync_trigger(conn, imap, "dead_letter", now=now) if out["dead"] else {}
    return out
