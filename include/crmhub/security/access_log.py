"""``ops.access_log``: every read of unmasked ``pii_*`` / ``financial`` values through crmhub.

Interactive reads of core values (``crmhub security unmask``) go through :func:`read_unmasked`, i.e.
``secure.unmask()``, which checks the caller's role and logs inside PostgreSQL. Code that shows or exports
unmasked values with the app role's table access calls :func:`record_access` once per read: the console's
review page, ``crmhub review list|show``, each reverse-ETL run that pushed values and each rollback that put
earlier values back, each outreach batch handed to SMTP (docs/security.md lists the sites).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import partial

import psycopg
from psycopg.types.json import set_json_loads

from crmhub.exceptions import CrmHubError
from crmhub.warehouse.connection import borrowed, committing

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


#: Name hints for fields that are neither a classified core column nor named like one (mart columns, review
#: records, rendered messages): a name containing a hint is taken to hold that class. Unknown = internal.
NAME_HINTS = (("pii_tax", ("tax", "ssn")),
              ("financial", ("amount", "commitment", "committed", "iban", "account", "balance")),
              ("pii_contact", ("email", "phone", "mobile", "birth", "address", "street", "postcode",
                               "first_name", "last_name", "full_name")))
_SENSITIVE = ("pii_tax", "financial", "pii_contact")


def _field_classes(conn: psycopg.Connection, table: str, fields: list[str]) -> dict[str, str]:
    """Class per field: ``core.<table>``'s column, else the most sensitive core column of that name, else the name."""
    rows = conn.execute(
        """SELECT f, coalesce(
                    (SELECT d.data_class FROM ops.data_classes d WHERE d.table_name = %s AND d.column_name = f),
                    (SELECT d.data_class FROM ops.data_classes d WHERE d.column_name = f
                      ORDER BY array_position(%s::text[], d.data_class) NULLS LAST LIMIT 1))
             FROM unnest(%s::text[]) AS f""", (table, list(_SENSITIVE), fields)).fetchall()
    out = {}
    for name, cls in rows:
        low = name.lower()
        out[name] = cls or next((c for c, hints in NAME_HINTS if any(h in low for h in hints)), "internal")
    return out


def record_access(target: str | psycopg.Connection, *, who: str, table: str, fields: Iterable[str], rows: int,
                  reason: str, via: str = "task") -> bool:
    """Log one read of unmasked values that does not go through ``secure.unmask()``: a console page, a CLI
    listing, an export to the CRM, a rendered message. Call it once per read, after the read.

    ``fields`` are the names shown or exported; only the ``pii_*`` / ``financial`` ones are logged (class from
    ``ops.data_classes``: the column of ``table``, else the most sensitive core column of that name, else
    :data:`NAME_HINTS`). A read of no row or of no sensitive field writes nothing; returns whether it wrote.
    On a connection the row joins the caller's transaction; on a URL it is committed at once.
    """
    if via not in VIAS:
        raise ValueError(f"via must be one of {', '.join(VIAS)}, not {via!r}")
    if not reason.strip():
        raise ValueError("an access-log row needs a reason")
    names = list(dict.fromkeys(str(f) for f in fields))
    if rows <= 0 or not names:
        return False
    with borrowed(target) as conn:
        classes = _field_classes(conn, table, names)
        sensitive = [f for f in names if classes[f] in _SENSITIVE]
        if sensitive:
            conn.execute(
                """INSERT INTO ops.access_log (who, db_role, via, table_name, fields, classes, row_count, reason)
                   VALUES (%s, session_user, %s, %s, %s, %s, %s, %s)""",
                (who, via, table, sensitive, [classes[f] for f in sensitive], rows, reason))
        if isinstance(target, str):
            conn.commit()
    return bool(sensitive)


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
