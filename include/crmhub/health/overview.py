"""Read model of integration health for people: one row per connector with what they need to act.

Used by the operations console (``plugins/crmhub_console``); the numbers are the ones the health cycle stored
(``ops.health_snapshots``, ``ops.sla_results``) and the gate the sensors apply (:func:`crmhub.health.score.gate`
semantics: an unknown score or a score under ``BLOCK_BELOW`` blocks the DAGs that wait on the connector).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
from psycopg.rows import dict_row

from crmhub.health.score import BLOCK_BELOW, HEALTHY_MIN, latest_snapshots

TREND_DAYS = 7


def daily_scores(conn: psycopg.Connection, *, days: int = TREND_DAYS, now: datetime | None = None) -> dict[str, list]:
    """``{connector: [{"day", "avg_score", "min_score", "snapshots"}]}`` over the last ``days`` days."""
    rows = conn.cursor(row_factory=dict_row).execute(
        """SELECT connector, (taken_at AT TIME ZONE 'UTC')::date AS day, avg(score) AS avg_score,
                  min(score) AS min_score, count(*) AS snapshots
           FROM ops.health_snapshots
           WHERE taken_at >= coalesce(%s, now()) - make_interval(days => %s) AND score IS NOT NULL
           GROUP BY connector, day ORDER BY connector, day""",
        (now, days),
    ).fetchall()
    out: dict[str, list] = {}
    for r in rows:
        out.setdefault(r["connector"], []).append(
            {"day": r["day"], "avg_score": round(float(r["avg_score"]), 1), "min_score": round(float(r["min_score"]), 1),
             "snapshots": r["snapshots"]})
    return out


def latest_sla(conn: psycopg.Connection) -> list[dict]:
    """SLA met rate per field for the newest week computed (``crmhub health sla``)."""
    return conn.cursor(row_factory=dict_row).execute(
        """SELECT week_start, sla, connector, field, freshness_min, runs, runs_met, met_rate_pct, target_pct, met, owner
           FROM ops.sla_results WHERE week_start = (SELECT max(week_start) FROM ops.sla_results)
           ORDER BY met, met_rate_pct, connector, field"""
    ).fetchall()


def last_success(conn: psycopg.Connection) -> dict[str, datetime]:
    """Freshness: the end of each connector's newest successful (or partial) sync run."""
    return dict(conn.execute(
        "SELECT connector, max(finished_at) FROM ops.sync_runs WHERE status IN ('success', 'partial') "
        "GROUP BY connector").fetchall())


def health_overview(conn: psycopg.Connection, *, days: int = TREND_DAYS, now: datetime | None = None) -> dict:
    """Everything the health page shows.

    Returns:
        ``{"connectors": [snapshot + "trend" + "last_success" + "freshness_min" + "blocks_sensors"],
        "sla": [...], "blocked": [names the IntegrationHealthSensor currently holds back],
        "block_below": 70, "healthy_min": 90}``
    """
    now = now or conn.execute("SELECT now()").fetchone()[0]
    trend = daily_scores(conn, days=days, now=now)
    fresh = last_success(conn)
    rows = []
    for snap in latest_snapshots(conn):
        name = snap["connector"]
        done = fresh.get(name)
        blocks = snap["score"] is None or snap["score"] < BLOCK_BELOW
        rows.append({
            **snap,
            "trend": trend.get(name, []),
            "last_success": done,
            "freshness_min": round((now - done) / timedelta(minutes=1), 1) if done else None,
            "blocks_sensors": blocks,
        })
    return {
        "connectors": rows,
        "sla": latest_sla(conn),
        "blocked": [r["connector"] for r in rows if r["blocks_sensors"]],
        "block_below": BLOCK_BELOW,
        "healthy_min": HEALTHY_MIN,
        "as_of": now,
    }
