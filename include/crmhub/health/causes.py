"""Incident causes recorded by other capabilities, turned into incidents (one per cause until resolved).

The health cycle (:func:`crmhub.health.cycle.run_health_cycle`) calls :func:`sync_cause_incidents` every
5 minutes. Each detector reads what its capability already records and returns the causes active now:

=====================  ===================================================  ==========================
trigger                cause (one incident per ...)                         recorded in
=====================  ===================================================  ==========================
``contract_breach``    connector with an open contract breach               ``ops.contract_breaches``
``schema_drift``       connector with parked (unreleased) drifted batches   ``ops.parked_events``
``sla``                SLA with a field under target this week and a late  ``ops.sla_results``,
                       run among its last 3 (:func:`sla_now`)               ``ops.sync_runs``
``segment_latency``    source system with a segment over SLA this week and  ``ops.segment_latency``,
                       a late change by its last 3 runs (:func:`segment_now`) ``core.field_changes``
``missing_fields``     SLA whose share of deals lacking its fields > max    ``core.deal``, measured now
``dead_letter``        connector with dead-lettered retry items             ``ops.retry_queue``
``drop_file_failure``  connector with a drop-folder file given up on          ``ops.drop_file_failures``
=====================  ===================================================  ==========================

(Reconciliation breaches and the parallel run open their incidents themselves, in ``crmhub.reconcile``;
security findings in ``crmhub.security.audit``.)
A cause seen again bumps the open incident's ``occurrences``; a cause that is gone marks it recovered
(it stays open until a person resolves it with proof). The cycle then pages every incident not yet
notified, once. Values never carry record values (masked LP data stays out of incidents).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from crmhub.health import incidents, missing_fields, segments
from crmhub.health import sla as sla_runs
from crmhub.health.segments import ALL_FIELDS, over_sla
from crmhub.sync.connector_state import DROP_FILE_MAX_FAILURES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cause:
    """One active cause: ``name`` is a connector, system or SLA name of the map."""

    trigger: str
    name: str
    values: dict = field(default_factory=dict)
    severity: str = "warning"
    proof_hint: str | None = None


def _rows(conn: psycopg.Connection, query: str, params: tuple | dict = ()) -> list[dict]:
    return conn.cursor(row_factory=dict_row).execute(query, params).fetchall()


def contract_breaches(conn: psycopg.Connection, imap=None) -> Iterator[Cause]:
    for r in _rows(conn, """SELECT connector, jsonb_object_agg(field, jsonb_build_object(
                                'illegal_pct', illegal_pct, 'null_pct', null_pct, 'reason', reason)) AS fields,
                                count(*) AS n
                            FROM ops.contract_breaches WHERE closed_at IS NULL GROUP BY connector"""):
        yield Cause("contract_breach", r["connector"],
                    {"error": f"{r['connector']}: {r['n']} field(s) breach their contract", "fields": r["fields"]},
                    proof_hint="contract metrics back under the thresholds (crmhub contracts report)")


def schema_drift(conn: psycopg.Connection, imap=None) -> Iterator[Cause]:
    for r in _rows(conn, """SELECT connector, count(*) AS batches, sum(rows) AS rows,
                                   jsonb_agg(DISTINCT diff) AS diffs
                            FROM ops.parked_events WHERE released_at IS NULL GROUP BY connector"""):
        yield Cause("schema_drift", r["connector"],
                    {"error": f"{r['connector']}: schema drift, {r['batches']} batch(es) parked and the connector "
                              "frozen", "parked_batches": r["batches"], "parked_rows": int(r["rows"] or 0),
                     "diffs": r["diffs"]},
                    severity="critical", proof_hint="map/contract change merged and the parked batches replayed")


def sla_week(conn: psycopg.Connection, sla: str | None = None) -> list[dict]:
    """The rows of ``ops.sla_results``' latest week (the week the ``sla`` cause reads), of one SLA or all."""
    return _rows(conn, """SELECT sla, week_start, connector, field, runs, runs_met, met_rate_pct, target_pct, met
                            FROM ops.sla_results
                           WHERE week_start = (SELECT max(week_start) FROM ops.sla_results)
                             AND (%(sla)s::text IS NULL OR sla = %(sla)s)
                           ORDER BY sla, connector, field""", {"sla": sla})


#: An SLA incident is fixed when each of its fields under target this week has its last this many runs on time.
RECOVERY_RUNS = 3


def sla_now(conn: psycopg.Connection, imap, sla: str | None = None) -> dict[str, list[dict]]:
    """The state now of each SLA (or of ``sla``) with a field under its met-rate target in the latest week of
    ``ops.sla_results``: ``{sla: [row]}``, one row per such field, the week's row plus ``recent`` (its last
    :data:`RECOVERY_RUNS` runs, newest first, :func:`crmhub.health.sla.latest_runs`) and ``late`` (those of them
    late and finished after the SLA's last resolved ``sla`` incident).

    The one rule of the ``sla`` cause and its proof: the SLA is being missed now while one of these fields has a
    ``late`` run; it is fixed when none has (the last runs since are on time). The weekly rate stays the KPI:
    it stays under target for the rest of the week, and a late run the last resolution already covered does
    not open the breach again; a new late run does.
    """
    if imap is None:
        from crmhub.config import load_integration_map

        imap = load_integration_map()
    specs = {(s["connector"], s["field"]): s for s in sla_runs.field_slas(imap)}
    resolved = dict(conn.execute("SELECT connector, max(resolved_at) FROM ops.incidents WHERE trigger = 'sla' "
                                 "AND resolved_at IS NOT NULL GROUP BY connector").fetchall())
    out: dict[str, list[dict]] = {}
    for r in sla_week(conn, sla):
        spec = specs.get((r["connector"], r["field"]))
        if r["met"] or spec is None:
            continue
        since = resolved.get(r["sla"])
        recent = sla_runs.latest_runs(conn, spec, RECOVERY_RUNS)
        late = [x for x in recent if not x["on_time"] and (since is None or x["finished_at"] > since)]
        out.setdefault(r["sla"], []).append({**r, "recent": recent, "late": late})
    return out


def sla_misses(conn: psycopg.Connection, imap=None) -> Iterator[Cause]:
    for name, fields in sla_now(conn, imap).items():
        missed = [r for r in fields if r["late"]]
        if not missed:
            continue
        week = str(missed[0]["week_start"])
        yield Cause("sla", name, {"error": f"SLA {name} missed now for {len(missed)} field(s): a late run among their "
                                           f"last {RECOVERY_RUNS}, under target in the week of {week}",
                                  "week_start": week,
                                  "missed": [{**{k: r[k] for k in ("connector", "field", "met_rate_pct", "target_pct")},
                                              "late_runs": len(r["late"]),
                                              "last_late_at": r["late"][0]["started_at"].isoformat()}
                                             for r in missed]},
                    proof_hint=f"the last {RECOVERY_RUNS} runs of every field on time (crmhub health sla)")


def segment_week(conn: psycopg.Connection) -> list[dict]:
    """The segment x field rows of ``ops.segment_latency``'s latest week (the week the ``segment_latency`` cause
    reads)."""
    return _rows(conn, """SELECT source_system, week_start, entity_type, country, field, changes, median_lag_min,
                                 sla_min, action
                            FROM ops.segment_latency
                           WHERE field <> %s AND week_start = (SELECT max(week_start) FROM ops.segment_latency)
                           ORDER BY source_system, entity_type, country, field""", (ALL_FIELDS,))


def segment_now(conn: psycopg.Connection, imap, system: str | None = None) -> dict[str, dict]:
    """The state now of each source system (or of ``system``) the latest segment audit flags (a segment x field
    of its top segments with the median lag over the SLA) or with an open ``segment_latency`` incident:
    ``{system: {"week_start", "since", "segments", "over"}}``. ``segments``: every segment x field of the system
    in the audit's week (:func:`crmhub.health.segments.system_lags`: all its segments, not only the audit's top
    five, which a system can leave while late); ``over``: those whose week's median is over the SLA, each with
    ``recent`` (its changes written by the system's last :data:`RECOVERY_RUNS` runs, i.e. since ``since``, the
    start of the oldest of them, :func:`crmhub.health.sla.nth_latest_run_start`; the whole week with fewer runs;
    :func:`crmhub.health.segments.changes_since`) and ``late`` (those of them over the SLA).

    The one rule of the ``segment_latency`` cause and its proof: the system's segments are late now while one
    of ``over`` has a ``late`` change; they are fixed when none has: the system's last runs brought no change of
    those segments over the SLA (as the ``sla`` rule, on the system's runs). The week's median stays the audit's
    (and the KPI's): it may stay over the SLA for the rest of the week.
    """
    if imap is None:
        from crmhub.config import load_integration_map

        imap = load_integration_map()
    week = conn.execute("SELECT max(week_start) FROM ops.segment_latency").fetchone()[0]
    if week is None:
        return {}
    if system is not None:
        systems = [system]
    else:
        flagged = {r["source_system"] for r in segment_week(conn) if over_sla(r)}
        open_ = {n for (n,) in conn.execute("SELECT connector FROM ops.incidents WHERE trigger = 'segment_latency' "
                                            "AND resolved_at IS NULL").fetchall()}
        systems = sorted(flagged | open_)
    out: dict[str, dict] = {}
    lags = segments.system_lags(conn, imap, systems, week)
    for name in systems:
        rows = lags[name]
        over = [r for r in rows if over_sla(r)]
        connectors = [c.name for c in imap.connectors if c.system == name]
        since = sla_runs.nth_latest_run_start(conn, connectors, RECOVERY_RUNS) if connectors else None
        recent = segments.changes_since(conn, imap, name, week, since) if over else {}
        for r in over:
            changes = recent.get((r["entity_type"], r["country"], r["field"]), [])
            r.update(recent=changes, late=[x for x in changes if not x["on_time"]])
        out[name] = {"week_start": week, "since": since, "segments": rows, "over": over}
    return out


def segment_latency(conn: psycopg.Connection, imap=None) -> Iterator[Cause]:
    for system, state in segment_now(conn, imap).items():
        late = [r for r in state["over"] if r["late"]]
        if not late:
            continue
        worst = max(r["median_lag_min"] for r in late)
        sla_min = max((r["sla_min"] or 0) for r in late)
        window = (f"its last {RECOVERY_RUNS} runs" if state["since"] is not None
                  else f"the week (fewer than {RECOVERY_RUNS} runs)")
        yield Cause("segment_latency", system,
                    {"error": f"{system}: {len(late)} segment(s) x field late now: median lag over SLA in the week "
                              f"of {state['week_start']} (worst {worst:.0f} min > {sla_min:.0f} min) and a change "
                              f"over the SLA written by {window}",
                     "week_start": str(state["week_start"]), "segments": len(late),
                     "late": [{**{k: r[k] for k in ("entity_type", "country", "field", "changes")},
                               "median_lag_min": round(r["median_lag_min"], 1), "late_changes": len(r["late"]),
                               "last_late_at": r["late"][0]["changed_at"].isoformat(),
                               "last_late_lag_min": round(r["late"][0]["lag_min"], 1)} for r in late]},
                    proof_hint=f"the system's last {RECOVERY_RUNS} runs without a change over the SLA in those "
                               "segments (crmhub health segments)")


def missing_field_shares(conn: psycopg.Connection, imap) -> Iterator[Cause]:
    for m in missing_fields.measure_all(conn, imap):
        if m["breached"]:
            yield Cause("missing_fields", m["sla"],
                        {"error": missing_fields.describe(m),
                         **{k: m[k] for k in ("deals", "missing", "missing_pct", "max_pct", "stages", "fields")}},
                        proof_hint=f"the share of deals lacking the fields back at or under {m['max_pct']:g} % "
                                   "(crmhub health missing-fields)")


def dead_letters(conn: psycopg.Connection, imap=None) -> Iterator[Cause]:
    """Dead items newer than the connector's last resolved ``dead_letter`` incident (resolving it with proof
    acknowledges the dead items so far)."""
    for r in _rows(conn, """SELECT q.connector, count(*) AS n, max(q.dead_at) AS last_dead,
                                   (array_agg(q.last_error ORDER BY q.dead_at DESC))[1] AS last_error
                            FROM ops.retry_queue q
                            WHERE q.status = 'dead' AND q.dead_at > coalesce(
                                (SELECT max(i.resolved_at) FROM ops.incidents i
                                  WHERE i.trigger = 'dead_letter' AND i.connector = q.connector), '-infinity')
                            GROUP BY q.connector"""):
        yield Cause("dead_letter", r["connector"],
                    {"error": f"{r['connector']}: {r['n']} retry item(s) dead-lettered after their last attempt",
                     "dead_items": r["n"], "last_error": (r["last_error"] or "")[:300]},
                    proof_hint="the dead items replayed or discarded with a reason (crmhub incidents)")


def drop_file_failures(conn: psycopg.Connection, imap=None) -> Iterator[Cause]:
    """Drop-folder files whose same bytes failed ``max_failures`` times (the folder source skips them until
    they change), newer than the connector's last resolved ``drop_file_failure`` incident."""
    for r in _rows(conn, """SELECT f.connector, count(*) AS files, sum(f.n) AS failures,
                                   (array_agg(f.origin ORDER BY f.last_at DESC))[1] AS file,
                                   (array_agg(f.error_type ORDER BY f.last_at DESC))[1] AS error_type
                            FROM (SELECT connector, origin, checksum, count(*) AS n, max(failed_at) AS last_at,
                                         (array_agg(error_type ORDER BY failed_at DESC))[1] AS error_type
                                    FROM ops.drop_file_failures GROUP BY 1, 2, 3) f
                            WHERE f.n >= %s AND f.last_at > coalesce(
                                (SELECT max(i.resolved_at) FROM ops.incidents i
                                  WHERE i.trigger = 'drop_file_failure' AND i.connector = f.connector), '-infinity')
                            GROUP BY f.connector""", (DROP_FILE_MAX_FAILURES,)):
        yield Cause("drop_file_failure", r["connector"],
                    {"error": f"{r['connector']}: {r['files']} drop-folder file(s) keep failing; skipped until "
                              "their bytes change", "file": r["file"], "files": r["files"],
                     "failures": int(r["failures"]), "error_type": r["error_type"]},
                    proof_hint="the file re-exported (new checksum) and loaded, or removed from the folder")


#: Each detector is called with the warehouse connection and the integration map.
DETECTORS: dict[str, Callable[[psycopg.Connection, object], Iterator[Cause]]] = {
    "contract_breach": contract_breaches,
    "schema_drift": schema_drift,
    "sla": sla_misses,
    "segment_latency": segment_latency,
    "missing_fields": missing_field_shares,
    "dead_letter": dead_letters,
    "drop_file_failure": drop_file_failures,
}


def sync_cause_incidents(conn: psycopg.Connection, imap, *, now: datetime | None = None) -> dict:
    """Open (or repeat) one incident per active cause; mark recovered the open ones whose cause is gone.

    Returns:
        ``{"opened": [ids], "repeated": [ids], "recovered": ["name:trigger"], "unowned": ["name:trigger"]}``
    """
    out: dict[str, list] = {"opened": [], "repeated": [], "recovered": [], "unowned": []}
    for trigger in DETECTORS:
        sync_trigger(conn, imap, trigger, out, now=now)
    return out


def sync_trigger(conn: psycopg.Connection, imap, trigger: str, out: dict[str, list] | None = None, *,
                 now: datetime | None = None) -> dict[str, list]:
    """:func:`sync_cause_incidents` for one trigger of :data:`DETECTORS`; commits."""
    out = out if out is not None else {"opened": [], "repeated": [], "recovered": [], "unowned": []}
    active = set()
    for cause in DETECTORS[trigger](conn, imap):
        try:
            incidents.resolve_owner(imap, cause.name)
        except ValueError:
            log.warning("%s on %r: not a connector, system or SLA of the map; no owner to page", trigger,
                        cause.name)
            out["unowned"].append(f"{cause.name}:{trigger}")
            continue
        inc = incidents.open_incident(conn, cause.name, trigger, cause.values, cause.proof_hint,
                                      severity=cause.severity, imap=imap, now=now)
        out["opened" if inc.is_new else "repeated"].append(inc.incident_id)
        active.add(cause.name)
    for (name,) in conn.execute("SELECT connector FROM ops.incidents WHERE trigger = %s AND resolved_at IS NULL "
                                "AND recovered_at IS NULL", (trigger,)).fetchall():
        if name not in active and incidents.mark_recovered(conn, name, trigger, now=now):
            out["recovered"].append(f"{name}:{trigger}")
    conn.commit()
    return out
