"""``raw.<connector>`` and ``staging.<connector>``: created (and widened) from the connector's contract.

Connectors are configuration, so their landing tables are derived, not migrated:

* ``raw.<connector>``: append-only, every contracted field as ``text`` plus ``load_id``, ``locator``
  (``file:line`` or API cursor), ``row_no`` (position in the load), ``received_at``, ``deleted`` (the
  source's delete marker) and ``raw_record`` (the record's text when it could not be split into columns).
* ``staging.<connector>``: the rows that passed their contract, typed (see ``contracts.types.PG_TYPES``),
  plus ``load_id``, ``locator``, ``row_no``, ``confidence``, ``deleted``.

``load_id`` defaults to the transaction-local setting ``crmhub.load_id`` (the loader sets it with
``set_config(..., true)`` at the start of the load's transaction), so the per-load constants -
``load_id``, ``received_at`` (``now()``: the transaction's start) and ``deleted`` (false unless the
source marks deletes) - are filled by PostgreSQL instead of being sent with every row.

A field added to the contract later becomes a new nullable column (``ADD COLUMN IF NOT EXISTS``).
Both tables are append-only and written one load at a time, so ``load_id`` gets a BRIN index (tiny,
cheap to maintain on COPY) rather than a btree. ``load_id`` is ``COLLATE "C"``: the BRIN summary is
updated for every inserted row, and byte comparison costs about half of a locale comparison there
(measured: the index was ~20 % of the raw COPY's server time with the database's ``C.UTF-8``).
Equality, and the order of ASCII load ids, are the same under both collations.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from crmhub.config.integration_map import Connector
from crmhub.contracts.check import _type_for
from crmhub.contracts.types import pg_type
from crmhub.exceptions import ConfigError

RAW_META = ("load_id", "locator", "row_no", "received_at", "deleted", "raw_record")
STAGING_META = ("load_id", "locator", "row_no", "confidence", "deleted")
LOAD_ID_SETTING = "crmhub.load_id"
_LOAD_ID_DEFAULT = f"current_setting('{LOAD_ID_SETTING}')"
_META_TYPES = {
    "load_id": "text", "locator": "text", "row_no": "bigint", "received_at": "timestamptz", "deleted": "boolean",
    "raw_record": "text", "confidence": "numeric(5, 2)",
}


def raw_types(connector: Connector) -> dict[str, str]:
    """Column -> PostgreSQL type of ``raw.<connector>`` (every field is text)."""
    return {**_META_TYPES, **{name: "text" for name in connector.field_names}}


def staging_types(connector: Connector) -> dict[str, str]:
    """Column -> PostgreSQL type of ``staging.<connector>``."""
    return {**_META_TYPES, **{f.name: pg_type(_type_for(f)) for f in connector.fields}}


def set_load_id(conn: psycopg.Connection, load_id: str) -> None:
    """Make ``load_id`` the default of both tables' ``load_id`` for the current transaction."""
    conn.execute("SELECT set_config(%s, %s, true)", (LOAD_ID_SETTING, load_id))


def raw_table(connector: Connector) -> sql.Composed:
    return sql.SQL("raw.{}").format(sql.Identifier(connector.name))


def staging_table(connector: Connector) -> sql.Composed:
    return sql.SQL("staging.{}").format(sql.Identifier(connector.name))


def ensure_tables(conn: psycopg.Connection, connector: Connector) -> None:
    """Create/widen both tables for ``connector`` (idempotent; runs inside the caller's transaction)."""
    clash = set(connector.field_names) & (set(RAW_META) | set(STAGING_META))
    if clash:
        raise ConfigError(
            "integration map",
            [(f"connectors.{connector.name}.fields", f"field name(s) {sorted(clash)} are reserved loader columns")],
        )
    raw, stg = raw_table(connector), staging_table(connector)
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (load_id text COLLATE \"C\" NOT NULL DEFAULT {}, locator text NOT NULL, "
            "row_no bigint NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), "
            "deleted boolean NOT NULL DEFAULT false, raw_record text)"
        ).format(raw, sql.SQL(_LOAD_ID_DEFAULT))
    )
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
        conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} text").format(raw, col))
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}").format(
                stg, col, sql.SQL(pg_type(_type_for(contract)))
            )
        )
    for table, schema in ((raw, "raw"), (stg, "staging")):
        conn.execute(
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING brin (load_id)").format(
                sql.Identifier(f"{connector.name}_{schema}_load_idx"), table
            )
        )


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
