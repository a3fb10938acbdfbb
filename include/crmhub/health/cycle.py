"""One health cycle (the ``crmhub_health`` DAG runs it every 5 minutes): score, snapshot, detect, act, page.

For every connector of the integration map:

1. compute its health from ``ops.sync_runs`` (``crmhub.health.score``) and insert a snapshot;
2. open or repeat an incident for each trigger that fires (error rate > 0.5 %, lag > target, health < 90);
   triggers that no longer fire get ``recovered_at`` (the incident stays open until resolved with proof);
3. auto-actions: an error-rate incident queues one ``resync`` item in ``ops.retry_queue`` (deduplicated per
   connector); a ``critical`` incident (health < 70) freezes the connector in ``ops.connector_state``.
4. a ``running`` load whose process died (``crmhub.sync.liveness``) is marked ``abandoned``, its backend
   cancelled, and a ``job_failure`` incident opened for its connector's owner.

Then every open incident not yet notified (including ones other capabilities opened with
``open_incident``: contract breaches, failed reconciliations) is sent to ``notify(payload)`` once and
stamped ``notified_at``; a failing notifier is logged and retried on the next cycle, never fatal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from crmhub.health import alerts, causes, incidents, retry, score
from crmhub.sync import connector_state, liveness
from crmhub.warehouse.connection import connect

log = logging.getLogger(__name__)

HEALTH_TRIGGERS = ("error_rate", "lag", "health")
Notify = Callable[[dict], object]


def run_health_cycle(
    warehouse_url: str,
    imap,
    *,
    notify: Notify | None = None,
    now: datetime | None = None,
    freeze: bool = True,
) -> dict:
    """Run one cycle; returns a JSON-safe summary.

    Args:
        warehouse_url: libpq URL of the warehouse.
        imap: the integration map.
        notify: called with each alert payload (``crmhub.health.alerts.build_payload``); the DAG passes the
            Airflow notifier's ``send_payload``. None: incidents are recorded but nobody is paged.
        now: evaluation time (tests); default the database clock.
        freeze: freeze connectors with a critical incident.

    Returns:
        ``{"connectors": {name: {...score...}}, "opened": [ids], "repeated": [ids], "recovered": [..],
        "frozen": [names], "retry_enqueued": [ids], "notified": [ids], "notify_errors": [..]}``
    """
    summary: dict = {"connectors": {}, "opened": [], "repeated": [], "recovered": [], "frozen": [],
                     "retry_enqueued": [], "notified": [], "notify_errors": []}
    targets = score.connector_targets(imap)
    with connect(warehouse_url) as conn:
        at = now or conn.execute("SELECT now()").fetchone()[0]
        for name, target in targets.items():
            result = score.connector_health(conn, name, now=at, **target, **score.webhook_backlog_of(imap, name))
            score.record_snapshot(conn, result, taken_at=at)
            summary["connectors"][name] = {
                "score": result.score, "status": result.status, "explain": result.explain(),
                "pulled_down_by": result.pulled_down_by(), "runs": result.runs,
            }
            log.info("%s", result.explain())
            fired = incidents.detect(result)
            for trigger, severity, values in fired:
                inc = incidents.open_incident(conn, name, trigger, values, severity=severity, imap=imap, now=at,
                                              proof_hint=_proof_hint(trigger))
                summary["opened" if inc.is_new else "repeated"].append(inc.incident_id)
                if trigger == "error_rate":
                    item = retry.enqueue_retry(
                        conn, name, {"kind": "resync", "connector": name, "reason": "error rate above 0.5 %",
                                     "window_start": result.window_start},
                        reason="error_rate", dedupe_key="resync", incident_id=inc.incident_id,
                    )
                    if item is not None:
                        summary["retry_enqueued"].append(item)
                if severity == "critical" and freeze and _may_freeze(conn, name, result) and incidents.freeze_connector(
                    conn, name, f"incident #{inc.incident_id}: {result.explain()}"
                ):
                    summary["frozen"].append(name)
            fired_names = {t for t, _, _ in fired}
            for trigger in HEALTH_TRIGGERS:
                if trigger not in fired_names and result.score is not None and incidents.mark_recovered(
                    conn, name, trigger, now=at
                ):
                    summary["recovered"].append(f"{name}:{trigger}")
            conn.commit()
        for load in liveness.abandon_stale_loads(conn):  # a load whose process died: its owner is told
            inc = incidents.open_incident(conn, load.connector, "job_failure", load.values(), imap=imap, now=at,
                                          proof_hint="the connector's next load finished 'loaded'")
            summary["opened" if inc.is_new else "repeated"].append(inc.incident_id)
        conn.commit()
        summary["causes"] = causes.sync_cause_incidents(conn, imap, now=at)   # breaches, drift, SLA, ...
        if notify is not None:
            _notify_pending(conn, imap, notify, summary, at)
    return summary


def _may_freeze(conn, name: str, result) -> bool:
    """The automatic freeze respects its owner's release: a connector released after the window began is not
    frozen again until the window has moved past the release, so every run a new freeze rests on came after
    it (the older runs are what the owner dealt with). Its incident still opens or repeats and pages."""
    return result.window_start is None or not connector_state.released_since(conn, name, result.window_start)


def _proof_hint(trigger: str) -> str:
    return {
        "error_rate": "error-rate chart of the connector's runs after the fix, or the PR that fixed it",
        "lag": "lag chart showing lag back under target (ops.health_snapshots)",
        "health": "health snapshot >= 90 after the fix, plus the PR or config change",
    }[trigger]


def _notify_pending(conn: psycopg.Connection, imap, notify: Notify, summary: dict, at: datetime) -> None:
    pending = conn.cursor(row_factory=dict_row).execute(
        "SELECT * FROM ops.incidents WHERE resolved_at IS NULL AND notified_at IS NULL ORDER BY incident_id"
    ).fetchall()
    conn.commit()
    for incident in pending:
        payload = alerts.payload_for_incident(incident, imap)
        try:
            notify(payload)
        except Exception as exc:  # a pager outage must not stop health checks; retried next cycle
            log.exception("notifying incident %s failed", incident["incident_id"])
            summary["notify_errors"].append({"incident_id": incident["incident_id"], "error": str(exc)})
            continue
        conn.execute("UPDATE ops.incidents SET notified_at = %s WHERE incident_id = %s", (at, incident["incident_id"]))
        conn.commit()
        summary["notified"].append(incident["incident_id"])
