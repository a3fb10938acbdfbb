"""Scripted backfills: split a date range into chunks, run them, skip the completed ones on re-run."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

#: Source kinds with a date-range read: the only connectors a backfill can load (files are loaded whole).
DATE_RANGE_KINDS = ("rest", "postgres")


def backfill_sources(imap=None) -> list[str]:
    """The connectors of the integration map (default: the repo's) that a backfill can load, in map order."""
    if imap is None:
        from crmhub.config import load_integration_map

        imap = load_integration_map()
    return [c.name for c in imap.connectors if c.kind in DATE_RANGE_KINDS]


@dataclass(frozen=True)
class Chunk:
    backfill_id: str
    chunk_no: int
    start: datetime
    end: datetime


def split_range(start: datetime, end: datetime, chunk: timedelta) -> list[tuple[datetime, datetime]]:
    """Half-open chunks ``[a, b)`` covering ``[start, end)`` exactly; the last one may be shorter."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("backfill range needs timezone-aware datetimes")
    if end <= start:
        raise ValueError(f"backfill end {end.isoformat()} must be after start {start.isoformat()}")
    if chunk <= timedelta(0):
        raise ValueError("chunk size must be positive")
    out, cur = [], start
    while cur < end:
        nxt = min(cur + chunk, end)
        out.append((cur, nxt))
        cur = nxt
    return out


def backfill_id_for(connector: str, obj: str, start: datetime, end: datetime, chunk: timedelta,
                    dry_run: bool = False) -> str:
    """Deterministic id: the same request resumes the same backfill (a dry run is a different backfill)."""
    key = f"{connector}|{obj}|{start.isoformat()}|{end.isoformat()}|{int(chunk.total_seconds())}|{dry_run}"
    return f"bf_{connector}_{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def plan_backfill(conn: psycopg.Connection, connector: str, obj: str, start: datetime, end: datetime,
                  chunk: timedelta, *, dry_run: bool = False) -> list[Chunk]:
    """Register the backfill (idempotent) and return the chunks still to do."""
    backfill_id = backfill_id_for(connector, obj, start, end, chunk, dry_run)
    with conn.transaction():
        created = conn.execute(
            """INSERT INTO ops.backfills (backfill_id, connector, object, range_start, range_end, chunk_s, dry_run)
               VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (backfill_id) DO NOTHING RETURNING backfill_id""",
            (backfill_id, connector, obj, start, end, int(chunk.total_seconds()), dry_run),
        ).fetchone()
        if created:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO ops.backfill_chunks (backfill_id, chunk_no, chunk_start, chunk_end) VALUES (%s, %s, %s, %s)",
                    [(backfill_id, i, a, b) for i, (a, b) in enumerate(split_range(start, end, chunk))],
                )
    return pending_chunks(conn, backfill_id)


def pending_chunks(conn: psycopg.Connection, backfill_id: str) -> list[Chunk]:
    rows = conn.execute(
        """SELECT chunk_no, chunk_start, chunk_end FROM ops.backfill_chunks
           WHERE backfill_id = %s AND status <> 'done' ORDER BY chunk_no""",
        (backfill_id,),
    ).fetchall()
    return [Chunk(backfill_id, n, a, b) for n, a, b in rows]


def run_chunk(conn: psycopg.Connection, chunk: Chunk, load: Callable[[datetime, datetime], int]) -> int:
    """Run one chunk with ``load(start, end) -> rows``; marks it done, or failed with the error (re-raised)."""
    done = conn.execute(
        "SELECT status FROM ops.backfill_chunks WHERE backfill_id = %s AND chunk_no = %s",
        (chunk.backfill_id, chunk.chunk_no),
    ).fetchone()
    if done and done[0] == "done":
        return 0
    conn.execute(
        "UPDATE ops.backfill_chunks SET status = 'running', attempts = attempts + 1 WHERE backfill_id = %s AND chunk_no = %s",
        (chunk.backfill_id, chunk.chunk_no),
    )
    conn.commit()
    try:
        rows = load(chunk.start, chunk.end)
    except Exception as exc:
        conn.rollback()
        conn.execute(
            "UPDATE ops.backfill_chunks SET status = 'failed', error = %s WHERE backfill_id = %s AND chunk_no = %s",
            (f"{type(exc).__name__}: {exc}", chunk.backfill_id, chunk.chunk_no),
        )
        conn.commit()
        raise
    conn.execute(
        """UPDATE ops.backfill_chunks SET status = 'done', rows = %s, error = NULL, finished_at = now()
           WHERE backfill_id = %s AND chunk_no = %s""",
        (rows, chunk.backfill_id, chunk.chunk_no),
    )
    conn.execute(
        """UPDATE ops.backfills SET finished_at = now() WHERE backfill_id = %s AND NOT EXISTS (
               SELECT 1 FROM ops.backfill_chunks WHERE backfill_id = %s AND status <> 'done')""",
        (chunk.backfill_id, chunk.backfill_id),
    )
    conn.commit()
    return rows
