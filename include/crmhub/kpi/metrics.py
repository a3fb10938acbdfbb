"""One query per rollout KPI, per UTC day over ``[start, end]``, from the tables the DAGs write.

Every function has the shape ``(conn, start, end, imap) -> {day: value | None}`` (``None``: nothing to measure
that day, e.g. no incident was resolved). Definitions (the report prints them next to each chart):

* ``error_rate``: ``100 * Σ(records_failed + api_errors) / Σ(records_total + api_calls)`` over the
  ``ops.sync_runs`` finished that day (backfills excluded, as in the Integration_Health window).
* ``sync_lag``: the median over those runs of each run's ``lag_min_p95``.
* ``recon_delta``: the largest ``|delta_pct|`` over the rules reconciled for that logical date.
* ``sla_met``: per source field changed in the week ending that day (the 7 UTC days up to and including it:
  the map's cadence for SLA Met Rate is weekly; ``core.field_changes``, the per-field view of
  ``core.change_log``, rows with a ``source_ts``; a created record counts for each of its fields), the share of
  changes whose lag ``changed_at - source_ts`` (the field contract's timestamp source) is within the freshness
  of the SLA whose ``from`` is the source system; the KPI is the worst field (the target is "≥ 95 % by field").
* ``contract_coverage``: share of the (connector, core field) pairs changed that day that a field contract of
  that connector in the integration map targets.
* ``mttr``: the map's "Alert MTTR (time to fix)", cadence rolling: mean hours from ``opened_at`` to the time
  crmhub first saw the incident fixed (:data:`crmhub.health.incidents.TIME_TO_FIX_SQL`: ``recovered_at``, else
  ``resolved_at``) over the incidents resolved with proof in the
  :data:`~crmhub.health.incidents.MTTR_WINDOW_DAYS` days ending that day.
* ``duplicate_rate``: the last ``ops.identity_runs`` row of each kind finished by the end of that day; the worse.
* ``incidents_closed``: incidents resolved with proof by the end of that day (cumulative; proof is mandatory).
* ``segment_delta``: the largest ``freshness_delta_pct`` of the top segments' own rows (``field`` =
  :data:`crmhub.health.segments.ALL_FIELDS`: each segment's median lag over all its changes, week over week)
  in the latest ``ops.segment_latency`` week audited by the end of that day (the audit leaves it NULL for a
  segment with too few changes in either week: :data:`crmhub.health.segments.MIN_CHANGES_FOR_DELTA`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta

import psycopg

from crmhub.config.integration_map import duration_seconds
from crmhub.health import incidents, segments
from crmhub.warehouse.changelog import FIELD_CHANGES

Series = dict[date, float | None]
KpiQuery = Callable[[psycopg.Connection, date, date, object], Series]

_LO = "%(start)s::date::timestamp AT TIME ZONE 'UTC'"  # start of the first UTC day, whatever the session TZ
_HI = "(%(end)s::date + 1)::timestamp AT TIME ZONE 'UTC'"  # end of the last UTC day
_NEXT = "(day + 1)::timestamp AT TIME ZONE 'UTC'"  # end of the UTC day ``day``
_DAYS = "SELECT d::date AS day FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d"


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _series(conn: psycopg.Connection, sql: str, start: date, end: date, **params) -> Series:
    rows = conn.execute(sql, {"start": start, "end": end, **params}).fetchall()
    got = {day: (None if value is None else round(float(value), 4)) for day, value in rows}
    return {d: got.get(d) for d in days(start, end)}


def error_rate(conn: psycopg.Connection, start: date, end: date, imap=None) -> Series:
    return _series(conn, f"""
        WITH days AS ({_DAYS})
        SELECT day, 100.0 * sum(r.records_failed + r.api_errors) / nullif(sum(r.records_total + r.api_calls), 0)
          FROM days LEFT JOIN ops.sync_runs r
            ON (r.finished_at AT TIME ZONE 'UTC')::date = day AND r.kind <> 'backfill'
               AND r.status IN ('success', 'partial', 'failed')
         GROUP BY day""", start, end)


def sync_lag(conn: psycopg.Connection, start: date, end: date, imap=None) -> Series:
    return _series(conn, f"""
        WITH days AS ({_DAYS})
        SELECT day, percentile_cont(0.5) WITHIN GROUP (ORDER BY r.lag_min_p95)
          FROM days LEFT JOIN ops.sync_runs r
            ON (r.finished_at AT TIME ZONE 'UTC')::date = day AND r.kind <> 'backfill' AND r.lag_min_p95 IS NOT NULL
         GROUP BY day""", start, end)


def recon_delta(conn: psycopg.Connection, start: date, end: date, imap=None) -> Series:
    return _series(conn, f"""
        WITH days AS ({_DAYS})
        SELECT day, max(abs(r.delta_pct))
          FROM days LEFT JOIN ops.reconciliation_runs r ON r.logical_date = day
         GROUP BY day""", start, end)


def _system_sla_minutes(imap) -> dict[str, float]:
    out: dict[str, float] = {}
    for sla in imap.slas.values():
        out.setdefault(sla["from"], duration_seconds(sla["freshness"]) / 60.0)
    return out


#: Days in the SLA met rate's window: the map's "SLA Met Rate | ≥ 95% by field | Weekly".
SLA_WINDOW_DAYS = 7


def sla_met_by_field(conn: psycopg.Connection, start: date, end: date, imap) -> list[tuple]:
    """``(day, source_system, field, changes, met_pct)`` for every source field changed in the
    :data:`SLA_WINDOW_DAYS` days ending ``day``, for each day of the range."""
    return conn.execute(f"""
        WITH days AS ({_DAYS})
        SELECT day, cl.source_system, cl.core_table || '.' || cl.field, count(*),
               100.0 * count(*) FILTER (WHERE extract(epoch FROM cl.changed_at - cl.source_ts) / 60.0
                                              <= (%(slas)s::jsonb ->> cl.source_system)::double precision) / count(*)
          FROM days JOIN {FIELD_CHANGES} cl
            ON cl.changed_at >= (day - %(window)s + 1)::timestamp AT TIME ZONE 'UTC' AND cl.changed_at < {_NEXT}
         WHERE cl.source_ts IS NOT NULL AND %(slas)s::jsonb ? cl.source_system
         GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
        {"start": start, "end": end, "window": SLA_WINDOW_DAYS,
         "slas": json.dumps(_system_sla_minutes(imap))}).fetchall()


def sla_met(conn: psycopg.Connection, start: date, end: date, imap) -> Series:
    out: Series = {d: None for d in days(start, end)}
    for day, _system, _field, _n, pct in sla_met_by_field(conn, start, end, imap):
        pct = round(float(pct), 4)
        out[day] = pct if out[day] is None else min(out[day], pct)
    return out


def contract_coverage(conn: psycopg.Connection, start: date, end: date, imap) -> Series:
    contracted = {c.name: sorted({f.target for f in c.fields if f.target}) for c in imap.connectors}
    return _series(conn, f"""
        WITH days AS ({_DAYS}),
        pairs AS (SELECT DISTINCT (cl.changed_at AT TIME ZONE 'UTC')::date AS day, cl.connector,
                         cl.core_table || '.' || cl.field AS target
                    FROM {FIELD_CHANGES} cl
                   WHERE cl.connector IS NOT NULL AND %(contracted)s::jsonb ? cl.connector
                     AND cl.field NOT LIKE '\\_%%'
                     AND cl.changed_at >= {_LO} AND cl.changed_at < {_HI})
        SELECT days.day, 100.0 * count(*) FILTER (WHERE %(contracted)s::jsonb -> p.connector ? p.target)
                         / nullif(count(p.target), 0)
          FROM days LEFT JOIN pairs p ON p.day = days.day GROUP BY days.day""",
        start, end, contracted=json.dumps(contracted))


def mttr(conn: psycopg.Connection, start: date, end: date, imap=None) -> Series:
    return _series(conn, f"""
        WITH days AS ({_DAYS})
        SELECT day, avg(extract(epoch FROM {incidents.TIME_TO_FIX_SQL.format(i='i.')})) / 3600.0
          FROM days LEFT JOIN ops.incidents i
            ON i.resolved_at >= (day - %(window)s + 1)::timestamp AT TIME ZONE 'UTC' AND i.resolved_at < {_NEXT}
         GROUP BY day""", start, end, window=incidents.MTTR_WINDOW_DAYS)


def duplicate_rate(conn: psycopg.Connection, start: date, end: date, imap=None) -> Series:
    return _series(conn, f"""
        WITH days AS ({_DAYS})
        SELECT day, (SELECT 100.0 * max(last.duplicate_rate) FROM (
                        SELECT DISTINCT ON (kind) duplicate_rate FROM ops.identity_runs
                         WHERE finished_at < {_NEXT} ORDER BY kind, finished_at DESC, run_id DESC) AS last)
          FROM days""", start, end)


def incidents_closed(conn: psycopg.Connection, start: date, end: date, imap=None) -> Series:
    return _series(conn, f"""
        WITH days AS ({_DAYS})
        SELECT day, (SELECT count(*) FROM ops.incidents
                      WHERE resolved_at < {_NEXT} AND proof IS NOT NULL AND btrim(proof) <> '')
          FROM days""", start, end)


def segment_delta(conn: psycopg.Connection, start: date, end: date, imap=None) -> Series:
    return _series(conn, f"""
        WITH days AS ({_DAYS})
        SELECT day, (SELECT max(s.freshness_delta_pct) FROM ops.segment_latency s
                      WHERE s.field = %(all_fields)s
                        AND s.week_start = (SELECT max(week_start) FROM ops.segment_latency
                                             WHERE computed_at < {_NEXT}))
          FROM days""", start, end, all_fields=segments.ALL_FIELDS)


KPI_QUERIES: dict[str, KpiQuery] = {
    "error_rate": error_rate,
    "sync_lag": sync_lag,
    "recon_delta": recon_delta,
    "sla_met": sla_met,
    "contract_coverage": contract_coverage,
    "mttr": mttr,
    "duplicate_rate": duplicate_rate,
    "incidents_closed": incidents_closed,
    "segment_delta": segment_delta,
}


def kpi_series(conn: psycopg.Connection, start: date, end: date, imap) -> dict[str, Series]:
    """Every KPI per day over ``[start, end]``: ``{kpi_key: {day: value | None}}``."""
    return {key: query(conn, start, end, imap) for key, query in KPI_QUERIES.items()}


# --- the report's tables (also per day, also only from the warehouse) --------------------------------------

def review_queue_per_day(conn: psycopg.Connection, start: date, end: date) -> list[tuple]:
    """``(day, clusters pending at the day's end, approved, split, rejected that day)`` from ``ops.review_clusters``.

    The review unit is a proposed cluster; a superseded proposal stops being pending when it is superseded
    (its ``updated_at``).
    """
    return conn.execute(f"""
        WITH days AS ({_DAYS})
        SELECT day,
               (SELECT count(*) FROM ops.review_clusters c
                 WHERE c.created_at < {_NEXT}
                   AND (c.status = 'pending' OR (c.decided_at IS NOT NULL AND c.decided_at >= {_NEXT})
                        OR (c.status = 'superseded' AND c.updated_at >= {_NEXT}))),
               count(c.cluster_id) FILTER (WHERE c.status = 'approved'),
               count(c.cluster_id) FILTER (WHERE c.status = 'split'),
               count(c.cluster_id) FILTER (WHERE c.status = 'rejected')
          FROM days LEFT JOIN ops.review_clusters c ON (c.decided_at AT TIME ZONE 'UTC')::date = day
         GROUP BY day ORDER BY day""", {"start": start, "end": end}).fetchall()


def outreach_sends_per_day(conn: psycopg.Connection, start: date, end: date) -> list[tuple]:
    """``(day, flag, sent)`` from ``ops.outbox`` (status ``sent``, by ``sent_at``)."""
    return conn.execute(f"""
        SELECT (sent_at AT TIME ZONE 'UTC')::date, flag, count(*) FROM ops.outbox
         WHERE status = 'sent' AND sent_at >= {_LO} AND sent_at < {_HI}
         GROUP BY 1, 2 ORDER BY 1, 2""", {"start": start, "end": end}).fetchall()


def outreach_decisions_per_day(conn: psycopg.Connection, start: date, end: date) -> list[tuple]:
    """``(day, decision, count)`` of final, non-dry-run outreach decisions (flag off = skipped/deferred)."""
    return conn.execute(f"""
        SELECT (decided_at AT TIME ZONE 'UTC')::date, decision, count(*) FROM ops.outreach_decisions
         WHERE final AND NOT dry_run AND decided_at >= {_LO} AND decided_at < {_HI}
         GROUP BY 1, 2 ORDER BY 1, 2""", {"start": start, "end": end}).fetchall()


def incidents_in_range(conn: psycopg.Connection, start: date, end: date) -> list[dict]:
    """Incidents opened or resolved in the range, with their proof (no payload: it may carry LP values)."""
    cur = conn.execute(f"""
        SELECT incident_id, connector, trigger, severity, owner, opened_at, recovered_at, resolved_at, resolved_by,
               proof
          FROM ops.incidents
         WHERE (opened_at >= {_LO} AND opened_at < {_HI})
            OR (resolved_at >= {_LO} AND resolved_at < {_HI})
         ORDER BY opened_at, incident_id""", {"start": start, "end": end})
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def incidents_per_day(conn: psycopg.Connection, start: date, end: date) -> list[tuple]:
    """``(day, opened, closed with proof)``."""
    return conn.execute(f"""
        WITH days AS ({_DAYS})
        SELECT day,
               (SELECT count(*) FROM ops.incidents WHERE (opened_at AT TIME ZONE 'UTC')::date = day),
               (SELECT count(*) FROM ops.incidents WHERE (resolved_at AT TIME ZONE 'UTC')::date = day
                                                     AND proof IS NOT NULL)
          FROM days ORDER BY day""", {"start": start, "end": end}).fetchall()


def segment_latency_rows(conn: psycopg.Connection, end: date) -> list[dict]:
    """The latest audited week's segment latency table (up to the end date)."""
    cur = conn.execute("""
        SELECT week_start, entity_type, country, source_system, field, changes, median_lag_min, sla, sla_met_pct,
               prev_median_lag_min, freshness_delta_pct, action
          FROM ops.segment_latency
         WHERE week_start = (SELECT max(week_start) FROM ops.segment_latency WHERE week_start <= %(end)s)
         ORDER BY changes DESC, entity_type, country, field""", {"end": end})
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
