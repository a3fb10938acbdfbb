"""Incremental sync state (``ops.sync_state``): watermark + tie-breaker id, lookback, last success (used by ingest and CDC).

The watermark only advances inside the caller's transaction that commits the batch, so a failed
run re-reads from the old watermark (and the idempotent merge makes the re-read harmless).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg


@dataclass(frozen=True)
class Watermark:
    connector: str
    object: str
    ts: datetime | None
    id: str | None
    cursor: str | None
    lookback_s: int
    rows_seen: int

    def read_from(self) -> datetime | None:
        """Where the next incremental read starts: the watermark minus the lookback window."""
        return None if self.ts is None else self.ts - timedelta(seconds=self.lookback_s)

    def is_after(self, ts: datetime, record_id: str) -> bool:
        """True if (ts, id) is strictly past the watermark (ties broken by id)."""
        if self.ts is None:
            return True
        return (ts, record_id) > (self.ts, self.id or "")


def get_watermark(conn: psycopg.Connection, connector: str, obj: str, *, lookback_s: int | None = None) -> Watermark:
    """Current state, creating an empty one on first use.

    ``lookback_s`` is the configured lookback window (the connector's ``sla.lookback_min``): it wins over the
    stored one, which is updated to it and kept as a record of the window last used. ``None`` (a reader
    that does not read from the source) leaves the stored value as it is (0 for a new state row).
    """
    conn.execute(
        """INSERT INTO ops.sync_state (connector, object, lookback_s) VALUES (%(c)s, %(o)s, coalesce(%(lb)s, 0))
           ON CONFLICT (connector, object) DO UPDATE SET lookback_s = EXCLUDED.lookback_s, updated_at = now()
           WHERE %(lb)s::integer IS NOT NULL AND ops.sync_state.lookback_s <> EXCLUDED.lookback_s""",
        {"c": connector, "o": obj, "lb": lookback_s},
    )
    row = conn.execute(
        """SELECT watermark_ts, watermark_id, cursor, lookback_s, rows_seen FROM ops.sync_state
           WHERE connector = %s AND object = %s""",
        (connector, obj),
    ).fetchone()
    return Watermark(connector, obj, row[0], row[1], row[2], row[3], row[4])


def advance_watermark(
    conn: psycopg.Connection,
    connector: str,
    obj: str,
    *,
    ts: datetime | None,
    record_id: str | None = None,
    cursor: str | None = None,
    rows: int = 0,
    run_id: int | None = None,
) -> None:
    """Move the watermark forward (never backward) in the caller's transaction."""
    conn.execute(
        """UPDATE ops.sync_state SET
               watermark_ts = CASE WHEN %(ts)s::timestamptz IS NULL THEN watermark_ts
                                   WHEN watermark_ts IS NULL OR (%(ts)s::timestamptz, %(id)s::text)
                                        > (watermark_ts, coalesce(watermark_id, '')) THEN %(ts)s ELSE watermark_ts END,
               watermark_id = CASE WHEN %(ts)s::timestamptz IS NULL THEN watermark_id
                                   WHEN watermark_ts IS NULL OR (%(ts)s::timestamptz, %(id)s::text)
                                        > (watermark_ts, coalesce(watermark_id, '')) THEN %(id)s ELSE watermark_id END,
               cursor = coalesce(%(cursor)s, cursor),
               rows_seen = rows_seen + %(rows)s,
               last_success_at = now(),
               last_run_id = coalesce(%(run)s, last_run_id),
               updated_at = now()
           WHERE connector = %(c)s AND object = %(o)s""",
        {"ts": ts, "id": record_id or "", "cursor": cursor, "rows": rows, "run": run_id, "c": connector, "o": obj},
    )
