"""The demo's on-call step: what the owner of each incident does after the DAG runs.

The owner acknowledges every open incident. An incident whose proof crmhub can produce from the
warehouse is resolved with that proof written to a file (the artifact ``crmhub incidents resolve
--proof`` asks for):

* ``outreach_bulk_import``: the bulk import's trigger events were suppressed and no email went to those
  contacts - the proof is the automation's decision counts per reason and the bulk-import alerts.

Every other incident stays open (acknowledged), its runbook naming the fix only a person can make (a
source file corrected, a contract changed). The report then shows both outcomes.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from crmhub.health import incidents


def _bulk_import_proof(conn: psycopg.Connection, incident: dict) -> str | None:
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


PROOFS = {"outreach_bulk_import": _bulk_import_proof}


def owner_closeout(conn: psycopg.Connection, proof_dir: Path) -> list[dict]:
    """Acknowledge every open incident as its owner; resolve those with a proof (see the module doc)."""
    proof_dir.mkdir(parents=True, exist_ok=True)
    done = []
    for incident in incidents.list_incidents(conn):
        owner = incidents.acknowledge(conn, incident["incident_id"], incident["owner"])["acknowledged_by"]
        make = PROOFS.get(incident["trigger"])
        text = make(conn, incident) if make else None
        if text is not None:
            path = proof_dir / f"incident-{incident['incident_id']}-{incident['trigger']}.txt"
            path.write_text(text)
            incidents.resolve(conn, incident["incident_id"], str(path), owner)
        conn.commit()
        done.append({"incident_id": incident["incident_id"], "trigger": incident["trigger"],
                     "resolved": text is not None})
    return done
