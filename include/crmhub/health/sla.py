"""Freshness SLAs from the integration map: weekly met rate per field (``ops.sla_results``) and deadlines.

Which SLA applies to a field:

* a ``field_map`` entry names its SLA explicitly (``fundadmin_lp_contacts.amount`` -> ``fund_admin_to_crm``);
* every other contracted field with a ``target`` gets the SLA whose ``from`` is the connector's system
  (``cdp_events`` has system ``cdp`` -> ``cdp_to_crm``). Connectors whose system is no SLA's ``from``
  (the CRM's own connectors) have no freshness SLA; their target lag is watched by the health score.

Met rate: over the finished runs of the field's connector that *started* in the ISO week (Monday 00:00
UTC; backfill runs excluded: they carry no lag and would count as met), a run meets the SLA when it did not fail and its lag is within the SLA freshness. The lag of a run is
``detail->'field_lag_min'->>field`` when the writer recorded per-field lags, else ``lag_min_max``, else
``lag_min_p95`` (the strictest the run offers). A run without any lag (nothing changed) and not failed meets
it. ``met_rate_pct = 100 * runs_met / runs``; the target is ``target_met_rate`` of the SLA (default 95 %).
Weeks without runs produce no row (absence of runs is the health score's staleness, not an SLA rate).

A ``field_map`` entry pushed by a reverse-ETL sync (``sync:``) is also measured **end to end** (source change ->
CRM property written), as a row with ``connector = 'sync:<name>'`` and ``field`` = the target property. Its
runs are the sync's runs (``ops.sync_runs`` kind ``reverse_etl`` with ``detail->>'sync'``; skipped runs of a
frozen connector and rollbacks excluded), and a run's lag is ``detail->'field_lag_min'->>property`` else
``detail->'e2e_lag_min'->>'max'``: the minutes from the source system's timestamp of each value (the sync
model's ``source_ts``) to the write the CRM acknowledged (``crmhub.reverse_etl``). A record's first push
carries no lag (as a connector's first load), so does a run that wrote nothing.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

import psycopg
from psycopg.rows import dict_row

from crmhub import clock
from crmhub.config.integration_map import duration_seconds

DEFAULT_TARGET_PCT = 95.0


def field_slas(imap) -> list[dict]:
    """``[{"connector", "field", "sla", "freshness_min", "owner", "target_pct"}]`` for every field with an SLA."""
    by_from = {}
    for sla in imap.slas.values():
        by_from.setdefault(sla["from"], sla)
    out: dict[tuple[str, str], dict] = {}

    def add(connector: str, field: str, sla: dict, sync: str | None = None) -> None:
        out[(connector, field)] = {
            "connector": connector,
            "field": field,
            "sync": sync,
            "sla": sla["name"],
            "freshness_min": duration_seconds(sla["freshness"]) / 60.0,
            "owner": sla["owner"],
            "target_pct": 100.0 * sla["target_met_rate"] if "target_met_rate" in sla else DEFAULT_TARGET_PCT,
        }

    for connector in imap.connectors:
        sla = by_from.get(connector.system)
        if sla is None:
            continue
        for contract in connector.fields:
            if contract.target:
                add(connector.name, contract.name, sla)
    connectors = {c.name for c in imap.connectors}
    for entry in imap.field_map:
        connector, field = entry["source"].split(".", 1)
        if connector in connectors:        # not a warehouse model's column (warehouse.icp_fit): no connector loads
            add(connector, field, imap.slas[entry["sla"]])
        if entry.get("sync"):
            add(push_connector(entry["sync"]), entry["target"].rsplit(".", 1)[1], imap.slas[entry["sla"]],
                entry["sync"])
    return sorted(out.values(), key=lambda r: (r["sla"], r["connector"], r["field"]))


PUSH_PREFIX = "sync:"


def push_connector(sync: str) -> str:
    """``ops.sla_results.connector`` of the end-to-end row of a field pushed by the reverse-ETL sync ``sync``."""
    return PUSH_PREFIX + sync


def week_start(day: date | datetime) -> date:
    """Monday of ``day``'s ISO week (UTC)."""
    if isinstance(day, datetime):
        day = day.astimezone(UTC).date() if day.tzinfo else day.date()
    return day - timedelta(days=day.weekday())


#: Per kind of row (a connector's field / a field pushed by a reverse-ETL sync): the run's lag for the field and
#: which runs are SLA runs. One definition of a run "on time" for the weekly rate and the latest runs alike.
_LAG_SQL = {False: "coalesce((detail -> 'field_lag_min' ->> %(field)s)::double precision, lag_min_max, lag_min_p95)",
            True: "coalesce((detail -> 'field_lag_min' ->> %(field)s)::double precision, "
                  "(detail -> 'e2e_lag_min' ->> 'max')::double precision)"}
_SLA_RUNS_SQL = {
    False: "connector = ANY(%(connectors)s) AND status NOT IN ('running', 'frozen') AND finished_at IS NOT NULL "
           "AND kind <> 'backfill'",
    True: "kind = 'reverse_etl' AND detail ->> 'sync' = %(sync)s AND coalesce(detail ->> 'kind', 'sync') = 'sync' "
          "AND coalesce(detail ->> 'status', '') <> 'skipped' AND status <> 'running' AND finished_at IS NOT NULL",
}


def _runs_sql(spec: dict) -> str:
    """The SLA runs of one :func:`field_slas` row: ``started_at, finished_at, status, lag_min, on_time``."""
    push = bool(spec.get("sync"))
    return (f"SELECT started_at, finished_at, status, {_LAG_SQL[push]} AS lag_min, "
            f"status <> 'failed' AND coalesce({_LAG_SQL[push]}, 0) <= %(freshness)s AS on_time "
            f"FROM ops.sync_runs WHERE {_SLA_RUNS_SQL[push]}")


def _params(spec: dict, **extra) -> dict:
    return {"field": spec["field"], "freshness": spec["freshness_min"], "connectors": [spec["connector"]],
            "sync": spec.get("sync"), **extra}


def measure(conn: psycopg.Connection, spec: dict, start_ts: datetime, end_ts: datetime) -> tuple[int, int]:
    """(runs, runs meeting the SLA) of one :func:`field_slas` row over ``[start_ts, end_ts)``."""
    return conn.execute(f"SELECT count(*), count(*) FILTER (WHERE on_time) FROM ({_runs_sql(spec)} "
                        "AND started_at >= %(start)s AND started_at < %(end)s) r",
                        _params(spec, start=start_ts, end=end_ts)).fetchone()


def latest_runs(conn: psycopg.Connection, spec: dict, n: int) -> list[dict]:
    """The last ``n`` SLA runs of one :func:`field_slas` row, newest first (by start), each
    ``{"started_at", "finished_at", "status", "lag_min", "on_time"}``: the field's state now."""
    cur = conn.cursor(row_factory=dict_row)
    return cur.execute(f"{_runs_sql(spec)} ORDER BY started_at DESC LIMIT %(n)s", _params(spec, n=n)).fetchall()


def nth_latest_run_start(conn: psycopg.Connection, connectors: list[str], n: int) -> datetime | None:
    """When the ``n``-th latest SLA run of ``connectors`` (together) started; None with fewer than ``n`` runs.
    The changes written since are those of their last ``n`` runs."""
    row = conn.execute(f"SELECT started_at FROM ops.sync_runs WHERE {_SLA_RUNS_SQL[False]} "
                       "ORDER BY started_at DESC OFFSET %(skip)s LIMIT 1",
                       {"connectors": connectors, "skip": n - 1}).fetchone()
    return row[0] if row else None


def compute_sla_results(conn: psycopg.Connection, imap, week: date | None = None) -> list[dict]:
    """Compute and upsert ``ops.sla_results`` for the ISO week containing ``week`` (default: this week)."""
    start = week_start(week or clock.now())
    start_ts = datetime(start.year, start.month, start.day, tzinfo=UTC)
    end_ts = start_ts + timedelta(days=7)
    results = []
    for spec in field_slas(imap):
        runs, met = measure(conn, spec, start_ts, end_ts)
        if runs == 0:
            continue
        rate = 100.0 * met / runs
        row = {**spec, "week_start": start, "runs": runs, "runs_met": met, "met_rate_pct": round(rate, 3),
               "met": rate >= spec["target_pct"]}
        conn.execute(
            """INSERT INTO ops.sla_results (week_start, sla, connector, field, freshness_min, runs, runs_met,
                   met_rate_pct, target_pct, met, owner)
               VALUES (%(week_start)s, %(sla)s, %(connector)s, %(field)s, %(freshness_min)s, %(runs)s, %(runs_met)s,
                   %(met_rate_pct)s, %(target_pct)s, %(met)s, %(owner)s)
               ON CONFLICT (week_start, sla, connector, field) DO UPDATE SET
                   freshness_min = EXCLUDED.freshness_min, runs = EXCLUDED.runs, runs_met = EXCLUDED.runs_met,
                   met_rate_pct = EXCLUDED.met_rate_pct, target_pct = EXCLUDED.target_pct, met = EXCLUDED.met,
                   owner = EXCLUDED.owner, computed_at = now()""",
            row,
        )
        results.append(row)
    return results


# -- Airflow Deadline Alerts ---------------------------------------------------------------------------------

#: Explicit deadlines (minutes after the DAG run was queued) for DAGs that are not per-connector.
DAG_DEADLINE_MIN: dict[str, float] = {
    "crmhub_health": 10,           # runs every 5 minutes; two missed cycles is a page
    "crmhub_identity": 60,
    "crmhub_reconcile": 120,
    "crmhub_outreach": 60,
}
DEFAULT_DEADLINE_MIN = 60.0


def deadline_params(dag_id: str, imap=None) -> dict | None:
    """Parameters for an Airflow ``DeadlineAlert`` on ``dag_id``, or None when deadlines are disabled.

    Returns ``{"reference": "DAGRUN_QUEUED_AT", "interval": timedelta}``; the glue turns ``reference`` into
    ``DeadlineReference.DAGRUN_QUEUED_AT``. Interval: :data:`DAG_DEADLINE_MIN` for known DAGs; a DAG whose id
    contains a connector name gets that connector's ``target_lag_min``; a reverse ETL DAG gets the
    ``warehouse`` SLA freshness; anything else 60 minutes.

    ``CRMHUB_DISABLE_DEADLINES=1`` returns None: ``airflow dags test`` exits 1 after a successful run of a DAG
    with ``deadline=`` (apache/airflow issue 73428, Airflow 3.3.1/3.3.2).
    """
    if os.environ.get("CRMHUB_DISABLE_DEADLINES", "").strip().lower() in ("1", "true", "yes"):
        return None
    minutes = DAG_DEADLINE_MIN.get(dag_id)
    if minutes is None and imap is not None:
        for connector in sorted(imap.connectors, key=lambda c: -len(c.name)):
            if connector.name in dag_id:
                minutes = float(connector.sla["target_lag_min"])
                break
        if minutes is None and "reverse_etl" in dag_id:
            for sla in imap.slas.values():
                if sla["from"] == "warehouse":
                    minutes = duration_seconds(sla["freshness"]) / 60.0
                    break
    return {"reference": "DAGRUN_QUEUED_AT", "interval": timedelta(minutes=minutes or DEFAULT_DEADLINE_MIN)}
