"""Per-sync schedules: is a sync due? (The orchestrator runs one sync by name with :func:`run_sync`.)

Each sync's ``schedule`` in the map is a cron expression (UTC). A sync is *due* when its latest cron
tick at or before ``now`` came after the start of its last run (any outcome but ``skipped``), or when it
never ran. A sync without ``schedule`` is never due: it runs when triggered (after a load, by hand).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import psycopg
from croniter import croniter

from crmhub import clock
from crmhub.reverse_etl.definitions import SyncDefinition


def last_tick(schedule: str, now: datetime) -> datetime:
    """The latest tick of the cron ``schedule`` at or before ``now`` (UTC)."""
    start = now.astimezone(UTC) + timedelta(microseconds=1)   # get_prev is strictly before its start
    return croniter(schedule, start).get_prev(datetime).astimezone(UTC)


def is_due(sync: SyncDefinition, last_started: datetime | None, now: datetime) -> bool:
    """Whether ``sync`` should run at ``now`` given when its last run started (None: never ran)."""
    if not sync.schedule:
        return False
    return last_started is None or last_started < last_tick(sync.schedule, now)


def last_starts(conn: psycopg.Connection, names: Iterable[str]) -> dict[str, datetime]:
    """Start time of each sync's last run (not counting skipped runs and rollbacks)."""
    rows = conn.execute("SELECT sync_name, max(started_at) FROM ops.reverse_etl_runs WHERE kind = 'sync' AND "
                        "status <> 'skipped' AND sync_name = ANY(%s) GROUP BY sync_name", (list(names),)).fetchall()
    return dict(rows)


def due_syncs(conn: psycopg.Connection, syncs: dict[str, SyncDefinition], now: datetime | None = None) -> list[str]:
    """Names of the syncs due at ``now`` (default: the current time), in map order."""
    now = now or clock.now()
    last = last_starts(conn, syncs)
    return [name for name, sync in syncs.items() if is_due(sync, last.get(name), now)]
