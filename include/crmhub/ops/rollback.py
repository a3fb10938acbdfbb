"""Rollback triggers: the parallel run's ``rollback_recommended`` becomes an action, not a flag.

When ``crmhub reconcile parallel`` finds the new stack further from the legacy CRM than
``rollback_threshold_pct``, :func:`act_on_rollback` (called by :func:`crmhub.reconcile.parallel.run_parallel`):

1. freezes every reverse-ETL sync that writes to the compared system - through the sync's destination
   connector (``crmhub.ingest.state`` freeze: the reverse-ETL engine refuses to start a sync whose
   connector is frozen), so nothing more is pushed while people decide;
2. opens (or repeats) one ``critical`` ``rollback`` incident for the system, owned by the parallel run's
   owner, with the comparison attached: per dataset the delta %, record counts, number of differences
   and each measure's delta (no record values, no totals), plus the report path and the frozen syncs.

The people then follow docs/runbooks/rollback.md: restore a snapshot and/or roll back pushes, or fix and
compare again; releasing the syncs is ``crmhub connector unfreeze NAME --by WHO``.
"""

from __future__ import annotations

import psycopg

from crmhub.health.incidents import freeze_connector, open_incident

FROZEN_BY = "crmhub:parallel-run"


def comparison_summary(result: dict) -> dict:
    """The parallel run's comparison without record values or money totals (safe for an incident)."""
    return {
        name: {
            "delta_pct": data["delta_pct"],
            "legacy_records": data.get("legacy_records"),
            "new_records": data.get("new_records"),
            "differences": len(data.get("differences") or []),
            "measures": [{k: v for k, v in m.items() if not k.endswith("_total")} for m in data.get("measures") or []],
        }
        for name, data in result["datasets"].items()
    }


def affected_syncs(imap, system: str) -> dict[str, str]:
    """``{sync name: destination connector}`` of the reverse-ETL syncs writing to ``system``."""
    from crmhub.reverse_etl.definitions import load_syncs

    return {s.name: s.connector for s in load_syncs(imap).values() if s.destination_kind == system}


def act_on_rollback(conn: psycopg.Connection, imap, result: dict, *, system: str, owner: str | None,
                    report: str) -> dict:
    """Freeze the syncs to ``system`` and open the ``rollback`` incident (in the caller's transaction).

    Returns:
        ``{"incident_id": id, "frozen": [connectors newly frozen], "syncs": {sync: connector}}``
    """
    period = f"{result['period']['start']}..{result['period']['end']}"
    syncs = affected_syncs(imap, system)
    reason = (f"parallel run {period}: delta {result['delta_pct']:.2f} % > rollback threshold "
              f"{result['rollback_threshold_pct']:.2f} %; rollback recommended")
    frozen = [c for c in sorted(set(syncs.values())) if freeze_connector(conn, c, reason, by=FROZEN_BY)]
    incident = open_incident(
        conn, system, "rollback",
        {"error": f"{system}: {reason}; syncs frozen: {', '.join(sorted(syncs)) or 'none'}",
         "parallel_run": period, "delta_pct": result["delta_pct"],
         "rollback_threshold_pct": result["rollback_threshold_pct"], "rollback_recommended": True,
         "comparison": comparison_summary(result), "frozen_syncs": syncs, "report": report},
        proof_hint="a new parallel run report with rollback_recommended: no", severity="critical", imap=imap,
        owner=owner,
    )
    return {"incident_id": incident.incident_id, "frozen": frozen, "syncs": syncs}
