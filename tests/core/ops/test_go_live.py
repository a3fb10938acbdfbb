"""Go-live mode: non-critical work is suspended for the window and resumes by itself."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import psycopg
import pytest

from crmhub.cli import main
from crmhub.config import is_critical
from crmhub.exceptions import CrmHubError
from crmhub.ops import golive
from crmhub.safety import freeze


def _with_critical(imap, connector: str):
    """The map with one connector marked ``critical: true`` (the rest keep the default, false)."""
    raw = dict(imap.raw)
    raw["connectors"] = [dict(c, critical=c["name"] == connector) for c in imap.raw["connectors"]]
    return dataclasses.replace(imap, raw=raw)


def test_go_live_suspends_non_critical_work_and_resumes_by_itself(db, imap):
    critical_map = _with_critical(imap, "fundadmin_lp_contacts")
    with psycopg.connect(db) as conn:
        now = conn.execute("SELECT now()").fetchone()[0]
        assert golive.suspension_reason(conn, critical_map, "connector", "crm_contacts") is None
        window = golive.start_go_live(conn, 48, by="lena.vogel", reason="cutover weekend")
        assert window.ends_at - window.starts_at == timedelta(hours=48)
        reason = golive.suspension_reason(conn, critical_map, "connector", "crm_contacts")
        assert reason and "go-live window" in reason and "non-critical connector 'crm_contacts'" in reason
        assert golive.suspension_reason(conn, critical_map, "connector", "fundadmin_lp_contacts") is None
        syncs = [x["name"] for x in imap.raw["reverse_etl"]["syncs"]]
        assert [n for n in syncs if golive.suspension_reason(conn, critical_map, "sync", n) is None] == [
            n for n in syncs if is_critical(imap, "sync", n)]          # critical syncs run, the others wait
        assert golive.suspension_reason(conn, critical_map, "automation", "reinstate_interest") is not None
        # a second start keeps the window in force (no stacking)
        assert golive.start_go_live(conn, 2, by="omar.haddad").window_id == window.window_id
        # 48 h later nothing is suspended, without anyone switching it off
        later = now + timedelta(hours=48, seconds=1)
        assert golive.suspension_reason(conn, critical_map, "connector", "crm_contacts", now=later) is None
        assert golive.suspended(conn, critical_map, now=later) == {"connector": [], "sync": [], "automation": []}


def test_freeze_all_suspends_critical_work_too(db, imap):
    critical_map = _with_critical(imap, "fundadmin_lp_contacts")
    with psycopg.connect(db) as conn:
        freeze.freeze_all(conn, "restore in progress", "lena.vogel")
        reason = golive.suspension_reason(conn, critical_map, "connector", "fundadmin_lp_contacts")
    assert reason and "frozen" in reason and "restore in progress" in reason


def test_go_live_end_and_validation(db, imap):
    with psycopg.connect(db) as conn:
        with pytest.raises(CrmHubError, match="--hours"):
            golive.start_go_live(conn, 0, by="lena.vogel")
        with pytest.raises(CrmHubError, match="--by"):
            golive.start_go_live(conn, 1, by="")
        golive.start_go_live(conn, 1, by="lena.vogel")
        assert golive.end_go_live(conn, by="lena.vogel") is not None
        assert golive.active_window(conn) is None
        assert golive.suspension_reason(conn, imap, "connector", "crm_contacts") is None


def test_cli_go_live_status_freeze_thaw(db, capsys):
    assert main(["ops", "go-live", "--hours", "48", "--by", "lena.vogel", "--url", db]) == 0
    assert "suspended connectors:" in capsys.readouterr().out
    assert main(["ops", "freeze", "--all", "--reason", "bad map", "--by", "lena.vogel", "--url", db]) == 0
    assert main(["ops", "status", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "FROZEN by lena.vogel" in out and "go-live:    #1 until" in out
    assert main(["ops", "thaw", "--all", "--by", "lena.vogel", "--url", db]) == 0
    assert main(["ops", "status", "--url", db]) == 0
    assert "freeze-all: off" in capsys.readouterr().out


def test_report_shows_every_incident_and_how_it_was_closed(db, imap):
    from crmhub.health import incidents
    from crmhub.report import render

    with psycopg.connect(db) as conn:
        a = incidents.open_incident(conn, "crm_contacts", "lag", {"sync_lag_min": 90}, imap=imap)
        b = incidents.open_incident(conn, "fundadmin_lp_contacts", "schema_drift", {}, imap=imap)
        incidents.resolve(conn, a.incident_id, "docs/lag-chart.png", "marcus.lee")
        conn.commit()
        golive.start_go_live(conn, 48, by="lena.vogel")
    text = render(db)
    section = text.split("== Operations and incidents")[1]
    assert "incidents opened: 2, still open: 1" in section and "go-live: window #1" in section
    assert f"#{a.incident_id}" in section and "resolved by marcus.lee" in section and "docs/lag-chart.png" in section
    assert f"#{b.incident_id}" in section and "OPEN, runbook docs/runbooks/schema_drift.md" in section


def test_demo_owner_closeout_resolves_what_has_proof_and_acknowledges_the_rest(db, imap, tmp_path):
    from crmhub.health import incidents
    from crmhub.ops.closeout import owner_closeout
    from crmhub.ops.report import ops_section

    with psycopg.connect(db) as conn:
        bulk = incidents.open_incident(conn, "crm_contacts", "outreach_bulk_import", {}, imap=imap)
        breach = incidents.open_incident(conn, "fundadmin_lp_contacts", "contract_breach", {}, imap=imap)
        conn.execute("INSERT INTO ops.outreach_alerts (automation, kind, load_id) VALUES ('reinstate_interest', "
                     "'bulk_import', 'L7')")
        conn.execute("INSERT INTO ops.outreach_decisions (automation, change_id, decision, reason) "
                     "SELECT 'reinstate_interest', g, 'suppressed', 'bulk_import' FROM generate_series(1, 80) g")
        conn.commit()
        done = owner_closeout(conn, tmp_path / "proofs")
        assert {d["incident_id"]: d["resolved"] for d in done} == {bulk.incident_id: True, breach.incident_id: False}
        proof = (tmp_path / "proofs" / f"incident-{bulk.incident_id}-outreach_bulk_import.txt").read_text()
        assert "suppressed as bulk import: 80" in proof
        lines = "\n".join(ops_section(conn))
    assert "resolved by marcus.lee" in lines and "OPEN, acknowledged by priya.shah" in lines
