"""What the ``crmhub_cdc`` and ``crmhub_backfill`` DAGs run (and ``crmhub cdc`` / ``crmhub backfill``)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from crmhub.cdc.associations import is_deal_connector, loaded_ids, sync_deal_associations
from crmhub.cdc.backfill import DATE_RANGE_KINDS, Chunk, plan_backfill, run_chunk
from crmhub.cdc.webhooks import mark_synced, pending_object_ids
from crmhub.config import IntegrationMap, load_integration_map
from crmhub.exceptions import CrmHubError
from crmhub.ingest.loader import ingest
from crmhub.ingest.sources.rest_changes import RestIdsSource
from crmhub.ingest.tasks import SourceAccess, ingest_connector, lag_stats
from crmhub.ingest.upsert import refresh_stale_stats, stats_tables
from crmhub.progress import NO_PROGRESS, Progress
from crmhub.safety.snapshot import snapshot_before
from crmhub.sync.runs import api_counters, fail_run, finish_run, run_totals, start_run
from crmhub.warehouse import connect


def cdc_sync(warehouse_url: str, name: str, access: SourceAccess, *, imap: IntegrationMap | None = None) -> dict:
    """One incremental sync of a connector (watermark + lookback, or logical decoding); see ``ingest_connector``.
    The CRM's deals also get their associations read (:mod:`crmhub.cdc.associations`)."""
    imap = imap or load_integration_map()
    out = ingest_connector(warehouse_url, name, access, imap=imap, kind="cdc", incremental=True)
    return _with_associations(warehouse_url, imap.connector(name), access, out)


def full_sync(warehouse_url: str, name: str, access: SourceAccess, *, imap: IntegrationMap | None = None) -> dict:
    """A full load of a connector (``ingest_connector``); the CRM's deals also get their associations read."""
    imap = imap or load_integration_map()
    out = ingest_connector(warehouse_url, name, access, imap=imap)
    return _with_associations(warehouse_url, imap.connector(name), access, out)


def _with_associations(warehouse_url: str, connector, access: SourceAccess, out: dict,
                       ids: list[str] | None = None) -> dict:
    """``out`` plus ``associations`` (counts) after a load of deals: the associations of the deals it staged."""
    if not is_deal_connector(connector):
        return out
    with connect(warehouse_url) as conn:
        deal_ids = ids if ids is not None else loaded_ids(conn, connector, out["run_id"])
        out["associations"] = sync_deal_associations(conn, deal_ids, access.base_url, access.token,
                                                     timeout=access.timeout, verify=access.verify)
    return out


def webhook_sync(warehouse_url: str, access: SourceAccess, *, imap: IntegrationMap | None = None,
                 source: str = "crm") -> dict:
    """Re-read the CRM records referenced by pending webhook events (the truth) and merge them.

    The events are marked ``synced`` after the load committed. The connector's watermark does not move
    (the periodic sync still reconciles everything changed since it).
    """
    imap = imap or load_integration_map()
    by_object = {c.object: c for c in imap.connectors if c.system == source and c.kind == "rest"}
    out: dict[str, dict] = {}
    with connect(warehouse_url) as conn:
        pending = pending_object_ids(conn, source)
        for obj, ids in pending.items():
            connector = by_object.get(obj)
            if connector is None:
                continue
            started = time.perf_counter()
            run_id = start_run(conn, connector.name, "webhook")
            src = RestIdsSource.for_connector(connector, access.base_url, ids=ids, **access.rest_options())
            try:
                summary = ingest(warehouse_url, connector, src)
            except Exception as exc:  # the events stay pending; a freeze is not a failure (fail_run)
                fail_run(conn, run_id, exc, started=started, failed=len(ids),
                         api={"api_calls": src.requests, "api_errors": src.retries, "latency_s": src.latency_s})
                raise
            _, lag = lag_stats(conn, connector, [summary.load_id])
            synced = mark_synced(conn, source, obj, ids)
            conn.commit()
            finish_run(conn, run_id, status="success" if summary.status == "loaded" else "partial",
                       records=summary.rows_read, failed=summary.rejected, api_calls=src.requests,
                       api_errors=src.retries, latency_s=src.latency_s or time.perf_counter() - started, lag=lag,
                       detail={"events_synced": synced, "missing": src.missing, "load": summary.load_id})
            out[obj] = _with_associations(warehouse_url, connector, access, {
                "records": summary.rows_read, "loaded": summary.loaded, "events_synced": synced,
                "missing": src.missing}, ids=sorted({str(i) for i in ids} - {str(m) for m in src.missing or []}))
    return out


def _range_loader(warehouse_url: str, connector, access: SourceAccess, dry_run: bool, chunk: Chunk | None = None):
    """``load(start, end) -> rows`` reading records with source timestamps in ``[start, end)``.

    Each call is recorded as one ``ops.sync_runs`` row of kind ``backfill`` (``chunk`` names it in the detail):
    records, rejected records, API calls/errors/latency of a REST source (one call per load and the wall
    time otherwise, as for ingest runs), no sync lag (the age of historic records is not a lag). The health
    score and the SLA rates leave these rows out (docs/health.md).
    """
    from crmhub.ingest.sources.postgres_source import PostgresSource
    from crmhub.ingest.sources.rest_source import RestSource

    if connector.kind not in DATE_RANGE_KINDS:
        raise CrmHubError(f"backfill of {connector.name}: only REST and PostgreSQL sources have a date-range read "
                          f"(files are loaded whole; use `crmhub ingest-file`)")

    def read(a: datetime, b: datetime):
        if connector.kind == "rest":
            return RestSource.for_connector(connector, access.base_url, updated_since=a, updated_until=b,
                                            **access.rest_options())
        return PostgresSource.for_connector(connector, access.url, updated_since=a.isoformat(),
                                            updated_until=b.isoformat(), since_inclusive=True)

    def counters(src) -> dict:
        return api_counters([src]) if src is not None and connector.kind == "rest" else {}

    def load(a: datetime, b: datetime) -> int:
        started = time.perf_counter()
        detail = {"start": a.isoformat(), "end": b.isoformat(), "dry_run": dry_run,
                  **({"backfill_id": chunk.backfill_id, "chunk_no": chunk.chunk_no} if chunk else {})}
        with connect(warehouse_url) as conn:
            run_id = start_run(conn, connector.name, "backfill")
            src, done = None, []
            try:
                src = read(a, b)
                if dry_run:
                    rows = sum(len(batch) for batch in src.batches())
                else:
                    # committed statistics before the chunk's load transaction: a concurrent chunk plans with them too
                    with connect(warehouse_url, autocommit=True) as stats_conn:
                        refresh_stale_stats(stats_conn, stats_tables(connector))
                    summary = ingest(warehouse_url, connector, src)
                    rows, done = summary.rows_read, [] if summary.skipped else [summary]
            except Exception as exc:
                fail_run(conn, run_id, exc, started=started, api=counters(src), detail=detail)
                raise
            counts = run_totals(done, counters(src), started)
            if dry_run:
                counts["records"] = rows
            finish_run(conn, run_id, **counts, lag=None,
                       detail={**detail, "loads": [s.load_id for s in done], "statuses": [s.status for s in done]})
        if not dry_run and done:
            _with_associations(warehouse_url, connector, access, {"run_id": run_id})
        return rows

    return load


def plan_backfill_chunks(warehouse_url: str, name: str, start: datetime, end: datetime, *,
                         chunk: timedelta = timedelta(days=1), dry_run: bool = False,
                         imap: IntegrationMap | None = None) -> list[dict]:
    """Register the backfill (idempotent) and return the chunks still to run, JSON-safe (for mapping)."""
    imap = imap or load_integration_map()
    connector = imap.connector(name)
    _range_loader("", connector, SourceAccess(), dry_run)  # validates the source kind before planning
    with connect(warehouse_url) as conn:
        chunks = plan_backfill(conn, name, connector.object, start, end, chunk, dry_run=dry_run)
        if chunks and not dry_run:  # a way back before risky work (crmhub snapshot restore ID)
            snapshot_before(conn, imap, f"backfill {chunks[0].backfill_id}")
    return [{"backfill_id": c.backfill_id, "chunk_no": c.chunk_no, "start": c.start.isoformat(),
             "end": c.end.isoformat()} for c in chunks]


def run_backfill_chunk(warehouse_url: str, name: str, access: SourceAccess, chunk: dict, *, dry_run: bool = False,
                       imap: IntegrationMap | None = None) -> dict:
    """Run one planned chunk (skipped when already done); failures mark it failed and re-raise."""
    imap = imap or load_integration_map()
    c = Chunk(chunk["backfill_id"], int(chunk["chunk_no"]), datetime.fromisoformat(chunk["start"]),
              datetime.fromisoformat(chunk["end"]))
    with connect(warehouse_url) as conn:
        rows = run_chunk(conn, c, _range_loader(warehouse_url, imap.connector(name), access, dry_run, c))
    return {**chunk, "rows": rows, "dry_run": dry_run}


def backfill(warehouse_url: str, name: str, access: SourceAccess, start: datetime, end: datetime, *,
             chunk: timedelta = timedelta(days=1), dry_run: bool = False, imap: IntegrationMap | None = None,
             progress: Progress = NO_PROGRESS) -> dict:
    """Load ``[start, end)`` of a connector in chunks; completed chunks are skipped when re-run.

    Each chunk reads records with source timestamps in the chunk (REST search / PostgreSQL cursor) and
    merges them (last write wins, so a backfill never overwrites newer data). ``dry_run`` counts only.
    ``progress`` hears of one ``chunks`` phase advanced by each chunk's rows.
    """
    imap = imap or load_integration_map()
    chunks = plan_backfill_chunks(warehouse_url, name, start, end, chunk=chunk, dry_run=dry_run, imap=imap)
    rows = 0
    with progress.phase(f"{len(chunks)} chunks") as bar:
        for c in chunks:
            done = run_backfill_chunk(warehouse_url, name, access, c, dry_run=dry_run, imap=imap)["rows"]
            rows += done
            bar.advance(done)
    return {"connector": name, "chunks_run": len(chunks), "rows": rows, "dry_run": dry_run}


def plan_cdc(warehouse_url: str, *, imap: IntegrationMap | None = None, now: datetime | None = None
             ) -> dict[str, list[str]]:
    """:func:`due_connectors`, split into ``{"critical": [...], "default": [...]}`` by ``critical:``."""
    from crmhub.config import split_by_criticality

    imap = imap or load_integration_map()
    return split_by_criticality(imap, "connector", due_connectors(warehouse_url, imap=imap, now=now))


def webhook_connector(imap: IntegrationMap, source: str = "crm") -> str:
    """The REST connector whose connection re-reads the records ``source``'s webhooks point at.

    Raises:
        CrmHubError: the map has no REST connector of that system.
    """
    for connector in imap.connectors:
        if connector.system == source and connector.kind == "rest":
            return connector.name
    raise CrmHubError(f"no REST connector of system {source!r} in {imap.path}: webhooks of {source!r} cannot be "
                      "re-read; add one (source.kind: rest) or stop sending webhooks")


def backfill_range(warehouse_url: str, name: str, start: str, end: str, chunk_hours: float, *, dry_run: bool = False,
                   imap: IntegrationMap | None = None) -> list[dict]:
    """:func:`plan_backfill_chunks` from a form's values: ISO ``start``/``end`` (UTC when naive), hours per chunk."""
    from datetime import UTC

    bounds = [datetime.fromisoformat(v) for v in (start, end)]
    bounds = [d if d.tzinfo else d.replace(tzinfo=UTC) for d in bounds]
    return plan_backfill_chunks(warehouse_url, name, bounds[0], bounds[1], chunk=timedelta(hours=float(chunk_hours)),
                                dry_run=dry_run, imap=imap)


def backfill_summary(results: list[dict]) -> dict:
    """Chunks run and rows loaded by one backfill run (the mapped chunk results)."""
    return {"chunks": len(results), "rows": sum(r["rows"] for r in results)}


def due_connectors(warehouse_url: str, *, imap: IntegrationMap | None = None, now: datetime | None = None) -> list[str]:
    """REST and PostgreSQL connectors whose SLA cron schedule has a run due since their last successful sync."""
    from crmhub.cdc.schedule import is_due

    imap = imap or load_integration_map()
    with connect(warehouse_url) as conn:
        now = now or conn.execute("SELECT now()").fetchone()[0]
        last = dict(conn.execute(
            "SELECT connector, max(finished_at) FROM ops.sync_runs WHERE status IN ('success', 'partial') "
            "AND kind IN ('ingest', 'cdc') GROUP BY connector").fetchall())
    return [c.name for c in imap.connectors
            if c.kind in ("rest", "postgres") and is_due(c.sla["schedule"], last.get(c.name), now)]
