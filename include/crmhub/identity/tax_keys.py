"""Identity's tax-id rule for SQL: ``core.tax_key`` holds the key of every tax id core holds.

SQL cannot run :func:`crmhub.identity.normalize.normalize_tax_id`, and a second rule written in SQL would
drift from it ("US 12-3456789" and "12-3456789" are one tax id to identity resolution, two to a
separator-stripping ``regexp_replace``). So the key is stored: one ``core.tax_key`` row per distinct value of
the core columns a contract field of ``type: tax_id`` targets (:func:`tax_id_columns`: today
``core.entity.tax_id`` and ``core.commitment.billing_tax_id``), with

* ``tax_key`` — ``normalize_tax_id`` of the value; NULL when the value can never link (a placeholder such as
  ``000000000`` or ``N/A``, or fewer than five characters);
* ``rule`` — :data:`RULE`, the version of the rule that computed it (a hash of the normalisation module).

A query joins a tax-id column to ``core.tax_key`` on ``tax_id`` and compares ``tax_key``. :func:`refresh`
brings the table up to date with core, whoever wrote the values (a load, a revert, a hand fix): a value
without a row, or with a row of another rule version, is computed (again); a row whose value no tax-id
column holds any more is deleted, so the table keeps no copy of a tax id core has dropped. The reverse-ETL
engine refreshes it before it reads a model that reads ``core.tax_key``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from crmhub.config import IntegrationMap, load_integration_map
from crmhub.exceptions import CrmHubError
from crmhub.identity import normalize
from crmhub.identity.normalize import normalize_tax_id

TABLE = "core.tax_key"
#: Version of the tax-id rule: any change to the normalisation module recomputes every stored key once.
RULE = hashlib.sha256(Path(normalize.__file__).read_bytes()).hexdigest()[:16]
_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('crmhub.tax_key'))"


@dataclass(frozen=True)
class RefreshResult:
    computed: int      # values given a key (new ones, or ones stored under another rule version)
    deleted: int       # rows of values no tax-id column holds any more


def tax_id_columns(imap: IntegrationMap | None = None) -> list[tuple[str, str]]:
    """``(table, column)`` of every core column a contract field of type ``tax_id`` targets, sorted."""
    imap = imap or load_integration_map()
    return sorted({tuple(f.target.split(".", 1)) for c in imap.connectors for f in c.fields
                   if f.type == "tax_id" and f.target and "." in f.target})


def _existing(conn: psycopg.Connection, columns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``columns`` core has (a target the warehouse lacks is skipped, as the load skips it)."""
    present = set(conn.execute(
        "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'core' AND a.attnum > 0 "
        "AND NOT a.attisdropped").fetchall())
    return [c for c in columns if c in present]


def refresh(conn: psycopg.Connection, imap: IntegrationMap | None = None) -> RefreshResult:
    """Bring ``core.tax_key`` up to date with core's tax-id columns (in the caller's transaction).

    Costs one anti-join per tax-id column, plus ``normalize_tax_id`` for each value that needs a key (every
    value once after the rule changed). Concurrent refreshes take turns (a transaction-scoped advisory lock).
    """
    if conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is None:
        raise CrmHubError(f"{TABLE} does not exist: run `crmhub db upgrade` (migration 0054 creates it)")
    columns = _existing(conn, tax_id_columns(imap))
    if not columns:
        return RefreshResult(0, 0)
    conn.execute(_LOCK_SQL)
    held = sql.SQL(" UNION ").join(
        sql.SQL("SELECT {c} AS tax_id FROM core.{t} WHERE {c} IS NOT NULL").format(t=sql.Identifier(t),
                                                                                   c=sql.Identifier(c))
        for t, c in columns)
    todo = [v for (v,) in conn.execute(
        sql.SQL("SELECT v.tax_id FROM ({held}) v LEFT JOIN core.tax_key k ON k.tax_id = v.tax_id "
                "WHERE k.rule IS DISTINCT FROM %s ORDER BY 1").format(held=held), (RULE,)).fetchall()]
    if todo:
        conn.execute(
            "INSERT INTO core.tax_key (tax_id, tax_key, rule) SELECT v, k, %s FROM unnest(%s::text[], %s::text[]) "
            "AS u(v, k) ON CONFLICT (tax_id) DO UPDATE SET tax_key = EXCLUDED.tax_key, rule = EXCLUDED.rule",
            (RULE, todo, [normalize_tax_id(v) for v in todo]))
    gone = sql.SQL(" AND ").join(
        sql.SQL("NOT EXISTS (SELECT 1 FROM core.{t} x WHERE x.{c} = k.tax_id)").format(t=sql.Identifier(t),
                                                                                        c=sql.Identifier(c))
        for t, c in columns)
    deleted = conn.execute(sql.SQL("DELETE FROM core.tax_key k WHERE {}").format(gone)).rowcount
    return RefreshResult(len(todo), deleted)


def reads_tax_keys(model_sql: str) -> bool:
    """True when a query reads ``core.tax_key`` (its reader refreshes the table first)."""
    return TABLE in model_sql
