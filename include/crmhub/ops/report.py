"""Operations section of the one-screen report (``crmhub demo report``): switches, snapshots and every
incident with how it was closed (or what closes it)."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from crmhub.ops.golive import active_window
from crmhub.safety.freeze import freeze_state

MAX_INCIDENTS = 20


def _closed(r: dict) -> str:
    if r["resolved_at"] is not None:
        hours = (r["resolved_at"] - r["opened_at"]).total_seconds() / 3600
        return f"resolved by {r['resolved_by']} after {hours:.2f} h, proof: {r['proof']}"
    if r["recovered_at"] is not None:
        return f"recovered at {r['recovered_at']:%H:%M} (cause gone), open until resolved with proof; {r['runbook_url']}"
    ack = f"acknowledged by {r['acknowledged_by']}; " if r["acknowledged_by"] else ""
    return f"OPEN, {ack}runbook {r['runbook_url']}"


def ops_section(conn: psycopg.Connection) -> list[str]:
    if conn.execute("SELECT to_regclass('ops.freeze_all_log')").fetchone()[0] is None:
        return ["(operations controls not migrated yet)"]
    state, window = freeze_state(conn), active_window(conn)
    lines = [
        "freeze-all: " + (f"FROZEN by {state.actor}: {state.reason}" if state.frozen else "off")
        + "; go-live: " + (f"window #{window.window_id} until {window.ends_at:%Y-%m-%d %H:%M}" if window else "off"),
    ]
    snaps = conn.execute("SELECT count(*), max(created_at) FROM ops.snapshots WHERE status = 'ready'").fetchone()
    restores = conn.execute("SELECT count(*), bool_and(matches) FROM ops.snapshot_restores").fetchone()
    lines.append(f"snapshots: {snaps[0]} ready" + (f" (newest {snaps[1]:%Y-%m-%d %H:%M})" if snaps[0] else "")
                 + (f"; restores: {restores[0]}, checksums {'all matched' if restores[1] else 'MISMATCH'}"
                    if restores[0] else ""))
    rows = conn.cursor(row_factory=dict_row).execute(
        "SELECT * FROM ops.incidents ORDER BY incident_id LIMIT %s", (MAX_INCIDENTS,)).fetchall()
    total = conn.execute("SELECT count(*), count(*) FILTER (WHERE resolved_at IS NULL) FROM ops.incidents").fetchone()
    lines.append(f"incidents opened: {total[0]}, still open: {total[1]}")
    for r in rows:
        lines.append(f"  #{r['incident_id']:<4} {r['trigger']:18} {r['connector']:22} owner {r['owner']:12} "
                     f"seen {r['occurrences']}x  {_closed(r)}")
    if total[0] > len(rows):
        lines.append(f"  ... {total[0] - len(rows)} more: crmhub incidents list --all")
    return lines
