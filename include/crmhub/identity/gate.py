"""The identity gate that ``IdentityConfidenceSensor`` polls: do the records a task will touch meet the floor?

Two forms:

* **Records** (``crmhub_ids``): pass when every listed record has Identity_Confidence >= ``floor`` and no open
  hold. Held records wait for enrichment; there is no override.
* **Scope** (no ids): pass when identity resolution of ``kind`` ran within ``max_age_minutes`` and at most
  ``max_held_pct`` % of live records are on hold. (Held records themselves are still never pushed or mailed:
  the reverse ETL and outreach engines drop them record by record.)

The SQL is shared by the sync check and the trigger's async poll so both decide the same way.
"""

from __future__ import annotations

from typing import Any

import psycopg

from crmhub.identity.holds import HOLD_THRESHOLD, open_hold_sql

FLOOR = HOLD_THRESHOLD
TABLES = {"contact": "contact", "org": "entity"}

RECORDS_SQL = """
SELECT t.crmhub_id::text,
       coalesce(ic.score, t.confidence)::float AS score,
       {held} AS held
  FROM core.{table} t
  LEFT JOIN ops.identity_confidence ic ON ic.kind = %(kind)s AND ic.crmhub_id = t.crmhub_id
 WHERE t.crmhub_id = ANY(%(ids)s::uuid[])
"""

SCOPE_SQL = """
SELECT (SELECT max(finished_at) FROM ops.identity_runs WHERE kind = %(kind)s) AS last_run,
       now() AS now,
       (SELECT count(*) FROM core.{table} WHERE deleted_at IS NULL) AS live,
       (SELECT count(*) FROM ops.identity_holds h JOIN core.{table} t ON t.crmhub_id = h.crmhub_id
         WHERE h.kind = %(kind)s AND h.released_at IS NULL AND t.deleted_at IS NULL) AS held
"""


def query(kind: str, crmhub_ids: list[str] | None) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters for one poll."""
    if kind not in TABLES:
        raise ValueError(f"kind must be one of {sorted(TABLES)}, got {kind!r}")
    if crmhub_ids:
        return (RECORDS_SQL.format(table=TABLES[kind], held=open_hold_sql("t")),
                {"kind": kind, "ids": list(crmhub_ids)})
    return SCOPE_SQL.format(table=TABLES[kind]), {"kind": kind}


def verdict(kind: str, rows: list[tuple], *, crmhub_ids: list[str] | None, floor: float = FLOOR,
            max_held_pct: float = 0.0, max_age_minutes: float | None = None) -> dict:
    """Decide from the rows of :func:`query`; ``{"passed", "reason", ...}`` (JSON-safe)."""
    if crmhub_ids:
        found = {r[0]: (r[1], r[2]) for r in rows}
        missing = sorted(set(crmhub_ids) - set(found))
        below = sorted(i for i, (score, held) in found.items() if held or score is None or score < floor)
        passed = not missing and not below
        reason = ("all records meet the floor" if passed else
                  f"{len(below)} record(s) below {floor:g} or held, {len(missing)} unknown")
        return {"passed": passed, "reason": reason, "below_floor": below[:50], "missing": missing[:50]}
    last_run, now, live, held = rows[0]
    held_pct = 100.0 * held / live if live else 0.0
    age_min = (now - last_run).total_seconds() / 60 if last_run else None
    if last_run is None:
        return {"passed": False, "reason": f"identity resolution of {kind} has never run", "held_pct": held_pct}
    if max_age_minutes is not None and age_min > max_age_minutes:
        return {"passed": False, "reason": f"last {kind} resolution {age_min:.0f} min ago > {max_age_minutes:g}",
                "held_pct": held_pct}
    passed = held_pct <= max_held_pct
    return {"passed": passed, "held_pct": round(held_pct, 2), "held": held, "live": live,
            "reason": f"{held} of {live} {kind} records held ({held_pct:.1f} %, limit {max_held_pct:g} %)"}


def check(url: str, kind: str, *, crmhub_ids: list[str] | None = None, floor: float = FLOOR,
          max_held_pct: float = 0.0, max_age_minutes: float | None = None) -> dict:
    """One synchronous poll (the sensor's ``poke``)."""
    sql, params = query(kind, crmhub_ids)
    with psycopg.connect(url) as conn:
        rows = conn.execute(sql, params).fetchall()
    return verdict(kind, rows, crmhub_ids=crmhub_ids, floor=floor, max_held_pct=max_held_pct,
                   max_age_minutes=max_age_minutes)
