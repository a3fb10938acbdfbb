"""Sync runs (``ops.sync_runs``): one row per run of a connector - ingest, CDC, backfill, webhook sync.

Shared bookkeeping of ``crmhub.ingest`` and ``crmhub.cdc`` (with :mod:`crmhub.sync.watermarks`); the health score
reads these rows (error rate, API latency, lag). ``start_run`` and ``finish_run`` commit on the caller's
connection, so a run is visible while it works and its end is recorded whatever the work did.
"""

from __future__ import annotations

import time

import psycopg
from psycopg.types.json import Jsonb

from crmhub.exceptions import ConnectorFrozenError, FrozenError


def start_run(conn: psycopg.Connection, connector: str, kind: str) -> int:
    run_id = conn.execute(
        "INSERT INTO ops.sync_runs (connector, kind) VALUES (%s, %s) RETURNING run_id", (connector, kind)
    ).fetchone()[0]
    conn.commit()
    return run_id


def finish_run(conn: psycopg.Connection, run_id: int, *, status: str, records: int, failed: int, api_calls: int,
                api_errors: int, latency_s: float, lag: tuple | None, detail: dict) -> None:
    p50, p95, mx = lag or (None, None, None)
    conn.execute(
        """UPDATE ops.sync_runs SET finished_at = now(), status = %s, records_total = %s, records_failed = %s,
               api_calls = %s, api_errors = %s, latency_s_total = %s, lag_min_p50 = %s, lag_min_p95 = %s,
               lag_min_max = %s, detail = %s WHERE run_id = %s""",
        (status, records, failed, api_calls, api_errors, latency_s, p50, p95, mx, Jsonb(detail), run_id),
    )
    conn.commit()


def stopped_by_freeze(exc: BaseException) -> bool:
    """True when ``exc`` is a freeze refusing the work (the connector's, or everything's): not a failure."""
    return isinstance(exc, (ConnectorFrozenError, FrozenError))


def fail_run(conn: psycopg.Connection, run_id: int, exc: BaseException, *, started: float,
             api: dict | None = None, detail: dict | None = None, failed: int = 0) -> None:
    """Close a run whose work raised: the API counters so far (``api``, if any) plus the failure as one error;
    ``failed``: records the run was asked for and could not deliver (a webhook run's referenced ids).

    A run a freeze stopped (:func:`stopped_by_freeze`) is closed ``frozen`` with no error of its own: a frozen
    connector is not failing, and counting its refused runs as errors would keep its health blocked (and it
    frozen) after its owner released it."""
    api = api or {}
    frozen = stopped_by_freeze(exc)
    finish_run(conn, run_id, status="frozen" if frozen else "failed", records=0, failed=0 if frozen else failed,
               api_calls=api.get("api_calls", 0), api_errors=api.get("api_errors", 0) + (0 if frozen else 1),
               latency_s=api.get("latency_s") or time.perf_counter() - started, lag=None,
               detail={**(detail or {}), "error": f"{type(exc).__name__}: {exc}"})


def run_totals(done: list, api: dict, started: float) -> dict:
    """``finish_run`` counters of a run from its (not skipped) loads: status, records, failed records and the
    API counters; a source without API counters (files, PostgreSQL) counts one call per load and the run's
    wall time as its latency."""
    return {"status": "success" if all(s.status == "loaded" for s in done) else "partial",
            "records": sum(s.rows_read for s in done), "failed": sum(s.rejected for s in done),
            "api_calls": api.get("api_calls", len(done)), "api_errors": api.get("api_errors", 0),
            "latency_s": api.get("latency_s", time.perf_counter() - started)}


def api_counters(sources: list) -> dict:
    """API counters of REST sources: requests, retried requests, summed latency."""
    return {"api_calls": sum(s.requests for s in sources), "api_errors": sum(s.retries for s in sources),
            "latency_s": sum(s.latency_s for s in sources)}
