"""Undo one load (``crmhub load revert LOAD_ID --by WHO``) from ``core.change_log``.

For every core field the load changed, the value before the load (the ``old_value`` of its first change) is put
back - unless a later change (another load, an amendment) touched the same field of the same record since: that
is a **conflict**, reported and left as it is. A record the load created is soft-deleted (``deleted_by =
'revert'``) unless anything changed it since (a conflict too). Each restore is logged in ``core.change_log``
(connector ``revert``, actor = who, ``load_id`` = ``revert:<load>``), the crosswalk row hashes of the records
are cleared (the next load of the same source rows applies them again), and ``ops.loads`` gets status
``reverted`` with who, when and the counts. The revert holds the connector's load lock, so no load of that
connector runs meanwhile. One transaction: the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from crmhub.exceptions import CrmHubError
from crmhub.warehouse.changelog import CREATED, DELETED
from crmhub.warehouse.locks import load_lock_key


@dataclass(frozen=True)
class RevertConflict:
    core_table: str
    crmhub_id: str
    field: str
    load_value: str | None      # what the reverted load wrote
    current_value: str | None   # what a later change wrote (kept)
    changed_by: str | None      # the later change's load (or connector for amendments)


@dataclass
class RevertResult:
    load_id: str
    connector: str
    by: str
    restored_fields: int = 0
    removed_records: int = 0
    conflicts: list[RevertConflict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"load_id": self.load_id, "connector": self.connector, "by": self.by,
                "restored_fields": self.restored_fields, "removed_records": self.removed_records,
                "conflicts": [c.__dict__ for c in self.conflicts]}


# One row per (table, record, field) the load changed: value before and after the load, and the later change
# of the same field (the conflict), if any. A created record counts as a change of every field it holds.
_CHANGES = """
CREATE TEMP TABLE _revert ON COMMIT DROP AS
WITH mine AS (
    SELECT core_table, crmhub_id, field, min(change_id) AS first_id, max(change_id) AS last_id,
           (array_agg(old_value ORDER BY change_id))[1] AS before,
           (array_agg(new_value ORDER BY change_id DESC))[1] AS after,
           bool_or(old_value IS NULL AND change_id IN (
               SELECT change_id FROM core.change_log WHERE load_id = %(load)s AND field = %(created)s)) AS created
      FROM core.field_changes WHERE load_id = %(load)s
     GROUP BY core_table, crmhub_id, field
)
SELECT m.*, later.new_value AS later_value, later.changed_by
  FROM mine m
  LEFT JOIN LATERAL (
        SELECT f.new_value, coalesce(f.load_id, f.connector) AS changed_by FROM core.field_changes f
         WHERE f.core_table = m.core_table AND f.crmhub_id = m.crmhub_id AND f.change_id > m.last_id
           AND (f.field = m.field OR m.created)
         ORDER BY f.change_id DESC LIMIT 1) later ON true
"""


def revert_load(conn: psycopg.Connection, load_id: str, *, by: str) -> RevertResult:
    """Restore the core rows ``load_id`` changed to their values before it; see the module doc."""
    if not by or not by.strip():
        raise CrmHubError("revert needs --by WHO (the person reverting the load)")
    row = conn.execute("SELECT connector, status FROM ops.loads WHERE load_id = %s", (load_id,)).fetchone()
    if row is None:
        raise CrmHubError(f"load {load_id!r} not found in ops.loads; `crmhub ingest-file` prints the load id")
    connector, status = row
    if status != "loaded":
        raise CrmHubError(f"load {load_id!r} is {status!r}; only a 'loaded' load can be reverted")
    conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", load_lock_key(conn, connector))
    params = {"load": load_id, "created": CREATED, "by": by, "tag": f"revert:{load_id}"}
    conn.execute("DROP TABLE IF EXISTS _revert")
    conn.execute(_CHANGES, params)
    result = RevertResult(load_id=load_id, connector=connector, by=by)
    for t, cid, f, after, later, changed_by in conn.execute(
        "SELECT core_table, crmhub_id::text, field, after, later_value, changed_by FROM _revert "
        "WHERE changed_by IS NOT NULL ORDER BY core_table, crmhub_id, field"
    ).fetchall():
        result.conflicts.append(RevertConflict(t, cid, f, after, later, changed_by))
    # a created record with any later change stays whole: none of its fields is restored
    conn.execute("DELETE FROM _revert r WHERE changed_by IS NOT NULL OR (created AND EXISTS ("
                 "SELECT 1 FROM _revert o WHERE o.core_table = r.core_table AND o.crmhub_id = r.crmhub_id "
                 "AND o.changed_by IS NOT NULL))")
    conn.execute("SET LOCAL jit = off")
    for table, fld in conn.execute("SELECT DISTINCT core_table, field FROM _revert WHERE NOT created").fetchall():
        result.restored_fields += _restore_field(conn, table, fld, params)
    for (table,) in conn.execute("SELECT DISTINCT core_table FROM _revert WHERE created").fetchall():
        result.removed_records += _remove_created(conn, table, params)
    conn.execute(
        "UPDATE core.external_id x SET row_hash = NULL FROM (SELECT DISTINCT crmhub_id FROM _revert) r "
        "WHERE x.crmhub_id = r.crmhub_id AND x.row_hash IS NOT NULL")
    conn.execute(
        "UPDATE ops.loads SET status = 'reverted', reverted_at = now(), reverted_by = %s, revert_detail = %s "
        "WHERE load_id = %s",
        (by, Jsonb({"restored_fields": result.restored_fields, "removed_records": result.removed_records,
                    "conflicts": len(result.conflicts)}), load_id))
    return result


def _column_type(conn: psycopg.Connection, table: str, column: str) -> str:
    row = conn.execute(
        "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = %s::regclass "
        "AND a.attname = %s AND NOT a.attisdropped", (f"core.{table}", column)).fetchone()
    if row is None:
        raise CrmHubError(f"core.{table} has no column {column!r}; the change log names a dropped column")
    return row[0]


def _log_restore(conn: psycopg.Connection, table: str, where: sql.Composable, params: dict) -> None:
    conn.execute(
        sql.SQL(
            """INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system,
                                            connector, load_id, source_ts, actor)
               SELECT core_table, crmhub_id, field, after, before, 'warehouse', 'revert', %(tag)s, now(), %(by)s
                 FROM _revert WHERE core_table = {t} AND {w}"""
        ).format(t=sql.Literal(table), w=where),
        params,
    )


def _restore_field(conn: psycopg.Connection, table: str, fld: str, params: dict) -> int:
    where = sql.SQL("field = {} AND NOT created").format(sql.Literal(fld))
    if fld == DELETED:
        sets = sql.SQL("deleted_at = CASE WHEN r.before = 'true' THEN coalesce(t.deleted_at, now()) END, "
                       "deleted_by = CASE WHEN r.before = 'true' THEN coalesce(t.deleted_by, 'revert') END")
    else:
        sets = sql.SQL("{c} = r.before::{typ}").format(c=sql.Identifier(fld), typ=sql.SQL(_column_type(conn, table, fld)))
    n = conn.execute(
        sql.SQL("UPDATE core.{t} t SET {sets}, updated_at = now() FROM _revert r "
                "WHERE r.core_table = {tl} AND r.crmhub_id = t.crmhub_id AND r.{w}").format(
            t=sql.Identifier(table), sets=sets, tl=sql.Literal(table), w=where),
        params,
    ).rowcount
    _log_restore(conn, table, where, params)
    return n


def _remove_created(conn: psycopg.Connection, table: str, params: dict) -> int:
    n = conn.execute(
        sql.SQL("UPDATE core.{t} t SET deleted_at = now(), deleted_by = 'revert', updated_at = now() "
                "FROM (SELECT DISTINCT crmhub_id FROM _revert WHERE core_table = {tl} AND created) r "
                "WHERE t.crmhub_id = r.crmhub_id AND t.deleted_at IS NULL").format(
            t=sql.Identifier(table), tl=sql.Literal(table)),
        params,
    ).rowcount
    conn.execute(
        sql.SQL(
            """INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system,
                                            connector, load_id, source_ts, actor)
               SELECT DISTINCT core_table, crmhub_id, {d}, 'false', 'true', 'warehouse', 'revert', %(tag)s, now(), %(by)s
                 FROM _revert WHERE core_table = {tl} AND created"""
        ).format(d=sql.Literal(DELETED), tl=sql.Literal(table)),
        params,
    )
    return n
