"""Helpers shared by the health tests (core and plugins): insert ops.sync_runs rows at chosen times."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def add_run(conn, connector, *, minutes_ago, status="success", duration_min=1.0, now=NOW, kind="ingest", **cols):
    """Insert a finished run that ended ``minutes_ago`` before ``now``; returns run_id."""
    finished = now - timedelta(minutes=minutes_ago)
    started = finished - timedelta(minutes=duration_min)
    data = {"records_total": 0, "records_failed": 0, "api_calls": 0, "api_errors": 0, "latency_s_total": 0.0,
            "lag_min_p50": None, "lag_min_p95": None, "lag_min_max": None, "detail": {}}
    data.update(cols)
    data["detail"] = json.dumps(data["detail"])
    return conn.execute(
        """INSERT INTO ops.sync_runs (connector, kind, started_at, finished_at, status, records_total, records_failed,
               api_calls, api_errors, latency_s_total, lag_min_p50, lag_min_p95, lag_min_max, detail)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING run_id""",
        (connector, kind, started, finished, status, data["records_total"], data["records_failed"], data["api_calls"],
         data["api_errors"], data["latency_s_total"], data["lag_min_p50"], data["lag_min_p95"], data["lag_min_max"],
         data["detail"]),
    ).fetchone()[0]
