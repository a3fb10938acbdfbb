"""Snapshots of ``core`` and the state it depends on, and restore to one.

Scope (:func:`scope_tables`): every table of schema ``core`` (canonical records, the crosswalk
``core.external_id``, ``core.change_log``, merge history) plus :data:`STATE_TABLES` - the incremental
watermarks and the identity review decisions and holds. Restoring ``core`` without them would make the
next CDC run skip or repeat changes and re-ask reviewers questions they already answered.

Mechanism: a **schema copy inside the database** (``snapshot_<id>``, one ``CREATE TABLE .. AS TABLE`` per
table in one REPEATABLE READ transaction, so all tables are consistent with each other). Restore is one
transaction: ``TRUNCATE`` of the scope, then ``INSERT .. SELECT`` from the snapshot; a failure leaves
everything as it was. Measured against ``pg_dump -Fc``/``pg_restore`` in ``benchmarks/bench_snapshot.py``
(see docs/operations.md for why this one): no client binaries that must match the server's major version
(the embedded server is PostgreSQL 16, the machine's pg_dump 15), no data over the wire, atomic restore
that keeps table OIDs, grants and the views other schemas build on ``core``. It is not a backup against
losing the database: that stays the platform's job (base backups / WAL archiving).

Restore first freezes everything (:func:`crmhub.safety.freeze.freeze_all`) so no load, push or send writes
while ``core`` is replaced; it leaves the freeze on for a person to check and thaw.

Checksums (:func:`checksums`): per table, the row count and the md5 of its rows' text in sorted order -
two tables with the same rows (whatever their physical order) have the same checksum.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from crmhub.exceptions import CrmHubError
from crmhub.safety.freeze import freeze_all

log = logging.getLogger(__name__)

#: ops tables ``core`` depends on: CDC watermarks and identity review decisions / holds / confidence.
STATE_TABLES = ("ops.sync_state", "ops.review_queue", "ops.match_decisions", "ops.identity_holds",
                "ops.identity_confidence")
DEFAULT_KEEP = 10
DEFAULT_MAX_AGE_DAYS = 30


class SnapshotError(CrmHubError):
    """A snapshot cannot be created or restored as asked (unknown id, expired, tables changed)."""


@dataclass(frozen=True)
class Retention:
    """How many ready snapshots to keep and for how long (map section ``snapshots``)."""

    keep: int = DEFAULT_KEEP
    max_age_days: float = DEFAULT_MAX_AGE_DAYS

    @classmethod
    def from_map(cls, imap) -> Retention:
        section = (imap.raw.get("snapshots") or {}) if imap is not None else {}
        return cls(int(section.get("keep", DEFAULT_KEEP)), float(section.get("max_age_days", DEFAULT_MAX_AGE_DAYS)))


def _ident(qualified: str) -> sql.Identifier:
    schema, table = qualified.split(".", 1)
    return sql.Identifier(schema, table)


def scope_tables(conn: psycopg.Connection) -> list[str]:
    """``schema.table`` names a snapshot holds: all of ``core`` plus the :data:`STATE_TABLES` that exist."""
    rows = conn.execute(
        """SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
             AND (n.nspname = 'core' OR n.nspname || '.' || c.relname = ANY(%s))
           ORDER BY n.nspname = 'core' DESC, 1""",
        (list(STATE_TABLES),),
    ).fetchall()
    return [r[0] for r in rows]


def _copy_name(table: str) -> str:
    return table.replace(".", "__")


def table_checksum(conn: psycopg.Connection, table: str | sql.Composable) -> dict:
    """``{"rows": n, "md5": hex}`` over the rows' text, sorted (independent of physical order)."""
    ident = _ident(table) if isinstance(table, str) else table
    rows, digest = conn.execute(
        sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t")
        .format(ident)
    ).fetchone()
    return {"rows": int(rows), "md5": digest}


def checksums(conn: psycopg.Connection, tables: list[str] | None = None) -> dict[str, dict]:
    """:func:`table_checksum` of every table in scope (or of ``tables``)."""
    return {t: table_checksum(conn, t) for t in (tables if tables is not None else scope_tables(conn))}


def create_snapshot(
    conn: psycopg.Connection, *, by: str, label: str | None = None, reason: str = "manual",
    retention: Retention | None = None,
) -> dict:
    """Copy the scope into a new schema ``snapshot_<id>``; commits; prunes by ``retention`` afterwards.

    Returns:
        the ``ops.snapshots`` row (``tables`` holds each table's rows and md5).
    """
    if not by or not by.strip():
        raise SnapshotError("snapshot create needs --by WHO")
    conn.commit()
    started = time.perf_counter()
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")   # one consistent view of every table
        snapshot_id = conn.execute(
            "INSERT INTO ops.snapshots (label, reason, created_by) VALUES (%s, %s, %s) RETURNING snapshot_id",
            (label, reason, by.strip()),
        ).fetchone()[0]
        schema = f"snapshot_{snapshot_id}"
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        tables: dict[str, dict] = {}
        for table in scope_tables(conn):
            copy = sql.Identifier(schema, _copy_name(table))
            conn.execute(sql.SQL("CREATE TABLE {} AS TABLE {}").format(copy, _ident(table)))
            tables[table] = table_checksum(conn, copy)
        size = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'", (schema,)
        ).fetchone()[0]
        conn.execute(
            "UPDATE ops.snapshots SET schema_name = %s, status = 'ready', tables = %s, seconds = %s, bytes = %s "
            "WHERE snapshot_id = %s",
            (schema, Jsonb(tables), round(time.perf_counter() - started, 3), size, snapshot_id),
        )
    conn.commit()
    log.info("snapshot %s (%s) of %d tables by %s", snapshot_id, label or reason, len(tables), by)
    prune(conn, retention or Retention())
    return get_snapshot(conn, snapshot_id)


def snapshot_before(conn: psycopg.Connection, imap, reason: str, *, by: str = "crmhub") -> dict:
    """The automatic snapshot before risky work (a backfill run), with the map's retention."""
    return create_snapshot(conn, by=by, reason=reason, retention=Retention.from_map(imap))


def get_snapshot(conn: psycopg.Connection, snapshot_id: int) -> dict:
    row = conn.cursor(row_factory=dict_row).execute(
        "SELECT * FROM ops.snapshots WHERE snapshot_id = %s", (snapshot_id,)).fetchone()
    if row is None:
        raise SnapshotError(f"no snapshot {snapshot_id}; see `crmhub snapshot list`")
    return row


def list_snapshots(conn: psycopg.Connection, *, include_expired: bool = False) -> list[dict]:
    """Snapshots, newest first, each with its last restore (``last_restored_at``/``by``) when there was one."""
    return conn.cursor(row_factory=dict_row).execute(
        """SELECT s.*, r.restored_at AS last_restored_at, r.restored_by AS last_restored_by
           FROM ops.snapshots s
           LEFT JOIN LATERAL (SELECT restored_at, restored_by FROM ops.snapshot_restores x
                              WHERE x.snapshot_id = s.snapshot_id ORDER BY restore_id DESC LIMIT 1) r ON true
           WHERE %s OR s.status = 'ready' ORDER BY s.snapshot_id DESC""",
        (include_expired,),
    ).fetchall()


def prune(conn: psycopg.Connection, retention: Retention, *, now: datetime | None = None) -> list[int]:
    """Drop the schemas of ready snapshots beyond ``keep`` newest or older than ``max_age_days``; commits."""
    ids = [r[0] for r in conn.execute(
        """SELECT snapshot_id FROM (
               SELECT snapshot_id, created_at, row_number() OVER (ORDER BY snapshot_id DESC) AS n
               FROM ops.snapshots WHERE status = 'ready') s
           WHERE n > %s OR created_at < coalesce(%s, now()) - make_interval(secs => %s)""",
        (retention.keep, now, retention.max_age_days * 86400),
    ).fetchall()]
    for snapshot_id in ids:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(f"snapshot_{snapshot_id}")))
        conn.execute("UPDATE ops.snapshots SET status = 'expired', expired_at = now() WHERE snapshot_id = %s",
                     (snapshot_id,))
    conn.commit()
    return ids


def _columns(conn: psycopg.Connection, schema: str, table: str) -> dict[str, tuple[str, str]]:
    """``{column: (attgenerated, attidentity)}`` of a table, in order."""
    rows = conn.execute(
        """SELECT a.attname, a.attgenerated, a.attidentity FROM pg_attribute a
           WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
        (f'"{schema}"."{table}"',),
    ).fetchall()
    return {name: (gen, ident) for name, gen, ident in rows}


def restore_snapshot(conn: psycopg.Connection, snapshot_id: int, *, by: str, lock_timeout_s: float = 300) -> dict:
    """Freeze everything, then replace the scope with the snapshot's rows in one transaction; commits.

    Returns:
        ``{"snapshot_id", "seconds", "matches": bool, "mismatched": [tables], "tables": {table: rows}}``;
        ``matches`` is True when every table's checksum equals the one taken at snapshot time.

    Raises:
        SnapshotError: unknown or expired snapshot, or a table of the snapshot no longer exists.
    """
    if not by or not by.strip():
        raise SnapshotError("snapshot restore needs --by WHO")
    snap = get_snapshot(conn, snapshot_id)
    if snap["status"] != "ready":
        raise SnapshotError(f"snapshot {snapshot_id} is {snap['status']}; pick a ready one from `crmhub snapshot list`")
    freeze_all(conn, f"restore of snapshot {snapshot_id} ({snap['label'] or snap['reason']})", by,
               details={"snapshot_id": snapshot_id})
    started = time.perf_counter()
    schema = snap["schema_name"]
    tables = list(snap["tables"])
    missing = [t for t in tables if conn.execute("SELECT to_regclass(%s)", (t,)).fetchone()[0] is None]
    conn.commit()
    if missing:
        raise SnapshotError(f"snapshot {snapshot_id}: tables {', '.join(missing)} no longer exist; restore by hand")
    with conn.transaction():
        conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{int(lock_timeout_s * 1000)}ms")))
        conn.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(_ident(t) for t in tables)))
        for table in tables:
            target = _columns(conn, *table.split(".", 1))
            source = _columns(conn, schema, _copy_name(table))
            cols = [c for c in source if c in target and not target[c][0]]   # generated columns recompute
            identity = any(target[c][1] == "a" for c in cols)
            conn.execute(sql.SQL("INSERT INTO {} ({}) {} SELECT {} FROM {}").format(
                _ident(table), sql.SQL(", ").join(map(sql.Identifier, cols)),
                sql.SQL("OVERRIDING SYSTEM VALUE" if identity else ""),
                sql.SQL(", ").join(map(sql.Identifier, cols)), sql.Identifier(schema, _copy_name(table))))
        after = checksums(conn, tables)
        mismatched = [t for t in tables if after[t] != snap["tables"][t]]
        seconds = round(time.perf_counter() - started, 3)
        detail = {"tables": {t: after[t]["rows"] for t in tables}, "mismatched": mismatched}
        conn.execute(
            "INSERT INTO ops.snapshot_restores (snapshot_id, restored_by, seconds, matches, detail) "
            "VALUES (%s, %s, %s, %s, %s)",
            (snapshot_id, by.strip(), seconds, not mismatched, Jsonb(detail)),
        )
    conn.commit()
    log.warning("snapshot %s restored by %s in %.2f s (%s)", snapshot_id, by, seconds,
                "checksums match" if not mismatched else f"MISMATCH in {mismatched}")
    return {"snapshot_id": snapshot_id, "seconds": seconds, "matches": not mismatched, **detail}
