"""Roll back one sync run: put every field the run changed back to its before value.

Only where the destination still holds what the run wrote (read back with ``batch/read``, or a
SELECT for a table): a field someone (or a later run) changed since is a *conflict*, reported and
left alone. Records the run created are archived (rows deleted) when none of their fields moved.
Records whose before values are unknown (first push of a record that already existed, without
``read_before``) are reported, not guessed.

The rollback is itself a run (``kind = 'rollback'``, ``rollback_of``) with its own per-record log
and ``ops.sync_runs`` row. Afterwards the sync's state mirrors the destination again, so the next
run sends the model's values once more: fix the model (or freeze the connector) before it runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import psycopg

from crmhub.config.integration_map import IntegrationMap
from crmhub.exceptions import CrmHubError
from crmhub.reverse_etl import store
from crmhub.reverse_etl.crm_client import ClientStats, CrmClient
from crmhub.reverse_etl.definitions import SyncDefinition, get_sync, payload_hash
from crmhub.reverse_etl.destinations import (
    Batch,
    CrmDestination,
    Outcome,
    PostgresDestination,
    WriteItem,
    drifted,
)
from crmhub.reverse_etl.engine import build_crm_client
from crmhub.reverse_etl.transforms import same
from crmhub.security.access_log import record_access


@dataclass
class RollbackPlan:
    """What a rollback would do, record by record."""

    restore: list[WriteItem] = field(default_factory=list)      # send = before values, before = run's values
    archive: list[WriteItem] = field(default_factory=list)      # records the run created
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class RollbackResult:
    run_id: int | None
    rollback_of: int
    status: str
    restored: int = 0
    archived: int = 0
    failed: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"rollback of run {self.rollback_of}: run {self.run_id} {self.status}; restored {self.restored}, "
                f"archived {self.archived}, failed {self.failed}, conflicts {len(self.conflicts)}")


def _written(conn: psycopg.Connection, run_id: int) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT DISTINCT ON (crmhub_id) crmhub_id::text, destination_id, action, before, after "
        "FROM ops.reverse_etl_log WHERE run_id = %s AND status = 'ok' AND action IN ('create', 'update') "
        "ORDER BY crmhub_id, log_id DESC", (run_id,))
    return [dict(zip(("crmhub_id", "destination_id", "action", "before", "after"), r, strict=True))
            for r in cur.fetchall()]


def plan_rollback(written: list[dict[str, Any]], current: dict[str, dict[str, Any]]) -> RollbackPlan:
    """Decide per record and field: restore, archive, or conflict (pure; ``current`` is read back by id)."""
    plan = RollbackPlan()
    for row in written:
        cid, dest_id, after, before = row["crmhub_id"], row["destination_id"], row["after"] or {}, row["before"]
        now = current.get(str(dest_id))
        if now is None:
            plan.conflicts.append({"crmhub_id": cid, "destination_id": dest_id, "fields": sorted(after),
                                   "reason": "the record is no longer in the destination (archived or merged)"})
            continue
        moved = drifted(now, after)
        for f in moved:
            plan.conflicts.append({"crmhub_id": cid, "destination_id": dest_id, "fields": [f],
                                   "reason": f"{f} is now {now.get(f)!r}, not {after.get(f)!r} as the run wrote"})
        if row["action"] == "create":
            if not moved:
                plan.archive.append(WriteItem(cid, {}, dest_id=str(dest_id), action="archive", before=after))
            continue
        if before is None:
            plan.conflicts.append({"crmhub_id": cid, "destination_id": dest_id, "fields": sorted(after),
                                   "reason": "before values unknown (first push to a record that already existed "
                                             "and read_before is off); nothing restored"})
            continue
        send = {f: before.get(f) for f in after if f not in moved and not same(before.get(f), after.get(f))}
        if not send:
            plan.unchanged += 1
            continue
        plan.restore.append(WriteItem(cid, send, dest_id=str(dest_id),
                                      before={f: after.get(f) for f in send}))
    return plan


def rollback_run(run_id: int, warehouse_url: str, crm_base_url: str | None = None, token: str | None = None, *,
                 imap: IntegrationMap | None = None, client: CrmClient | None = None,
                 target_url: str | None = None, sync: SyncDefinition | None = None, timeout: float | None = None,
                 verify: bool | str = True) -> RollbackResult:
    """Roll back sync run ``run_id`` (see the module docstring). Returns counts and conflicts.

    ``timeout`` and ``verify`` are the CRM connection's, for the client built here (as a sync run builds it:
    :func:`crmhub.reverse_etl.engine.build_crm_client`).

    Raises:
        CrmHubError: unknown run, a rollback run, or a run already rolled back.
    """
    with psycopg.connect(warehouse_url) as conn:
        run = store.run_row(conn, run_id)
        if run is None:
            raise CrmHubError(f"no reverse ETL run {run_id}; list them with `crmhub rev-etl runs`")
        if run["kind"] != "sync":
            raise CrmHubError(f"run {run_id} is itself a rollback (of run {run['rollback_of']}); it cannot be rolled back")
        sync = sync or get_sync(run["sync_name"], imap)
        with store.sync_lock(conn, sync.name, f"rollback of run {run_id}"):   # no sync run writes meanwhile
            return _rollback_locked(conn, run_id, sync, warehouse_url, crm_base_url, token, client, target_url,
                                    timeout, verify)


def _already_rolled_back(conn: psycopg.Connection, run_id: int) -> CrmHubError:
    done = conn.execute("SELECT run_id, status FROM ops.reverse_etl_runs WHERE rollback_of = %s AND kind = 'rollback' "
                        "AND status IN ('running', 'success', 'partial') ORDER BY run_id LIMIT 1", (run_id,)).fetchone()
    what = f"by run {done[0]} ({done[1]})" if done else "by another rollback"
    return CrmHubError(f"run {run_id} was already rolled back {what}")


def _rollback_locked(conn: psycopg.Connection, run_id: int, sync: SyncDefinition, warehouse_url: str,
                     crm_base_url: str | None, token: str | None, client: CrmClient | None,
                     target_url: str | None, timeout: float | None = None, verify: bool | str = True
                     ) -> RollbackResult:
    # under the sync's lock no other rollback runs: a 'running' one was abandoned (its process died)
    conn.execute("UPDATE ops.reverse_etl_runs SET status = 'failed', finished_at = now(), error = 'abandoned: its "
                 "process ended without closing the run' WHERE rollback_of = %s AND kind = 'rollback' AND status = "
                 "'running'", (run_id,))
    conn.commit()
    if conn.execute("SELECT 1 FROM ops.reverse_etl_runs WHERE rollback_of = %s AND kind = 'rollback' AND status "
                    "IN ('running', 'success', 'partial')", (run_id,)).fetchone():
        raise _already_rolled_back(conn, run_id)
    written = _written(conn, run_id)
    props = sorted({p for w in written for p in (w["after"] or {})})
    owns = False
    if sync.destination_kind == "crm" and client is None:
        if not crm_base_url:
            raise CrmHubError("rollback of a CRM sync needs the CRM base URL (--crm-url or $CRMHUB_CRM_URL)")
        client = build_crm_client(sync, crm_base_url, token, timeout=timeout, verify=verify)
        owns = True
    try:  # the unique index reverse_etl_runs_one_rollback stops a second rollback of the run
        rb_id, sync_run_id = store.start_run(conn, sync_name=sync.name, destination=sync.destination,
                                             connector=sync.connector, mode=sync.mode, full_resync=False,
                                             kind="rollback", rollback_of=run_id)
        conn.commit()
    except psycopg.errors.UniqueViolation:
        conn.rollback()
        if owns and client is not None:
            client.close()
        raise _already_rolled_back(conn, run_id) from None
    before_stats = ClientStats()
    if client is not None:
        before_stats.merge(client.stats)
    dest: CrmDestination | PostgresDestination
    if sync.destination_kind == "crm":
        dest = CrmDestination(client, sync.destination_object, sync.name, rb_id, sync.batch_size,
                              sync.concurrency, run_token=store.run_token(conn, rb_id))
    else:
        dest = PostgresDestination(target_url or warehouse_url, sync.destination_table, sync.properties, rb_id)
    result = RollbackResult(rb_id, run_id, "running")
    status, error = "success", None
    started = time.monotonic()
    try:
        ids = [str(w["destination_id"]) for w in written if w["destination_id"]]
        current = dest.read(ids, props) if ids else {}
        plan = plan_rollback(written, current)
        result.conflicts = plan.conflicts
        store.log_rows(conn, rb_id, [{"crmhub_id": c["crmhub_id"], "destination_id": c["destination_id"],
                                      "status": "conflict", "error": c["reason"]} for c in plan.conflicts])
        conn.commit()
        state = store.load_state(conn, sync.name)

        def on_batch(batch: Batch, outcomes: list[Outcome]) -> None:
            rows, state_rows = [], []
            for o in outcomes:
                row = store.outcome_row(o)
                cid = o.item.crmhub_id
                if o.item.action == "archive":
                    row.update(action="archive", before=o.item.before, after=None)
                else:
                    row.update(action="restore", before=o.item.before, after=o.item.send)
                rows.append(row)
                if not o.ok:
                    result.failed += 1
                    continue
                if o.item.action == "archive":
                    result.archived += 1
                    conn.execute("DELETE FROM ops.reverse_etl_state WHERE sync_name = %s AND crmhub_id = %s",
                                 (sync.name, cid))
                    if sync.destination_kind == "crm":
                        conn.execute("DELETE FROM core.external_id WHERE system = %s AND object = %s AND "
                                     "external_id = %s AND crmhub_id = %s",
                                     (sync.id_system, sync.id_object, o.item.dest_id, cid))
                    continue
                result.restored += 1
                payload = dict((state.get(cid).payload if state.get(cid) else None) or {})
                payload.update({k: (None if v == "" else v) for k, v in o.item.send.items()})
                state_rows.append({"crmhub_id": cid, "status": "synced", "destination_id": o.item.dest_id,
                                   "payload": payload, "payload_hash": payload_hash(payload)})
            store.log_rows(conn, rb_id, rows)
            store.save_state(conn, sync.name, rb_id, state_rows)
            conn.commit()

        restore_items = [WriteItem(i.crmhub_id, {k: ("" if v is None and sync.destination_kind == "crm" else v)
                                                 for k, v in i.send.items()},
                                   dest_id=i.dest_id, before=i.before) for i in plan.restore]
        dest.write(restore_items + plan.archive, on_batch)
    except BaseException as exc:
        conn.rollback()
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        if status == "success" and (result.failed or result.conflicts):
            status = "partial"
        result.status = status
        stats = ClientStats()
        if client is not None:
            stats.merge(client.stats)
        counts = {"records_sent": result.restored + result.archived + result.failed,
                  "records_ok": result.restored + result.archived, "records_failed": result.failed,
                  "records_archived": result.archived, "conflicts": len(result.conflicts),
                  "api_calls": stats.api_calls - before_stats.api_calls,
                  "api_errors": stats.api_errors - before_stats.api_errors,
                  "latency_s_total": round(stats.latency_s_total - before_stats.latency_s_total, 3)}
        store.finish_run(conn, rb_id, sync_run_id, counts, status, error,
                         {"seconds": round(time.monotonic() - started, 3)})
        record_access(conn, who=f"reverse_etl:{sync.name}", table=sync.core_table,
                      fields=[f.column for f in sync.fields], rows=result.restored,
                      reason=f"reverse ETL rollback of run {run_id}: earlier values exported to {sync.destination} "
                             f"(run {rb_id})")
        conn.commit()
        if owns and client is not None:
            client.close()
    return result
