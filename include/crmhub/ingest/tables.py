"""``raw.<connector>`` and ``staging.<connector>``: created (and widened) from the connector's contract.

Connectors are configuration, so their landing tables are derived, not migrated:

* ``raw.<connector>``: append-only, **one row per source batch** holding the batch's records verbatim
  (:mod:`crmhub.ingest.rawbatch`): ``load_id``, ``batch_no``, ``origin`` (file name, endpoint, table),
  ``first_row_no`` (row number of its first record in the load), ``rows``, ``format`` (``csv`` /
  ``ndjson``), ``encoding`` (of the file), ``received_at``, per record ``lines`` (files; NULL when
  the records start on consecutive lines from ``first_line``) or ``locators`` (other sources),
  ``deleted`` (NULL when no record is marked deleted) and ``offsets`` (n + 1 byte offsets), and
  ``data`` (the bytes). Key ``(load_id, batch_no)``. The large columns are ``STORAGE
  EXTERNAL`` (TOAST without compression: cheap to write, and ``substring`` reads only the slices it needs).
* ``raw.<connector>_records`` (view): one row per record - ``load_id``, ``batch_no``, ``row_no``,
  ``locator``, ``received_at``, ``deleted``, ``format`` and ``record`` (its text without the line end;
  NUL bytes dropped, see ``raw.record_text`` in migration 0011).
* ``staging.<connector>``: the rows that passed their contract, typed (see ``contracts.types.PG_TYPES``),
  plus ``load_id``, ``locator``, ``row_no``, ``confidence``, ``deleted``.

``load_id`` defaults to the transaction-local setting ``crmhub.load_id`` (the loader sets it with
``set_config(..., true)`` at the start of the load's transaction), so the per-load constants -
``load_id``, ``received_at`` (``now()``: the transaction's start) and ``deleted`` (false unless the
source marks deletes) - are filled by PostgreSQL instead of being sent with every row.

A field added to the contract later becomes a new nullable staging column (``ADD COLUMN IF NOT
EXISTS``); the raw landing has no per-field columns. Staging is append-only and written one load at a
time, so ``load_id`` gets a BRIN index (tiny, cheap to maintain on COPY) rather than a btree.
``load_id`` is ``COLLATE "C"``: the BRIN summary is updated for every inserted row, and byte comparison
costs about half of a locale comparison there. Equality, and the order of ASCII load ids, are the same
under both collations.

A ``raw.<connector>`` table of the earlier one-row-per-record layout (it has a ``row_no`` column) is
renamed to ``raw.<connector>_per_row`` and kept as it is on the next load.
"""

from __future__ import annotations

import logging

import psycopg
from psycopg import sql

from crmhub.config.integration_map import Connector
from crmhub.contracts.check import _type_for
from crmhub.contracts.types import pg_type
from crmhub.exceptions import ConfigError

log = logging.getLogger(__name__)

STAGING_META = ("load_id", "locator", "row_no", "confidence", "deleted")
LOAD_ID_SETTING = "crmhub.load_id"
_LOAD_ID_DEFAULT = f"current_setting('{LOAD_ID_SETTING}')"
_META_TYPES = {
    "load_id": "text", "locator": "text", "row_no": "bigint", "received_at": "timestamptz", "deleted": "boolean",
    "confidence": "numeric(5, 2)",
}
_RAW_COLUMNS = (
    "load_id text COLLATE \"C\" NOT NULL DEFAULT {default}, batch_no integer NOT NULL, origin text NOT NULL, "
    "first_row_no bigint NOT NULL, rows integer NOT NULL, format text NOT NULL, encoding text, "
    "received_at timestamptz NOT NULL DEFAULT ops.clock(), first_line bigint, lines bigint[], locators text[], "
    "deleted boolean[], offsets integer[] NOT NULL, data bytea NOT NULL, PRIMARY KEY (load_id, batch_no)"
)
# Serialises the DDL of one connector's tables (key: this namespace + the connector name).
_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('crmhub.ensure_tables'), hashtext(%s))"
# (schema, column, has a default, collation) of raw.<name> and staging.<name>; pg_catalog takes no table lock.
_COLUMNS_SQL = """
SELECT n.nspname, a.attname, a.atthasdef, coalesce(co.collname, '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE n.nspname IN ('raw', 'staging') AND c.relname = %s AND c.relkind IN ('r', 'p')
"""
_RAW_EXTERNAL = ("lines", "locators", "deleted", "offsets", "data")
# One row per record; the arrays are unnested once per batch (a subscript would de-TOAST per record).
_RECORDS_VIEW = """
CREATE OR REPLACE VIEW {view} AS
SELECT b.load_id, b.batch_no, b.first_row_no + r.i - 1 AS row_no,
       coalesce(r.locator, b.origin || ':' || coalesce(r.line, b.first_line + r.i - 1)) AS locator, b.received_at,
       coalesce(r.deleted, false) AS deleted, b.format,
       raw.record_text(substring(b.data FROM r.start + 1 FOR r.stop - r.start)) AS record
FROM {table} b
CROSS JOIN LATERAL unnest(b.offsets[1:b.rows], b.offsets[2:b.rows + 1], b.lines, b.locators, b.deleted)
    WITH ORDINALITY AS r(start, stop, line, locator, deleted, i)
"""


def staging_types(connector: Connector) -> dict[str, str]:
    """Column -> PostgreSQL type of ``staging.<connector>``."""
    return {**_META_TYPES, **{f.name: pg_type(_type_for(f)) for f in connector.fields}}


def set_load_id(conn: psycopg.Connection, load_id: str) -> None:
    """Make ``load_id`` the default of both tables' ``load_id`` for the current transaction."""
    conn.execute("SELECT set_config(%s, %s, true)", (LOAD_ID_SETTING, load_id))


def raw_table(connector: Connector) -> sql.Composed:
    return sql.SQL("raw.{}").format(sql.Identifier(connector.name))


def records_view(connector: Connector) -> sql.Composed:
    return sql.SQL("raw.{}").format(sql.Identifier(f"{connector.name}_records"))


def staging_table(connector: Connector) -> sql.Composed:
    return sql.SQL("staging.{}").format(sql.Identifier(connector.name))


def ensure_tables(conn: psycopg.Connection, connector: Connector) -> None:
    """Create/widen both tables for ``connector``; idempotent and safe when run concurrently.

    When the tables are complete this only reads the catalog: no DDL, no table lock. Otherwise it takes a
    transaction-scoped advisory lock on the connector, then checks again and runs the missing DDL, so two
    loads that meet a new connector at once do not both create its tables (two ``CREATE TABLE IF NOT
    EXISTS`` running together fail on the catalog's unique index). Runs in the caller's transaction (the
    load's: a failed load leaves no tables behind), so the lock and any DDL lock are held until it ends; a
    concurrent first load waits for it, later loads take neither and run side by side.
    """
    clash = set(connector.field_names) & set(STAGING_META)
    if clash:
        raise ConfigError(
            "integration map",
            [(f"connectors.{connector.name}.fields", f"field name(s) {sorted(clash)} are reserved loader columns")],
        )
    if tables_complete(conn, connector):
        return
    conn.execute(_LOCK_SQL, (connector.name,))
    if tables_complete(conn, connector):  # another load created them while we waited
        return
    stg = staging_table(connector)
    _ensure_raw(conn, connector)
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (load_id text COLLATE \"C\" NOT NULL DEFAULT {}, locator text NOT NULL, "
            "row_no bigint NOT NULL, confidence numeric(5, 2) NOT NULL DEFAULT 100, "
            "deleted boolean NOT NULL DEFAULT false)"
        ).format(stg, sql.SQL(_LOAD_ID_DEFAULT))
    )
    _ensure_load_id_default(conn, connector)
    for contract in connector.fields:
        col = sql.Identifier(contract.name)
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}").format(
                stg, col, sql.SQL(pg_type(_type_for(contract)))
            )
        )
    conn.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING brin (load_id)").format(
            sql.Identifier(_staging_index(connector)), stg
        )
    )


def tables_complete(conn: psycopg.Connection, connector: Connector) -> bool:
    """True if both tables, the records view and the staging index exist as this version makes them."""
    name = connector.name
    columns: dict[str, dict[str, tuple[bool, str]]] = {"raw": {}, "staging": {}}
    for schema, column, has_default, collation in conn.execute(_COLUMNS_SQL, (name,)).fetchall():
        columns[schema][column] = (has_default, collation)
    raw, stg = columns["raw"], columns["staging"]
    if "row_no" in raw or not raw or not stg:
        return False
    if any(c not in stg for c in (*STAGING_META, *connector.field_names)):
        return False
    if any(cols.get("load_id") != (True, "C") for cols in (raw, stg)):
        return False
    index = sql.SQL("staging.{}").format(sql.Identifier(_staging_index(connector)))
    view_ok, index_ok = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
        (records_view(connector).as_string(conn), index.as_string(conn)),
    ).fetchone()
    return bool(view_ok and index_ok)


def _staging_index(connector: Connector) -> str:
    return f"{connector.name}_staging_load_idx"


def _ensure_raw(conn: psycopg.Connection, connector: Connector) -> None:
    """The batch table and its per-record view (created once; a per-record table of old is renamed)."""
    name = connector.name
    columns = {
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = %s",
            (name,),
        ).fetchall()
    }
    if "row_no" in columns:  # the one-row-per-record layout of earlier versions: keep its rows, aside
        log.warning("raw.%s has the per-record layout of an earlier version; renamed to raw.%s_per_row", name, name)
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(raw_table(connector), sql.Identifier(f"{name}_per_row")))
        columns = set()
    if not columns:
        conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {table} (" + _RAW_COLUMNS + ")").format(
                table=raw_table(connector), default=sql.SQL(_LOAD_ID_DEFAULT)
            )
        )
        conn.execute(
            sql.SQL("ALTER TABLE {} ").format(raw_table(connector))
            + sql.SQL(", ").join(
                sql.SQL("ALTER COLUMN {} SET STORAGE EXTERNAL").format(sql.Identifier(c)) for c in _RAW_EXTERNAL
            )
        )
        conn.execute(sql.SQL(_RECORDS_VIEW).format(view=records_view(connector), table=raw_table(connector)))


def _ensure_load_id_default(conn: psycopg.Connection, connector: Connector) -> None:
    """Tables created by earlier versions get the ``load_id`` default and collation (ALTER only when missing)."""
    rows = conn.execute(
        "SELECT table_schema, column_default IS NULL, coalesce(collation_name, '') <> 'C' "
        "FROM information_schema.columns WHERE table_schema IN ('raw', 'staging') "
        "AND table_name = %s AND column_name = 'load_id'",
        (connector.name,),
    ).fetchall()
    for schema, no_default, not_c in rows:
        table = raw_table(connector) if schema == "raw" else staging_table(connector)
        if no_default:
            conn.execute(
                sql.SQL("ALTER TABLE {} ALTER COLUMN load_id SET DEFAULT {}").format(table, sql.SQL(_LOAD_ID_DEFAULT))
            )
        if not_c:  # no table rewrite (same type); the BRIN index is rebuilt
            conn.execute(sql.SQL('ALTER TABLE {} ALTER COLUMN load_id TYPE text COLLATE "C"').format(table))
