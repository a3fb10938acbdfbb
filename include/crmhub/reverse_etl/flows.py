"""The integration map's ``field_map`` flows, each with its SLA met rate and the sync carrying it (issue 18.1).

A flow is one ``field_map`` entry: a contracted source field, loaded into ``core`` by its connector, and
(when the target is another system) pushed by the reverse-ETL sync named in the entry's ``sync``. The SLA
met rate is the existing SLA machinery's (``crmhub.health.sla`` -> ``ops.sla_results``, latest computed
week); the push side is the sync's last run, its runs of the last 7 days, and whether it is due now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from crmhub.config.integration_map import IntegrationMap
from crmhub.reverse_etl.definitions import load_syncs
from crmhub.reverse_etl.schedule import is_due


@dataclass(frozen=True)
class FlowStatus:
    source: str
    target: str
    transform: str
    owner: str
    sla: str
    sync: str | None
    sla_met_pct: float | None          # latest computed week; None before any
    sla_target_pct: float | None
    sync_status: str | None            # last run of the sync
    sync_started: datetime | None
    sync_runs_7d: int = 0
    sync_ok_7d: int = 0
    due: bool = False

    def line(self) -> str:
        met = "-" if self.sla_met_pct is None else f"{self.sla_met_pct:.0f}% (target {self.sla_target_pct:.0f}%)"
        if self.sync is None:
            push = "loaded into core by its connector (no push)"
        elif self.sync_status is None:
            push = f"sync {self.sync}: never ran" + (", due" if self.due else "")
        else:
            push = (f"sync {self.sync}: {self.sync_status} {self.sync_started:%Y-%m-%d %H:%M}Z, "
                    f"{self.sync_ok_7d}/{self.sync_runs_7d} ok in 7 d" + (", due" if self.due else ""))
        return f"{self.source} -> {self.target} [{self.transform}; {self.owner}] SLA {self.sla}: {met}; {push}"


def _sla_rates(conn: psycopg.Connection) -> dict[tuple[str, str, str], tuple[float, float]]:
    rows = conn.execute("SELECT DISTINCT ON (sla, connector, field) sla, connector, field, met_rate_pct, target_pct "
                        "FROM ops.sla_results ORDER BY sla, connector, field, week_start DESC").fetchall()
    return {(s, c, f): (rate, target) for s, c, f, rate, target in rows}


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
    now = now or datetime.now(UTC)
    rates = _sla_rates(conn)
    runs = _sync_runs(conn, now - timedelta(days=7))
    syncs = load_syncs(imap)
    out = []
    for e in imap.field_map:
        connector, field = e["source"].split(".", 1)
        rate, target = rates.get((e["sla"], connector, field), (None, None))
        name = e.get("sync")
        run = runs.get(name or "", {})
        due = bool(name in syncs and is_due(syncs[name], run.get("started"), now))
        out.append(FlowStatus(e["source"], e["target"], e["transform"], e["owner"], e["sla"], name, rate, target,
                              run.get("status"), run.get("started"), run.get("runs", 0), run.get("ok", 0), due))
    return out
