"""field_map flows end to end (issue 18.1): source system -> core -> CRM, each by its own reverse-ETL sync.

billing_invoices.invoice_status (billing PostgreSQL, enum_map) -> core.commitment.invoice_status -> CRM
company invoice_status; cdp_events.behavioral_score (CDP CSV drop, scale 0-100) -> core.interaction ->
CRM contact intent_score. Both syncs update records already in the CRM (by CRM id) and never create one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from retl_helpers import TOKEN, add_contact, add_entity

from crmhub.config import load_integration_map
from crmhub.health.sla import compute_sla_results
from crmhub.ingest.tasks import SourceAccess, ingest_connector
from crmhub.report import render
from crmhub.reverse_etl import get_sync, is_due, run_sync, store
from crmhub.reverse_etl.flows import flow_status

pytestmark = pytest.mark.integration


def _crm(admin: httpx.Client, obj: str, rid: str, prop: str) -> str | None:
    return admin.get(f"/crm/v3/objects/{obj}/{rid}", params={"properties": prop}).json()["properties"].get(prop)


def _billing(url: str, rows: list[tuple]) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS billing")
        conn.execute("CREATE TABLE IF NOT EXISTS billing.invoices (invoice_id text, lp_external_id text, fund_name "
                     "text, amount text, currency text, invoice_status text, issued_on text, updated_at timestamptz, "
                     "customer_tax_id text)")
        conn.cursor().executemany("INSERT INTO billing.invoices VALUES (%s, %s, 'Fund IV', '125000.00', 'USD', %s, "
                         "'2026-11-01', %s)", rows)


def _billing_with_tax_ids(url: str, rows: list[tuple]) -> None:
    """Invoices ``(invoice_id, lp_external_id, status, updated_at, customer_tax_id)``."""
    _billing(url, [])
    with psycopg.connect(url) as conn:
        conn.cursor().executemany(
            "INSERT INTO billing.invoices (invoice_id, lp_external_id, fund_name, amount, currency, invoice_status, "
            "issued_on, updated_at, customer_tax_id) VALUES (%s, %s, 'Fund IV', '1.00', 'USD', %s, '2026-11-01', %s, %s)",
            rows)


def test_billing_invoice_status_reaches_the_crm_company(db, make_database, sandbox, admin):
    imap = load_integration_map()
    with psycopg.connect(db) as conn:
        entity = add_entity(conn, "Alpha Pension")
        contact = add_contact(conn, "ann@alpha.example", entity_id=entity)
        conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) VALUES "
                     "('fund_admin', 'lp_contact', 'LP-1', %s, 'contact')", (contact,))
        other = add_entity(conn, "Gamma Trust")                   # known to billing as its customer BIL-7
        conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) VALUES "
                     "('billing', 'customer', 'BIL-7', %s, 'entity')", (other,))
        store.remember_ids(conn, "crm", "company", "entity", [(entity, "5001"), (other, "5002")])
    sandbox.load_seed({"companies": [{"id": "5001", "properties": {"name": "Alpha Pension"}},
                                     {"id": "5002", "properties": {"name": "Gamma Trust"}}]})
    billing = make_database()
    t0 = datetime.now(UTC) - timedelta(hours=2)
    _billing(billing, [("INV-1", "LP-1", "Open", t0),             # the contract maps open -> sent
                       ("INV-9", "BIL-7", "overdue", t0 - timedelta(hours=8))])
    ingest_connector(db, "billing_invoices", SourceAccess(url=billing), imap=imap)
    first = run_sync("company_invoice_status", db, sandbox.url, TOKEN, imap=imap)
    assert first.status == "success" and first.counts["records_created"] == 0
    assert _crm(admin, "companies", "5001", "invoice_status") == "sent"
    assert _crm(admin, "companies", "5002", "invoice_status") == "overdue"

    _billing(billing, [("INV-2", "LP-1", "PAID", t0 + timedelta(hours=1))])   # a newer invoice, paid
    ingest_connector(db, "billing_invoices", SourceAccess(url=billing), imap=imap)
    second = run_sync("company_invoice_status", db, sandbox.url, TOKEN, imap=imap)
    assert second.counts["records_sent"] == 1
    assert _crm(admin, "companies", "5001", "invoice_status") == "paid"

    with psycopg.connect(db) as conn:                       # the report: the flow, its SLA met rate, its sync
        compute_sla_results(conn, imap)
        conn.commit()
        flow = {f.source: f for f in flow_status(conn, imap)}["billing_invoices.invoice_status"]
    assert (flow.sync, flow.sync_status, flow.sync_runs_7d, flow.sync_ok_7d) == ("company_invoice_status", "success",
                                                                                 2, 2)
    # end to end: the first push of a record carries no lag; the paid invoice (billing updated_at 1 h ago) reached
    # the CRM about 60 min after the billing change, within billing_to_crm's 6 h
    assert flow.sla == "billing_to_crm" and flow.sla_met_pct == 100.0 and flow.end_to_end.runs == 2
    with psycopg.connect(db) as conn:
        detail = conn.execute("SELECT detail FROM ops.sync_runs WHERE detail->>'reverse_etl_run_id' = %s",
                              (str(second.run_id),)).fetchone()[0]
        stored = conn.execute("SELECT met_rate_pct, runs FROM ops.sla_results WHERE connector = "
                              "'sync:company_invoice_status' AND field = 'invoice_status'").fetchone()
    assert 55 <= detail["field_lag_min"]["invoice_status"] <= 70 and detail["records_timed"] == 1
    assert stored == (100.0, 2)
    assert "billing_invoices.invoice_status -> crm.company.invoice_status [enum_map; dana.kim] SLA billing_to_crm: " \
           "end to end 100% of 2 run(s) (target 95%), ingest 100%; sync company_invoice_status: success" in render(db)

    # a change the billing system made 8 h ago reaches the CRM only now: that run misses the 6 h SLA
    with psycopg.connect(billing) as conn:
        conn.execute("UPDATE billing.invoices SET invoice_status = 'paid', updated_at = now() - interval '8 hours' "
                     "WHERE invoice_id = 'INV-9'")
    ingest_connector(db, "billing_invoices", SourceAccess(url=billing), imap=imap)
    late = run_sync("company_invoice_status", db, sandbox.url, TOKEN, imap=imap)
    assert late.counts["records_sent"] == 1 and _crm(admin, "companies", "5002", "invoice_status") == "paid"
    with psycopg.connect(db) as conn:
        flow = {f.source: f for f in flow_status(conn, imap)}["billing_invoices.invoice_status"]
    assert (flow.end_to_end.runs, round(flow.sla_met_pct, 1)) == (3, 66.7)


def test_billing_customers_reach_their_crm_company_by_tax_id_and_the_hold_rule_still_applies(db, make_database,
                                                                                            sandbox, admin):
    """The invoice carries the billing customer's tax id; the flow links it to the one live CRM company with that
    tax id (written with or without separators), never to two, and never past the identity hold."""
    imap = load_integration_map()
    with psycopg.connect(db) as conn:
        delta = add_entity(conn, "Delta Endowment")
        fund_admin_copy = add_entity(conn, "Delta Endowment Fund")      # not merged, no CRM id
        twin_a, twin_b = add_entity(conn, "Epsilon Trust"), add_entity(conn, "Epsilon Trust Ltd")
        weak = add_entity(conn, "Zeta Family Office", confidence=45)     # Identity_Confidence < 60: held
        for cid, tax in ((delta, "12-3456789"), (fund_admin_copy, "12-3456789"), (twin_a, "98-7654321"),
                         (twin_b, "98 765 4321"), (weak, "55-5555555")):
            conn.execute("UPDATE core.entity SET tax_id = %s WHERE crmhub_id = %s", (tax, cid))
        conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) VALUES "
                     "('billing', 'customer', 'BIL-1', %s, 'entity')", (fund_admin_copy,))
        store.remember_ids(conn, "crm", "company", "entity",
                           [(delta, "6001"), (twin_a, "6002"), (twin_b, "6003"), (weak, "6004")])
    sandbox.load_seed({"companies": [{"id": i, "properties": {"name": f"Co {i}"}}
                                     for i in ("6001", "6002", "6003", "6004")]})
    billing = make_database()
    t0 = datetime.now(UTC) - timedelta(hours=1)
    _billing_with_tax_ids(billing, [
        ("INV-1", "BIL-1", "paid", t0, "123456789"),     # crosswalk -> the unmerged copy; tax id -> Delta
        ("INV-2", "BIL-2", "overdue", t0, "987654321"),  # two live CRM companies carry it: no link
        ("INV-3", "BIL-3", "sent", t0, "55-5555555")])   # the held company
    ingest_connector(db, "billing_invoices", SourceAccess(url=billing), imap=imap)
    result = run_sync("company_invoice_status", db, sandbox.url, TOKEN, imap=imap)
    assert result.counts["records_sent"] == 1 and set(result.held) == {weak}
    assert _crm(admin, "companies", "6001", "invoice_status") == "paid"
    assert [_crm(admin, "companies", i, "invoice_status") for i in ("6002", "6003", "6004")] == [None, None, None]


def test_the_invoice_links_to_the_company_by_the_identity_tax_id_rule(db, make_database, sandbox, admin):
    """The link uses identity's tax-id rule (``normalize_tax_id``), not a separator-stripping rule of its own: a
    country prefix on the invoice ("US 12-3456789", "DE 234 567 891") finds the company's bare number, and a
    placeholder ("00-0000000" on both sides) links nothing."""
    imap = load_integration_map()
    with psycopg.connect(db) as conn:
        us, de, blank = (add_entity(conn, n) for n in ("Eta Pension", "Theta Stiftung", "Iota Holdings"))
        for cid, tax in ((us, "12-3456789"), (de, "234567891"), (blank, "000000000")):
            conn.execute("UPDATE core.entity SET tax_id = %s WHERE crmhub_id = %s", (tax, cid))
        store.remember_ids(conn, "crm", "company", "entity", [(us, "7001"), (de, "7002"), (blank, "7003")])
    sandbox.load_seed({"companies": [{"id": i, "properties": {"name": f"Co {i}"}} for i in ("7001", "7002", "7003")]})
    billing = make_database()
    t0 = datetime.now(UTC) - timedelta(hours=1)
    _billing_with_tax_ids(billing, [("INV-1", "BIL-1", "paid", t0, "US 12-3456789"),
                                    ("INV-2", "BIL-2", "overdue", t0, "DE 234 567 891"),
                                    ("INV-3", "BIL-3", "sent", t0, "00-0000000")])
    ingest_connector(db, "billing_invoices", SourceAccess(url=billing), imap=imap)
    result = run_sync("company_invoice_status", db, sandbox.url, TOKEN, imap=imap)
    assert result.status == "success" and result.counts["records_sent"] == 2
    assert [_crm(admin, "companies", i, "invoice_status") for i in ("7001", "7002", "7003")] == ["paid", "overdue",
                                                                                                None]


def test_cdp_behavioural_score_is_scaled_and_pushed_to_the_crm_contact(db, sandbox, admin, tmp_path: Path):
    imap = load_integration_map()
    with psycopg.connect(db) as conn:
        known = add_contact(conn, "bo@beta.example")
        add_contact(conn, "new@beta.example")                      # not in the CRM: never created by this flow
        store.remember_ids(conn, "crm", "contact", "contact", [(known, "1001")])
    sandbox.load_seed({"contacts": [{"id": "1001", "properties": {"email": "bo@beta.example"}}]})
    (tmp_path / "cdp").mkdir()
    (tmp_path / "cdp" / "events.csv").write_text(
        "event_id,email,event_type,behavioral_score,occurred_at\n"
        "E1,Bo@Beta.example,portal_login,0.40,2026-12-01T10:00:00Z\n"
        "E2,bo@beta.example,report_download,0.725,2026-12-02T10:00:00Z\n"
        "E3,new@beta.example,email_open,0.9,2026-12-02T11:00:00Z\n")
    ingest_connector(db, "cdp_events", SourceAccess(data_dir=tmp_path), imap=imap)
    result = run_sync("contact_intent_score", db, sandbox.url, TOKEN, imap=imap)
    assert result.status == "success" and result.counts["records_created"] == 0
    assert result.counts["records_skipped"] == 1                      # new@beta.example has no CRM id
    assert _crm(admin, "contacts", "1001", "intent_score") == "72.5"  # latest event, 0.725 scaled to 0-100
    assert len(admin.get("/_sandbox/export").json()["contacts"]) == 1


def test_each_flow_has_its_own_schedule_and_tells_whether_it_is_due():
    imap = load_integration_map()
    flows = {n: get_sync(n, imap) for n in ("contact_intent_score", "company_invoice_status", "company_icp_fit")}
    assert {n: s.schedule for n, s in flows.items()} == {
        "contact_intent_score": "*/15 * * * *", "company_invoice_status": "20 */2 * * *",
        "company_icp_fit": "30 2 * * *"}
    now = datetime(2026, 12, 5, 2, 31, tzinfo=UTC)
    icp = flows["company_icp_fit"]
    assert is_due(icp, None, now)
    assert not is_due(icp, datetime(2026, 12, 5, 2, 30, 5, tzinfo=UTC), now)      # ran after today's 02:30 tick
    assert is_due(icp, datetime(2026, 12, 4, 2, 30, 5, tzinfo=UTC), now)          # last ran yesterday
    assert is_due(flows["contact_intent_score"], datetime(2026, 12, 5, 2, 14, tzinfo=UTC), now)
    assert not is_due(flows["company_invoice_status"], datetime(2026, 12, 5, 2, 21, tzinfo=UTC), now)
    assert is_due(flows["company_invoice_status"], datetime(2026, 12, 5, 0, 21, tzinfo=UTC), now)  # missed 02:20


def test_the_warehouse_icp_score_lands_on_the_crm_company_and_is_timed_against_the_nightly_sla(db, sandbox, admin):
    """field_map warehouse.icp_fit -> crm.company.icp_fit: the ICP model (SQL over core) in the sync
    company_icp_fit (its own nightly schedule); a commitment change reaches the CRM's icp_fit, timed end to end."""
    imap = load_integration_map()
    with psycopg.connect(db) as conn:
        lp = add_entity(conn, "Omega Pension")
        store.remember_ids(conn, "crm", "company", "entity", [(lp, "7001")])
        conn.execute("INSERT INTO core.commitment (entity_id, amount, currency, stage, owner, confidence, source_system,"
                     " source_updated_at) VALUES (%s, 10000000, 'USD', 'accepted', 'priya.shah', 90, 'fund_admin', "
                     "now() - interval '1 day')", (lp,))
    sandbox.load_seed({"companies": [{"id": "7001", "properties": {"name": "Omega Pension"}}]})
    first = run_sync("company_icp_fit", db, sandbox.url, TOKEN, imap=imap)
    assert first.status == "success" and _crm(admin, "companies", "7001", "icp_fit") == "medium"
    with psycopg.connect(db) as conn:                     # the fund admin reports a larger commitment 2 h ago
        conn.execute("UPDATE core.commitment SET amount = 30000000, source_updated_at = now() - interval '2 hours' "
                     "WHERE entity_id = %s", (lp,))
    second = run_sync("company_icp_fit", db, sandbox.url, TOKEN, imap=imap)
    assert second.counts["records_sent"] == 1 and _crm(admin, "companies", "7001", "icp_fit") == "strong"
    with psycopg.connect(db) as conn:
        flow = {f.source: f for f in flow_status(conn, imap)}["warehouse.icp_fit"]
    assert (flow.target, flow.sync, flow.sla, flow.sla_met_pct, flow.end_to_end.runs) == (
        "crm.company.icp_fit", "company_icp_fit", "dwh_to_crm", 100.0, 2)
    assert get_sync("company_icp_fit", imap).schedule == "30 2 * * *"


def test_the_end_to_end_lag_is_read_on_the_clock_the_run_lives_on():
    """Under a simulation the source change and its acknowledgement are both on the simulated clock."""
    from types import SimpleNamespace

    from crmhub import clock
    from crmhub.reverse_etl.engine import _SyncRun

    day = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    run = SimpleNamespace(plan=SimpleNamespace(source_ts={"c1": day - timedelta(minutes=30)}), lags=[])
    written = SimpleNamespace(action="update", item=SimpleNamespace(crmhub_id="c1", send={"invoice_status": "paid"}))
    with clock.simulated(day):
        _SyncRun._time(run, written)
    (lag, props), = run.lags
    assert 29.9 <= lag <= 31 and props == ("invoice_status",)
