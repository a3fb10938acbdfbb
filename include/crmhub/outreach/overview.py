"""Read model of outreach for people: per automation its flag, cap, pause state, sends today, approvals.

Used by the operations console. Flag state and rollout come from the same ``/api/client/features`` document the
SDK evaluates (the Unleash server, or the offline bootstrap file); addresses are always masked.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, time
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from crmhub import clock
from crmhub.outreach import control, outbox
from crmhub.outreach.flags import DEFAULT_BOOTSTRAP
from crmhub.outreach.rules import Automation
from crmhub.outreach.state import ALL, pause_state
from crmhub.outreach.teardown import deliveries


def _rollout(feature: dict) -> float | None:
    """Rollout % of a feature's flexibleRollout strategy (100 for a plain ``default`` strategy)."""
    for strategy in feature.get("strategies") or []:
        if strategy.get("name") == "flexibleRollout":
            try:
                return float((strategy.get("parameters") or {}).get("rollout", 0))
            except (TypeError, ValueError):
                return None
        if strategy.get("name") == "default":
            return 100.0
    return None


def flag_states(*, url: str | None = None, token: str | None = None, bootstrap: str | Path | None = None,
                timeout_s: float = 3.0) -> dict:
    """``{"source": ..., "error": str|None, "flags": {name: {"enabled", "rollout_pct", "stale"}}}``.

    ``url`` is the Unleash API base (``http://host:4242/api``); without it the bootstrap file is read. An
    unreachable server gives no flags and the error (outreach fails closed in that case too).
    """
    try:
        if url:
            request = urllib.request.Request(url.rstrip("/") + "/client/features",
                                             headers={"Authorization": token or "", "Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 (configured URL)
                payload = json.load(response)
            source = f"Unleash {url}"
        else:
            path = Path(bootstrap or DEFAULT_BOOTSTRAP)
            payload = json.loads(path.read_text(encoding="utf-8"))
            source = f"bootstrap {path.name}"
    except (OSError, ValueError) as exc:
        return {"source": url or str(bootstrap or DEFAULT_BOOTSTRAP), "error": str(exc), "flags": {}}
    flags = {f["name"]: {"enabled": bool(f.get("enabled")), "rollout_pct": _rollout(f), "stale": bool(f.get("stale"))}
             for f in payload.get("features", []) if "name" in f}
    return {"source": source, "error": None, "flags": flags}


def _start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(UTC).date(), time.min, tzinfo=UTC)


def sends_since(conn: psycopg.Connection, since: datetime) -> dict[str, int]:
    """Messages sent per automation since ``since``."""
    return dict(conn.execute(
        "SELECT automation, count(*) FROM ops.outbox WHERE status = 'sent' AND sent_at >= %s GROUP BY automation",
        (since,)).fetchall())


def last_runs(conn: psycopg.Connection) -> dict[str, dict]:
    """The newest real (not dry) run of every automation."""
    rows = conn.cursor(row_factory=dict_row).execute(
        """SELECT DISTINCT ON (automation) run_id, automation, started_at, finished_at, outcome, detail
           FROM ops.outreach_runs WHERE NOT dry_run ORDER BY automation, started_at DESC, run_id DESC"""
    ).fetchall()
    return {r["automation"]: r for r in rows}


def outreach_overview(conn: psycopg.Connection, automations: dict[str, Automation], flags: dict, *,
                      now: datetime | None = None) -> dict:
    """Everything the outreach page shows; ``flags`` is :func:`flag_states` output.

    An automation whose newest run ended ``needs_approval`` has a pending approval: the DAG's
    ``ApprovalOperator`` waits for a human in Airflow's "Required actions".
    """
    now = now or clock.now()
    today = _start_of_day(now)
    sent, runs = sends_since(conn, today), last_runs(conn)
    rows = []
    for name, auto in automations.items():
        state = pause_state(conn, name)
        run = runs.get(name)
        rows.append({
            "automation": name,
            "owner": auto.owner,
            "description": auto.description,
            "flag": auto.flag,
            "mode": control.mode(conn, auto),
            "flag_state": flags["flags"].get(auto.flag),
            "cap": {"max_sends": auto.cap.max_sends, "max_percent": auto.cap.max_percent,
                    "on_exceed": auto.cap.on_exceed},
            "bulk_threshold": auto.bulk_threshold,
            "paused": state.paused, "paused_by": state.paused_by, "pause_reason": state.reason, "paused_at": state.at,
            "paused_globally": state.paused and state.automation == ALL,
            "sends_today": sent.get(name, 0),
            "outbox": outbox.counts(conn, name),
            "last_run": run,
            "pending_approval": bool(run and run["outcome"] == "needs_approval"),
            "teardown_today": deliveries(conn, name, today, now),
        })
    return {"automations": rows, "all_paused": pause_state(conn, ALL).paused and
            pause_state(conn, ALL).automation == ALL, "flags_source": flags["source"],
            "flags_error": flags["error"], "since": today}
