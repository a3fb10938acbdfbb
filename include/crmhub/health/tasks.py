"""One function per task of the ``crmhub_health`` DAG; each takes the warehouse URL and returns JSON-safe data.

The DAG file (``dags/crmhub_health.py``) only wires these; the notifier comes from the Airflow glue
(``CrmHubNotifier(...).send_payload``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from crmhub import clock
from crmhub.config import load_integration_map
from crmhub.health import incidents, retry, segments, sla
from crmhub.health.cycle import Notify, run_health_cycle
from crmhub.warehouse.connection import connect


def _jsonable(data):
    return json.loads(json.dumps(data, default=str))


def health_cycle(warehouse_url: str, notify: Notify | None = None, map_path: str | None = None) -> dict:
    """Every 5 minutes: snapshots, incidents, auto-actions, pages (see ``crmhub.health.cycle``)."""
    return _jsonable(run_health_cycle(warehouse_url, load_integration_map(map_path), notify=notify))


def sla_results(warehouse_url: str, map_path: str | None = None) -> dict:
    """SLA met rate per field for this ISO week and the previous one (``ops.sla_results``)."""
    imap = load_integration_map(map_path)
    today = clock.now()
    with connect(warehouse_url) as conn:
        rows = sla.compute_sla_results(conn, imap, today - timedelta(days=7))
        rows += sla.compute_sla_results(conn, imap, today)
    missed = [f"{r['week_start']} {r['connector']}.{r['field']} {r['met_rate_pct']:.1f} %" for r in rows if not r["met"]]
    return _jsonable({"rows": len(rows), "missed": missed})


def segment_audit(warehouse_url: str, map_path: str | None = None, top_n: int = 5) -> dict:
    """Weekly segment latency audit for the current week (``ops.segment_latency``)."""
    imap = load_integration_map(map_path)
    with connect(warehouse_url) as conn:
        rows = segments.audit_segments(conn, imap, top_n=top_n)
    return _jsonable({"rows": len(rows), "actions": [r for r in rows if r["action"] != "pass"]})


def incident_metrics(warehouse_url: str) -> dict:
    """MTTR (time to fix) per owner and overall over the rolling window (``incidents.MTTR_WINDOW_DAYS``),
    open incidents and retry queue counts."""
    with connect(warehouse_url) as conn:
        since = conn.execute("SELECT now() - make_interval(days => %s)", (incidents.MTTR_WINDOW_DAYS,)).fetchone()[0]
        return _jsonable({
            "mttr": incidents.mttr(conn, since=since),
            "open": len(incidents.list_incidents(conn)),
            "retry_queue": retry.queue_stats(conn),
        })


def resync_handler(warehouse_url: str, imap, access_for: Callable | None) -> Callable[[dict], object]:
    """The ``resync`` retry kind: run the connector's incremental sync again (REST / PostgreSQL sources).

    ``access_for(connector)`` gives the source's credentials (the Airflow hook's ``source_access``). A file
    connector cannot be re-pulled: its item fails with the fix (drop the file again), and dead-letters.
    """

    def resync(item: dict) -> object:
        from crmhub.cdc.tasks import cdc_sync

        connector = imap.connector(item["connector"])
        if connector.kind not in ("rest", "postgres") or access_for is None:
            raise RuntimeError(f"{connector.name}: a {connector.kind} connector cannot be re-pulled from here; "
                               "drop the file again (or run `crmhub ingest`) and resolve the incident")
        return cdc_sync(warehouse_url, connector.name, access_for(connector), imap=imap)

    return resync


def drain_retry_queue(warehouse_url: str, access_for: Callable | None = None, map_path: str | None = None,
                      *, limit: int = 100, handlers: dict | None = None) -> dict:
    """Every 5 minutes: run the due retry items with backoff; dead letters open an incident (``retry.drain``)."""
    imap = load_integration_map(map_path)
    handlers = handlers if handlers is not None else {"resync": resync_handler(warehouse_url, imap, access_for)}
    with connect(warehouse_url) as conn:
        return _jsonable(retry.drain(conn, imap, handlers, limit=limit))
