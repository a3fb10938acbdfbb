"""Contract breaches, schema drift, SLA misses, segment latency and dead letters each open one incident."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import psycopg
from health_support import NOW, add_run

from crmhub import clock
from crmhub.health import causes, incidents, retry, sla
from crmhub.health.cycle import run_health_cycle
from crmhub.ingest.drift import park


def _open(conn, trigger):
    return conn.execute("SELECT connector, occurrences, recovered_at IS NOT NULL FROM ops.incidents "
                        "WHERE trigger = %s AND resolved_at IS NULL ORDER BY connector", (trigger,)).fetchall()


def test_breach_drift_and_sla_miss_each_open_one_incident_and_page_once(db, imap, fundadmin):
    with psycopg.connect(db) as conn:
        for field in ("amount", "email"):       # two fields, one cause: the connector's contract breached
            conn.execute("INSERT INTO ops.contract_breaches (connector, field, owner, window_days, rows, illegal_pct, "
                         "null_pct, reason) VALUES ('fundadmin_lp_contacts', %s, 'dana.kim', 14, 100, 3.0, 0, %s)",
                         (field, "illegal 3.00 % >= 1.0 % over 14 days"))
        park(conn, fundadmin, load_id="L1", origin="lp.csv", checksum="x",
             diff={"added": ["tax_id"], "missing": [], "retyped": {}}, rows=10, sample=[{"email": "ann@lp.example"}])
        conn.execute("INSERT INTO ops.sla_results (week_start, sla, connector, field, freshness_min, runs, runs_met, "
                     "met_rate_pct, met, owner) VALUES ('2026-11-23', 'fund_admin_to_crm', 'fundadmin_lp_contacts', "
                     "'amount', 360, 10, 8, 80, false, 'priya.shah')")
        add_run(conn, "fundadmin_lp_contacts", minutes_ago=30, lag_min_max=400.0)   # its last run late: missed now
        conn.commit()
    pages: list[dict] = []
    first = run_health_cycle(db, imap, notify=pages.append, now=NOW)
    assert len(first["causes"]["opened"]) == 3
    again = run_health_cycle(db, imap, notify=pages.append, now=NOW + timedelta(minutes=5))
    assert again["causes"]["opened"] == [] and len(again["causes"]["repeated"]) == 3
    with psycopg.connect(db) as conn:
        assert _open(conn, "contract_breach") == [("fundadmin_lp_contacts", 2, False)]
        assert _open(conn, "schema_drift") == [("fundadmin_lp_contacts", 2, False)]
        assert _open(conn, "sla") == [("fund_admin_to_crm", 2, False)]
        values = conn.execute("SELECT \"values\"::text FROM ops.incidents WHERE trigger = 'schema_drift'").fetchone()[0]
        assert "ann@lp.example" not in values and "tax_id" in values      # the diff, never the sample's values
    by_trigger = {p["crmhub"]["trigger"]: p["crmhub"] for p in pages}
    assert sorted(by_trigger) == ["contract_breach", "schema_drift", "sla"] and len(pages) == 3
    assert by_trigger["sla"]["owner"]["id"] == "priya.shah"
    assert by_trigger["contract_breach"]["runbook_url"] == "docs/runbooks/contract_breach.md"
    # the breach closes: its incident is marked recovered (and stays open until resolved with proof)
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE ops.contract_breaches SET closed_at = now()")
        conn.commit()
    later = run_health_cycle(db, imap, notify=pages.append, now=NOW + timedelta(minutes=10))
    assert later["causes"]["recovered"] == ["fundadmin_lp_contacts:contract_breach"]
    assert len(pages) == 3


def test_segment_latency_alert_opens_an_incident_for_the_source_system(db, imap):
    """The audit's week median over the SLA and a late change in the week (the system has no runs yet): late now."""
    from crmhub.health.segments import audit_segments

    with psycopg.connect(db) as conn:
        lp_de = conn.execute("INSERT INTO core.entity (entity_type, name, country, owner, source_system) VALUES "
                             "('lp', 'x', 'DE', 'p', 's') RETURNING crmhub_id").fetchone()[0]
        for i in range(12):                    # the fund administrator's lp/DE emails 500 min late (SLA 6 h)
            at = NOW - timedelta(hours=2, minutes=i)
            conn.execute("INSERT INTO core.change_log (core_table, crmhub_id, field, new_value, source_system, "
                         "source_ts, changed_at) VALUES ('entity', %s, 'email', 'v', 'fund_admin', %s, %s)",
                         (lp_de, at - timedelta(minutes=500), at))
        audit_segments(conn, imap, NOW.date())
        out = causes.sync_cause_incidents(conn, imap, now=NOW)
        assert len(out["opened"]) == 1 and _open(conn, "segment_latency") == [("fund_admin", 1, False)]
        values = conn.execute("SELECT values FROM ops.incidents WHERE trigger = 'segment_latency'").fetchone()[0]
    assert [(r["entity_type"], r["country"], r["field"], r["late_changes"]) for r in values["late"]] == [
        ("lp", "DE", "entity.email", 12)]


def test_retry_queue_drains_with_backoff_and_dead_letters_into_an_incident(db, imap):
    calls: list[int] = []

    def flaky(item):                      # the first item succeeds, the second always fails
        calls.append(item["item_id"])
        if item["payload"]["n"] == 2:
            raise ConnectionError("source down")

    with psycopg.connect(db) as conn:
        ok = retry.enqueue_retry(conn, "crm_contacts", {"kind": "resync", "n": 1}, max_attempts=5)
        bad = retry.enqueue_retry(conn, "crm_contacts", {"kind": "resync", "n": 2}, max_attempts=2)
        unknown = retry.enqueue_retry(conn, "crm_contacts", {"kind": "mystery"}, max_attempts=1)
        conn.commit()
        now = conn.execute("SELECT now()").fetchone()[0]
        first = retry.drain(conn, imap, {"resync": flaky}, now=now, rng=random.Random(1))
        assert (first["claimed"], first["done"], first["retrying"], first["dead"]) == (3, [ok], [bad], [unknown])
        item = conn.execute("SELECT status, attempts, next_attempt_at - %s, last_error FROM ops.retry_queue "
                            "WHERE item_id = %s", (now, bad)).fetchone()
        assert item[:2] == ("pending", 1) and timedelta(seconds=30) <= item[2] <= timedelta(seconds=60)
        assert "ConnectionError: source down" in item[3]
        assert retry.drain(conn, imap, {"resync": flaky}, now=now)["claimed"] == 0      # not due yet: backoff
        second = retry.drain(conn, imap, {"resync": flaky}, now=now + timedelta(minutes=2))
        assert second["dead"] == [bad] and second["incidents"]["repeated"]
        assert retry.queue_stats(conn) == {"crm_contacts": {"dead": 2, "done": 1}}
        incident = conn.execute("SELECT occurrences, \"values\" FROM ops.incidents WHERE trigger = 'dead_letter'").fetchall()
        assert len(incident) == 1 and incident[0][1]["dead_items"] == 2
        assert "no retry handler for kind 'mystery'" in json.dumps(
            conn.execute("SELECT last_error FROM ops.retry_queue WHERE item_id = %s", (unknown,)).fetchone())
    assert calls == [ok, bad, bad]


def test_pending_webhook_events_older_than_the_lag_target_count_toward_lag(db, imap):
    with psycopg.connect(db) as conn:
        add_run(conn, "crm_contacts", minutes_ago=2, kind="cdc", records_total=10, api_calls=1, latency_s_total=0.5)
        for i, age in enumerate((90, 45, 5)):      # crm_contacts' lag target: 20 min
            conn.execute("INSERT INTO ops.webhook_events (event_id, source, subscription_type, object_id, received_at, "
                         "payload) VALUES (%s, 'crm', 'contact.propertyChange', %s, %s, '{}')",
                         (f"e{i}", str(i), NOW - timedelta(minutes=age)))
        conn.commit()
    summary = run_health_cycle(db, imap, now=NOW)
    assert "lag 90.0/20 min" in summary["connectors"]["crm_contacts"]["explain"]
    with psycopg.connect(db) as conn:
        detail = conn.execute("SELECT detail FROM ops.health_snapshots WHERE connector = 'crm_contacts'").fetchone()[0]
        assert detail["webhook_pending_over_target"] == 2
        assert _open(conn, "lag") == [("crm_contacts", 1, False)]


def test_a_closed_sla_breach_is_not_opened_again_by_the_weeks_rate_only_by_a_new_late_run(db, imap):
    """The weekly rate (the KPI) stays under target after the fix; the incident is the breach, opened once."""
    t0 = NOW - timedelta(minutes=30)
    with clock.simulated(NOW), psycopg.connect(db) as conn:   # one ISO week whatever the wall clock
        add_run(conn, "billing_invoices", minutes_ago=0, now=t0, lag_min_max=500.0)          # late (SLA 6 h)
        sla.compute_sla_results(conn, imap, t0.date())
        causes.sync_cause_incidents(conn, imap, now=t0)
        (incident_id,) = conn.execute("SELECT incident_id FROM ops.incidents WHERE trigger = 'sla'").fetchone()
        incidents.resolve(conn, incident_id, "proof.txt", "dana.kim")
        conn.commit()
        causes.sync_cause_incidents(conn, imap, now=t0 + timedelta(minutes=5))
        assert conn.execute("SELECT count(*) FROM ops.incidents WHERE trigger = 'sla'").fetchone()[0] == 1
        add_run(conn, "billing_invoices", minutes_ago=0, lag_min_max=600.0,
                now=clock.now())
        causes.sync_cause_incidents(conn, imap, now=t0 + timedelta(minutes=10))
        assert conn.execute("SELECT count(*) FROM ops.incidents WHERE trigger = 'sla' AND resolved_at IS NULL"
                            ).fetchone()[0] == 1
