"""Run one reverse ETL sync: model -> payloads -> change detection -> gates -> destination -> log.

Entry point: :func:`run_sync` (warehouse URL + CRM base URL + token). Steps:

1. Refuse to start when the destination connector is frozen (``ops.connector_state``), or when another
   run of the same sync holds its advisory lock.
2. Read the model (one SELECT over core/marts) and the state, then plan 500 records at a time (the
   first batches go out while the rest is planned): map each row to a payload (property -> wire
   string) and hash it. A record is *changed* when its hash differs from the last acknowledged payload in
   ``ops.reverse_etl_state``, when its last push failed, or always with ``full_resync``.
3. Drop held records (core confidence < 60 or an open ``ops.identity_holds`` row): logged, never sent.
4. Records in the crosswalk (``core.external_id``, system ``crm``) are updated by CRM id with only the
   fields that changed; the others are upserted by the first ``upsert_by`` property that has a value.
   Mirror mode also archives records that left the model (at most ``max_archive_share`` of them).
5. Write batch by batch; after each batch (or group of batches that finished together) commit the
   log rows, state and new crosswalk ids.
6. Close the run (``ops.reverse_etl_runs``) and its ``ops.sync_runs`` row (kind ``reverse_etl``).

A dry run stops after step 4 and returns the diff; it writes nothing anywhere and makes no API call.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

from crmhub.config.integration_map import IntegrationMap
from crmhub.exceptions import CrmHubError
from crmhub.ops.freeze import assert_not_frozen
from crmhub.reverse_etl import store
from crmhub.reverse_etl.crm_client import ClientStats, CrmClient
from crmhub.reverse_etl.definitions import SyncDefinition, get_sync
from crmhub.reverse_etl.destinations import Batch, CrmDestination, Outcome, PostgresDestination, WriteItem
from crmhub.reverse_etl.planning import Plan, PlanChunk, plan_chunks, plan_sync, read_model

__all__ = ["PlannedChange", "RunResult", "SyncAlreadyRunning", "plan_sync", "read_model", "run_sync"]

log = logging.getLogger(__name__)


class SyncAlreadyRunning(CrmHubError):
    """Another run of the same sync holds its lock."""


@dataclass
class PlannedChange:
    """One record a run would send (the dry-run diff)."""

    crmhub_id: str
    action: str                      # update | upsert | archive
    destination_id: str | None
    upsert: tuple[str, str] | None
    before: dict | None
    after: dict

    def to_dict(self) -> dict[str, Any]:
        return {"crmhub_id": self.crmhub_id, "action": self.action, "destination_id": self.destination_id,
                "upsert": list(self.upsert) if self.upsert else None, "before": self.before, "after": self.after}


@dataclass
class RunResult:
    """What a run did (or, for a dry run, would do)."""

    sync: str
    run_id: int | None
    status: str
    dry_run: bool = False
    counts: dict[str, Any] = field(default_factory=dict)
    changes: list[PlannedChange] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def summary(self) -> str:
        c = self.counts
        head = f"sync {self.sync}: " + ("DRY RUN, nothing written" if self.dry_run else f"run {self.run_id} {self.status}")
        return (f"{head}; model {c.get('records_model', 0)}, changed {c.get('records_changed', 0)}, "
                f"held {c.get('records_held', 0)}, skipped {c.get('records_skipped', 0)}, "
                f"sent {c.get('records_sent', 0)}, ok {c.get('records_ok', 0)}, "
                f"failed {c.get('records_failed', 0)}, created {c.get('records_created', 0)}, "
                f"archived {c.get('records_archived', 0)}, api calls {c.get('api_calls', 0)}"
                + (f"; {self.error}" if self.error else ""))


def _lock_key(sync_name: str) -> int:
    return zlib.crc32(f"crmhub-reverse-etl:{sync_name}".encode())


def run_sync(name: str | SyncDefinition, warehouse_url: str, crm_base_url: str | None = None,
             token: str | None = None, *, dry_run: bool = False, full_resync: bool = False,
             imap: IntegrationMap | None = None, client: CrmClient | None = None, target_url: str | None = None,
             after_batch: Callable[[int], None] | None = None) -> RunResult:
    """Run the sync ``name`` from the warehouse at ``warehouse_url`` to its destination.

    Args:
        name: a sync name from the integration map, or a ready :class:`SyncDefinition`.
        warehouse_url: libpq URL of the warehouse.
        crm_base_url, token: the CRM API (HubSpot v3 format); needed for CRM destinations.
        dry_run: compute and return the diff; write nothing, call nothing.
        full_resync: send every (non-held) record, ignoring the payload hashes.
        imap: integration map (default: the configured one).
        client: a ready :class:`CrmClient` (tests/benchmarks tune it); default built from the sync.
        target_url: database of a Postgres destination (default: the warehouse).
        after_batch: called with the batch number after each batch is committed (progress, fault tests).

    Raises:
        SyncAlreadyRunning: another run of this sync is in progress.
        CrmHubError: bad model, missing CRM URL.
    """
    sync = name if isinstance(name, SyncDefinition) else get_sync(name, imap)
    with psycopg.connect(warehouse_url) as conn:
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (_lock_key(sync.name),)).fetchone()[0]:
            raise SyncAlreadyRunning(f"sync {sync.name} is already running (advisory lock held); try again later")
        conn.commit()
        try:
            return _run_locked(conn, sync, warehouse_url, crm_base_url, token, dry_run, full_resync, client,
                               target_url, after_batch)
        finally:
            try:
                conn.rollback()
                conn.execute("SELECT pg_advisory_unlock(%s)", (_lock_key(sync.name),))
                conn.commit()
            except psycopg.Error:  # connection gone: the session lock went with it
                log.warning("could not release the lock of sync %s (connection lost)", sync.name)


def _run_locked(conn: psycopg.Connection, sync: SyncDefinition, warehouse_url: str, crm_base_url: str | None,
                token: str | None, dry_run: bool, full_resync: bool, client: CrmClient | None,
                target_url: str | None, after_batch: Callable[[int], None] | None) -> RunResult:
    frozen = store.connector_frozen(conn, sync.connector)
    if frozen is not None:
        result = RunResult(sync.name, None, "skipped", dry_run, error=f"connector {sync.connector} is frozen: {frozen}")
        if not dry_run:
            run_id, sync_run_id = store.start_run(conn, sync_name=sync.name, destination=sync.destination,
                                                  connector=sync.connector, mode=sync.mode, full_resync=full_resync)
            store.finish_run(conn, run_id, sync_run_id, {}, "skipped", result.error, {"skipped": "connector frozen"})
            conn.commit()
            result.run_id = run_id
        return result
    if dry_run:
        plan = plan_sync(conn, sync, full_resync=full_resync)
        conn.commit()
        counts = {**_plan_counts(plan), "records_sent": 0}
        return RunResult(sync.name, None, "dry_run", True, counts, _changes(plan), plan.held, plan.failed,
                         plan.archive_refused)

    if sync.destination_kind == "crm" and client is None and not crm_base_url:
        raise CrmHubError(f"sync {sync.name} writes to the CRM: give the CRM base URL (--crm-url or $CRMHUB_CRM_URL)")
    timer = {"plan_s": 0.0, "commit_s": 0.0}
    plan_started = time.monotonic()
    plan, chunks = plan_chunks(conn, sync, full_resync=full_resync)
    conn.commit()
    timer["plan_s"] += time.monotonic() - plan_started
    counts: dict[str, Any] = {}
    run_id, sync_run_id = store.start_run(conn, sync_name=sync.name, destination=sync.destination,
                                          connector=sync.connector, mode=sync.mode, full_resync=full_resync)
    conn.commit()
    tally = {"records_sent": 0, "records_ok": 0, "records_failed": 0, "records_created": 0, "records_archived": 0}
    failed: dict[str, str] = {}
    upsert_keys: dict[str, WriteItem] = {}

    def stream() -> Iterator[list[WriteItem]]:
        """Plan chunk by chunk (the destination sends what is ready meanwhile); log what is not sent."""
        while True:
            started = time.monotonic()
            chunk = next(chunks, None)
            timer["plan_s"] += time.monotonic() - started
            if chunk is None:
                return
            _log_unsent(conn, sync, run_id, plan, chunk)
            tally["records_ok"] += len(chunk.noop)
            tally["records_failed"] += len(chunk.failed)
            failed.update(chunk.failed)
            upsert_keys.update((i.crmhub_id, i) for i in chunk.items)
            if chunk.items:
                yield chunk.items

    owns_client = False
    dest: CrmDestination | PostgresDestination
    if sync.destination_kind == "crm":
        if client is None:
            client = CrmClient(crm_base_url, token, rate_limit=sync.rate_limit, max_attempts=sync.max_attempts,
                               timeout_s=sync.timeout_s, concurrency=sync.concurrency)
            owns_client = True
        stats_before = _copy_stats(client.stats)
        dest = CrmDestination(client, sync.destination_object, sync.name, run_id, sync.batch_size,
                              sync.concurrency, sync.read_before, store.run_token(conn, run_id))
    else:
        client = None
        stats_before = ClientStats()
        dest = PostgresDestination(target_url or warehouse_url, sync.destination_table, sync.properties, run_id)

    not_found: list[WriteItem] = []
    upsert_values = plan.upsert_values

    def gone(o: Outcome) -> bool:
        """The crosswalk points at a record the CRM no longer has (it is upserted by its key instead)."""
        return bool(not o.ok and o.item.dest_id and o.action != "archive"
                    and (o.error or "").startswith("OBJECT_NOT_FOUND") and sync.mode != "update"
                    and upsert_values.get(o.item.crmhub_id) and o.item.upsert is None)

    guard = _StormGuard(sync.name, gone)
    pending: dict[str, list] = {"log": [], "state": [], "pairs": [], "batches": []}
    if isinstance(dest, CrmDestination):
        dest.guard = guard.observe   # judged in the worker, before it takes the next batch
    def on_batch(batch: Batch, outcomes: list[Outcome]) -> None:
        state_rows, pairs = [], []
        for o in outcomes:
            if gone(o):
                cid = o.item.crmhub_id
                guard.ignore(cid)
                not_found.append(WriteItem(cid, plan.payloads[cid], upsert=upsert_values[cid],
                                           before=upsert_keys[cid].before))
                continue
            cid = o.item.crmhub_id
            tally["records_sent"] += 1 if o.attempts else 0
            if o.ok:
                tally["records_ok"] += 1
                if o.action == "archive":
                    tally["records_archived"] += 1
                    state_rows.append({"crmhub_id": cid, "status": "archived", "destination_id": o.dest_id,
                                       "payload": None, "payload_hash": None})
                    continue
                tally["records_created"] += o.action == "create"
                state_rows.append({"crmhub_id": cid, "status": "synced", "destination_id": o.dest_id,
                                   "payload": plan.payloads[cid], "payload_hash": plan.hashes[cid]})
                if sync.destination_kind == "crm" and o.dest_id and o.item.dest_id != o.dest_id:
                    pairs.append((cid, o.dest_id))
            else:
                tally["records_failed"] += 1
                failed[cid] = o.error or "failed"
                state_rows.append({"crmhub_id": cid, "status": "failed", "error": o.error})
        pending["log"].extend(store.outcome_row(o) for o in outcomes)
        pending["state"].extend(state_rows)
        pending["pairs"].extend(pairs)
        pending["batches"].append(batch.no)
        if not isinstance(dest, CrmDestination):
            guard.observe(outcomes)
        if guard.tripped:
            flush()
            raise CrmHubError(guard.tripped)
        assert_not_frozen(conn, "sync", sync.name, on_stop=flush)  # freeze-all: keep answered batches, send no more
        if after_batch is not None or not isinstance(dest, CrmDestination):
            flush()             # the hook is told about each commit; other destinations call no flush

    def flush() -> None:
        """Commit the log, state and crosswalk rows of every batch answered since the last flush.

        The CRM destination calls this once per group of batches that finished together, so when
        the warehouse is slow the commits catch up in bigger transactions instead of piling up.
        """
        if not pending["batches"]:
            return
        committing = time.monotonic()
        store.log_rows(conn, run_id, pending["log"])
        store.save_state(conn, sync.name, run_id, pending["state"])
        store.remember_ids(conn, sync.id_system, sync.id_object, sync.core_table, pending["pairs"])
        conn.commit()
        timer["commit_s"] += time.monotonic() - committing
        done = list(pending["batches"])
        for rows in pending.values():
            rows.clear()
        for no in done if after_batch is not None else ():
            after_batch(no)

    started = time.monotonic()
    status, error = "success", None
    try:
        dest.write_stream(stream(), on_batch, flush)
        if not_found:
            log.info("sync %s: %d crosswalk ids are gone from the CRM; upserting by key", sync.name, len(not_found))
            dest.write(not_found, on_batch, flush)
    except BaseException as exc:
        conn.rollback()
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        stats = _diff_stats(client.stats, stats_before) if client is not None else ClientStats()
        plan_s = timer["plan_s"]
        error = error or plan.archive_refused   # known once the last chunk is planned
        counts.update(_plan_counts(plan))
        counts.update(tally)
        counts.update({"api_calls": stats.api_calls, "api_errors": stats.api_errors,
                       "latency_s_total": round(stats.latency_s_total, 3), "plan_s": round(plan_s, 3),
                       "commit_s": round(timer["commit_s"], 3)})
        if status == "success" and (tally["records_failed"] or plan.archive_refused):
            status = "partial"
        detail = {"seconds": round(time.monotonic() - started, 3), "rate_limited": stats.rate_limited,
                  "retries": stats.retries, "hedged": stats.hedged, "records_skipped": len(plan.skipped),
                  "plan_s": round(plan_s, 3), "commit_s": round(timer["commit_s"], 3)}
        try:
            store.finish_run(conn, run_id, sync_run_id, counts, status, error, detail)
            conn.commit()
        except psycopg.Error:  # the warehouse went away: the run row stays 'running', which is the truth
            log.exception("could not close reverse ETL run %s", run_id)
        if owns_client and client is not None:
            client.close()
    return RunResult(sync.name, run_id, status, False, counts, _changes(plan), plan.held, failed, error)


class _StormGuard:
    """Three consecutive batches that fail entirely with one same error stop the run (bad token, wrong idProperty).

    :meth:`observe` sees each batch as it finishes (a CRM destination calls it in the worker thread,
    so no further request goes out once it trips); the engine raises when :attr:`tripped` is set.
    """

    def __init__(self, sync_name: str, gone: Callable[[Outcome], bool]):
        self._sync_name = sync_name
        self._gone = gone
        self._ignored: set[str] = set()
        self._lock = threading.Lock()
        self._streak = 0
        self._error: str | None = None
        self.tripped: str | None = None

    def ignore(self, crmhub_id: str) -> None:
        """Outcomes for this record do not count (it moved to a re-upsert by key)."""
        with self._lock:
            self._ignored.add(crmhub_id)

    def observe(self, outcomes: list[Outcome]) -> bool:
        """Count one finished batch; True once the guard has tripped."""
        with self._lock:
            sent = [o for o in outcomes if o.attempts and not self._gone(o) and o.item.crmhub_id not in self._ignored]
            errors = {o.error for o in sent}
            if sent and all(not o.ok for o in sent) and len(errors) == 1:
                error = next(iter(errors))
                self._streak = self._streak + 1 if self._error == error or not self._streak else 1
                self._error = error
                if self._streak >= 3 and self.tripped is None:
                    self.tripped = (f"sync {self._sync_name}: aborted after 3 consecutive batches failed entirely "
                                    f"with {error!r} (storm guard; fix the cause and run again)")
            elif sent:
                self._streak = 0
            return self.tripped is not None


def _plan_counts(plan: Plan) -> dict[str, int]:
    return {"records_model": plan.model, "records_changed": plan.changed, "records_held": len(plan.held),
            "records_skipped": len(plan.skipped)}


def _changes(plan: Plan) -> list[PlannedChange]:
    return ([PlannedChange(i.crmhub_id, "upsert" if i.upsert else "update", i.dest_id, i.upsert, i.before, i.send)
             for i in plan.items]
            + [PlannedChange(i.crmhub_id, "archive", i.dest_id, None, i.before, {}) for i in plan.archives])


def _log_unsent(conn: psycopg.Connection, sync: SyncDefinition, run_id: int, plan: Plan, chunk: PlanChunk) -> None:
    """Log and record the chunk's records that never reach the destination: held, unpushable, unchanged."""
    store.log_rows(conn, run_id, [{"crmhub_id": c, "status": "held", "error": r} for c, r in chunk.held.items()]
                   + [{"crmhub_id": c, "status": "failed", "error": r} for c, r in chunk.failed.items()]
                   + [{"crmhub_id": c, "status": "skipped", "error": r}
                      for c, r in (chunk.skipped | chunk.unlinked).items()])
    if chunk.unlinked:
        conn.execute("DELETE FROM ops.reverse_etl_state WHERE sync_name = %s AND crmhub_id = ANY(%s::uuid[])",
                     (sync.name, list(chunk.unlinked)))
    store.save_state(conn, sync.name, run_id, [{"crmhub_id": c, "status": "failed", "error": r}
                                               for c, r in chunk.failed.items()])
    store.save_state(conn, sync.name, run_id, [{"crmhub_id": c, "status": "synced", "payload": plan.payloads[c],
                                                "payload_hash": plan.hashes[c]} for c in chunk.noop])
    conn.commit()


def _copy_stats(s: ClientStats) -> ClientStats:
    c = ClientStats()
    c.merge(s)
    return c


def _diff_stats(now: ClientStats, before: ClientStats) -> ClientStats:
    return ClientStats(now.api_calls - before.api_calls, now.api_errors - before.api_errors,
                       now.latency_s_total - before.latency_s_total, now.rate_limited - before.rate_limited,
                       now.retries - before.retries, now.writes - before.writes, now.hedged - before.hedged)
