"""The identity-hold rule, in one place: which records are held and must not be routed.

A record is **held** when its Identity_Confidence is below :data:`HOLD_THRESHOLD` (60) or its identity
has an open row in ``ops.identity_holds`` (a hold is released only by a resolution run that scores the
identity 60 or more; there is no override). Reverse ETL, outreach, the identity gate (sensor and
trigger) and the review console all ask this module:

* :data:`HOLD_THRESHOLD` — the floor (60).
* :func:`open_hold_sql` / :func:`held_sql` — SQL predicates over a core row alias, for queries that
  filter many rows at once (outreach's audience, the gate's poll).
* :func:`held_records` — ``{crmhub_id: reason}`` for the given ids of one core table (reverse ETL).
* :func:`is_held` — one identity, following merges (the survivor's hold counts).
"""

from __future__ import annotations

import psycopg

HOLD_THRESHOLD = 60.0


def open_hold_sql(alias: str) -> str:
    """``EXISTS`` predicate: the row ``alias`` has an unreleased ``ops.identity_holds`` row."""
    return (f"EXISTS (SELECT 1 FROM ops.identity_holds h WHERE h.crmhub_id = {alias}.crmhub_id "
            "AND h.released_at IS NULL)")


def held_sql(alias: str, *, confidence: str | None = None) -> str:
    """Predicate: the core row ``alias`` is held (confidence below 60 or an open hold).

    ``confidence`` is the SQL expression of the score (default ``{alias}.confidence``).
    """
    score = confidence or f"{alias}.confidence"
    return f"({score} < {HOLD_THRESHOLD:g} OR {open_hold_sql(alias)})"


def held_records(conn: psycopg.Connection, core_table: str, ids: list[str]) -> dict[str, str]:
    """crmhub id -> reason for every id of ``core.<core_table>`` that is held (must not be pushed or mailed)."""
    if not ids:
        return {}
    held: dict[str, str] = {}
    rows = conn.execute(
        f"SELECT crmhub_id::text, confidence FROM core.{core_table} WHERE crmhub_id = ANY(%s::uuid[]) "
        "AND confidence < %s", (ids, HOLD_THRESHOLD)).fetchall()
    for cid, conf in rows:
        held[cid] = f"identity confidence {float(conf):g} < {HOLD_THRESHOLD:g}"
    rows = conn.execute(
        "SELECT crmhub_id::text, max(reason) FROM ops.identity_holds WHERE crmhub_id = ANY(%s::uuid[]) "
        "AND released_at IS NULL GROUP BY crmhub_id", (ids,)).fetchall()
    for cid, reason in rows:
        held.setdefault(cid, f"open identity hold: {reason}")
    return held


def is_held(conn: psycopg.Connection, kind: str, crmhub_id: str, survivor: str | None = None) -> bool:
    """True when the identity (or ``survivor``, the identity it was merged into) has an open hold."""
    return conn.execute(
        "SELECT EXISTS (SELECT 1 FROM ops.identity_holds WHERE kind = %s AND released_at IS NULL "
        "AND crmhub_id = ANY(%s::uuid[]))", (kind, [crmhub_id, survivor or crmhub_id])).fetchone()[0]
