"""Weekly segment latency audit (``ops.segment_latency``): some delays only show up by segment.

Segment = entity type x country x source system. Lag per change = ``changed_at - source_ts`` of each row in
``core.field_changes`` (the per-field view of ``core.change_log``; the source's own timestamp of the change vs.
when crmhub committed it), so the lag is per field and matches source timestamps. The segment of a change comes from the changed core row: an
entity's own type and country; a contact's entity type and its own country (else its entity's); a
commitment's, interaction's or deal's entity. Rows without an entity are type ``unknown``; no country is
``??``. Changes without ``source_ts`` are ignored.

For the ``top_n`` segments by number of changes in the week (the biggest: "top segments"), one row for the
segment itself (``field`` = :data:`ALL_FIELDS`, all its changes: the seed's "weekly latency deltas on top
segments") and one per field changed in it (the seed's audit table is per segment and field): number of
changes, median lag, the SLA (the one whose ``from`` is the source system, see ``crmhub.health.sla``), SLA
met % (changes with lag <= freshness), the previous week's median and the freshness delta
``|median - previous median| / previous median * 100`` (target < 15 %), and an action. The KPI "segment
freshness delta" is the worst segment row's delta (``crmhub.kpi.metrics.segment_delta``).

The delta is computed only when the row has at least :data:`MIN_CHANGES_FOR_DELTA` changes in both weeks;
otherwise it stays NULL and the action says so. A median of a handful of changes is not a measurement
of the segment's freshness: with 3 changes one late or re-applied change moves it by orders of magnitude, and
nobody pages an owner on that. The row (changes, median, SLA met %) is still written, and a median over SLA
still asks for a rerun whatever the count.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg.rows import dict_row

from crmhub import clock
from crmhub.config.integration_map import duration_seconds
from crmhub.health.sla import DEFAULT_TARGET_PCT, week_start

FRESHNESS_DELTA_MAX_PCT = 15.0
#: ``field`` of a segment's own row: all its changes, whatever the field (the segment's median lag and delta).
ALL_FIELDS = "*"
#: Changes a segment (or segment x field) needs in each of the two weeks for its week-over-week median to be compared
#: (the usual rule of thumb for a sample large enough to compare two weeks; fixed before any simulation).
MIN_CHANGES_FOR_DELTA = 30

#: The lag of each change of the week (``entity_type, country, source_system, field, lag_min, sla_min,
#: changed_at``), as the CTE ``lags``: the audit's medians and a segment's latest changes read the same rows.
_LAGS_CTE = """
WITH seg AS (
    SELECT 'entity'::text AS core_table, e.crmhub_id, e.entity_type, e.country::text AS country FROM core.entity e
    UNION ALL
    SELECT 'contact', c.crmhub_id, e.entity_type, coalesce(c.country, e.country)::text
    FROM core.contact c LEFT JOIN core.entity e ON e.crmhub_id = c.entity_id
    UNION ALL
    SELECT 'commitment', m.crmhub_id, e.entity_type, e.country::text
    FROM core.commitment m LEFT JOIN core.entity e ON e.crmhub_id = m.entity_id
    UNION ALL
    SELECT 'interaction', i.crmhub_id, e.entity_type, coalesce(c.country, e.country)::text
    FROM core.interaction i LEFT JOIN core.contact c ON c.crmhub_id = i.contact_id
         LEFT JOIN core.entity e ON e.crmhub_id = coalesce(i.entity_id, c.entity_id)
    UNION ALL
    SELECT 'deal', d.crmhub_id, e.entity_type, e.country::text
    FROM core.deal d LEFT JOIN core.entity e ON e.crmhub_id = d.company_id
),
lags AS (
    SELECT coalesce(s.entity_type, 'unknown') AS entity_type, coalesce(s.country, '??') AS country,
           cl.source_system, cl.core_table || '.' || cl.field AS field,
           greatest(0, extract(epoch FROM cl.changed_at - cl.source_ts) / 60.0) AS lag_min,
           (%(slas)s::jsonb ->> cl.source_system)::double precision AS sla_min, cl.changed_at
    FROM core.field_changes cl
    LEFT JOIN seg s ON s.core_table = cl.core_table AND s.crmhub_id = cl.crmhub_id
    WHERE cl.source_ts IS NOT NULL AND cl.changed_at >= %(start)s AND cl.changed_at < %(end)s
)
"""

_SEGMENT_SQL = _LAGS_CTE + """
SELECT entity_type, country, source_system,
       CASE WHEN grouping(field) = 1 THEN %(all_fields)s ELSE field END AS field, count(*) AS changes,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_min) AS median_lag_min,
       max(sla_min) AS sla_min,
       100.0 * count(*) FILTER (WHERE lag_min <= sla_min) / count(*) AS sla_met_pct
FROM lags GROUP BY GROUPING SETS ((entity_type, country, source_system, field), (entity_type, country, source_system))
"""

#: The changes of one source system in the week since a time, per segment x field, newest first.
_SINCE_SQL = _LAGS_CTE + """
SELECT entity_type, country, field, changed_at, lag_min, sla_min
  FROM lags WHERE source_system = %(system)s AND changed_at >= %(since)s
 ORDER BY entity_type, country, field, changed_at DESC, lag_min DESC
"""


def _system_slas(imap) -> dict[str, tuple[str, float]]:
    out: dict[str, tuple[str, float]] = {}
    for sla in imap.slas.values():
        out.setdefault(sla["from"], (sla["name"], duration_seconds(sla["freshness"]) / 60.0))
    return out


def _week_bounds(week: date) -> tuple[datetime, datetime]:
    start = datetime(week.year, week.month, week.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


def _groups(conn: psycopg.Connection, week: date, slas: dict[str, tuple[str, float]]) -> list[dict]:
    start, end = _week_bounds(week)
    minutes = json.dumps({system: m for system, (_, m) in slas.items()})
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(_SEGMENT_SQL, {"slas": minutes, "start": start, "end": end,
                                      "all_fields": ALL_FIELDS}).fetchall()


def over_sla(row: dict) -> bool:
    """The segment (x field)'s median lag is over its source's SLA: the audit's rerun, the incident's cause."""
    return row["sla_min"] is not None and row["median_lag_min"] > row["sla_min"]


def system_lags(conn: psycopg.Connection, imap, systems: list[str], week: date) -> dict[str, list[dict]]:
    """Every segment x field of each source of ``systems`` in the ISO week containing ``week``, not only the top
    segments the audit keeps (``{system: [{entity_type, country, field, changes, median_lag_min, sla_min}]}``, one
    query for all): the evidence that a source's segments are back under its SLA (``crmhub.ops.closeout``)."""
    out: dict[str, list[dict]] = {s: [] for s in systems}
    for r in _groups(conn, week_start(week), _system_slas(imap)):
        if r["source_system"] in out and r["field"] != ALL_FIELDS:
            out[r["source_system"]].append({**r, "median_lag_min": float(r["median_lag_min"])})
    for rows in out.values():
        rows.sort(key=lambda r: (r["entity_type"], r["country"], r["field"]))
    return out


def changes_since(conn: psycopg.Connection, imap, system: str, week: date, since: datetime | None
                  ) -> dict[tuple, list[dict]]:
    """The changes of source ``system`` in the ISO week containing ``week`` written at or after ``since`` (None:
    the whole week), newest first: ``{(entity_type, country, field): [{"changed_at", "lag_min", "on_time"}]}``
    (on time: lag within the source's SLA). What a segment's lag is now, whatever its median over the week."""
    start, end = _week_bounds(week_start(week))
    minutes = json.dumps({s: m for s, (_, m) in _system_slas(imap).items()})
    out: dict[tuple, list[dict]] = {}
    for r in conn.cursor(row_factory=dict_row).execute(_SINCE_SQL, {"slas": minutes, "start": start, "end": end,
                                                                    "system": system, "since": since or start}):
        lag = float(r["lag_min"])
        out.setdefault((r["entity_type"], r["country"], r["field"]), []).append(
            {"changed_at": r["changed_at"], "lag_min": lag,
             "on_time": r["sla_min"] is not None and lag <= r["sla_min"]})
    return out


def action_for(row: dict, target_pct: float = DEFAULT_TARGET_PCT) -> str:
    """What to do about a segment (x field): pass, watch, investigate, rerun, or define an SLA."""
    if row["sla_min"] is None:
        return f"define an SLA for source {row['source_system']}"
    if over_sla(row):
        return "rerun/backfill and page the owner (median lag over SLA)"
    if row["sla_met_pct"] < target_pct:
        return f"investigate tail latency (SLA met {row['sla_met_pct']:.0f} % < {target_pct:.0f} %)"
    delta = row.get("freshness_delta_pct")
    if delta is not None and delta >= FRESHNESS_DELTA_MAX_PCT:
        return f"watch: median lag swung {delta:.0f} % week over week"
    if delta is None and row.get("prev_median_lag_min") is not None:
        return (f"pass (too few changes to compare weeks: {row['changes']} this week, {row.get('prev_changes')} "
                f"last week, < {MIN_CHANGES_FOR_DELTA})")
    return "pass"


def freshness_delta(median: float, prev: float | None, changes: int, prev_changes: int) -> float | None:
    """``|median - prev| / prev * 100``; None without a previous week or with fewer than
    :data:`MIN_CHANGES_FOR_DELTA` changes in either week."""
    if prev is None or min(changes, prev_changes) < MIN_CHANGES_FOR_DELTA:
        return None
    if prev > 0:
        return round(abs(median - prev) / prev * 100.0, 3)
    return 0.0 if median == 0 else 100.0


def audit_segments(conn: psycopg.Connection, imap, week: date | None = None, *, top_n: int = 5) -> list[dict]:
    """Compute and upsert the audit for the ISO week containing ``week`` (default: this week)."""
    week = week_start(week or clock.now())
    slas = _system_slas(imap)
    current = _groups(conn, week, slas)
    previous = {
        (r["entity_type"], r["country"], r["source_system"], r["field"]): (r["median_lag_min"], r["changes"])
        for r in _groups(conn, week - timedelta(days=7), slas)
    }
    sizes = {(r["entity_type"], r["country"], r["source_system"]): r["changes"]
             for r in current if r["field"] == ALL_FIELDS}
    top = {k for k, _ in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]}
    # the week's audit is replaced, not added to: a segment that was in the top 5 on Tuesday and is not now
    # (or a field no longer changed) must not keep its Tuesday row, which the KPI and the causes would read
    conn.execute("DELETE FROM ops.segment_latency WHERE week_start = %s", (week,))
    out = []
    for row in sorted(current, key=lambda r: (r["entity_type"], r["country"], r["source_system"], r["field"])):
        if (row["entity_type"], row["country"], row["source_system"]) not in top:
            continue
        prev, prev_changes = previous.get((row["entity_type"], row["country"], row["source_system"], row["field"]),
                                          (None, 0))
        median = float(row["median_lag_min"])
        rec = {
            **row,
            "week_start": week,
            "median_lag_min": median,
            "sla": slas.get(row["source_system"], (None, None))[0],
            "sla_met_pct": float(row["sla_met_pct"]) if row["sla_min"] is not None else None,
            "prev_median_lag_min": float(prev) if prev is not None else None,
            "prev_changes": prev_changes,
            "freshness_delta_pct": freshness_delta(median, prev, row["changes"], prev_changes),
        }
        rec["action"] = action_for(rec)
        conn.execute(
            """INSERT INTO ops.segment_latency (week_start, entity_type, country, source_system, field, changes,
                   median_lag_min, sla, sla_min, sla_met_pct, prev_median_lag_min, freshness_delta_pct, action)
               VALUES (%(week_start)s, %(entity_type)s, %(country)s, %(source_system)s, %(field)s, %(changes)s,
                   %(median_lag_min)s, %(sla)s, %(sla_min)s, %(sla_met_pct)s, %(prev_median_lag_min)s,
                   %(freshness_delta_pct)s, %(action)s)
               ON CONFLICT (week_start, entity_type, country, source_system, field) DO UPDATE SET
                   changes = EXCLUDED.changes, median_lag_min = EXCLUDED.median_lag_min, sla = EXCLUDED.sla,
                   sla_min = EXCLUDED.sla_min, sla_met_pct = EXCLUDED.sla_met_pct,
                   prev_median_lag_min = EXCLUDED.prev_median_lag_min,
                   freshness_delta_pct = EXCLUDED.freshness_delta_pct, action = EXCLUDED.action, computed_at = now()""",
            rec,
        )
        out.append(rec)
    return out
