from datetime import date, timedelta

import psycopg
import pytest
from health_support import NOW, add_run

from crmhub.health import sla


def test_field_slas_from_map(imap):
    specs = {(s["connector"], s["field"]): s for s in sla.field_slas(imap)}
    # field_map entry names its SLA
    assert specs[("fundadmin_lp_contacts", "amount")]["sla"] == "fund_admin_to_crm"
    assert specs[("fundadmin_lp_contacts", "amount")]["freshness_min"] == 360
    # explicit field_map SLA wins over the system mapping (crm_companies' system crm is no SLA's `from`)
    assert specs[("crm_companies", "domain")]["sla"] == "dwh_to_crm"
    # system -> sla.from for other targeted fields
    assert specs[("cdp_events", "event_id")]["sla"] == "cdp_to_crm"
    assert specs[("cdp_events", "event_id")]["freshness_min"] == 60
    assert ("crm_contacts", "email") not in specs
    assert all(s["target_pct"] == 95 for s in specs.values())


def test_weekly_met_rate_per_field(db, imap):
    with psycopg.connect(db) as conn:
        # 20 runs this week for cdp_events: 18 within 60 min, 1 late, 1 failed -> 90 %
        for i in range(18):
            add_run(conn, "cdp_events", minutes_ago=60 * i + 5, lag_min_max=30.0, lag_min_p95=20)
        add_run(conn, "cdp_events", minutes_ago=2000, lag_min_max=75.0)
        add_run(conn, "cdp_events", minutes_ago=2100, status="failed")
        # per-field lag recorded by the writer overrides the run lag for that field only
        add_run(conn, "fundadmin_lp_contacts", minutes_ago=10, lag_min_max=400.0,
                detail={"field_lag_min": {"amount": 30}})
        # backfill runs (no lag, historic records) are not SLA runs
        add_run(conn, "cdp_events", minutes_ago=30, kind="backfill")
        add_run(conn, "cdp_events", minutes_ago=31, kind="backfill", status="failed")
        # last week's run is not counted in this week
        add_run(conn, "cdp_events", minutes_ago=60 * 24 * 7, lag_min_max=999.0)
        rows = sla.compute_sla_results(conn, imap, NOW.date())
        again = sla.compute_sla_results(conn, imap, NOW.date())  # idempotent upsert
        stored = conn.execute("SELECT count(*) FROM ops.sla_results").fetchone()[0]
        by = {(r["connector"], r["field"]): r for r in rows}
    assert stored == len(rows) == len(again)
    ev = by[("cdp_events", "behavioral_score")]
    assert ev["week_start"] == date(2026, 11, 23) and ev["runs"] == 20 and ev["runs_met"] == 18
    assert ev["met_rate_pct"] == pytest.approx(90.0) and ev["met"] is False and ev["owner"] == "omar.haddad"
    assert by[("fundadmin_lp_contacts", "amount")]["met_rate_pct"] == 100.0
    assert by[("fundadmin_lp_contacts", "email")]["met_rate_pct"] == 0.0  # 400 min > 6 h


def test_pushed_flows_are_measured_end_to_end_from_the_syncs_runs(db, imap):
    """A field_map entry with a ``sync`` gets a ``sync:<name>`` row: the sync's runs, each judged by the lag from
    the source change to the CRM write that the reverse-ETL run recorded (per property, else the run's max)."""
    specs = {(s["connector"], s["field"]): s for s in sla.field_slas(imap)}
    assert specs[("sync:company_invoice_status", "invoice_status")]["freshness_min"] == 360
    assert specs[("sync:company_icp_fit", "icp_fit")]["sla"] == "dwh_to_crm"
    assert ("sync:contact_traits", "lp_commitment_amount") in specs and ("sync:contact_traits", "email") in specs
    assert ("warehouse", "icp_fit") not in specs           # a warehouse model's column has no connector runs

    def push(minutes_ago, detail, status="success", kind="sync"):
        add_run(conn, "crm_companies", minutes_ago=minutes_ago, kind="reverse_etl", status=status,
                detail={"sync": "company_invoice_status", "kind": kind, **detail})

    with psycopg.connect(db) as conn:
        push(10, {"field_lag_min": {"invoice_status": 200.0}, "e2e_lag_min": {"max": 200.0}})   # met
        push(20, {"field_lag_min": {"invoice_status": 500.0}, "e2e_lag_min": {"max": 500.0}})   # late: missed
        push(30, {})                                                    # nothing changed since the last push: met
        push(40, {}, status="failed")                                   # failed: missed
        push(50, {"status": "skipped"})                                 # frozen connector: not an SLA run
        push(60, {"e2e_lag_min": {"max": 9999.0}}, kind="rollback")     # rollbacks are not SLA runs
        add_run(conn, "crm_companies", minutes_ago=70, lag_min_max=9999.0)   # the connector's own read: not this
        rows = {(r["connector"], r["field"]): r for r in sla.compute_sla_results(conn, imap, NOW.date())}
    row = rows[("sync:company_invoice_status", "invoice_status")]
    assert (row["runs"], row["runs_met"], row["met_rate_pct"], row["met"]) == (4, 2, 50.0, False)


def test_week_start():
    assert sla.week_start(NOW) == date(2026, 11, 23)
    assert sla.week_start(date(2026, 11, 23)) == date(2026, 11, 23)
    assert sla.week_start(NOW + timedelta(days=5)) == date(2026, 11, 30)


def test_deadline_params(monkeypatch, imap):
    monkeypatch.delenv("CRMHUB_DISABLE_DEADLINES", raising=False)
    assert sla.deadline_params("crmhub_health", imap) == {"reference": "DAGRUN_QUEUED_AT",
                                                          "interval": timedelta(minutes=10)}
    assert sla.deadline_params("crmhub_ingest_billing_invoices", imap)["interval"] == timedelta(minutes=360)
    assert sla.deadline_params("crmhub_ingest_crm_contacts", imap)["interval"] == timedelta(minutes=20)
    assert sla.deadline_params("crmhub_reverse_etl", imap)["interval"] == timedelta(hours=24)
    assert sla.deadline_params("something_else", imap)["interval"] == timedelta(hours=1)
    monkeypatch.setenv("CRMHUB_DISABLE_DEADLINES", "1")
    assert sla.deadline_params("crmhub_health", imap) is None
