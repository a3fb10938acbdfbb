"""What the ``crmhub_ingest`` DAG runs per connector, with the run recorded in ``ops.sync_runs``.

``ingest_connector`` builds the connector's source (file or drop folder under the data dir, the CRM's
REST API, or a PostgreSQL table), runs the loader, and records the sync run the health score reads:
records, failures (rows of rejected or parked loads), API calls and errors, latency, and sync lag.

Sync lag is "source change time -> core commit time", measured only for records changed since the
previous watermark of the connector (``ops.sync_state``): the first load of a connector establishes
the watermark and reports no lag, because an initial snapshot says nothing about how late changes are.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from crmhub.config import Connector, IntegrationMap, load_integration_map
from crmhub.exceptions import CrmHubError, RejectedFileError
from crmhub.ingest.loader import LoadSummary, ingest, ingest_file, ingest_folder
from crmhub.sync.runs import api_counters, fail_run, finish_run, run_totals, start_run  # noqa: F401 - re-exported
from crmhub.sync.watermarks import advance_watermark, get_watermark
from crmhub.warehouse import connect

log = logging.getLogger(__name__)
DEFAULT_LOOKBACK_MIN = 10


@dataclass(frozen=True)
class SourceAccess:
    """How to reach a connector's source: a data folder for files, a base URL + token for REST, a URL for Postgres."""

    data_dir: Path | None = None
    base_url: str | None = None
    token: str | None = field(default=None, repr=False)
    url: str | None = field(default=None, repr=False)  # may carry a password
    timeout: float | None = None  # REST: seconds per request (None: the source's default)
    verify: bool | str = True     # REST: TLS verification - True, False, or a CA bundle path

    def rest_options(self) -> dict:
        """Keyword arguments of a REST source for this access: token, verify, and timeout when set."""
        return {"token": self.token, "verify": self.verify,
                **({"timeout": self.timeout} if self.timeout is not None else {})}


def lag_stats(conn: psycopg.Connection, connector: Connector, load_ids: list[str], after=None) -> tuple:
    """(newest source timestamp, lag p50, p95, max in minutes) of the staged rows of ``load_ids``.

    Lag percentiles cover only rows whose source timestamp is after ``after`` (None: all rows).
    """
    if not load_ids:
        return None, None
    ts = sql.Identifier(connector.timestamp_source)
    newest, p50, p95, mx = conn.execute(
        sql.SQL(
            """SELECT max({ts}),
                      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM now() - {ts}) / 60)
                          FILTER (WHERE %(after)s::timestamptz IS NULL OR {ts} > %(after)s),
                      percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM now() - {ts}) / 60)
                          FILTER (WHERE %(after)s::timestamptz IS NULL OR {ts} > %(after)s),
                      max(extract(epoch FROM now() - {ts}) / 60)
                          FILTER (WHERE %(after)s::timestamptz IS NULL OR {ts} > %(after)s)
               FROM {table} WHERE load_id = ANY(%(loads)s)"""
        ).format(ts=ts, table=sql.Identifier("staging", connector.name)),
        {"after": after, "loads": load_ids},
    ).fetchone()
    if p50 is None:
        return newest, None
    return newest, (max(p50, 0.0), max(p95, 0.0), max(mx, 0.0))


def _lag_and_watermark(conn: psycopg.Connection, connector: Connector, load_ids: list[str], rows: int) -> tuple | None:
    """Lag of records newer than the previous watermark (None on the first load); advances the watermark."""
    wm = get_watermark(conn, connector.name, connector.object)
    newest, lag = lag_stats(conn, connector, load_ids, after=wm.ts)
    if newest is not None:
        advance_watermark(conn, connector.name, connector.object, ts=newest, record_id=None, rows=rows)
    conn.commit()
    return lag if wm.ts is not None else None


def rest_sources(connector: Connector, access: SourceAccess, since=None) -> list:
    """The REST sources of one load: the object pages, plus the archived records when incremental.

    The connection's ``timeout`` and ``verify`` (False or a CA bundle path) reach each source's HTTP client.
    """
    from crmhub.ingest.sources.rest_changes import RestArchivedSource
    from crmhub.ingest.sources.rest_source import RestSource

    if not access.base_url:
        raise CrmHubError(f"connector {connector.name}: no base URL for connection {connector.source['connection']}")
    http = {**access.rest_options(), "updated_since": since}
    sources = [RestSource.for_connector(connector, access.base_url, **http)]
    if since is not None and connector.delete_marker:
        sources.append(RestArchivedSource.for_connector(connector, access.base_url, **http))
    return sources


def build_and_load(warehouse_url: str, connector: Connector, access: SourceAccess, *,
                   since=None, logical: bool = False) -> tuple[list[LoadSummary], dict]:
    """Run the loader for one connector; returns the load summaries and API counters.

    ``since`` (a datetime) makes REST and PostgreSQL reads incremental: records changed at or after it,
    plus (REST) records archived since then. ``logical`` reads a PostgreSQL source through logical
    decoding when its server allows it (``crmhub.ingest.sources.logical_slot``), else falls back to ``since``.
    """
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
        sources = rest_sources(connector, access, since)
        summaries = [ingest(warehouse_url, connector, src) for src in sources]
        return summaries, api_counters(sources)
    if kind == "postgres":
        from crmhub.ingest.sources.postgres_source import PostgresSource

        if not access.url:
            raise CrmHubError(f"connector {connector.name}: no database URL for connection {connector.source['connection']}")
        if logical:
            done = _load_logical(warehouse_url, connector, access.url)
            if done is not None:
                return done
        source = PostgresSource.for_connector(connector, access.url,
                                              updated_since=since.isoformat() if since is not None else None)
        return [ingest(warehouse_url, connector, source)], {"mode": "watermark" if since is not None else "full"}
    raise CrmHubError(f"connector {connector.name}: unknown source kind {kind!r}")


def _load_logical(warehouse_url: str, connector: Connector, source_url: str) -> tuple[list[LoadSummary], dict] | None:
    """Load the changes decoded from the source's replication slot; None when logical decoding is unavailable."""
    from crmhub.ingest.sources.logical_changes import LogicalChangesSource
    from crmhub.ingest.sources.logical_slot import LogicalSource, logical_decoding_available

    with psycopg.connect(source_url) as conn:
        if not logical_decoding_available(conn):
            log.info("%s: source has no logical decoding (wal_level); using the updated_at watermark",
                     connector.name)
            return None
    slot = LogicalSource(source_url, slot_name(connector, warehouse_url), [connector.source["table"]])
    slot.ensure()
    if slot.lag().lost:
        # past the source's max_slot_wal_keep_size: the changes it held are gone and it can never be read
        # again; a new slot from now on, and this run catches up through the updated_at watermark
        log.warning("%s: replication slot %s was invalidated by the source (wal_status lost); recreating it "
                    "and catching up through the updated_at watermark", connector.name, slot.slot)
        slot.drop()
        slot.ensure()
        return None
    source = LogicalChangesSource(connector, slot, warehouse_url)
    summaries = [ingest(warehouse_url, connector, source)] if source.peek_count() else []
    source.acknowledge()  # only after the load committed: a crash before this re-delivers (harmless)
    after = slot.lag()
    return summaries, {"mode": "logical", "changes": source.changes, "slot_lag_bytes": after.lag_bytes,
                       "slot_retained_bytes": after.retained_bytes}


def drop_slot(warehouse_url: str, connector: Connector, source_url: str) -> str:
    """Drop this warehouse's slot (and publication) of ``connector`` on its source; returns the slot's name.

    For a warehouse that stops reading (retired, or a simulation's throw-away one): an unread slot keeps WAL
    on the source until the server's ``max_slot_wal_keep_size``, or for ever without one."""
    from crmhub.ingest.sources.logical_slot import LogicalSource

    slot = LogicalSource(source_url, slot_name(connector, warehouse_url), [connector.source["table"]])
    slot.drop()
    return slot.slot


def slot_name(connector: Connector, warehouse_url: str) -> str:
    """The connector's slot on its source: ``source.slot``, else one per (warehouse, connector), so two
    warehouses reading one source never steal each other's changes."""
    suffix = hashlib.sha1(warehouse_url.encode()).hexdigest()[:8]
    return connector.source.get("slot") or f"crmhub_{connector.name}_{suffix}"


def ingest_connector(warehouse_url: str, name: str, access: SourceAccess, *, imap: IntegrationMap | None = None,
                     kind: str = "ingest", incremental: bool = False) -> dict:
    """Load one connector and record the run; returns a JSON-safe summary for XCom.

    ``incremental`` (CDC): read only what changed since the connector's watermark minus its lookback
    (``sla.lookback_min``, default 10 minutes), through logical decoding for PostgreSQL sources when the
    server allows it. The watermark advances only after the load committed.
    """
    imap = imap or load_integration_map()
    connector = imap.connector(name)
    started = time.perf_counter()
    with connect(warehouse_url) as conn:
        since = None
        if incremental:
            lookback_s = int(connector.sla.get("lookback_min", DEFAULT_LOOKBACK_MIN) * 60)
            since = get_watermark(conn, name, connector.object, lookback_s=lookback_s).read_from()
            conn.commit()
        run_id = start_run(conn, name, kind)
        try:
            summaries, api = build_and_load(warehouse_url, connector, access, since=since, logical=incremental)
        except Exception as exc:
            fail_run(conn, run_id, exc, started=started)
            raise
        done = [s for s in summaries if not s.skipped]
        lag = _lag_and_watermark(conn, connector, [s.load_id for s in done if s.status == "loaded"],
                                 sum(s.rows_read for s in done))
        counts = run_totals(done, api, started)
        status = counts["status"]
        finish_run(conn, run_id, **counts, lag=lag,
                    detail={"loads": [s.load_id for s in done], "statuses": [s.status for s in done],
                            "since": since.isoformat() if since else None,
                            **{k: v for k, v in api.items() if k in ("mode", "changes", "slot_lag_bytes", "slot_retained_bytes")}})
    totals = {key: sum(getattr(s, key) for s in done) for key in ("rows_read", "loaded", "quarantined", "rejected")}
    reasons: dict[str, int] = {}
    for s in done:
        for rule, count in s.reasons.items():
            reasons[rule] = reasons.get(rule, 0) + count
    return {"connector": name, "run_id": run_id, "status": status, "loads": len(done),
            "skipped": len(summaries) - len(done), **totals, "reasons": reasons,
            "targets": list(connector.targets)}


def plan_connectors(wanted: list[str] | None = None, *, imap: IntegrationMap | None = None) -> dict[str, list[str]]:
    """The connectors of an ingest run (``wanted``, default every connector of the map), split into
    ``{"critical": [...], "default": [...]}`` by their ``critical:`` flag; unknown names raise KeyError."""
    from crmhub.config import split_by_criticality

    imap = imap or load_integration_map()
    names = list(wanted or [c.name for c in imap.connectors])
    for name in names:
        imap.connector(name)  # raises naming the known connectors
    return split_by_criticality(imap, "connector", names)


def publish_summary(summaries: list[dict]) -> dict:
    """What one ingest/CDC run landed, from the per-connector summaries of :func:`ingest_connector`:
    rows loaded per core table (an Asset event each), connectors, quarantined and rejected counts."""
    loaded: dict[str, int] = {}
    for summary in summaries:
        for table in summary.get("targets", ()):
            loaded[table] = loaded.get(table, 0) + summary.get("loaded", 0)
    return {"connectors": [s["connector"] for s in summaries], "rows_loaded": loaded,
            "quarantined": sum(s.get("quarantined", 0) for s in summaries),
            "rejected": sum(s.get("rejected", 0) for s in summaries)}
