"""Go-live mode: for a window (default 48 h) every non-critical connector, push and automation is suspended.

"Suspend non-critical syncs during the first 48 hours" (the playbook). A window is a row of
``ops.go_live_windows``; it is active while ``starts_at <= now() < ends_at`` and nobody ended it early,
so everything resumes by itself when the window ends - no job has to remember to switch it off.

:func:`suspension_reason` is the one rule the Airflow operators ask before doing any work: everything
frozen (:mod:`crmhub.safety.freeze`) or, inside a go-live window, not marked ``critical: true`` in the
integration map. The operator skips the task with that reason (visible in the task log and state).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg.rows import dict_row

from crmhub.config import is_critical
from crmhub.exceptions import CrmHubError
from crmhub.safety.freeze import KINDS, freeze_state, frozen_reason

log = logging.getLogger(__name__)

DEFAULT_HOURS = 48.0
MAX_HOURS = 24.0 * 14


@dataclass(frozen=True)
class GoLiveWindow:
    window_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    started_by: str

    def as_dict(self) -> dict:
        return {"window_id": self.window_id, "starts_at": self.starts_at.isoformat(),
                "ends_at": self.ends_at.isoformat(), "reason": self.reason, "started_by": self.started_by}


def active_window(conn: psycopg.Connection, *, now: datetime | None = None) -> GoLiveWindow | None:
    """The go-live window in force at ``now`` (default: the database clock), or None."""
    row = conn.execute(
        """SELECT window_id, starts_at, ends_at, reason, started_by FROM ops.go_live_windows
           WHERE ended_at IS NULL AND starts_at <= coalesce(%s, now()) AND ends_at > coalesce(%s, now())
           ORDER BY ends_at DESC LIMIT 1""",
        (now, now),
    ).fetchone()
    return GoLiveWindow(*row) if row else None


def start_go_live(
    conn: psycopg.Connection, hours: float = DEFAULT_HOURS, *, by: str, reason: str = "go-live",
    now: datetime | None = None,
) -> GoLiveWindow:
    """Open a window of ``hours`` from ``now`` and commit. A window already in force is kept, not stacked.

    Raises:
        CrmHubError: no ``by``, or ``hours`` outside (0, 336].
    """
    if not by or not by.strip():
        raise CrmHubError("go-live needs --by WHO (every human action is recorded with who did it)")
    if not 0 < hours <= MAX_HOURS:
        raise CrmHubError(f"go-live --hours must be in (0, {MAX_HOURS:g}], got {hours:g}")
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('crmhub.ops.go_live'))")
    current = active_window(conn, now=now)
    if current is not None:
        conn.commit()
        log.warning("go-live window %s already in force until %s; kept", current.window_id, current.ends_at)
        return current
    row = conn.execute(
        """INSERT INTO ops.go_live_windows (starts_at, ends_at, reason, started_by)
           VALUES (coalesce(%s, now()), coalesce(%s, now()) + %s, %s, %s)
           RETURNING window_id, starts_at, ends_at, reason, started_by""",
        (now, now, timedelta(hours=hours), reason or "go-live", by.strip()),
    ).fetchone()
    conn.commit()
    window = GoLiveWindow(*row)
    log.warning("go-live window %s: non-critical work suspended until %s (by %s)", window.window_id,
                window.ends_at, window.started_by)
    return window


def end_go_live(conn: psycopg.Connection, *, by: str, now: datetime | None = None) -> GoLiveWindow | None:
    """End the window in force early (logged with who) and commit; None when there was none."""
    if not by or not by.strip():
        raise CrmHubError("ending go-live needs --by WHO")
    window = active_window(conn, now=now)
    if window is None:
        return None
    conn.execute("UPDATE ops.go_live_windows SET ended_at = coalesce(%s, now()), ended_by = %s WHERE window_id = %s",
                 (now, by.strip(), window.window_id))
    conn.commit()
    return window


def start_go_live_at(warehouse_url: str, hours: float, *, by: str | None,
                     reason: str = "go-live (crmhub_health param)") -> dict | None:
    """The ``crmhub_health`` DAG's ``go_live`` step: start a window when ``hours`` > 0 (else nothing)."""
    if not hours:
        return None
    from crmhub.warehouse.connection import connect

    with connect(warehouse_url) as conn:
        return start_go_live(conn, hours, by=by or "", reason=reason).as_dict()


def suspension_reason(conn: psycopg.Connection, imap, kind: str, name: str, *,
                      now: datetime | None = None) -> str | None:
    """Why ``kind``/``name`` must not run now, or None when it may.

    Args:
        conn: warehouse connection.
        imap: the integration map (for ``critical``).
        kind: ``connector``, ``sync`` (reverse ETL) or ``automation`` (outreach).
        name: its name in the map.
        now: evaluation time (default: the database clock).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    frozen = frozen_reason(conn, kind, name)
    if frozen is not None:
        return f"everything is frozen ({frozen}); `crmhub ops thaw --all` resumes"
    window = active_window(conn, now=now)
    if window is None or is_critical(imap, kind, name):
        return None
    return (f"go-live window #{window.window_id} until {window.ends_at:%Y-%m-%d %H:%M %Z}: non-critical {kind} "
            f"{name!r} suspended (started by {window.started_by}: {window.reason}); it resumes by itself")


def suspended(conn: psycopg.Connection, imap, *, now: datetime | None = None) -> dict[str, list[str]]:
    """``{kind: [names suspended now]}`` over the whole map."""
    names = {"connector": [c.name for c in imap.connectors],
             "sync": [s["name"] for s in (imap.raw.get("reverse_etl") or {}).get("syncs") or []],
             "automation": [a["name"] for a in imap.raw.get("automations") or []]}
    return {kind: [n for n in items if suspension_reason(conn, imap, kind, n, now=now)] for kind, items in names.items()}


def status(conn: psycopg.Connection, imap, *, now: datetime | None = None) -> dict:
    """Everything an operator (or the console) needs: freeze, go-live window, what is stopped and why."""
    window = active_window(conn, now=now)
    cur = conn.cursor(row_factory=dict_row)
    frozen_connectors = cur.execute(
        "SELECT connector, reason, frozen_by, frozen_at FROM ops.connector_state WHERE frozen ORDER BY connector"
    ).fetchall()
    paused = cur.execute(
        "SELECT automation, paused_by, reason, at FROM ops.outreach_state WHERE paused ORDER BY automation"
    ).fetchall()
    return {
        "freeze": freeze_state(conn).as_dict(),
        "go_live": window.as_dict() if window else None,
        "suspended": suspended(conn, imap, now=now),
        "frozen_connectors": frozen_connectors,
        "paused_automations": paused,
    }
