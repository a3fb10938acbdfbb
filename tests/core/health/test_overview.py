"""Health, connector and outreach read models on a seeded warehouse."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
from console_support import FROZEN, seed

from crmhub.health.overview import health_overview
from crmhub.ingest.overview import connector_overview
from crmhub.outreach import load_automations
from crmhub.outreach.overview import flag_states, outreach_overview
from crmhub.outreach.state import ALL, pause


def test_health_overview_names_what_the_sensors_block(db, imap):
    seed(db, imap)
    with psycopg.connect(db) as conn:
        data = health_overview(conn)
    rows = {r["connector"]: r for r in data["connectors"]}
    assert data["blocked"] == ["crm_companies"]
    bad = rows["crm_companies"]
    assert bad["status"] == "blocked" and bad["score"] == 10.0
    assert (bad["error_penalty"], bad["latency_penalty"], bad["lag_penalty"]) == (45.0, 22.5, 22.5)
    assert len(bad["trend"]) == 7 and bad["trend"][-1]["avg_score"] == 10.0
    assert 37 <= rows["crm_contacts"]["freshness_min"] <= 60
    assert {(s["connector"], s["met"]) for s in data["sla"]} == {("crm_contacts", True), ("crm_companies", False)}


def test_connector_overview_masks_quarantine_samples_and_shows_the_parked_diff(db, imap):
    seed(db, imap)
    with psycopg.connect(db) as conn:
        rows = {r["connector"]: r for r in connector_overview(conn, [c.name for c in imap.connectors])}
    assert rows[FROZEN]["frozen"] and rows[FROZEN]["parked"][0]["diff"]["missing"] == ["domain"]
    reason = rows["crm_contacts"]["quarantine"][0]
    assert reason["records"] == 3 and reason["field"] == "email"
    assert "jane.doe@@example.com" not in reason["samples"] and reason["samples"][0].startswith("j***")
    assert rows["crm_contacts"]["last_load"]["loaded"] == 497


def test_outreach_overview_reads_flag_rollout_and_pause(db, imap, tmp_path):
    bootstrap = tmp_path / "flags.json"
    bootstrap.write_text('{"version": 2, "features": [{"name": "outreach.reinstate_interest", "enabled": true, '
                         '"strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "25"}}]}]}')
    flags = flag_states(bootstrap=bootstrap)
    assert flags["flags"]["outreach.reinstate_interest"] == {"enabled": True, "rollout_pct": 25.0, "stale": False}
    assert flag_states(url="http://127.0.0.1:9/api", timeout_s=1)["error"]
    with psycopg.connect(db) as conn:
        pause(conn, ALL, by="sam.ortiz", reason="go-live")
        data = outreach_overview(conn, load_automations(imap), flags, now=datetime.now(UTC))
    auto = data["automations"][0]
    assert data["all_paused"] and auto["paused"] and auto["paused_globally"] and auto["paused_by"] == "sam.ortiz"
    assert auto["flag_state"]["rollout_pct"] == 25.0 and auto["sends_today"] == 0
    assert auto["mode"] == "control"  # nobody promoted this version of the automation yet
