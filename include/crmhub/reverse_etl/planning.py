"""Plan a reverse ETL run: read the model and the state, then decide per record what to send.

:func:`plan_chunks` returns the plan and an iterator that fills it in 500 records at a time (so a
run can send while it plans); :func:`plan_sync` consumes it all (dry runs). A record is *changed*
when its payload hash differs from the last acknowledged one, when its last push failed, or always
with ``full_resync``; held records are dropped; records in the crosswalk are updated by id with the
changed fields only, the others upserted by their first ``upsert_by`` value; mirror mode archives
records that left the model (within ``max_archive_share``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from crmhub.exceptions import CrmHubError
from crmhub.hubspot import wire
from crmhub.identity import tax_keys
from crmhub.reverse_etl import store
from crmhub.reverse_etl.definitions import SyncDefinition, payload_hash
from crmhub.reverse_etl.destinations import WriteItem


def read_model(conn: psycopg.Connection, sync: SyncDefinition) -> list[dict[str, Any]]:
    """The model's rows (the SELECT runs in a read-only transaction).

    A model that reads ``core.tax_key`` (identity's tax-id rule, :mod:`crmhub.identity.tax_keys`) gets it
    refreshed first, in a transaction of its own, so the keys cover every tax id core holds now.
    """
    conn.commit()
    if tax_keys.reads_tax_keys(sync.model_sql):
        tax_keys.refresh(conn)
        conn.commit()
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SET TRANSACTION READ ONLY")
        cur.execute(f"SELECT * FROM ({sync.model_sql}) AS model")
        rows = cur.fetchall()
    conn.commit()
    if rows and sync.key not in rows[0]:
        raise CrmHubError(f"sync {sync.name}: the model has no key column {sync.key!r}; columns: "
                          f"{', '.join(rows[0])}")
    return rows


@dataclass
class Plan:
    """Everything a run sends and why the rest is not sent; filled in chunk by chunk."""

    items: list[WriteItem]
    archives: list[WriteItem]
    payloads: dict[str, dict]
    hashes: dict[str, str]
    held: dict[str, str]
    failed: dict[str, str]
    noop: list[str]
    changed: int
    model: int
    archive_refused: str | None = None
    upsert_values: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    unlinked: dict[str, str] = field(default_factory=dict)      # left the model, record now another id's
    # source timestamp of records whose change counts for the end-to-end SLA (see :func:`_source_change`)
    source_ts: dict[str, datetime] = field(default_factory=dict)


@dataclass
class PlanChunk:
    """What one slice of the model adds to the plan (the engine logs it and sends ``items``)."""

    items: list[WriteItem] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    noop: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    unlinked: dict[str, str] = field(default_factory=dict)


PLAN_CHUNK = 500  # records planned at a time: the first batch goes out after one chunk, not the whole model


def plan_chunks(conn: psycopg.Connection, sync: SyncDefinition, *, full_resync: bool = False,
                chunk_size: int = PLAN_CHUNK) -> tuple[Plan, Iterator[PlanChunk]]:
    """The plan, filled in as the returned iterator is consumed, one slice of the model at a time.

    The model and the state are read up front (one query each); the costly part - transforms,
    hashes, hold and crosswalk look-ups - runs per ``chunk_size`` records in crmhub id order, so a
    run can send the first batches while the rest is still being planned. Mirror-mode archives
    come with the last chunk. After the iterator is exhausted the plan is complete.
    """
    rows = read_model(conn, sync)
    state = store.load_state(conn, sync.name)
    counts: dict[str, int] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        cid = str(row[sync.key])
        counts[cid] = counts.get(cid, 0) + 1
        by_id[cid] = row
    plan = Plan([], [], {}, {}, {}, {}, [], 0, len(rows))
    return plan, _chunks(conn, sync, full_resync, chunk_size, plan, state, counts, by_id)


def _chunks(conn: psycopg.Connection, sync: SyncDefinition, full_resync: bool, chunk_size: int, plan: Plan,
            state: dict[str, store.StateRow], counts: dict[str, int], by_id: dict[str, dict]) -> Iterator[PlanChunk]:
    ids = sorted(by_id)
    for start in range(0, len(ids), max(1, chunk_size)):
        chunk = PlanChunk()
        valid: list[str] = []
        for cid in ids[start:start + chunk_size]:
            if counts[cid] > 1:
                chunk.failed[cid] = f"the model returns {counts[cid]} rows for this {sync.key}; it must return one"
                continue
            row = by_id[cid]
            try:
                plan.payloads[cid] = sync.payload(row)
            except (ValueError, TypeError, ArithmeticError, KeyError) as exc:
                chunk.failed[cid] = f"transform failed: {exc}"
                continue
            plan.hashes[cid] = payload_hash(plan.payloads[cid])
            plan.upsert_values[cid] = next(((k.property, str(row.get(k.column)).strip()) for k in sync.upsert_by
                                            if row.get(k.column) not in (None, "")), None)
            valid.append(cid)
        changed = [cid for cid in valid if full_resync or cid not in state or state[cid].status != "synced"
                   or state[cid].payload_hash != plan.hashes[cid]]
        plan.changed += len(changed)
        plan.source_ts.update(_source_change(sync, full_resync, changed, state, by_id))
        chunk.held = store.held_records(conn, sync.core_table, changed)
        candidates = [cid for cid in changed if cid not in chunk.held]
        xwalk = (store.crosswalk(conn, sync.id_system, sync.id_object, candidates)
                 if sync.destination_kind == "crm" else {cid: cid for cid in candidates})
        for cid in candidates:
            _plan_record(sync, full_resync, cid, state.get(cid), plan.payloads[cid], xwalk.get(cid),
                         plan.upsert_values.get(cid), chunk)
        _merge(plan, chunk)
        yield chunk
    if sync.mode == "mirror":
        chunk = PlanChunk()
        _plan_archives(conn, sync, plan, state, counts, chunk)
        _merge(plan, chunk)
        yield chunk


def _source_change(sync: SyncDefinition, full_resync: bool, changed: list[str], state: dict[str, store.StateRow],
                   by_id: dict[str, dict]) -> dict[str, datetime]:
    """``{crmhub id: source timestamp}`` of the changed records whose push is timed against the SLA end to end.

    Only with the model's ``source_ts`` column, and only for records the destination acknowledged before (a
    change of a synced value): a record's first push (initial load, or a record that just got its CRM id) and a
    ``full_resync`` carry no lag, as a connector's first load and backfills carry none.
    """
    if not sync.source_ts or full_resync:
        return {}
    out = {}
    for cid in changed:
        st, ts = state.get(cid), by_id[cid].get(sync.source_ts)
        if st is not None and st.payload is not None and isinstance(ts, datetime):
            out[cid] = ts
    return out


def _plan_record(sync: SyncDefinition, full_resync: bool, cid: str, st: store.StateRow | None, after: dict,
                 dest_id: str | None, upsert: tuple[str, str] | None, chunk: PlanChunk) -> None:
    """Add one changed, not held record to ``chunk``: an update by id, an upsert by key, or why not."""
    prev = st.payload if st else None
    if st is not None and st.status == "archived":
        dest_id = None if sync.destination_kind == "crm" else dest_id
        prev = None
    if sync.destination_kind == "postgres" or dest_id:
        send = after if (prev is None or full_resync) else {p: v for p, v in after.items() if prev.get(p) != v}
        if not send:
            chunk.noop.append(cid)
            return
        chunk.items.append(WriteItem(cid, send, dest_id=cid if sync.destination_kind == "postgres" else dest_id,
                                     before=_before(prev, send)))
    elif sync.mode == "update":
        chunk.skipped[cid] = "not in the CRM (no crosswalk id) and the sync's mode is 'update'"
    elif upsert is None:
        chunk.failed[cid] = ("no CRM id and no upsert key value (" + ", ".join(k.column for k in sync.upsert_by)
                             + " all empty)")
    elif (why := uncreatable(sync, after, upsert)) is not None:
        chunk.skipped[cid] = why
    else:
        chunk.items.append(WriteItem(cid, after, upsert=upsert, before=_before(prev, after)))


def uncreatable(sync: SyncDefinition, payload: dict, upsert: tuple[str, str]) -> str | None:
    """Why an upsert of ``payload`` could create a CRM record without its identity properties (None: it cannot).

    An upsert creates the record when the key finds none; crmhub never creates a company without a name
    or a contact without an email (people cannot tell it apart, and the next CDC run quarantines it).
    """
    missing = wire.missing_identity(sync.destination_object or "", {**payload, upsert[0]: upsert[1]})
    if not missing:
        return None
    return (f"not in the CRM (no crosswalk id) and the payload lacks {', '.join(missing)}: an upsert by "
            f"{upsert[0]} would create a {wire.SINGULAR.get(sync.destination_object or '', 'record')} without it")


def _plan_archives(conn: psycopg.Connection, sync: SyncDefinition, plan: Plan, state: dict[str, store.StateRow],
                   counts: dict[str, int], chunk: PlanChunk) -> None:
    """Mirror mode: archive records that left the model, unless that is a storm (``max_archive_share``)."""
    gone = [cid for cid, st in state.items() if cid not in counts and st.status in ("synced", "failed")
            and st.dest_id]
    if sync.destination_kind == "crm" and gone:
        # identity merges move a CRM id to the survivor: never archive a record another crmhub id now owns
        owners = dict(conn.execute(
            "SELECT external_id, crmhub_id::text FROM core.external_id WHERE system = %s AND object = %s "
            "AND external_id = ANY(%s)", (sync.id_system, sync.id_object, [state[c].dest_id for c in gone]))
            .fetchall())
        for cid in list(gone):
            owner = owners.get(state[cid].dest_id)
            if owner is not None and owner != cid:
                chunk.unlinked[cid] = f"left the model; CRM record {state[cid].dest_id} now belongs to {owner} (merge)"
                gone.remove(cid)
    synced = sum(1 for st in state.values() if st.status in ("synced", "failed"))
    if gone and synced and len(gone) / synced > sync.max_archive_share and len(gone) > 1:
        plan.archive_refused = (f"mirror would archive {len(gone)} of {synced} synced records "
                                f"(> max_archive_share {sync.max_archive_share:.0%}); nothing archived - check the model")
    else:
        archives = [WriteItem(cid, {}, dest_id=state[cid].dest_id, action="archive", before=state[cid].payload)
                    for cid in sorted(gone)]
        plan.archives.extend(archives)
        chunk.items.extend(archives)


def _merge(plan: Plan, chunk: PlanChunk) -> None:
    plan.items.extend(i for i in chunk.items if i.action != "archive")
    plan.held.update(chunk.held)
    plan.failed.update(chunk.failed)
    plan.noop.extend(chunk.noop)
    plan.skipped.update(chunk.skipped)
    plan.unlinked.update(chunk.unlinked)


def plan_sync(conn: psycopg.Connection, sync: SyncDefinition, *, full_resync: bool = False) -> Plan:
    """Everything a run would send, without sending it."""
    plan, chunks = plan_chunks(conn, sync, full_resync=full_resync)
    for _ in chunks:
        pass
    return plan


def _before(prev: dict | None, send: dict) -> dict | None:
    return None if prev is None else {p: prev.get(p) for p in send}
