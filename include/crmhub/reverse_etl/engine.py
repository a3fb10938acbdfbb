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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg

from crmhub import clock
from crmhub.config.integration_map import IntegrationMap
from crmhub.exceptions import CrmHubError
from crmhub.hubspot.connection import request_timeout
from crmhub.reverse_etl import store
from crmhub.reverse_etl.crm_client import ClientStats, CrmClient
from crmhub.reverse_etl.definitions import SyncDefinition, get_sync
from crmhub.reverse_etl.destinations import Batch, CrmDestination, Outcome, PostgresDestination, WriteItem
from crmhub.reverse_etl.planning import Plan, PlanChunk, plan_chunks, plan_sync, read_model, uncreatable
from crmhub.reverse_etl.store import SyncAlreadyRunning
from crmhub.safety.freeze import assert_not_frozen
from crmhub.security.access_log import record_access

__all__ = ["PlannedChange", "RunResult", "SyncAlreadyRunning", "plan_sync", "read_model", "run_sync"]

log = logging.getLogger(__name__)


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


def run_sync(name: str | SyncDefinition, warehouse_url: str, crm_base_url: str | None = None,
             token: str | None = None, *, dry_run: bool = False, full_resync: bool = False,
             imap: IntegrationMap | None = None, client: CrmClient | None = None, target_url: str | None = None,
             after_batch: Callable[[int], None] | None = None, timeout: float | None = None,
             verify: bool | str = True) -> RunResult:
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
        timeout, verify: the CRM connection's per-request timeout (the smaller of it and the sync's ``timeout_s``
            applies) and TLS verification (True, False, or a CA bundle path), for the client built here.

    Raises:
        SyncAlreadyRunning: another run of this sync is in progress.
        CrmHubError: bad model, missing CRM URL.
    """
    sync = name if isinstance(name, SyncDefinition) else get_sync(name, imap)
    with psycopg.connect(warehouse_url) as conn, store.sync_lock(conn, sync.name):
        return _run_locked(conn, sync, warehouse_url, crm_base_url, token, dry_run, full_resync, client,
                           target_url, after_batch, timeout, verify)


def _run_locked(conn: psycopg.Connection, sync: SyncDefinition, warehouse_url: str, crm_base_url: str | None,
                token: str | None, dry_run: bool, full_resync: bool, client: CrmClient | None,
                target_url: str | None, after_batch: Callable[[int], None] | None, timeout: float | None = None,
                verify: bool | str = True) -> RunResult:
    """gate -> plan/diff (chunk by chunk) -> batch -> send -> log; each stage is a method of :class:`_SyncRun`."""
    skipped = _frozen_gate(conn, sync, dry_run, full_resync) or _unloaded_gate(conn, sync, dry_run, full_resync)
    if skipped is not None:
        return skipped
    if dry_run:
        plan = plan_sync(conn, sync, full_resync=full_resync)
        conn.commit()
        counts = {**_plan_counts(plan), "records_sent": 0}
        return RunResult(sync.name, None, "dry_run", True, counts, _changes(plan), plan.held, plan.failed,
                         plan.archive_refused)
    if sync.destination_kind == "crm" and client is None and not crm_base_url:
        raise CrmHubError(f"sync {sync.name} writes to the CRM: give the CRM base URL (--crm-url or $CRMHUB_CRM_URL)")
    run = _SyncRun(conn, sync, full_resync, after_batch)
    owns_client = sync.destination_kind == "crm" and client is None
    if owns_client:
        client = build_crm_client(sync, crm_base_url, token, timeout=timeout, verify=verify)
    try:
        crm_client = client if sync.destination_kind == "crm" else None
        return run.execute(_destination(conn, sync, run.run_id, crm_client, target_url or warehouse_url), crm_client)
    finally:
        if owns_client and client is not None:
            client.close()


def build_crm_client(sync: SyncDefinition, crm_base_url: str, token: str | None, *, timeout: float | None = None,
                     verify: bool | str = True) -> CrmClient:
    """The CRM client of a run (or rollback) of ``sync``: its rate limit, attempts and concurrency; the smaller of
    the connection's timeout (None: not set) and the sync's ``timeout_s``; TLS verification (True, False, or a CA
    bundle path; the strings ``"false"``/``"true"`` of a hand-typed extra read as booleans)."""
    return CrmClient(crm_base_url, token, rate_limit=sync.rate_limit, max_attempts=sync.max_attempts,
                     timeout_s=request_timeout(timeout, sync.timeout_s), concurrency=sync.concurrency,
                     verify=verify)


def _frozen_gate(conn: psycopg.Connection, sync: SyncDefinition, dry_run: bool, full_resync: bool) -> RunResult | None:
    """Gate stage: a frozen destination connector pushes nothing (recorded as a skipped run); None = go on."""
    frozen = store.connector_frozen(conn, sync.connector)
    if frozen is None:
        return None
    return _skipped(conn, sync, dry_run, full_resync, f"connector {sync.connector} is frozen: {frozen}",
                    "connector frozen")


def _unloaded_gate(conn: psycopg.Connection, sync: SyncDefinition, dry_run: bool,
                   full_resync: bool) -> RunResult | None:
    """Gate stage: a model that reads a staging table no load has created yet (its connector's first load has not
    run) pushes nothing and says which load it waits for (a skipped run, due again next time); None = go on."""
    missing = [t for t in sync.staging_reads if not store.table_exists(conn, t)]
    if not missing:
        return None
    waits = ", ".join(t.split(".", 1)[1] for t in missing)
    return _skipped(conn, sync, dry_run, full_resync,
                    f"waiting for the first load of {waits}: the model reads {', '.join(missing)}, which that load "
                    f"creates (run crmhub_ingest for it)", "source not loaded yet")


def _skipped(conn: psycopg.Connection, sync: SyncDefinition, dry_run: bool, full_resync: bool, error: str,
             why: str) -> RunResult:
    """A run that pushes nothing, recorded (unless a dry run) as ``skipped`` with ``error`` and ``why``."""
    result = RunResult(sync.name, None, "skipped", dry_run, error=error)
    if not dry_run:
        run_id, sync_run_id = store.start_run(conn, sync_name=sync.name, destination=sync.destination,
                                              connector=sync.connector, mode=sync.mode, full_resync=full_resync)
        store.finish_run(conn, run_id, sync_run_id, {}, "skipped", result.error, {"skipped": why})
        conn.commit()
        result.run_id = run_id
    return result


def _destination(conn: psycopg.Connection, sync: SyncDefinition, run_id: int, client: CrmClient | None,
                 target_url: str) -> CrmDestination | PostgresDestination:
    """Batch stage configuration: where and how the run's items are cut into requests."""
    if sync.destination_kind == "crm":
        return CrmDestination(client, sync.destination_object, sync.name, run_id, sync.batch_size,
                              sync.concurrency, sync.read_before, store.run_token(conn, run_id))
    return PostgresDestination(target_url, sync.destination_table, sync.properties, run_id)


@dataclass
class _Decision:
    """What the log stage does with one outcome: its state row, a crosswalk pair, or a re-send by key."""

    kind: str                                   # ok | archived | failed | resend
    state: dict[str, Any] | None = None
    pair: tuple[str, str] | None = None
    resend: WriteItem | None = None


class _SyncRun:
    """One run of a sync after its gates: plan -> diff -> batch -> send -> log (see :func:`run_sync`)."""

    def __init__(self, conn: psycopg.Connection, sync: SyncDefinition, full_resync: bool,
                 after_batch: Callable[[int], None] | None):
        self.conn, self.sync, self.after_batch = conn, sync, after_batch
        self.timer = {"plan_s": 0.0, "commit_s": 0.0}
        started = time.monotonic()
        self.plan, self._chunks = plan_chunks(conn, sync, full_resync=full_resync)
        conn.commit()
        self.timer["plan_s"] += time.monotonic() - started
        self.run_id, self.sync_run_id = store.start_run(conn, sync_name=sync.name, destination=sync.destination,
                                                        connector=sync.connector, mode=sync.mode,
                                                        full_resync=full_resync)
        conn.commit()
        self.tally = {"records_sent": 0, "records_ok": 0, "records_failed": 0, "records_created": 0,
                      "records_archived": 0}
        self.failed: dict[str, str] = {}
        self.lags: list[tuple[float, tuple[str, ...]]] = []   # (minutes source change -> written, properties)
        self.sent: dict[str, WriteItem] = {}          # planned items by crmhub id (before values for re-sends)
        self.resend: list[WriteItem] = []
        self.pending: dict[str, list] = {"log": [], "state": [], "pairs": [], "batches": []}
        self.guard = _StormGuard(sync.name, self.gone)
        self.dest: CrmDestination | PostgresDestination | None = None

    # -- plan / diff: chunk by chunk; what is not sent is logged as it is decided
    def planned(self) -> Iterator[list[WriteItem]]:
        while True:
            started = time.monotonic()
            chunk = next(self._chunks, None)
            self.timer["plan_s"] += time.monotonic() - started
            if chunk is None:
                return
            _log_unsent(self.conn, self.sync, self.run_id, self.plan, chunk)
            self.tally["records_ok"] += len(chunk.noop)
            self.tally["records_failed"] += len(chunk.failed)
            self.failed.update(chunk.failed)
            self.sent.update((i.crmhub_id, i) for i in chunk.items)
            if chunk.items:
                yield chunk.items

    # -- log: one decision per outcome (pure but for the guard), then queued for the next commit
    def gone(self, o: Outcome) -> bool:
        """The crosswalk points at a record the CRM no longer has (it is upserted by its key instead)."""
        cid, upsert = o.item.crmhub_id, self.plan.upsert_values.get(o.item.crmhub_id)
        return bool(not o.ok and o.item.dest_id and o.action != "archive"
                    and (o.error or "").startswith("OBJECT_NOT_FOUND") and self.sync.mode != "update"
                    and upsert and o.item.upsert is None
                    and uncreatable(self.sync, self.plan.payloads[cid], upsert) is None)

    def decide(self, o: Outcome) -> _Decision:
        cid = o.item.crmhub_id
        if self.gone(o):
            return _Decision("resend", resend=WriteItem(cid, self.plan.payloads[cid], upsert=self.plan.upsert_values[cid],
                                                        before=self.sent[cid].before))
        if not o.ok:
            return _Decision("failed", {"crmhub_id": cid, "status": "failed", "error": o.error})
        if o.action == "archive":
            return _Decision("archived", {"crmhub_id": cid, "status": "archived", "destination_id": o.dest_id,
                                          "payload": None, "payload_hash": None})
        pair = ((cid, o.dest_id) if self.sync.destination_kind == "crm" and o.dest_id and o.item.dest_id != o.dest_id
                else None)
        return _Decision("ok", {"crmhub_id": cid, "status": "synced", "destination_id": o.dest_id,
                                "payload": self.plan.payloads[cid], "payload_hash": self.plan.hashes[cid]}, pair)

    def on_batch(self, batch: Batch, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            d = self.decide(o)
            if d.kind == "resend":
                self.guard.ignore(o.item.crmhub_id)
                self.resend.append(d.resend)
                continue
            self.tally["records_sent"] += 1 if o.attempts else 0
            if d.kind == "failed":
                self.tally["records_failed"] += 1
                self.failed[o.item.crmhub_id] = o.error or "failed"
            else:
                self.tally["records_ok"] += 1
                self.tally["records_archived"] += d.kind == "archived"
                self.tally["records_created"] += o.action == "create"
                self._time(o)
            self.pending["state"].append(d.state)
            if d.pair:
                self.pending["pairs"].append(d.pair)
            self.pending["log"].append(store.outcome_row(o))
        self.pending["batches"].append(batch.no)
        crm = isinstance(self.dest, CrmDestination)
        if not crm:
            self.guard.observe(outcomes)
        if self.guard.tripped:
            self.flush()
            raise CrmHubError(self.guard.tripped)
        assert_not_frozen(self.conn, "sync", self.sync.name, on_stop=self.flush)  # freeze-all: keep answered batches
        if self.after_batch is not None or not crm:
            self.flush()             # the hook is told about each commit; other destinations call no flush

    def _time(self, o: Outcome) -> None:
        """End-to-end lag of one acknowledged write: source change (the model's ``source_ts``) -> written."""
        ts = self.plan.source_ts.get(o.item.crmhub_id)
        if ts is not None and o.action in ("create", "update") and o.item.send:
            lag = (clock.now() - ts).total_seconds() / 60.0
            self.lags.append((max(lag, 0.0), tuple(o.item.send)))

    def flush(self) -> None:
        """Commit the log, state and crosswalk rows of every batch answered since the last flush.

        The CRM destination calls this once per group of batches that finished together, so when
        the warehouse is slow the commits catch up in bigger transactions instead of piling up.
        """
        if not self.pending["batches"]:
            return
        committing = time.monotonic()
        store.log_rows(self.conn, self.run_id, self.pending["log"])
        store.save_state(self.conn, self.sync.name, self.run_id, self.pending["state"])
        store.remember_ids(self.conn, self.sync.id_system, self.sync.id_object, self.sync.core_table,
                           self.pending["pairs"])
        self.conn.commit()
        self.timer["commit_s"] += time.monotonic() - committing
        done = list(self.pending["batches"])
        for rows in self.pending.values():
            rows.clear()
        for no in done if self.after_batch is not None else ():
            self.after_batch(no)

    # -- batch + send, then the run record
    def execute(self, dest: CrmDestination | PostgresDestination, client: CrmClient | None) -> RunResult:
        self.dest = dest
        if isinstance(dest, CrmDestination):
            dest.guard = self.guard.observe   # judged in the worker, before it takes the next batch
        stats_before = _copy_stats(client.stats) if client is not None else ClientStats()
        started = time.monotonic()
        status, error = "success", None
        try:
            dest.write_stream(self.planned(), self.on_batch, self.flush)
            if self.resend:
                log.info("sync %s: %d crosswalk ids are gone from the CRM; upserting by key", self.sync.name,
                         len(self.resend))
                dest.write(self.resend, self.on_batch, self.flush)
        except BaseException as exc:
            self.conn.rollback()
            status, error = "failed", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            stats = _diff_stats(client.stats, stats_before) if client is not None else ClientStats()
            status, error, counts = self._finish(status, error, stats, time.monotonic() - started)
        return RunResult(self.sync.name, self.run_id, status, False, counts, _changes(self.plan), self.plan.held,
                         self.failed, error)

    def _finish(self, status: str, error: str | None, stats: ClientStats, seconds: float
                ) -> tuple[str, str | None, dict[str, Any]]:
        """Close ``ops.reverse_etl_runs`` and its ``ops.sync_runs`` row; returns (status, error, counts)."""
        plan, tally = self.plan, self.tally
        error = error or plan.archive_refused   # known once the last chunk is planned
        counts: dict[str, Any] = {**_plan_counts(plan), **tally,
                                  "api_calls": stats.api_calls, "api_errors": stats.api_errors,
                                  "latency_s_total": round(stats.latency_s_total, 3),
                                  "plan_s": round(self.timer["plan_s"], 3), "commit_s": round(self.timer["commit_s"], 3)}
        if status == "success" and (tally["records_failed"] or plan.archive_refused):
            status = "partial"
        detail = {"seconds": round(seconds, 3), "rate_limited": stats.rate_limited, "retries": stats.retries,
                  "hedged": stats.hedged, "records_skipped": len(plan.skipped),
                  "plan_s": counts["plan_s"], "commit_s": counts["commit_s"]}
        # end to end (source change -> written), read by crmhub.health.sla; kept in ``detail``, not in the
        # lag_min_* columns, which are the destination connector's own read lag (its health score)
        detail.update(_lag_summary(self.lags))
        try:
            store.finish_run(self.conn, self.run_id, self.sync_run_id, counts, status, error, detail)
            record_access(self.conn, who=f"reverse_etl:{self.sync.name}", table=self.sync.core_table,
                          fields=[f.column for f in self.sync.fields],
                          rows=tally["records_sent"] - tally["records_archived"],
                          reason=f"reverse ETL export to {self.sync.destination} (run {self.run_id})")
            self.conn.commit()
        except psycopg.Error:  # the warehouse went away: the run row stays 'running', which is the truth
            log.exception("could not close reverse ETL run %s", self.run_id)
        return status, error, counts


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


def _lag_summary(lags: list[tuple[float, tuple[str, ...]]]) -> dict[str, Any]:
    """End-to-end lag of a run's timed writes: ``e2e_lag_min`` {p50, p95, max} and ``field_lag_min`` (max per
    property written); ``{}`` when the run timed none (nothing changed since an acknowledged push)."""
    if not lags:
        return {}
    values = sorted(v for v, _ in lags)

    def pct(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))], 3)

    per_field: dict[str, float] = {}
    for value, props in lags:
        for prop in props:
            per_field[prop] = max(per_field.get(prop, 0.0), round(value, 3))
    return {"e2e_lag_min": {"p50": pct(0.5), "p95": pct(0.95), "max": round(values[-1], 3)},
            "field_lag_min": per_field, "records_timed": len(values)}


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
