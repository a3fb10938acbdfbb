"""``ops.access_log``: every read of unmasked ``pii_*`` / ``financial`` values through crmhub.

Interactive reads (CLI, console, API) go through :func:`read_unmasked`, i.e. ``secure.unmask()``, which
checks the caller's role and logs inside PostgreSQL. Tasks that export unmasked values (reverse ETL to
the CRM, a mart other tools read) already hold the app role's table access; they call
:func:`record_access` once per export so the log stays complete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

import psycopg
from psycopg.types.json import set_json_loads

from crmhub.exceptions import CrmHubError
from crmhub.warehouse.connection import committing

VIAS = ("cli", "api", "console", "task", "sql")
_exact_json = partial(json.loads, parse_float=Decimal)


class AccessDenied(CrmHubError):
    """PostgreSQL refused an unmasked read (role without the class, unknown column, no reason)."""


@dataclass(frozen=True)
class AccessRow:
    access_id: int
    read_at: datetime
    who: str
    db_role: str
    via: str
    table_name: str
    fields: list[str]
    classes: list[str]
    row_count: int
    reason: str


def _who(conn: psycopg.Connection, who: str | None, via: str) -> None:
    if via not in VIAS:
        raise ValueError(f"via must be one of {', '.join(VIAS)}, not {via!r}")
    conn.execute("SELECT set_config('crmhub.actor', %s, true), set_config('crmhub.via', %s, true)", (who or "", via))


def read_unmasked(target: str | psycopg.Connection, table: str, columns: list[str], reason: str, *,
                  who: str | None = None, via: str = "cli", keys: list[str] | None = None,
                  limit: int = 1000) -> list[dict]:
    """Rows of ``core.<table>`` (key column + ``columns``) unmasked, logged; PostgreSQL refuses other roles."""
    try:
        with committing(target) as conn:
            _who(conn, who, via)
            cur = conn.cursor()
            set_json_loads(_exact_json, cur)  # amounts stay exact (Decimal), never float
            rows = cur.execute("SELECT * FROM secure.unmask(%s, %s, %s, %s, %s)",
                                (table, list(columns), reason, keys, limit)).fetchall()
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.InvalidParameterValue,
            psycopg.errors.UndefinedColumn) as exc:
        raise AccessDenied(f"unmasked read of core.{table}({', '.join(columns)}) refused: "
                           f"{exc.diag.message_primary}") from exc
    return [r[0] for r in rows]


def record_access(conn: psycopg.Connection, *, who: str, table: str, fields: list[str], classes: list[str],
                  rows: int, reason: str, via: str = "task") -> None:
    """Log an export of unmasked values by a task (in the caller's transaction)."""
    if not reason.strip():
        raise ValueError("an access-log row needs a reason")
    conn.execute(
        """INSERT INTO ops.access_log (who, db_role, via, table_name, fields, classes, row_count, reason)
           VALUES (%s, session_user, %s, %s, %s, %s, %s, %s)""",
        (who, via, table, list(fields), list(classes), rows, reason),
    )


def list_access(target: str | psycopg.Connection, *, who: str | None = None, since: datetime | None = None,
                limit: int = 100) -> list[AccessRow]:
    """Newest first."""
    with committing(target) as conn:
        rows = conn.execute(
            """SELECT access_id, read_at, who, db_role, via, table_name, fields, classes, row_count, reason
                 FROM ops.access_log
                WHERE (%(who)s::text IS NULL OR who = %(who)s) AND (%(since)s::timestamptz IS NULL OR read_at >= %(since)s)
                ORDER BY read_at DESC, access_id DESC LIMIT %(limit)s""",
            {"who": who, "since": since, "limit": limit},
        ).fetchall()
    return [AccessRow(*r) for r in rows]
