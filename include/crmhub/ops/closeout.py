"""The demo's on-call step: what the owner of each incident does after the DAG runs.

The owner acknowledges every open incident. An incident whose proof crmhub can produce from the
warehouse is resolved with that proof written to a file (the artifact ``crmhub incidents resolve
--proof`` asks for):

* ``outreach_bulk_import``: the bulk import's trigger events were suppressed and no email went to those
  contacts - the proof is the automation's decision counts per reason and the bulk-import alerts;
* ``sla``: the SLA is no longer missed now (``crmhub.health.causes.sla_now``, the rule its cause opens it by):
  each field under its met-rate target in the latest week of ``ops.sla_results`` has its last
  ``RECOVERY_RUNS`` runs on time - the proof is those runs and the week's rates (which may stay under target:
  the weekly rate is the KPI, not the incident);
* ``segment_latency``: the source system's segments are no longer late now (``crmhub.health.causes.segment_now``,
  the rule its cause opens it by): each segment x field whose median lag is over the SLA in the week of the latest
  segment audit (all the system's segments, not only the audit's top five) has no change over the SLA written
  by the system's last ``RECOVERY_RUNS`` runs - the proof is every segment x field's median and those changes
  (the week's median may stay over: the audit measures the week, not the incident);
* ``missing_fields``: the SLA's share of CRM deals lacking a field it writes, measured now, is at or under its
  ``max_pct`` (``crmhub.health.missing_fields``) - the proof is that measurement.

The health cycle marks such an incident ``recovered`` when its cause is gone; the proof is the same evidence,
read when the owner looks. No rows for the SLA or no change of the source system in the latest week, or no
deal to measure, is no evidence: the incident stays open.

Every other incident stays open (acknowledged), its runbook naming the fix only a person can make (a
source file corrected, a contract changed). The report then shows both outcomes.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from crmhub.health import causes, incidents, missing_fields


def _bulk_import_proof(conn: psycopg.Connection, imap, incident: dict) -> str | None:
    rows = conn.execute("""SELECT automation, decision, reason, count(*) FROM ops.outreach_decisions
                           WHERE NOT dry_run GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""").fetchall()
    alerts = conn.execute("SELECT automation, load_id, created_at FROM ops.outreach_alerts WHERE kind = 'bulk_import' "
                          "ORDER BY alert_id").fetchall()
    suppressed = sum(n for _a, d, r, n in rows if d == "suppressed" and r == "bulk_import")
    if not alerts or not suppressed:
        return None
    lines = [f"incident #{incident['incident_id']} {incident['connector']}:outreach_bulk_import",
             f"bulk-import loads flagged: {len(alerts)}", *(f"  {a} load {lid} at {at:%Y-%m-%d %H:%M}" for a, lid, at in alerts),
             f"trigger events suppressed as bulk import: {suppressed} (no email sent for them)",
             "decisions per automation / decision / reason:", *(f"  {a} {d} {r}: {n}" for a, d, r, n in rows)]
    return "\n".join(lines) + "\n"


def _sla_proof(conn: psycopg.Connection, imap, incident: dict) -> str | None:
    name = incident["connector"]
    week = causes.sla_week(conn, name)
    under = causes.sla_now(conn, imap, name).get(name, [])
    if not week or any(r["late"] for r in under):
        return None
    n = causes.RECOVERY_RUNS
    lines = [f"incident #{incident['incident_id']} {name}:sla",
             f"SLA {name}: no field missed now (the last {n} runs of each field under target are on time); "
             f"week of {week[0]['week_start']} (the KPI, not the incident):",
             *(f"  {r['connector']}.{r['field']}: {r['met_rate_pct']:.1f} % ({r['runs_met']}/{r['runs']} runs),"
               f" target {r['target_pct']:.0f} %" for r in week)]
    for r in under:
        lines.append(f"  last {len(r['recent'])} runs of {r['connector']}.{r['field']}:")
        lines += [f"    {x['started_at']:%Y-%m-%d %H:%M} {x['status']}, lag "
                  f"{'-' if x['lag_min'] is None else format(x['lag_min'], '.0f')} min: on time" for x in r["recent"]]
    return "\n".join(lines) + "\n"


def _segment_proof(conn: psycopg.Connection, imap, incident: dict) -> str | None:
    system = incident["connector"]
    state = causes.segment_now(conn, imap, system).get(system)
    if (state is None or state["since"] is None or not state["segments"]
            or any(r["sla_min"] is None for r in state["segments"]) or any(r["late"] for r in state["over"])):
        return None
    n = causes.RECOVERY_RUNS
    since = state["since"]
    lines = [f"incident #{incident['incident_id']} {system}:segment_latency",
             f"{system}: no segment late now (no change over the SLA, in the segments x field over it this week, "
             f"written by the system's last {n} runs, since {since:%Y-%m-%d %H:%M}); week of {state['week_start']}, "
             f"every segment x field of {system} (not only the audit's top segments; the week's median is the "
             "audit's, not the incident's):",
             *(f"  {r['entity_type']}/{r['country']} {r['field']}: median {r['median_lag_min']:.1f} min "
               f"(SLA {r['sla_min']:.0f} min, {r['changes']} changes)" for r in state["segments"])]
    for r in state["over"]:
        worst = max((x["lag_min"] for x in r["recent"]), default=None)
        lines.append(f"  {r['entity_type']}/{r['country']} {r['field']} since {since:%Y-%m-%d %H:%M}: "
                     f"{len(r['recent'])} change(s)"
                     + (f", lag at most {worst:.0f} min: on time" if worst is not None else ""))
    return "\n".join(lines) + "\n"


def _missing_fields_proof(conn: psycopg.Connection, imap, incident: dict) -> str | None:
    for rule in missing_fields.rules(imap):
        if rule.sla == incident["connector"]:
            m = missing_fields.measure(conn, rule)
            if m["deals"] and not m["breached"]:
                return (f"incident #{incident['incident_id']} {rule.sla}:missing_fields\n"
                        f"{missing_fields.describe(m)}\n")
    return None


#: Per trigger, the evidence crmhub can show from the warehouse that the incident is fixed (None: not shown).
#: Each is called with ``(conn, imap, incident)``.
PROOFS = {"outreach_bulk_import": _bulk_import_proof, "sla": _sla_proof, "segment_latency": _segment_proof,
          "missing_fields": _missing_fields_proof}


def owner_closeout(conn: psycopg.Connection, proof_dir: Path, imap=None) -> list[dict]:
    """Acknowledge every open incident as its owner; resolve those with a proof (see the module doc)."""
    if imap is None:
        from crmhub.config import load_integration_map

        imap = load_integration_map()
    proof_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for incident in incidents.list_incidents(conn):
        owner = incidents.acknowledge(conn, incident["incident_id"], incident["owner"])["acknowledged_by"]
        make = PROOFS.get(incident["trigger"])
        text = make(conn, imap, incident) if make else None
        if text is not None:
            path = proof_dir / f"incident-{incident['incident_id']}-{incident['trigger']}.txt"
            path.write_text(text)
            incidents.resolve(conn, incident["incident_id"], str(path), owner)
        conn.commit()
        done.append({"incident_id": incident["incident_id"], "trigger": incident["trigger"],
                     "resolved": text is not None})
    return done
