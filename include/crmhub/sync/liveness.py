"""Loads whose process died: a ``running`` load whose connector load lock is no longer held is abandoned.

A load holds its connector's load lock on a lease connection (``crmhub.warehouse.locks.LoadLease``) that
the server drops the moment the loading process dies (SIGKILL, OOM, a lost worker). Its own backend may still
be busy with a statement; the load's transaction never commits, so ``core`` is untouched, but ``ops.loads``
would say ``running`` for ever. :func:`abandon_stale_loads` (run by the health cycle) marks such loads
``abandoned``, cancels their backend's statement (the backend then ends its rolled-back session) and returns
them so the caller can tell their owner (``crmhub.health.cycle`` opens an incident).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

from crmhub.warehouse.locks import load_lock_held


@dataclass(frozen=True)
class AbandonedLoad:
    load_id: str
    connector: str
    started_at: datetime
    backend_pid: int | None
    cancelled: bool

    def values(self) -> dict:
        """JSON-safe facts for an incident (no row data)."""
        return {"load_id": self.load_id, "started_at": self.started_at.isoformat(), "backend_pid": self.backend_pid,
                "backend_cancelled": self.cancelled,
                "cause": "the loading process died (its load lock was released); nothing of the load was committed"}


def abandon_stale_loads(conn: psycopg.Connection) -> list[AbandonedLoad]:
    """Mark every stale ``running`` load ``abandoned`` and cancel its backend; in the caller's transaction.

    A load row is locked (``FOR UPDATE SKIP LOCKED``) while it is judged, so a load finishing at that moment
    either waits (its lock still held: not stale) or is no longer ``running``. Loads recorded by versions without
    a lease (``lease_pid`` NULL) are left alone.
    """
    rows = conn.execute(
        "SELECT load_id, connector, started_at, backend_pid, lease_pid FROM ops.loads "
        "WHERE status = 'running' AND lease_pid IS NOT NULL ORDER BY started_at FOR UPDATE SKIP LOCKED"
    ).fetchall()
    out = []
    for load_id, connector, started_at, backend_pid, lease_pid in rows:
        if load_lock_held(conn, connector, pid=lease_pid):
            continue
        cancelled = False
        if backend_pid is not None:  # the same backend (not a later one reusing its pid) still at work
            cancelled = bool(conn.execute(
                "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = %s AND backend_start <= %s",
                (backend_pid, started_at)).fetchone() or False)
        conn.execute(
            "UPDATE ops.loads SET status = 'abandoned', finished_at = now(), "
            "error = 'abandoned: the loading process died (load lock released); nothing was committed' "
            "WHERE load_id = %s", (load_id,))
        out.append(AbandonedLoad(load_id, connector, started_at, backend_pid, cancelled))
    return out
