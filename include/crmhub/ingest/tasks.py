"""What the ``crmhub_ingest`` DAG runs per connector, with the run recorded in ``ops.sync_runs``.

``ingest_connector`` builds the connector's source (file or drop folder under the data dir, the CRM's
REST API, or a PostgreSQL table), runs the loader, and records the sync run the health score reads:
records, failures (rows of rejected or parked loads), API calls and errors, latency, and sync lag.

Sync lag is "source change time -> core commit time", measured only for records changed since the
previous watermark of the connector (``ops.sync_state``): the first load of a connector establishes
the watermark and reports no lag, because an initial snapshot says nothing about how late changes are.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from crmhub.cdc.state import advance_watermark, get_watermark
from crmhub.config import Connector, IntegrationMap, load_integration_map
from crmhub.exceptions import CrmHubError, RejectedFileError
from crmhub.ingest.loader import LoadSummary, ingest, ingest_file, ingest_folder
from crmhub.warehouse import connect

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceAccess:
    """How to reach a connector's source: a data folder for files, a base URL + token for REST, a URL for Postgres."""

    data_dir: Path | None = None
    base_url: str | None = None
    token: str | None = None
    url: str | None = None


def _start_run(conn: psycopg.Connection, connector: str, kind: str) -> int:
    run_id = conn.execute(
        "INSERT INTO ops.sync_runs (connector, kind) VALUES (%s, %s) RETURNING run_id", (connector, kind)
    ).fetchone()[0]
    conn.commit()
    return run_id


def _finish_run(conn: psycopg.Connection, run_id: int, *, status: str, records: int, failed: int, api_calls: int,
                api_errors: int, latency_s: float, lag: tuple | None, detail: dict) -> None:
    p50, p95, mx = lag or (None, None, None)
    conn.execute(
        """UPDATE ops.sync_runs SET finished_at = now(), status = %s, records_total = %s, records_failed = %s,
               api_calls = %s, api_errors = %s, latency_s_total = %s, lag_min_p50 = %s, lag_min_p95 = %s,
               lag_min_max = %s, detail = %s WHERE run_id = %s""",
        (status, records, failed, api_calls, api_errors, latency_s, p50, p95, mx, Jsonb(detail), run_id),
    )
    conn.commit()


def _lag_and_watermark(conn: psycopg.Connection, connector: Connector, load_ids: list[str], rows: int) -> tuple | None:
    """Lag percentiles (minutes) of records newer than the previous watermark; advances the watermark."""
    ts_field = connector.timestamp_source
    table = sql.Identifier("staging", connector.name)
    wm = get_watermark(conn, connector.name, connector.object)
    stats = conn.execute(
        sql.SQL(
            """SELECT max({ts}),
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM now() - {ts}) / 60)
                          FILTER (WHERE {ts} > %(wm)s),
                      percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM now() - {ts}) / 60)
                          FILTER (WHERE {ts} > %(wm)s),
                      max(extract(epoch FROM now() - {ts}) / 60) FILTER (WHERE {ts} > %(wm)s)
               FROM {table} WHERE load_id = ANY(%(loads)s)"""
        ).format(ts=sql.Identifier(ts_field), table=table),
        {"wm": wm.ts, "loads": load_ids},
    ).fetchone()
    newest, p50, p95, mx = stats
    lag = (max(p50, 0.0), max(p95, 0.0), max(mx, 0.0)) if wm.ts is not None and p50 is not None else None
    if newest is not None:
        advance_watermark(conn, connector.name, connector.object, ts=newest, record_id=None, rows=rows)
    conn.commit()
    return lag


def build_and_load(warehouse_url: str, connector: Connector, access: SourceAccess) -> tuple[list[LoadSummary], dict]:
    """Run the loader for one connector; returns the load summaries and API counters."""
    kind = connector.kind
    if kind == "csv":
        if access.data_dir is None:
            raise CrmHubError(f"connector {connector.name}: no data folder given for its files")
        path = Path(access.data_dir) / connector.source["path"]
        if path.is_dir():
            return ingest_folder(warehouse_url, connector, path), {}
        if not path.exists():
            raise CrmHubError(f"connector {connector.name}: input file {path} does not exist")
        try:
            return [ingest_file(warehouse_url, connector, path)], {}
        except RejectedFileError as exc:
            return [exc.summary], {}  # recorded as rejected; the health score counts it as failed records
    if kind == "rest":
        from crmhub.ingest.sources.rest_source import RestSource

        if not access.base_url:
            raise CrmHubError(f"connector {connector.name}: no base URL for connection {connector.source['connection']}")
        source = RestSource.for_connector(connector, access.base_url, token=access.token)
        summary = ingest(warehouse_url, connector, source)
        return [summary], {"api_calls": source.requests, "api_errors": source.retries, "latency_s": source.latency_s}
    if kind == "postgres":
        from crmhub.ingest.sources.postgres_source import PostgresSource

        if not access.url:
            raise CrmHubError(f"connector {connector.name}: no database URL for connection {connector.source['connection']}")
        return [ingest(warehouse_url, connector, PostgresSource.for_connector(connector, access.url))], {}
    raise CrmHubError(f"connector {connector.name}: unknown source kind {kind!r}")


def ingest_connector(warehouse_url: str, name: str, access: SourceAccess, *, imap: IntegrationMap | None = None,
                     kind: str = "ingest") -> dict:
    """Load one connector and record the run; returns a JSON-safe summary for XCom."""
    imap = imap or load_integration_map()
    connector = imap.connector(name)
    started = time.perf_counter()
    with connect(warehouse_url) as conn:
        run_id = _start_run(conn, name, kind)
        try:
            summaries, api = build_and_load(warehouse_url, connector, access)
        except Exception as exc:
            _finish_run(conn, run_id, status="failed", records=0, failed=0, api_calls=0, api_errors=1,
                        latency_s=time.perf_counter() - started, lag=None,
                        detail={"error": f"{type(exc).__name__}: {exc}"})
            raise
        done = [s for s in summaries if not s.skipped]
        records = sum(s.rows_read for s in done)
        failed = sum(s.rejected for s in done)
        lag = _lag_and_watermark(conn, connector, [s.load_id for s in done if s.status == "loaded"], records)
        calls = api.get("api_calls", len(done))
        status = "success" if all(s.status == "loaded" for s in done) else "partial"
        _finish_run(conn, run_id, status=status, records=records, failed=failed, api_calls=calls,
                    api_errors=api.get("api_errors", 0),
                    latency_s=api.get("latency_s", time.perf_counter() - started), lag=lag,
                    detail={"loads": [s.load_id for s in done], "statuses": [s.status for s in done]})
    totals = {key: sum(getattr(s, key) for s in done) for key in ("rows_read", "loaded", "quarantined", "rejected")}
    reasons: dict[str, int] = {}
    for s in done:
        for rule, count in s.reasons.items():
            reasons[rule] = reasons.get(rule, 0) + count
    return {"connector": name, "run_id": run_id, "status": status, "loads": len(done),
            "skipped": len(summaries) - len(done), **totals, "reasons": reasons,
            "targets": list(connector.targets)}
