"""Warehouse side of reverse ETL: run rows, the per-record log and state, crosswalk, gates."""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from crmhub.exceptions import CrmHubError
from crmhub.identity.holds import held_records  # noqa: F401  (the identity-hold rule lives there)
from crmhub.reverse_etl.destinations import Outcome

log = logging.getLogger(__name__)


class SyncAlreadyRunning(CrmHubError):
    """Another run (or rollback) of the same sync holds its lock."""


def lock_key(sync_name: str) -> int:
    return zlib.crc32(f"crmhub-reverse-etl:{sync_name}".encode())


@contextmanager
def sync_lock(conn: psycopg.Connection, sync_name: str, what: str = "run") -> Iterator[None]:
    """The sync's session advisory lock on ``conn`` for the block: runs and rollbacks of one sync never overlap.

    Raises:
        SyncAlreadyRunning: another session holds it.
    """
    if not conn.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(sync_name),)).fetchone()[0]:
        conn.rollback()
        raise SyncAlreadyRunning(f"sync {sync_name} is busy (a run or rollback holds its advisory lock); "
                                 f"{what} not started - try again later")
    conn.commit()
    try:
        yield
    finally:
        try:
            conn.rollback()
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(sync_name),))
            conn.commit()
        except psycopg.Error:  # connection gone: the session lock went with it
            log.warning("could not release the lock of sync %s (connection lost)", sync_name)


@dataclass
class StateRow:
    dest_id: str | None
    payload: dict | None
    payload_hash: str | None
    status: str


def table_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT to_regclass(%s)", (name,)).fetchone()[0] is not None


def connector_frozen(conn: psycopg.Connection, connector: str) -> str | None:
    """The freeze reason when ``connector`` is frozen; None when not (or ops.connector_state is missing)."""
    if not table_exists(conn, "ops.connector_state"):
        return None
    row = conn.execute("SELECT frozen, reason FROM ops.connector_state WHERE connector = %s", (connector,)).fetchone()
    if row and row[0]:
        return row[1] or "frozen"
    return None


def load_state(conn: psycopg.Connection, sync_name: str) -> dict[str, StateRow]:
    rows = conn.execute("SELECT crmhub_id::text, destination_id, payload, payload_hash, status "
                        "FROM ops.reverse_etl_state WHERE sync_name = %s", (sync_name,)).fetchall()
    return {r[0]: StateRow(r[1], r[2], r[3], r[4]) for r in rows}


def crosswalk(conn: psycopg.Connection, system: str, obj: str, ids: list[str]) -> dict[str, str]:
    """crmhub id -> the destination system's id (most recently seen when several)."""
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT DISTINCT ON (crmhub_id) crmhub_id::text, external_id FROM core.external_id "
        "WHERE system = %s AND object = %s AND crmhub_id = ANY(%s::uuid[]) "
        "ORDER BY crmhub_id, last_seen_at DESC", (system, obj, ids)).fetchall()
    return dict(rows)


def remember_ids(conn: psycopg.Connection, system: str, obj: str, core_table: str,
                 pairs: list[tuple[str, str]]) -> None:
    """Write (crmhub id, CRM id) pairs to core.external_id; an id already mapped elsewhere keeps its mapping."""
    if pairs:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (system, object, external_id) "
                "DO UPDATE SET last_seen_at = now()",
                [(system, obj, dest, cid, core_table) for cid, dest in pairs])


def start_run(conn: psycopg.Connection, *, sync_name: str, destination: str, connector: str, mode: str,
              full_resync: bool, kind: str = "sync", rollback_of: int | None = None) -> tuple[int, int]:
    """Insert the ops.reverse_etl_runs and ops.sync_runs rows; returns (run_id, sync_run_id)."""
    sync_run_id = conn.execute(
        "INSERT INTO ops.sync_runs (connector, kind, detail) VALUES (%s, 'reverse_etl', %s) RETURNING run_id",
        (connector, Jsonb({"sync": sync_name, "kind": kind, "destination": destination}))).fetchone()[0]
    run_id = conn.execute(
        "INSERT INTO ops.reverse_etl_runs (sync_name, kind, rollback_of, destination, connector, mode, full_resync,"
        " sync_run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING run_id",
        (sync_name, kind, rollback_of, destination, connector, mode, full_resync, sync_run_id)).fetchone()[0]
    conn.execute("UPDATE ops.sync_runs SET detail = detail || %s WHERE run_id = %s",
                 (Jsonb({"reverse_etl_run_id": run_id}), sync_run_id))
    return run_id, sync_run_id


def run_token(conn: psycopg.Connection, run_id: int) -> str:
    """The run's start time: with the run id it makes idempotency keys unique even if run ids restart."""
    started = conn.execute("SELECT started_at FROM ops.reverse_etl_runs WHERE run_id = %s", (run_id,)).fetchone()[0]
    return started.isoformat()


def finish_run(conn: psycopg.Connection, run_id: int, sync_run_id: int, counts: dict[str, Any], status: str,
               error: str | None = None, detail: dict | None = None) -> None:
    cols = ("records_model", "records_changed", "records_held", "records_sent", "records_ok", "records_failed",
            "records_created", "records_archived", "conflicts", "api_calls", "api_errors", "latency_s_total")
    values = [counts.get(c, 0) for c in cols]
    conn.execute(
        "UPDATE ops.reverse_etl_runs SET " + ", ".join(f"{c} = %s" for c in cols)
        + ", status = %s, error = %s, detail = detail || %s, finished_at = now() WHERE run_id = %s",
        (*values, status, error, Jsonb(detail or {}), run_id))
    sync_status = {"skipped": "success"}.get(status, status)
    conn.execute(
        "UPDATE ops.sync_runs SET finished_at = now(), status = %s, records_total = %s, records_failed = %s, "
        "api_calls = %s, api_errors = %s, latency_s_total = %s, detail = detail || %s WHERE run_id = %s",
        (sync_status, counts.get("records_sent", 0), counts.get("records_failed", 0), counts.get("api_calls", 0),
         counts.get("api_errors", 0), counts.get("latency_s_total", 0.0),
         Jsonb({"status": status, **({"error": error} if error else {}), **(detail or {})}), sync_run_id))


def log_rows(conn: psycopg.Connection, run_id: int, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ops.reverse_etl_log (run_id, crmhub_id, destination_id, action, status, before, after,"
            " http_status, attempts, batch_no, idempotency_key, error) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s, %s, %s)",
            [(run_id, r["crmhub_id"], r.get("destination_id"), r.get("action", "none"), r["status"],
              None if r.get("before") is None else Jsonb(r["before"]),
              None if r.get("after") is None else Jsonb(r["after"]),
              r.get("http_status"), r.get("attempts", 0), r.get("batch_no"), r.get("key"), r.get("error"))
             for r in rows])


def outcome_row(o: Outcome) -> dict[str, Any]:
    return {"crmhub_id": o.item.crmhub_id, "destination_id": o.dest_id, "action": o.action,
            "status": "ok" if o.ok else "failed", "before": o.before, "after": o.item.send if o.action != "archive"
            else None, "http_status": o.http_status, "attempts": o.attempts, "batch_no": o.batch_no,
            "key": o.key, "error": o.error}


def save_state(conn: psycopg.Connection, sync_name: str, run_id: int, rows: list[dict[str, Any]]) -> None:
    """Upsert state rows: ``{crmhub_id, status, destination_id?, payload?, payload_hash?, error?}``.

    A failure keeps the last acknowledged payload and hash (so the record is sent again next run and
    its before values stay right) and counts the failure.
    """
    if not rows:
        return
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO ops.reverse_etl_state AS s (sync_name, crmhub_id, destination_id, payload, payload_hash,
                   status, last_error, failures, last_run_id, updated_at)
               VALUES (%(sync)s, %(crmhub_id)s, %(destination_id)s, %(payload)s, %(payload_hash)s, %(status)s,
                       %(error)s, CASE WHEN %(status)s = 'failed' THEN 1 ELSE 0 END, %(run_id)s, now())
               ON CONFLICT (sync_name, crmhub_id) DO UPDATE SET
                   destination_id = coalesce(EXCLUDED.destination_id, s.destination_id),
                   payload = CASE WHEN EXCLUDED.status = 'failed' THEN s.payload ELSE EXCLUDED.payload END,
                   payload_hash = CASE WHEN EXCLUDED.status = 'failed' THEN s.payload_hash
                                       ELSE EXCLUDED.payload_hash END,
                   status = EXCLUDED.status,
                   last_error = EXCLUDED.last_error,
                   failures = CASE WHEN EXCLUDED.status = 'failed' THEN s.failures + 1 ELSE 0 END,
                   last_run_id = EXCLUDED.last_run_id,
                   updated_at = now()""",
            [{"sync": sync_name, "run_id": run_id, "crmhub_id": r["crmhub_id"],
              "destination_id": r.get("destination_id"),
              "payload": None if r.get("payload") is None else Jsonb(r["payload"]),
              "payload_hash": r.get("payload_hash"), "status": r["status"], "error": r.get("error")}
             for r in rows])


def run_row(conn: psycopg.Connection, run_id: int) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM ops.reverse_etl_runs WHERE run_id = %s", (run_id,))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d.name for d in cur.description], row, strict=True))


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
