from datetime import timedelta

import psycopg
import pytest
from health_support import NOW, add_run

from crmhub.cli import main
from crmhub.health.cycle import run_health_cycle
from crmhub.sync import connector_state


def _seed(conn):
    # healthy: 0 % errors, 0.5 s of 2.5 s (-5), lag 2 of 20 (-2.5) -> 92.5
    add_run(conn, "crm_contacts", minutes_ago=5, records_total=1000, api_calls=10, latency_s_total=5.0, lag_min_p95=2)
    # blocked: 0.8 % errors (-40), 1 s of 2.5 s (-10), lag 30 of 60 (-12.5) -> 37.5
    add_run(conn, "cdp_events", minutes_ago=5, records_total=1000, records_failed=8, latency_s_total=1.0,
            lag_min_p95=30)


def test_cycle_snapshots_incidents_actions_and_pages_once(db, imap):
    pages = []
    with psycopg.connect(db) as conn:
        _seed(conn)
    summary = run_health_cycle(db, imap, notify=pages.append, now=NOW)
    assert set(summary["connectors"]) == {c.name for c in imap.connectors}
    assert summary["connectors"]["crm_contacts"]["score"] == pytest.approx(92.5)
    assert summary["connectors"]["cdp_events"]["status"] == "blocked"
    assert summary["connectors"]["billing_invoices"]["status"] == "unknown"
    assert summary["frozen"] == ["cdp_events"] and len(summary["retry_enqueued"]) == 1
    assert len(summary["opened"]) == 2 and summary["repeated"] == []
    assert sorted(p["crmhub"]["trigger"] for p in pages) == ["error_rate", "health"]
    assert all(p["crmhub"]["owner"]["id"] == "omar.haddad" and p["crmhub"]["runbook_url"] for p in pages)
    assert {p["crmhub"]["incident_id"] for p in pages} == set(summary["opened"])

    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM ops.health_snapshots").fetchone()[0] == len(imap.connectors)
        assert conn.execute("SELECT frozen FROM ops.connector_state WHERE connector = 'cdp_events'").fetchone()[0]
        payload = conn.execute("SELECT payload FROM ops.retry_queue").fetchone()[0]
        assert payload["kind"] == "resync" and payload["connector"] == "cdp_events"

    # five minutes later, still bad: counted, not re-paged, no second retry item
    again = run_health_cycle(db, imap, notify=pages.append, now=NOW + timedelta(minutes=5))
    assert again["opened"] == [] and sorted(again["repeated"]) == sorted(summary["opened"])
    assert len(pages) == 2 and again["retry_enqueued"] == [] and again["frozen"] == []

    # recovered: a clean run -> incidents get recovered_at but stay open until resolved with proof
    with psycopg.connect(db) as conn:
        add_run(conn, "cdp_events", minutes_ago=0, now=NOW + timedelta(minutes=130), records_total=1000,
                latency_s_total=0.5, lag_min_p95=3)
    later = run_health_cycle(db, imap, notify=pages.append, now=NOW + timedelta(minutes=130))
    assert later["connectors"]["cdp_events"]["status"] == "healthy"
    assert {"cdp_events:error_rate", "cdp_events:health"} <= set(later["recovered"])
    with psycopg.connect(db) as conn:
        open_rows = conn.execute("SELECT count(*) FROM ops.incidents WHERE connector = 'cdp_events' AND resolved_at IS NULL "
                                 "AND recovered_at IS NOT NULL").fetchone()[0]
    assert open_rows == 2


def test_failed_notifier_is_retried_next_cycle(db, imap):
    with psycopg.connect(db) as conn:
        _seed(conn)

    def broken(payload):
        raise ConnectionError("pager down")

    first = run_health_cycle(db, imap, notify=broken, now=NOW)
    assert len(first["notify_errors"]) == 2 and first["notified"] == []
    pages = []
    second = run_health_cycle(db, imap, notify=pages.append, now=NOW + timedelta(minutes=5))
    assert sorted(second["notified"]) == sorted(first["opened"]) and len(pages) == 2


def test_incidents_opened_elsewhere_are_paged_by_the_cycle(db, imap):
    from crmhub.health.incidents import open_incident

    with psycopg.connect(db) as conn:
        open_incident(conn, "fundadmin_lp_contacts", "contract_breach", {"field": "amount", "breaches": 12}, imap=imap)
    pages = []
    run_health_cycle(db, imap, notify=pages.append, now=NOW)
    assert [p["crmhub"]["trigger"] for p in pages] == ["contract_breach"]
    assert pages[0]["crmhub"]["owner"]["id"] == "priya.shah"


def test_cli_health_table_and_score(db, capsys):
    assert main(["health", "--url", db]) == 0
    assert "no health snapshots yet" in capsys.readouterr().out
    assert main(["health", "cycle", "--url", db]) == 0
    capsys.readouterr()
    assert main(["health", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "crm_contacts" in out and "unknown" in out
    assert main(["health", "score", "--error-rate-pct", "0.6", "--avg-latency-s", "2.0", "--target-latency-s", "2.5",
                 "--sync-lag-min", "12", "--target-lag-min", "20"]) == 1
    out = capsys.readouterr().out
    assert "Integration_Health = 35 (blocked)" in out and "error   -30" in out
    assert main(["health", "score", "--error-rate-pct", "0", "--avg-latency-s", "0", "--target-latency-s", "2.5",
                 "--sync-lag-min", "0", "--target-lag-min", "20", "--json"]) == 0
    assert '"score": 100.0' in capsys.readouterr().out
    assert main(["health", "score", "--error-rate-pct", "0", "--avg-latency-s", "0", "--target-latency-s", "0",
                 "--sync-lag-min", "0", "--target-lag-min", "20"]) == 2
    assert main(["health", "score", "--error-rate-pct", "-1", "--avg-latency-s", "0", "--target-latency-s", "1",
                 "--sync-lag-min", "0", "--target-lag-min", "20"]) == 2


def test_cli_health_live_sla_segments(db, capsys):
    with psycopg.connect(db) as conn:
        conn.execute("INSERT INTO ops.sync_runs (connector, kind, started_at, finished_at, status, records_total, "
                     "lag_min_p95, lag_min_max) VALUES ('cdp_events', 'ingest', now() - interval '2 min', now(), "
                     "'success', 10, 5, 7)")
    assert main(["health", "--live", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "cdp_events" in out and "healthy" in out
    assert main(["health", "sla", "--url", db]) == 0
    assert "cdp_to_crm" in capsys.readouterr().out
    assert main(["health", "segments", "--url", db]) == 0
    assert "no changes with source timestamps" in capsys.readouterr().out


def test_report_section(db, imap):
    from crmhub.health.report import health_section

    with psycopg.connect(db) as conn:
        assert "no health snapshots yet" in health_section(conn)[0]
        _seed(conn)
    run_health_cycle(db, imap, now=NOW)
    with psycopg.connect(db) as conn:
        lines = health_section(conn)
    assert any(line.startswith("cdp_events") and "blocked" in line for line in lines)
    assert any(line.startswith("open incidents: 2") for line in lines)


def test_dag_task_functions_take_a_url_and_return_json(db):
    import json

    from crmhub.health import tasks

    with psycopg.connect(db) as conn:
        conn.execute("INSERT INTO ops.sync_runs (connector, kind, started_at, finished_at, status, records_total, "
                     "records_failed, lag_min_p95, lag_min_max) VALUES ('cdp_events', 'ingest', now() - interval "
                     "'2 min', now(), 'success', 100, 3, 5, 90)")
    pages = []
    cycle = tasks.health_cycle(db, notify=pages.append)
    assert cycle["connectors"]["cdp_events"]["status"] == "blocked" and len(pages) == len(cycle["opened"]) == 2
    sla = tasks.sla_results(db)
    assert sla["rows"] >= 1 and any("cdp_events" in m for m in sla["missed"])  # 90 min > 1 h
    seg = tasks.segment_audit(db)
    assert seg == {"rows": 0, "actions": []}
    metrics = tasks.incident_metrics(db)
    assert metrics["open"] == 2 and metrics["retry_queue"] == {"cdp_events": {"pending": 1}}
    for result in (cycle, sla, seg, metrics):
        json.dumps(result)


def test_a_released_connector_is_not_frozen_again_on_the_evidence_its_owner_dealt_with(db, imap):
    with psycopg.connect(db) as conn:
        _seed(conn)
    first = run_health_cycle(db, imap, now=NOW)
    assert first["frozen"] == ["cdp_events"]
    with psycopg.connect(db) as conn:
        # while frozen, the scheduled syncs are refused: recorded 'frozen', no error of their own
        add_run(conn, "cdp_events", minutes_ago=0, now=NOW + timedelta(minutes=5), status="frozen")
        connector_state.unfreeze(conn, "cdp_events", by="omar.haddad")
        conn.execute("UPDATE ops.connector_state SET released_at = %s WHERE connector = 'cdp_events'",
                     (NOW + timedelta(minutes=10),))
    after_release = run_health_cycle(db, imap, now=NOW + timedelta(minutes=15))
    state = after_release["connectors"]["cdp_events"]
    assert state["status"] == "blocked" and state["runs"] == 1  # the refused run is not a run of the window
    assert after_release["frozen"] == [] and after_release["repeated"]  # still paged, not frozen again
    # a new bad run after the release, once the window has moved past it: frozen again
    with psycopg.connect(db) as conn:
        add_run(conn, "cdp_events", minutes_ago=1, now=NOW + timedelta(minutes=140), records_total=1000,
                records_failed=8, latency_s_total=1.0, lag_min_p95=30)
    later = run_health_cycle(db, imap, now=NOW + timedelta(minutes=140))
    assert "cdp_events" in later["frozen"]


def test_a_run_refused_by_a_freeze_is_recorded_frozen_without_an_error(db):
    import time

    from crmhub.exceptions import ConnectorFrozenError, FrozenError
    from crmhub.sync.runs import fail_run, start_run

    with psycopg.connect(db) as conn:
        for exc in (ConnectorFrozenError("cdp_events", "incident #1"), FrozenError("connector", "cdp_events", "x"),
                    RuntimeError("boom")):
            run_id = start_run(conn, "cdp_events", "ingest")
            fail_run(conn, run_id, exc, started=time.perf_counter(), api={"api_calls": 2, "api_errors": 0})
        rows = conn.execute("SELECT status, api_errors FROM ops.sync_runs ORDER BY run_id").fetchall()
    assert rows == [("frozen", 0), ("frozen", 0), ("failed", 1)]
