"""The integration map's ``field_map`` flows, each with its SLA met rate and the sync carrying it (issue 18.1).

A flow is one ``field_map`` entry: a contracted source field, loaded into ``core`` by its connector, and
(when the target is another system) pushed by the reverse-ETL sync named in the entry's ``sync``. Its SLA met
rate comes from the SLA machinery (:mod:`crmhub.health.sla`), for the current ISO week (the latest stored
week of ``ops.sla_results`` when nothing ran this week):

* **end to end** for a pushed flow: the sync's runs, each timed from the source system's timestamp of every
  value it wrote to the CRM's acknowledgement (``connector = 'sync:<name>'`` rows);
* **ingest**: the source connector's loads into ``core`` (the only measure of a flow without a sync).

The push side also shows the sync's last run, its runs of the last 7 days, and whether it is due now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from crmhub import clock
from crmhub.config.integration_map import IntegrationMap
from crmhub.health import sla as sla_machinery
from crmhub.reverse_etl.definitions import load_syncs
from crmhub.reverse_etl.schedule import is_due


@dataclass(frozen=True)
class Rate:
    """One SLA met rate: ``met_pct`` of ``runs`` within ``freshness_min`` (target ``target_pct``)."""

    met_pct: float
    target_pct: float
    runs: int
    week: str

    def text(self) -> str:
        return f"{self.met_pct:.0f}% of {self.runs} run(s) (target {self.target_pct:.0f}%)"


@dataclass(frozen=True)
class FlowStatus:
    source: str
    target: str
    transform: str
    owner: str
    sla: str
    sync: str | None
    sla_met_pct: float | None          # the flow's rate: end to end when pushed, else ingest; None before any run
    sla_target_pct: float | None
    sync_status: str | None            # last run of the sync
    sync_started: datetime | None
    sync_runs_7d: int = 0
    sync_ok_7d: int = 0
    due: bool = False
    end_to_end: Rate | None = None     # source change -> CRM property written (pushed flows)
    ingest: Rate | None = None         # source -> core (the connector's loads)

    def line(self) -> str:
        if self.sync is None:
            met = "-" if self.ingest is None else f"ingest {self.ingest.text()}"
            push = "loaded into core by its connector (no push)"
        else:
            met = ("end to end " + ("- (no sync run yet)" if self.end_to_end is None else self.end_to_end.text())
                   + ("" if self.ingest is None else f", ingest {self.ingest.met_pct:.0f}%"))
            if self.sync_status is None:
                push = f"sync {self.sync}: never ran" + (", due" if self.due else "")
            else:
                push = (f"sync {self.sync}: {self.sync_status} {self.sync_started:%Y-%m-%d %H:%M}Z, "
                        f"{self.sync_ok_7d}/{self.sync_runs_7d} ok in 7 d" + (", due" if self.due else ""))
        return f"{self.source} -> {self.target} [{self.transform}; {self.owner}] SLA {self.sla}: {met}; {push}"


def _stored_rates(conn: psycopg.Connection) -> dict[tuple[str, str, str], Rate]:
    rows = conn.execute("SELECT DISTINCT ON (sla, connector, field) sla, connector, field, met_rate_pct, target_pct, "
                        "runs, week_start FROM ops.sla_results ORDER BY sla, connector, field, week_start DESC"
                        ).fetchall()
    return {(s, c, f): Rate(float(rate), float(target), runs, str(week)) for s, c, f, rate, target, runs, week in rows}


def sla_rates(conn: psycopg.Connection, imap: IntegrationMap, now: datetime) -> dict[tuple[str, str, str], Rate]:
    """``{(sla, connector, field): Rate}``: this ISO week measured now, else the latest stored week."""
    rates = _stored_rates(conn)
    start = sla_machinery.week_start(now)
    start_ts = datetime(start.year, start.month, start.day, tzinfo=UTC)
    for spec in sla_machinery.field_slas(imap):
        runs, met = sla_machinery.measure(conn, spec, start_ts, start_ts + timedelta(days=7))
        if runs:
            rates[(spec["sla"], spec["connector"], spec["field"])] = Rate(
                round(100.0 * met / runs, 3), spec["target_pct"], runs, str(start))
    return rates


def _sync_runs(conn: psycopg.Connection, since: datetime) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        """SELECT sync_name, (array_agg(status ORDER BY run_id DESC))[1], max(started_at),
                  count(*) FILTER (WHERE started_at >= %(since)s),
                  count(*) FILTER (WHERE started_at >= %(since)s AND status = 'success')
             FROM ops.reverse_etl_runs WHERE kind = 'sync' AND status <> 'skipped' GROUP BY sync_name""",
        {"since": since}).fetchall()
    return {r[0]: {"status": r[1], "started": r[2], "runs": r[3], "ok": r[4]} for r in rows}


def flow_status(conn: psycopg.Connection, imap: IntegrationMap, now: datetime | None = None) -> list[FlowStatus]:
    """One :class:`FlowStatus` per ``field_map`` entry, in map order."""
    now = now or clock.now()
    rates = sla_rates(conn, imap, now)
    runs = _sync_runs(conn, now - timedelta(days=7))
    syncs = load_syncs(imap)
    out = []
    for e in imap.field_map:
        connector, field = e["source"].split(".", 1)
        ingest = rates.get((e["sla"], connector, field))
        name = e.get("sync")
        e2e = (rates.get((e["sla"], sla_machinery.push_connector(name), e["target"].rsplit(".", 1)[1]))
               if name else None)
        flow_rate = e2e if name else ingest
        run = runs.get(name or "", {})
        due = bool(name in syncs and is_due(syncs[name], run.get("started"), now))
        out.append(FlowStatus(e["source"], e["target"], e["transform"], e["owner"], e["sla"], name,
                              flow_rate.met_pct if flow_rate else None, flow_rate.target_pct if flow_rate else None,
                              run.get("status"), run.get("started"), run.get("runs", 0), run.get("ok", 0), due,
                              e2e, ingest))
    return out
