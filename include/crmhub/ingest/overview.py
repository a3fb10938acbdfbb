"""Read model of connectors for people: freeze state, last load counts, quarantine reasons, parked drift.

Used by the operations console and ``crmhub connector status``. Quarantine samples go through
:func:`crmhub.contracts.masking.mask_value` again even though sensitive values are masked when stored:
nothing unmasked reaches a page.
"""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row

from crmhub.contracts.masking import mask_value

SAMPLES_PER_REASON = 3


def connector_states(conn: psycopg.Connection) -> dict[str, dict]:
    """``{connector: ops.connector_state row}`` for every connector ever frozen."""
    rows = conn.cursor(row_factory=dict_row).execute(
        "SELECT connector, frozen, reason, frozen_at, frozen_by, released_at, released_by FROM ops.connector_state"
    ).fetchall()
    return {r["connector"]: r for r in rows}


def last_loads(conn: psycopg.Connection) -> dict[str, dict]:
    """The newest load of every connector with its counts (``rows_read = loaded + quarantined + rejected``)."""
    rows = conn.cursor(row_factory=dict_row).execute(
        """SELECT DISTINCT ON (connector) connector, load_id, origin, status, rows_read, loaded, quarantined, rejected,
                  started_at, finished_at, error
           FROM ops.loads ORDER BY connector, started_at DESC, load_id DESC"""
    ).fetchall()
    return {r["connector"]: r for r in rows}


def quarantine_reasons(conn: psycopg.Connection, load_id: str, *, samples: int = SAMPLES_PER_REASON) -> list[dict]:
    """Reasons records of ``load_id`` were quarantined, most frequent first, with masked sample values."""
    rows = conn.cursor(row_factory=dict_row).execute(
        """SELECT field, rule, reason, count(*) AS records,
                  (array_agg(value ORDER BY id) FILTER (WHERE value IS NOT NULL))[1:%s] AS samples
           FROM ops.quarantine WHERE load_id = %s
           GROUP BY field, rule, reason ORDER BY records DESC, field NULLS FIRST, rule""",
        (samples, load_id),
    ).fetchall()
    for r in rows:
        r["samples"] = [mask_value(v) for v in (r["samples"] or [])]
    return rows


def parked_batches(conn: psycopg.Connection, connector: str | None = None) -> list[dict]:
    """Batches parked by schema drift and not yet released, with their diff ``{added, missing, retyped}``."""
    return conn.cursor(row_factory=dict_row).execute(
        """SELECT id, connector, load_id, origin, diff, rows, created_at FROM ops.parked_events
           WHERE released_at IS NULL AND (%(c)s::text IS NULL OR connector = %(c)s) ORDER BY created_at, id""",
        {"c": connector},
    ).fetchall()


def connector_overview(conn: psycopg.Connection, names: list[str]) -> list[dict]:
    """One row per connector of ``names`` (the map's connectors), plus any other connector with state or loads."""
    states, loads = connector_states(conn), last_loads(conn)
    parked = parked_batches(conn)
    every = list(dict.fromkeys([*names, *sorted(states), *sorted(loads)]))
    out = []
    for name in every:
        state, load = states.get(name), loads.get(name)
        out.append({
            "connector": name,
            "frozen": bool(state and state["frozen"]),
            "state": state,
            "last_load": load,
            "quarantine": quarantine_reasons(conn, load["load_id"]) if load and load["quarantined"] else [],
            "parked": [p for p in parked if p["connector"] == name],
        })
    return out
