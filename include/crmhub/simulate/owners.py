"""The simulated owners' review: what each incident's owner does when they look at it.

An owner resolves an incident only with evidence crmhub can show from the warehouse at that moment, written to
a proof file (the artifact ``crmhub incidents resolve --proof`` requires):

* ``health`` / ``lag`` / ``error_rate``: the connector's Integration_Health, measured now, is back at or above
  the block line; the proof is the scorer's explanation per term;
* ``reconciliation``: the rule's latest reconciliation is no longer breached; the proof is that run's row;
* ``schema_drift``: a load of the connector finished ``loaded`` after the incident opened (the source's owner
  had the export fixed); the proof names that load;
* ``outreach_bulk_import``, ``sla``, ``segment_latency``: as in the demo's closeout (``crmhub.ops.closeout``):
  the bulk import suppressed; the SLA no longer missed now (the last 3 runs of each field under target on
  time); the source system's segments no longer late now (no change over the SLA, in a segment x field over
  it this week, written by the system's last 3 runs).

Anything else stays open (acknowledged). At each review the owners first release their frozen connectors
(:func:`release_frozen`; the runbook's catch-up load follows, and the next health cycle freezes a connector
again if it is still blocked), then look for the evidence (:func:`owners_review`).

RevOps promotes the outreach automations (:func:`promote_checked_automations`) from the plan's 10 % flag day:
an automation still in control mode whose current version has a control message delivered (``sent``) is
promoted with ``crmhub.outreach.control.promote``, recorded with who (``REVOPS``), as ``crmhub outreach
control-report`` then ``promote NAME --by WHO`` would.

IR works the reconciliation report too: :func:`lps_missing_in_crm` lists the LP contacts the fund
administrator has and the CRM lacks (rule ``LP_RULE``'s ``missing_right`` differences), with the fund
administrator's name, address and company, for IR to enter in the CRM (``World.enter_lp_contacts``). The CRM's
LP contacts the fund administrator's file lacks or holds without an address (``missing_left``, an ``email``
mismatch with no fund-admin address: :func:`lps_missing_at_fund_admin`) go to the
fund administrator with the rule's incident (its owner, ``priya.shah``): the fund administrator re-sends the
rows of its own it finds for them in the next drop, corrected (``World.fund_admin_corrections``); a contact it
holds no row for (no commitment) stays a difference.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg

from crmhub.health import incidents

HEALTH_TRIGGERS = ("health", "lag", "error_rate")
#: Who checks the control sends and promotes the outreach automations in the simulation.
REVOPS = "sim.revops"
#: The reconciliation rule whose report lists the fund administrator's LP contacts missing in the CRM.
LP_RULE = "fund_admin_contacts_vs_crm"


def _health_proof(conn: psycopg.Connection, imap, incident: dict) -> str | None:
    from crmhub.health.score import BLOCK_BELOW, connector_health, connector_targets

    name = incident["connector"]
    if name not in {c.name for c in imap.connectors}:
        return None
    result = connector_health(conn, name, **connector_targets(imap, [name])[name])
    if result.score is None or result.score < BLOCK_BELOW:
        return None
    return f"{name}: Integration_Health {result.score:.1f} >= {BLOCK_BELOW} now\n{result.explain()}\n"


def _reconciliation_proof(conn: psycopg.Connection, imap, incident: dict) -> str | None:
    row = conn.execute(
        """SELECT rule, logical_date, delta_pct, threshold_pct, breached FROM ops.reconciliation_runs
            WHERE rule = %s ORDER BY logical_date DESC, run_id DESC LIMIT 1""", (incident["connector"],)).fetchone()
    if row is None or row[4]:
        return None
    return json.dumps({"rule": row[0], "logical_date": str(row[1]), "delta_pct": float(row[2]),
                       "threshold_pct": float(row[3]), "breached": row[4]}) + "\n"


def _drift_proof(conn: psycopg.Connection, imap, incident: dict) -> str | None:
    row = conn.execute(
        """SELECT load_id, origin, loaded, finished_at FROM ops.loads
            WHERE connector = %s AND status = 'loaded' AND started_at > %s ORDER BY started_at LIMIT 1""",
        (incident["connector"], incident["opened_at"])).fetchone()
    if row is None:
        return None
    return f"{incident['connector']}: load {row[0]} of {row[1]} finished 'loaded' ({row[2]} rows) at {row[3]}\n"


def release_frozen(conn: psycopg.Connection, imap) -> list[str]:
    """Each frozen connector's owner releases it (the runbook's catch-up load follows; the next health cycle
    freezes it again if it is still blocked). Returns the released connectors."""
    from crmhub.sync.connector_state import unfreeze

    connectors = {c.name: c for c in imap.connectors}
    released = []
    for (name,) in conn.execute("SELECT connector FROM ops.connector_state WHERE frozen").fetchall():
        owner = connectors[name].owner if name in connectors else "sim.owner"
        unfreeze(conn, name, by=owner, reason="crmhub simulate: owner released it at the review")
        conn.commit()
        released.append(name)
    return released


def owners_review(conn: psycopg.Connection, imap, proof_dir: Path) -> dict:
    """Acknowledge every open incident as its owner; resolve those the warehouse shows evidence for now."""
    from crmhub.ops.closeout import PROOFS

    proof_dir.mkdir(parents=True, exist_ok=True)
    resolved = 0
    for incident in incidents.list_incidents(conn):
        owner = incidents.acknowledge(conn, incident["incident_id"], incident["owner"])["acknowledged_by"]
        trigger = incident["trigger"]
        if trigger in HEALTH_TRIGGERS:
            text = _health_proof(conn, imap, incident)
        elif trigger == "reconciliation":
            text = _reconciliation_proof(conn, imap, incident)
        elif trigger == "schema_drift":
            text = _drift_proof(conn, imap, incident)
        else:
            make = PROOFS.get(trigger)
            text = make(conn, imap, incident) if make else None
        if text is not None:
            path = proof_dir / f"incident-{incident['incident_id']}-{trigger}.txt"
            path.write_text(text, encoding="utf-8")
            incidents.resolve(conn, incident["incident_id"], str(path), owner)
            resolved += 1
        conn.commit()
    return {"resolved": resolved}

def promote_checked_automations(conn: psycopg.Connection, imap, by: str = REVOPS) -> list[dict]:
    """Promote each automation in control mode whose current version delivered a control message (the
    control report shows it ``sent``); returns ``[{automation, control_sends, promoted_by}]`` promoted now."""
    from crmhub.outreach import control
    from crmhub.outreach.rules import load_automations

    out = []
    for name, auto in load_automations(imap).items():
        if control.mode(conn, auto) != "control":
            continue
        if not any(d.status == "sent" for d in control.control_report(conn, auto)):
            continue
        sent = control.promote(conn, auto, by, note="crmhub simulate: control sends checked on the 10 % flag day")
        out.append({"automation": name, "control_sends": sent, "promoted_by": by})
    return out


def _latest_lp_rule_run(conn: psycopg.Connection, imap, after_run: int):
    """``(rule, run_id)`` of ``LP_RULE``'s latest run newer than ``after_run`` (``run_id`` None: no newer run)."""
    from crmhub.reconcile.rules import load_rules

    rule = load_rules(imap, [LP_RULE])[0]
    row = conn.execute("SELECT max(run_id) FROM ops.reconciliation_runs WHERE rule = %s AND run_id > %s",
                       (LP_RULE, after_run)).fetchone()
    return rule, row[0]


def lps_missing_in_crm(conn: psycopg.Connection, imap, after_run: int = 0) -> tuple[int, list[dict]]:
    """``(run_id, records)``: the fund administrator's LP contacts that ``LP_RULE``'s latest run (newer than
    ``after_run``) found missing in the CRM, as the fund administrator's file has them (its newest staged row:
    ``external_id``, ``first_name``, ``last_name``, ``email``, ``company``); ``(after_run, [])`` when there is
    no newer run."""
    from psycopg import sql

    rule, run_id = _latest_lp_rule_run(conn, imap, after_run)
    if run_id is None:
        return after_run, []
    connector = imap.connector(rule.left.connector)
    query = sql.SQL(
        """SELECT DISTINCT ON (s.external_id) s.external_id, s.first_name, s.last_name, s.email, s.company
             FROM ops.reconciliation_diffs d
             JOIN staging.{stg} s ON s.external_id = d.left_ref
            WHERE d.run_id = %s AND d.kind = 'missing_right' AND s.email IS NOT NULL
            ORDER BY s.external_id, s.row_no DESC""").format(stg=sql.Identifier(connector.name))
    cur = conn.execute(query, (run_id,))
    names = [c.name for c in cur.description]
    return run_id, [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def lps_missing_at_fund_admin(conn: psycopg.Connection, imap, after_run: int = 0) -> tuple[int, list[dict]]:
    """``(run_id, records)``: the CRM's LP contacts that ``LP_RULE``'s latest run (newer than ``after_run``)
    found missing in the fund administrator's file, or present there without an address (an ``email``
    mismatch whose fund-admin row has none), as the CRM has them (its newest staged row: ``crm_id``,
    ``first_name``, ``last_name``, ``email``, ``company``): what the rule's owner sends the fund administrator."""
    from psycopg import sql

    rule, run_id = _latest_lp_rule_run(conn, imap, after_run)
    if run_id is None:
        return after_run, []
    connector = imap.connector(rule.right.connector)
    query = sql.SQL(
        """SELECT DISTINCT ON (s.id) s.id AS crm_id, s.firstname AS first_name, s.lastname AS last_name,
                  s.email, s.company
             FROM ops.reconciliation_diffs d
             JOIN staging.{stg} s ON s.id = d.right_ref
            WHERE d.run_id = %s
              AND (d.kind = 'missing_left'
                   OR d.kind = 'mismatch' AND d.field = 'email'
                      AND NOT EXISTS (SELECT 1 FROM staging.{fa} f WHERE f.external_id = d.left_ref
                                         AND f.email IS NOT NULL))
            ORDER BY s.id, s.lastmodifieddate DESC NULLS LAST, s.row_no DESC""").format(
        stg=sql.Identifier(connector.name), fa=sql.Identifier(rule.left.connector))
    cur = conn.execute(query, (run_id,))
    names = [c.name for c in cur.description]
    return run_id, [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
