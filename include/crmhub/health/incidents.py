"""Incident response: detect, open (deduplicated), acknowledge, resolve with proof, MTTR, freeze.

Lifecycle of a row in ``ops.incidents``:

1. **open**: :func:`open_incident` inserts a row for ``(connector, trigger)``, or, when one is already
   open, updates ``values``/``last_seen_at`` and counts ``occurrences`` (a partial unique index allows only
   one open row per connector + trigger, so a flapping trigger never storms). The owner is the connector's
   owner in the integration map; the runbook link is :func:`runbook_for`: ``runbook_base_url + <trigger>.md``
   (``docs/runbooks/<trigger>.md`` in the repository, one per trigger), or the connector's own ``runbook``.
2. **recovered** (automatic): when the health cycle no longer sees the trigger, :func:`mark_recovered`
   sets ``recovered_at``. The incident stays open: only a human closes it, with proof.
3. **acknowledged**: :func:`acknowledge` records who took it.
4. **resolved**: :func:`resolve` needs a proof artifact (URL or path: a lag chart, a PR, a reconciliation
   report); without one it raises :class:`IncidentError` (and a table CHECK refuses it too).

MTTR is the map's "Alert MTTR (time to fix)", rolling: per incident, the time from ``opened_at`` to the moment
crmhub first saw it fixed for good, ``recovered_at`` (the trigger stopped firing and did not fire again before
the incident was closed), else ``resolved_at`` (triggers nothing re-checks, e.g. a reconciliation: the closing
proof is the first evidence); averaged over the incidents resolved with proof in the last
:data:`MTTR_WINDOW_DAYS` days, per owner and overall (target < 6 h). Only resolved incidents count: a person
still closes each one with proof and their name. The time a person took to close it (``resolved_at -
opened_at``) is reported beside it (``close_h``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from crmhub.exceptions import CrmHubError
from crmhub.sync import connector_state

#: Known incident triggers. ``error_rate``, ``lag`` and ``health`` come from the health cycle; the others are
#: opened by other capabilities (contract breaches from ingestion, failed reconciliations, failed jobs).
TRIGGERS = ("error_rate", "lag", "health", "contract_breach", "schema_drift", "reconciliation", "sla", "job_failure",
            "outreach_bulk_import", "security_finding")
#: Opened by the health cycle from what other capabilities record (``crmhub.health.causes``) or by operations.
TRIGGERS += ("segment_latency", "dead_letter", "rollback", "drop_file_failure", "missing_fields")
SEVERITIES = ("warning", "critical")
ERROR_RATE_MAX_PCT = 0.5
MTTR_TARGET_H = 6.0
#: The rolling window of MTTR (the map's cadence: "Rolling"): incidents resolved in the last 7 days.
MTTR_WINDOW_DAYS = 7
#: Time to fix of one resolved incident, as SQL; ``{i}`` is the table alias with its dot (or empty).
TIME_TO_FIX_SQL = "coalesce({i}recovered_at, {i}resolved_at) - {i}opened_at"


class IncidentError(CrmHubError):
    """An incident cannot be acknowledged/resolved as asked (unknown id, already resolved, no proof)."""


@dataclass(frozen=True)
class Incident:
    """The state of an incident after :func:`open_incident`; ``is_new`` is False for a repeat detection."""

    incident_id: int
    connector: str
    trigger: str
    severity: str
    values: dict
    owner: str
    runbook_url: str
    occurrences: int
    is_new: bool
    opened_at: datetime
    proof_hint: str | None = None


def resolve_owner(imap, name: str) -> tuple[str, str]:
    """``(owner person id, runbook base topic URL)`` for a connector, system or SLA name from the map.

    Raises:
        ValueError: ``name`` is none of them.
    """
    for connector in imap.connectors:
        if connector.name == name:
            return connector.owner, connector.runbook or imap.runbook_url(name)
    if name in imap.systems:
        return imap.systems[name]["owner"], imap.runbook_url(name)
    if name in imap.slas:
        return imap.slas[name]["owner"], imap.runbook_url(name)
    from crmhub.config import ITEM_SECTIONS, map_item

    for kind in ITEM_SECTIONS:  # a reverse-ETL sync, reconciliation rule or automation
        try:
            return map_item(imap, kind, name)["owner"], imap.runbook_url(name)
        except KeyError:
            continue
    known = ", ".join([c.name for c in imap.connectors] + list(imap.systems) + list(imap.slas))
    raise ValueError(f"{name!r} is not a connector, system or SLA in the integration map; known: {known}")


def runbook_for(imap, name: str, trigger: str) -> str:
    """The runbook link for ``trigger`` on ``name``: ``<runbook_base_url><trigger>.md`` (default base: the
    repository's ``docs/runbooks/``), or ``<runbook>#<trigger>`` when the connector names its own runbook."""
    for connector in imap.connectors:
        if connector.name == name and connector.runbook:
            return f"{connector.runbook}#{trigger}"
    return imap.runbook_url(f"{trigger}.md")


def runbook_path(trigger: str) -> Path:
    """The repository file of a trigger's runbook (``docs/runbooks/<trigger>.md``)."""
    return Path(__file__).resolve().parents[3] / "docs" / "runbooks" / f"{trigger}.md"


def _load_map(imap):
    if imap is not None:
        return imap
    from crmhub.config import load_integration_map

    return load_integration_map()


def open_incident(
    conn: psycopg.Connection,
    connector: str,
    trigger: str,
    values: dict[str, Any],
    proof_hint: str | None = None,
    *,
    severity: str = "warning",
    imap=None,
    owner: str | None = None,
    now: datetime | None = None,
) -> Incident:
    """Open an incident, or count a repeat of the open one for the same connector + trigger.

    Args:
        conn: warehouse connection (the caller commits).
        connector: connector name (or a system/SLA name for incidents not tied to one connector).
        trigger: one of :data:`TRIGGERS`.
        values: the measurements that fired it (JSON-safe), e.g. ``{"error_rate_pct": 0.8}``.
        proof_hint: what proof will close it ("lag chart after backfill", a reconciliation report path).
        severity: ``warning`` or ``critical``; a repeat can only escalate it, never lower it.
        imap: the integration map (loaded from the default path when None).
        owner: override the owner from the map.
        now: detection time (default: the database clock).

    Returns:
        Incident, with ``is_new`` False when an open one was updated.
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown incident trigger {trigger!r}; valid: {', '.join(TRIGGERS)}")
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}; valid: {', '.join(SEVERITIES)}")
    imap = _load_map(imap)
    map_owner, _ = resolve_owner(imap, connector)
    owner = owner or map_owner
    runbook_url = runbook_for(imap, connector, trigger)
    values = dict(values)
    if trigger in ("contract_breach", "schema_drift"):
        values.setdefault("parked_events", parked_events_count(conn, connector))
    cur = conn.cursor(row_factory=dict_row)
    row = cur.execute(
        """INSERT INTO ops.incidents AS i
               (connector, trigger, severity, "values", owner, runbook_url, proof_hint, opened_at, last_seen_at)
           VALUES (%(connector)s, %(trigger)s, %(severity)s, %(values)s, %(owner)s, %(runbook)s, %(hint)s,
                   coalesce(%(now)s, now()), coalesce(%(now)s, now()))
           ON CONFLICT (connector, trigger) WHERE resolved_at IS NULL DO UPDATE SET
               "values" = EXCLUDED."values",
               last_seen_at = EXCLUDED.last_seen_at,
               occurrences = i.occurrences + 1,
               recovered_at = NULL,
               severity = CASE WHEN EXCLUDED.severity = 'critical' THEN 'critical' ELSE i.severity END,
               proof_hint = coalesce(EXCLUDED.proof_hint, i.proof_hint)
           RETURNING incident_id, connector, trigger, severity, "values", owner, runbook_url, occurrences,
                     opened_at, proof_hint, (xmax = 0) AS is_new""",
        {
            "connector": connector, "trigger": trigger, "severity": severity,
            "values": json.dumps(values, default=str), "owner": owner, "runbook": runbook_url,
            "hint": proof_hint, "now": now,
        },
    ).fetchone()
    return Incident(**row)


def mark_recovered(conn: psycopg.Connection, connector: str, trigger: str, *, now: datetime | None = None) -> int:
    """Stamp ``recovered_at`` on the open incident for connector + trigger; returns rows changed (0 or 1)."""
    return conn.execute(
        """UPDATE ops.incidents SET recovered_at = coalesce(%s, now())
           WHERE connector = %s AND trigger = %s AND resolved_at IS NULL AND recovered_at IS NULL""",
        (now, connector, trigger),
    ).rowcount


def get_incident(conn: psycopg.Connection, incident_id: int) -> dict:
    row = conn.cursor(row_factory=dict_row).execute(
        "SELECT * FROM ops.incidents WHERE incident_id = %s", (incident_id,)
    ).fetchone()
    if row is None:
        raise IncidentError(f"no incident {incident_id}; see `crmhub incidents list --all`")
    return row


def acknowledge(conn: psycopg.Connection, incident_id: int, by: str, *, now: datetime | None = None) -> dict:
    """Record that ``by`` took the incident; re-acknowledging keeps the first time."""
    if not by or not by.strip():
        raise IncidentError("acknowledge needs --by WHO")
    incident = get_incident(conn, incident_id)
    if incident["resolved_at"] is not None:
        raise IncidentError(f"incident {incident_id} is already resolved ({incident['resolved_at']:%Y-%m-%d %H:%M})")
    conn.execute(
        """UPDATE ops.incidents SET acknowledged_at = coalesce(acknowledged_at, coalesce(%s, now())),
                  acknowledged_by = coalesce(acknowledged_by, %s)
           WHERE incident_id = %s""",
        (now, by, incident_id),
    )
    return get_incident(conn, incident_id)


def resolve(
    conn: psycopg.Connection, incident_id: int, proof: str | None, by: str, *, now: datetime | None = None
) -> dict:
    """Close an incident. ``proof`` (URL or path of the artifact that shows the fix) is required."""
    if proof is None or not str(proof).strip():
        raise IncidentError(
            f"incident {incident_id}: a proof artifact is required to resolve (a lag chart, PR or reconciliation "
            "report URL or path): pass --proof URL_OR_PATH"
        )
    if not by or not by.strip():
        raise IncidentError("resolve needs --by WHO")
    incident = get_incident(conn, incident_id)
    if incident["resolved_at"] is not None:
        raise IncidentError(f"incident {incident_id} is already resolved by {incident['resolved_by']}")
    conn.execute(
        """UPDATE ops.incidents SET resolved_at = coalesce(%s, now()), resolved_by = %s, proof = %s
           WHERE incident_id = %s""",
        (now, by, str(proof).strip(), incident_id),
    )
    return get_incident(conn, incident_id)


def list_incidents(conn: psycopg.Connection, *, include_resolved: bool = False, owner: str | None = None) -> list[dict]:
    """Incidents, newest first; open ones only unless ``include_resolved``."""
    where, params = [], []
    if not include_resolved:
        where.append("resolved_at IS NULL")
    if owner:
        where.append("owner = %s")
        params.append(owner)
    sql = "SELECT * FROM ops.incidents" + (" WHERE " + " AND ".join(where) if where else "")
    return conn.cursor(row_factory=dict_row).execute(sql + " ORDER BY opened_at DESC, incident_id DESC", params).fetchall()


def mttr(conn: psycopg.Connection, *, since: datetime | None = None) -> dict:
    """Mean time to fix (see the module doc), in hours, overall and per owner, for incidents resolved since
    ``since``; ``close_h`` is the mean time to close (``resolved_at - opened_at``) of the same incidents.

    Returns:
        ``{"overall_h": float|None, "close_h": float|None, "resolved": n, "target_h": 6.0, "met": bool|None,
        "per_owner": {owner: {"mttr_h": float, "close_h": float, "resolved": n, "met": bool}}}``
    """
    rows = conn.execute(
        f"""SELECT owner, count(*), avg(extract(epoch FROM {TIME_TO_FIX_SQL.format(i='')})) / 3600.0,
                   avg(extract(epoch FROM resolved_at - opened_at)) / 3600.0
           FROM ops.incidents WHERE resolved_at IS NOT NULL AND (%s::timestamptz IS NULL OR resolved_at >= %s)
           GROUP BY ROLLUP (owner) ORDER BY owner NULLS FIRST""",
        (since, since),
    ).fetchall()
    out: dict[str, Any] = {"overall_h": None, "close_h": None, "resolved": 0, "target_h": MTTR_TARGET_H,
                           "met": None, "per_owner": {}}
    for owner, count, hours, close in rows:
        if not count:  # ROLLUP over no rows still yields a grand-total row
            continue
        hours, close = float(hours), round(float(close), 3)
        if owner is None:
            out.update(overall_h=round(hours, 3), close_h=close, resolved=count, met=hours < MTTR_TARGET_H)
        else:
            out["per_owner"][owner] = {"mttr_h": round(hours, 3), "close_h": close, "resolved": count,
                                       "met": hours < MTTR_TARGET_H}
    return out


def detect(result, *, error_rate_max_pct: float = ERROR_RATE_MAX_PCT) -> list[tuple[str, str, dict]]:
    """Triggers fired by a :class:`~crmhub.health.score.HealthResult`: ``[(trigger, severity, values)]``.

    ``error_rate`` when error rate > 0.5 %, ``lag`` when lag > target, ``health`` when score < 90
    (``critical`` when < 70). An unknown score (never ran) fires nothing.
    """
    if result.score is None:
        return []
    values = {
        "score": result.score,
        "error_rate_pct": result.error_rate_pct,
        "avg_latency_s": result.avg_latency_s,
        "target_latency_s": result.target_latency_s,
        "sync_lag_min": result.sync_lag_min,
        "target_lag_min": result.target_lag_min,
        "pulled_down_by": result.pulled_down_by(),
    }
    severe = "critical" if result.status == "blocked" else "warning"
    fired = []
    if result.error_rate_pct > error_rate_max_pct:
        fired.append(("error_rate", severe, values))
    if result.sync_lag_min > result.target_lag_min:
        fired.append(("lag", severe, values))
    if result.status in ("degraded", "blocked"):
        fired.append(("health", severe, values))
    return fired


# -- auto-actions -------------------------------------------------------------------------------------------


def freeze_connector(conn: psycopg.Connection, connector: str, reason: str, *, by: str = "crmhub-health") -> bool:
    """Freeze ``connector`` (see :func:`crmhub.sync.connector_state.freeze`); True when it was not frozen before.

    Ingestion refuses to run a frozen connector (``ConnectorFrozenError``); its owner releases it.
    """
    return connector_state.freeze(conn, connector, reason, by=by)


def release_connector(conn: psycopg.Connection, connector: str, *, by: str) -> bool:
    """Unfreeze ``connector`` (logged, parked events released); True when it was frozen."""
    return connector_state.unfreeze(conn, connector, by=by)


def is_frozen(conn: psycopg.Connection, connector: str) -> bool:
    return connector_state.frozen_reason(conn, connector) is not None


def parked_events_count(conn: psycopg.Connection, connector: str) -> int:
    """Batches ingestion parked (with their schema diff) in ``ops.parked_events`` and not yet released."""
    return conn.execute(
        "SELECT count(*) FROM ops.parked_events WHERE connector = %s AND released_at IS NULL", (connector,)
    ).fetchone()[0]
