"""Where a sync writes: the CRM (HubSpot v3 batch API) or a PostgreSQL table.

Both take :class:`WriteItem` lists and report one :class:`Outcome` per item through ``on_batch``,
called in the caller's thread after each batch, so the engine can commit its log, state and
crosswalk batch by batch (a crash loses at most the batches in flight, and those are safe to send
again: updates by id and upserts by a unique property are idempotent).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from crmhub.hubspot import wire
from crmhub.reverse_etl.crm_client import ApiResult, CrmApiError, CrmClient, idempotency_key
from crmhub.reverse_etl.transforms import same

log = logging.getLogger(__name__)


@dataclass
class WriteItem:
    """One record to write: to ``dest_id`` (update) or by a unique ``upsert`` property (create or update)."""

    crmhub_id: str
    send: dict[str, str | None]
    dest_id: str | None = None
    upsert: tuple[str, str] | None = None   # (property, value)
    before: dict[str, Any] | None = None    # None = unknown
    action: str = "update"                  # update | archive


@dataclass
class Outcome:
    item: WriteItem
    ok: bool
    action: str                       # create | update | archive | none
    dest_id: str | None = None
    http_status: int | None = None
    attempts: int = 0
    error: str | None = None
    batch_no: int | None = None
    key: str | None = None
    before: dict[str, Any] | None = None


@dataclass
class Batch:
    no: int
    action: str                       # update | upsert | archive
    items: list[WriteItem]
    id_property: str | None = None


BatchCallback = Callable[[Batch, list[Outcome]], None]

LOOKAHEAD = 20          # batches kept queued ahead of the workers while the plan is still being built
HEDGE_MIN_S = 0.25      # never hedge a batch in flight for less than this
HEDGE_FACTOR = 8.0      # ... or for less than this many times the typical (median) answer time
HEDGE_POLL_S = 0.05     # how often the tail is checked for hanging batches


def _answered(outcomes: list[Outcome]) -> bool:
    """The CRM gave a definite answer (2xx/207 or a non-retryable 4xx), not a timeout/5xx/drop."""
    return any(o.attempts and o.http_status is not None and o.http_status < 500 and o.http_status != 429
               for o in outcomes)


# ---------------------------------------------------------------------------------------------- CRM
@dataclass
class CrmDestination:
    """Batch writes to one CRM object through :class:`CrmClient`."""

    client: CrmClient
    object_type: str
    sync_name: str
    run_id: int
    batch_size: int = 100
    concurrency: int = 4
    read_before: bool = False
    run_token: str = ""          # makes keys unique across warehouses whose run ids restart (run start time)
    guard: Callable[[list[Outcome]], bool] | None = None   # sees each finished batch; True = send no more
    _next_batch: int = field(default=0, init=False)
    hedge: bool = True           # at the tail, a copy of a batch that hangs (see _run)
    _halted: threading.Event = field(default_factory=threading.Event, init=False)
    _settled: set[int] = field(default_factory=set, init=False)       # answered batches: copies stop retrying
    _sent_at: dict[int, float | None] = field(default_factory=dict, init=False)   # original copy's attempt
    _local: threading.local = field(default_factory=threading.local, init=False)   # .hedge: this thread's copy

    @property
    def name(self) -> str:
        return f"crm:{self.object_type}"

    def write(self, items: list[WriteItem], on_batch: BatchCallback,
              flush: Callable[[], None] | None = None) -> None:
        self.write_stream([items], on_batch, flush)

    def write_stream(self, chunks: Iterable[list[WriteItem]], on_batch: BatchCallback,
                     flush: Callable[[], None] | None = None) -> None:
        """Write items arriving in chunks (the engine plans while earlier batches are on the wire).

        ``on_batch`` is called once per batch; ``flush`` (optional) after each group of batches that
        finished together, and at the end - the engine commits there.
        """
        self._run(self._batches(chunks, on_batch), on_batch, flush or (lambda: None))

    def _batches(self, chunks: Iterable[list[WriteItem]], on_batch: BatchCallback) -> Iterator[Batch]:
        """Group items into batches of at most ``batch_size`` per (action, upsert property), full ones first.

        A second record with the same upsert key value fails here (reported through ``on_batch``).
        """
        buffers: dict[tuple[str, str | None], list[WriteItem]] = {}
        seen: dict[tuple[str, str], str] = {}
        for items in chunks:
            rejected: list[Outcome] = []
            for item in items:
                if item.action == "archive" and item.dest_id:
                    group: tuple[str, str | None] = ("archive", None)
                elif item.action == "update" and item.dest_id:
                    group = ("update", None)
                elif item.action == "update" and item.upsert:
                    prop, value = item.upsert
                    k = (prop, value.strip().lower())
                    if k in seen:
                        rejected.append(Outcome(item, False, "none", error=f"{prop} {value!r} is also the upsert key "
                                                f"of crmhub id {seen[k]}; resolve the identity before pushing"))
                        continue
                    seen[k] = item.crmhub_id
                    group = ("upsert", prop)
                else:
                    continue
                buf = buffers.setdefault(group, [])
                buf.append(item)
                if len(buf) >= self.batch_size:
                    yield self._batch(group, buffers.pop(group))
            if rejected:
                on_batch(Batch(0, "reject", [o.item for o in rejected]), rejected)
        for group, buf in buffers.items():
            yield self._batch(group, buf)

    def _batch(self, group: tuple[str, str | None], items: list[WriteItem]) -> Batch:
        self._next_batch += 1
        return Batch(self._next_batch, group[0], items, group[1])

    def _run(self, batches: Iterator[Batch], on_batch: BatchCallback, flush: Callable[[], None]) -> None:
        """Send ``batches`` on ``concurrency`` workers; ``on_batch`` runs in this thread once per batch.

        Batches are queued as soon as they are planned, so a worker takes the next one the moment it
        is free and never waits for this thread's planning or commits. At the tail (nothing queued, so
        the rate limit has room) a batch in flight for much longer than usual - a request hanging
        until the client's timeout - gets one *hedged* copy with the same idempotency key: the first
        answer settles the batch, the other copy stops retrying, and the server applies it once. On an
        error the batches not started yet are cancelled.
        """
        pool = ThreadPoolExecutor(max_workers=max(1, self.concurrency), thread_name_prefix="rev-etl")
        running: dict[Future, Batch] = {}
        copies: dict[int, int] = {}             # batch no -> copies in flight
        hedged: set[int] = set()
        clean = False
        try:
            planning = True
            while planning or any(b.no not in self._settled for b in running.values()):
                if planning and sum(1 for f in running if not f.running() and not f.done()) < LOOKAHEAD:
                    batch = next(batches, None)      # planning first: keep LOOKAHEAD batches queued
                    if batch is None:
                        planning = False
                    else:
                        running[pool.submit(self._guarded_send, batch)] = batch
                        copies[batch.no] = 1
                        continue
                poll = 0.005 if planning else (HEDGE_POLL_S if self.hedge else None)
                done, _ = wait(running, timeout=poll, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: running[f].no):
                    batch = running.pop(fut)
                    copies[batch.no] -= 1
                    outcomes = fut.result()
                    if batch.no in self._settled or (copies[batch.no] and not _answered(outcomes)):
                        continue        # the other copy answered already, or may still answer
                    self._settled.add(batch.no)
                    on_batch(batch, outcomes)
                if done:
                    flush()
                if not planning and self.hedge:
                    self._hedge(pool, running, copies, hedged)
            flush()
            clean = True
        except BaseException:
            for fut in running:
                fut.cancel()
            raise
        finally:
            # after a clean run only hedged-away copies can still be waiting (for their timeout): no need to wait
            pool.shutdown(wait=not clean, cancel_futures=True)

    def _hedge(self, pool: ThreadPoolExecutor, running: dict[Future, Batch], copies: dict[int, int],
               hedged: set[int]) -> None:
        if any(not f.running() and not f.done() for f in running):
            return              # work is queued: the rate limit has no spare room for a copy
        typical = self.client.typical_latency()
        after = max(HEDGE_MIN_S, HEDGE_FACTOR * typical) if typical is not None else None
        now = time.monotonic()
        for batch in list(running.values()):
            sent = self._sent_at.get(batch.no)
            if after is None or batch.no in hedged or sent is None or now - sent < after:
                continue
            hedged.add(batch.no)
            self.client.stats.hedged += 1
            log.info("batch %d in flight for %.1f s (typical %.2f s): sending a hedged copy", batch.no,
                     now - sent, typical)
            running[pool.submit(self._guarded_send, batch, True)] = batch
            copies[batch.no] += 1

    # ------------------------------------------------------------------------------------------ one batch
    def _key(self, action: str, inputs: list[dict], id_property: str | None) -> str:
        return idempotency_key(self.sync_name, self.run_id, self.run_token, self.object_type, action, id_property,
                               inputs)

    def _guarded_send(self, batch: Batch, hedge: bool = False) -> list[Outcome]:
        """:meth:`_send`, unless the guard stopped the run or the batch is settled (then nothing is sent)."""
        if self._halted.is_set() or batch.no in self._settled:
            return [Outcome(i, False, "none", i.dest_id, None, 0, "not sent: the run was stopped", batch.no)
                    for i in batch.items]
        self._local.hedge = hedge
        outcomes = self._send(batch)
        if batch.no not in self._settled and self.guard is not None and self.guard(outcomes):
            self._halted.set()
        return outcomes

    def _tracker(self, batch_no: int) -> Callable[[float | None], None] | None:
        """Records when the original copy's current HTTP attempt went out (None: no attempt outstanding)."""
        if getattr(self._local, "hedge", False):
            return None

        def track(sent: float | None) -> None:
            self._sent_at[batch_no] = sent
        return track

    def _send(self, batch: Batch) -> list[Outcome]:
        if batch.action == "archive":
            return self._archive(batch)
        befores = self._read_before(batch) if self.read_before else {}
        outcomes = self._write(batch.action, batch.items, batch.id_property, batch.no)
        for o in outcomes:
            if o.item.crmhub_id in befores:
                o.before = befores[o.item.crmhub_id]
        return outcomes

    def _read_before(self, batch: Batch) -> dict[str, dict]:
        props = sorted({p for i in batch.items for p in i.send})
        try:
            if batch.action == "update":
                found = self.client.batch_read(self.object_type, [i.dest_id for i in batch.items], props)
                return {i.crmhub_id: {p: found[i.dest_id]["properties"].get(p) for p in i.send}
                        for i in batch.items if i.dest_id in found}
            found = self.client.batch_read(self.object_type, [i.upsert[1] for i in batch.items], props,
                                           id_property=batch.id_property)
            return {i.crmhub_id: {p: found[i.upsert[1].lower()]["properties"].get(p) for p in i.send}
                    for i in batch.items if i.upsert[1].lower() in found}
        except CrmApiError as exc:  # before values stay as the state knows them; the write goes on
            log.warning("read_before of batch %d failed: %s", batch.no, exc)
            return {}

    def _inputs(self, action: str, items: list[WriteItem], id_property: str | None) -> list[dict]:
        if action == "update":
            return [wire.update_input(i.dest_id, i.send) for i in items]
        return [wire.upsert_input(i.upsert[1], id_property, i.send) for i in items]

    def _write(self, action: str, items: list[WriteItem], id_property: str | None, batch_no: int) -> list[Outcome]:
        inputs = self._inputs(action, items, id_property)
        key = self._key(action, inputs, id_property)
        res = self.client.batch(self.object_type, action, inputs, key=key,
                                cancelled=lambda: batch_no in self._settled, in_flight=self._tracker(batch_no))
        if res.status in (200, 201, 207):
            return self._resolve(action, items, id_property, res, batch_no, key)
        if res.status in (400, 409, 422) and len(items) > 1:
            # the whole batch was refused because of some input(s): split until the bad ones stand alone
            log.info("batch %d (%d records) refused with HTTP %s; splitting", batch_no, len(items), res.status)
            mid = len(items) // 2
            first = self._write(action, items[:mid], id_property, batch_no)
            if all(not o.ok and o.http_status == res.status and o.error == res.error for o in first):
                # the half failed the same way: the request itself is wrong (config, auth), not one record;
                # stop splitting instead of storming the API
                return first + [Outcome(i, False, "none", i.dest_id, res.status, res.attempts, res.error, batch_no,
                                        key) for i in items[mid:]]
            return first + self._write(action, items[mid:], id_property, batch_no)
        return [Outcome(i, False, "none", i.dest_id, res.status, res.attempts, res.error or "no response",
                        batch_no, key) for i in items]

    def _resolve(self, action: str, items: list[WriteItem], id_property: str | None, res: ApiResult,
                 batch_no: int, key: str) -> list[Outcome]:
        body = res.body if isinstance(res.body, dict) else {}
        if action == "update":
            index = {str(i.dest_id): i for i in items}
        else:
            index = {i.upsert[1].strip().lower(): i for i in items}
        by_crmhub = {i.crmhub_id: i for i in items}
        out: dict[str, Outcome] = {}
        for rec in body.get("results") or []:
            props = rec.get("properties") or {}
            if action == "update":
                item = index.get(str(rec.get("id")))
            else:
                item = index.get(str(props.get(id_property) or "").strip().lower())
            if item is None and props.get("crmhub_id") in by_crmhub:
                item = by_crmhub[props["crmhub_id"]]
            if item is None:
                continue
            created = bool(rec.get("new")) if action == "upsert" else False
            before = ({p: None for p in item.send} if created else item.before)
            out[item.crmhub_id] = Outcome(item, True, "create" if created else "update", str(rec.get("id")),
                                          res.status, res.attempts, None, batch_no, key, before)
        for err in body.get("errors") or []:
            ctx = err.get("context") or {}
            targets: list[WriteItem] = []
            for ident in ctx.get("ids") or []:
                hit = index.get(str(ident).strip().lower() if action != "update" else str(ident))
                if hit is not None:
                    targets.append(hit)
            if not targets:
                for idx in ctx.get("inputIndex") or []:
                    try:
                        targets.append(items[int(idx)])
                    except (ValueError, IndexError):
                        continue
            message = f"{err.get('category', 'ERROR')}: {err.get('message', 'record rejected')}"
            for item in targets:
                if item.crmhub_id not in out:
                    out[item.crmhub_id] = Outcome(item, False, "none", item.dest_id, res.status, res.attempts,
                                                  message, batch_no, key)
        for item in items:
            if item.crmhub_id not in out:
                out[item.crmhub_id] = Outcome(item, False, "none", item.dest_id, res.status, res.attempts,
                                              "the CRM's response has no result or error for this record",
                                              batch_no, key)
        return [out[i.crmhub_id] for i in items]

    def _archive(self, batch: Batch) -> list[Outcome]:
        inputs = [{"id": i.dest_id} for i in batch.items]
        key = self._key("archive", inputs, None)
        res = self.client.batch(self.object_type, "archive", inputs, key=key,
                                cancelled=lambda: batch.no in self._settled, in_flight=self._tracker(batch.no))
        ok = res.status in (200, 204)
        return [Outcome(i, ok, "archive", i.dest_id, res.status, res.attempts, None if ok else res.error,
                        batch.no, key, i.before) for i in batch.items]

    def read(self, dest_ids: list[str], properties: list[str]) -> dict[str, dict[str, Any]]:
        """Current values by destination id (records missing or archived are absent)."""
        found = self.client.batch_read(self.object_type, dest_ids, properties)
        return {i: v["properties"] for i, v in found.items()}


# ---------------------------------------------------------------------------------------------- Postgres
@dataclass
class PostgresDestination:
    """Upsert into a table ``schema.table`` keyed by ``crmhub_id`` (created when missing, text columns)."""

    url: str
    table: str
    properties: tuple[str, ...]
    run_id: int
    batch_size: int = 500
    _next_batch: int = field(default=0, init=False)

    @property
    def name(self) -> str:
        return f"postgres:{self.table}"

    def _ident(self) -> sql.Composed:
        schema, table = self.table.split(".", 1)
        return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))

    def ensure_table(self, conn: psycopg.Connection) -> None:
        schema = self.table.split(".", 1)[0]
        cols = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(p)) for p in self.properties)
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (crmhub_id uuid PRIMARY KEY, {}, "
                             "_synced_at timestamptz NOT NULL DEFAULT now(), _run_id bigint)")
                     .format(self._ident(), cols))
        for p in self.properties:
            conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} text")
                         .format(self._ident(), sql.Identifier(p)))

    def _batches(self, items: list[WriteItem]) -> Iterator[Batch]:
        for start in range(0, len(items), self.batch_size):
            self._next_batch += 1
            chunk = items[start:start + self.batch_size]
            yield Batch(self._next_batch, chunk[0].action, chunk)

    def write(self, items: list[WriteItem], on_batch: BatchCallback, flush: Callable[[], None] | None = None) -> None:
        """Upserts then deletes, batch by batch; ``flush`` (optional) after each batch."""
        with psycopg.connect(self.url) as conn:
            self.ensure_table(conn)
            conn.commit()
            for batch in self._batches([i for i in items if i.action == "update"]):
                on_batch(batch, self._upsert(conn, batch))
                if flush is not None:
                    flush()
            for batch in self._batches([i for i in items if i.action == "archive"]):
                on_batch(batch, self._delete(conn, batch))
                if flush is not None:
                    flush()

    def write_stream(self, chunks: Iterable[list[WriteItem]], on_batch: BatchCallback,
                     flush: Callable[[], None] | None = None) -> None:
        self.write([item for chunk in chunks for item in chunk], on_batch, flush)

    def _current(self, conn: psycopg.Connection, ids: list[str]) -> dict[str, dict]:
        cols = sql.SQL(", ").join(sql.Identifier(p) for p in self.properties)
        rows = conn.execute(sql.SQL("SELECT crmhub_id::text, {} FROM {} WHERE crmhub_id = ANY(%s::uuid[])")
                            .format(cols, self._ident()), (ids,)).fetchall()
        return {r[0]: dict(zip(self.properties, r[1:], strict=True)) for r in rows}

    def _upsert(self, conn: psycopg.Connection, batch: Batch) -> list[Outcome]:
        outcomes = []
        current = self._current(conn, [i.crmhub_id for i in batch.items])
        for item in batch.items:
            names = list(item.send)
            cols = sql.SQL(", ").join(sql.Identifier(p) for p in names)
            vals = sql.SQL(", ").join(sql.Placeholder() for _ in names)
            sets = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(p)) for p in names)
            try:
                with conn.transaction():
                    conn.execute(sql.SQL("INSERT INTO {} (crmhub_id, {}, _run_id) VALUES (%s, {}, %s) "
                                         "ON CONFLICT (crmhub_id) DO UPDATE SET {}, _synced_at = now(), "
                                         "_run_id = EXCLUDED._run_id").format(self._ident(), cols, vals, sets),
                                 [item.crmhub_id, *[item.send[p] for p in names], self.run_id])
            except psycopg.Error as exc:
                outcomes.append(Outcome(item, False, "none", item.crmhub_id, None, 1, str(exc).strip(), batch.no))
                continue
            had = current.get(item.crmhub_id)
            before = {p: had.get(p) for p in names} if had else {p: None for p in names}
            outcomes.append(Outcome(item, True, "update" if had else "create", item.crmhub_id, None, 1, None,
                                    batch.no, None, before))
        conn.commit()
        return outcomes

    def _delete(self, conn: psycopg.Connection, batch: Batch) -> list[Outcome]:
        current = self._current(conn, [i.crmhub_id for i in batch.items])
        conn.execute(sql.SQL("DELETE FROM {} WHERE crmhub_id = ANY(%s::uuid[])").format(self._ident()),
                     ([i.crmhub_id for i in batch.items],))
        conn.commit()
        return [Outcome(i, True, "archive", i.crmhub_id, None, 1, None, batch.no, None,
                        current.get(i.crmhub_id)) for i in batch.items]

    def read(self, dest_ids: list[str], properties: list[str]) -> dict[str, dict[str, Any]]:
        with psycopg.connect(self.url) as conn:
            self.ensure_table(conn)
            return self._current(conn, dest_ids)

    def restore(self, items: list[WriteItem], on_batch: BatchCallback) -> None:
        """Write ``send`` values back (rollback); same path as :meth:`write`."""
        self.write(items, on_batch)


def drifted(current: dict[str, Any], written: dict[str, Any]) -> list[str]:
    """Fields of ``written`` whose destination value differs now (someone else changed them)."""
    return [p for p, v in written.items() if not same(current.get(p), v)]
