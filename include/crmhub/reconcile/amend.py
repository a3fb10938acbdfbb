"""Frozen critical fields: the audit trail of deltas and the only override path, an approved amendment.

Once a commitment or deal reaches the accept stage its ``amount`` is frozen: the core upsert records any
change as a ``pending`` row of ``core.field_deltas`` instead of applying it (``crmhub.ingest.upsert``).
A person then either

* **amends** (:func:`amend`): the value is applied to the core row, ``core.change_log`` gets the change
  (actor = the person, connector ``amendment``) and the delta is ``approved`` (a pending delta with the same
  value is approved; otherwise an approved amendment row is added), or
* **rejects** (:func:`reject`): the delta is ``rejected`` and the core value stays.

Every delta row stays: it is the audit trail (who sent what, when, who decided, why).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from crmhub.exceptions import CrmHubError
from crmhub.ingest.upsert import FROZEN_FIELDS


class AmendmentError(CrmHubError):
    """An amendment or decision cannot be made as asked (unknown row/delta, no reason, already decided)."""


def _need(value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise AmendmentError(f"an amendment needs {what}")
    return str(value).strip()


def amend(conn: psycopg.Connection, table: str, crmhub_id: str, field: str, value: str, *, by: str,
          reason: str) -> dict:
    """Apply ``value`` to a frozen field through an approved amendment (the caller commits).

    Returns:
        The approved ``core.field_deltas`` row (dict).
    """
    by, reason = _need(by, "--by WHO"), _need(reason, "--reason TEXT")
    if field not in FROZEN_FIELDS.get(table, ()):
        frozen = ", ".join(f"{t}.{f}" for t, fs in FROZEN_FIELDS.items() for f in fs)
        raise AmendmentError(f"{table}.{field} is not a frozen critical field; amendments apply to: {frozen}")
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise AmendmentError(f"{table}.{field}: {value!r} is not a number (write e.g. 1250000.00)") from exc
    new = str(number.quantize(Decimal("0.01")))
    I = sql.Identifier  # noqa: E741, N806
    cur = conn.cursor(row_factory=dict_row)
    try:
        row = cur.execute(
            sql.SQL("SELECT crmhub_id, {f}::text AS old FROM core.{t} WHERE crmhub_id = %s FOR UPDATE").format(
                f=I(field), t=I(table)),
            (crmhub_id,),
        ).fetchone()
    except psycopg.errors.InvalidTextRepresentation as exc:
        raise AmendmentError(f"{crmhub_id!r} is not a crmhub id (uuid)") from exc
    if row is None:
        raise AmendmentError(f"no core.{table} row {crmhub_id}")
    cur.execute(sql.SQL("UPDATE core.{t} SET {f} = %s, updated_at = now() WHERE crmhub_id = %s").format(
        t=I(table), f=I(field)), (new, crmhub_id))
    if row["old"] != new:
        cur.execute(
            """INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system,
                                            connector, source_ts, actor)
               VALUES (%s, %s, %s, %s, %s, 'warehouse', 'amendment', now(), %s)""",
            (table, crmhub_id, field, row["old"], new, by),
        )
    pending = cur.execute(
        """UPDATE core.field_deltas SET status = 'approved', decided_by = %s, decided_at = now(), decision_note = %s
            WHERE delta_id = (SELECT delta_id FROM core.field_deltas
                               WHERE core_table = %s AND crmhub_id = %s AND field = %s AND status = 'pending'
                                 AND new_value = %s ORDER BY delta_id LIMIT 1)
           RETURNING *""",
        (by, reason, table, crmhub_id, field, new),
    ).fetchone()
    if pending:
        return pending
    return cur.execute(
        """INSERT INTO core.field_deltas (core_table, crmhub_id, field, old_value, new_value, source, actor,
                                         reason, status, decided_by, decided_at, decision_note)
           VALUES (%s, %s, %s, %s, %s, 'amendment', %s, %s, 'approved', %s, now(), %s) RETURNING *""",
        (table, crmhub_id, field, row["old"], new, by, reason, by, reason),
    ).fetchone()


def get_delta(conn: psycopg.Connection, delta_id: int) -> dict:
    row = conn.cursor(row_factory=dict_row).execute(
        "SELECT * FROM core.field_deltas WHERE delta_id = %s", (delta_id,)).fetchone()
    if row is None:
        raise AmendmentError(f"no field delta {delta_id}; see `crmhub amend list --all`")
    return row


def approve(conn: psycopg.Connection, delta_id: int, *, by: str, reason: str) -> dict:
    """Apply a pending delta's value through an amendment (same audit as :func:`amend`)."""
    delta = get_delta(conn, delta_id)
    if delta["status"] != "pending":
        raise AmendmentError(f"delta {delta_id} is already {delta['status']} by {delta['decided_by']}")
    if delta["new_value"] is None:
        raise AmendmentError(f"delta {delta_id} would clear {delta['field']}; amend with an explicit --value")
    return amend(conn, delta["core_table"], str(delta["crmhub_id"]), delta["field"], delta["new_value"], by=by,
                 reason=reason)


def reject(conn: psycopg.Connection, delta_id: int, *, by: str, reason: str | None = None) -> dict:
    """Reject a pending delta: the core value stays; the delta row keeps who/when/why."""
    by = _need(by, "--by WHO")
    delta = get_delta(conn, delta_id)
    if delta["status"] != "pending":
        raise AmendmentError(f"delta {delta_id} is already {delta['status']} by {delta['decided_by']}")
    return conn.cursor(row_factory=dict_row).execute(
        """UPDATE core.field_deltas SET status = 'rejected', decided_by = %s, decided_at = now(), decision_note = %s
            WHERE delta_id = %s RETURNING *""",
        (by, reason, delta_id),
    ).fetchone()


def list_deltas(conn: psycopg.Connection, *, status: str | None = "pending", table: str | None = None,
                crmhub_id: str | None = None) -> list[dict]:
    """Deltas, oldest first (``status=None``: all)."""
    return conn.cursor(row_factory=dict_row).execute(
        """SELECT * FROM core.field_deltas
            WHERE (%(status)s::text IS NULL OR status = %(status)s)
              AND (%(table)s::text IS NULL OR core_table = %(table)s)
              AND (%(id)s::uuid IS NULL OR crmhub_id = %(id)s::uuid)
            ORDER BY delta_id""",
        {"status": status, "table": table, "id": crmhub_id},
    ).fetchall()
