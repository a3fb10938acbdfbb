"""What the ``crmhub_reverse_etl`` DAG runs: which syncs are due, and one sync run as a task result.

Each sync has its own cron ``schedule`` in the integration map. The DAG wakes every 15 minutes; a sync is due
when a run of its schedule fell between its last finished run (``success``/``partial``) and now, as the CDC
connectors' ``sla.schedule`` are (``crmhub.cdc.schedule.is_due``). A run can also ask for ``all`` syncs or one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from crmhub.config import IntegrationMap, load_integration_map, split_by_criticality
from crmhub.exceptions import CrmHubError
from crmhub.reverse_etl.definitions import load_syncs
from crmhub.reverse_etl.engine import run_sync
from crmhub.warehouse import connect

log = logging.getLogger(__name__)

#: Seconds between the DAG's wake-ups: a sync runs at most this late after its scheduled time.
WAKE_CRON = "*/15 * * * *"


class SyncFailed(CrmHubError):
    """A reverse-ETL sync run ended ``failed`` (the run row in ``ops.reverse_etl_runs`` says why)."""


def due_syncs(warehouse_url: str, *, imap: IntegrationMap | None = None, now: datetime | None = None) -> list[str]:
    """Syncs whose ``schedule`` has a run due since their last finished run (every sync on its first run)."""
    from crmhub.cdc.schedule import is_due

    syncs = load_syncs(imap or load_integration_map())
    with connect(warehouse_url) as conn:
        now = now or conn.execute("SELECT now()").fetchone()[0]
        last = dict(conn.execute(
            "SELECT sync_name, max(finished_at) FROM ops.reverse_etl_runs "
            "WHERE kind = 'sync' AND status IN ('success', 'partial') GROUP BY sync_name").fetchall())
    return [name for name, sync in syncs.items() if sync.schedule is None or is_due(sync.schedule, last.get(name), now)]


def plan_syncs(warehouse_url: str, choice: str = "due", *, imap: IntegrationMap | None = None,
               now: datetime | None = None) -> dict[str, list[str]]:
    """The syncs of one DAG run, ``{"critical": [...], "default": [...]}``.

    Args:
        choice: ``due`` (scheduled runs: :func:`due_syncs`), ``all``, or one sync name.

    Raises:
        CrmHubError: ``choice`` is no sync of the map (the message lists them).
    """
    imap = imap or load_integration_map()
    known = list(load_syncs(imap))
    if choice == "due":
        names = due_syncs(warehouse_url, imap=imap, now=now)
    elif choice == "all":
        names = known
    elif choice in known:
        names = [choice]
    else:
        raise CrmHubError(f"unknown sync {choice!r}; use due, all or one of: {', '.join(known)}")
    return split_by_criticality(imap, "sync", names)


def destination_connectors(imap: IntegrationMap | None = None) -> list[str]:
    """The CRM connectors the syncs write to (their integration health gates the pushes)."""
    syncs = load_syncs(imap or load_integration_map())
    return sorted({s.connector for s in syncs.values() if s.destination_kind == "crm"})


def push_sync(warehouse_url: str, name: str, crm_base_url: str | None = None, token: str | None = None, *,
              dry_run: bool = False, full_resync: bool = False, imap: IntegrationMap | None = None,
              timeout: float | None = None, verify: bool | str = True) -> dict:
    """Run one sync; a JSON-safe summary for XCom. A ``failed`` run raises :class:`SyncFailed`.

    ``timeout`` and ``verify`` (False or a CA bundle path) are the CRM connection's, for the CRM client."""
    result = run_sync(name, warehouse_url, crm_base_url, token, dry_run=dry_run, full_resync=full_resync, imap=imap,
                      timeout=timeout, verify=verify)
    log.info("%s", result.summary())
    if result.status == "failed":
        raise SyncFailed(f"sync {name} failed (run {result.run_id}): {result.error}; see ops.reverse_etl_runs "
                         f"and `crmhub rev-etl show {result.run_id}`")
    return {"sync": name, "run_id": result.run_id, "status": result.status, **result.counts}
