"""Health section for ``crmhub.report`` (the one-screen demo report): register ``("Health", health_section)``."""

from __future__ import annotations

import psycopg

from crmhub.health.incidents import list_incidents, mttr
from crmhub.health.score import latest_snapshots


def health_section(conn: psycopg.Connection) -> list[str]:
    if conn.execute("SELECT to_regclass('ops.health_snapshots')").fetchone()[0] is None:
        return ["(health not built yet)"]
    lines = []
    for s in latest_snapshots(conn):
        score = "-" if s["score"] is None else f"{s['score']:.1f}"
        lines.append(f"{s['connector']:24} health {score:>6} {s['status']}")
    if not lines:
        lines.append("no health snapshots yet (crmhub_health runs every 5 minutes)")
    open_rows = list_incidents(conn)
    lines.append(f"open incidents: {len(open_rows)}"
                 + (" (" + ", ".join(f"#{r['incident_id']} {r['connector']}:{r['trigger']}" for r in open_rows[:5]) + ")"
                    if open_rows else ""))
    m = mttr(conn)
    if m["resolved"]:
        lines.append(f"MTTR {m['overall_h']:.2f} h over {m['resolved']} resolved (target < 6 h)")
    return lines
