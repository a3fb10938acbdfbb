"""The demo data through the demo's load and sync path (the task functions the DAGs run, against the CRM sandbox
seeded as ``crmhub demo`` seeds it and a billing database filled from the demo's invoices): the committed deals
are associated with their company, billing's invoice status reaches it, and the map's Billing -> CRM "missing
fields > 5 % opps" alert reads a real share, within the limit while billing is healthy."""

from __future__ import annotations

import psycopg
import pytest

from crmhub.cdc.tasks import full_sync
from crmhub.demo_data import generate
from crmhub.demo_services import crm_seed, fill_billing_invoices
from crmhub.health import missing_fields
from crmhub.health.cycle import run_health_cycle
from crmhub.identity.store import run_resolution
from crmhub.ingest.tasks import SourceAccess
from crmhub.reverse_etl.tasks import push_sync

pytestmark = pytest.mark.integration
TOKEN = "demo-world-token"


@pytest.fixture
def sandbox_token() -> str:
    return TOKEN


def test_committed_deals_carry_billings_invoice_status_and_the_missing_fields_alert_stays_quiet(
        tmp_path, db, imap, sandbox, billing_source):
    data = generate(tmp_path / "data", seed=42).root
    loaded = sandbox.load_seed(crm_seed(data))
    assert loaded["associations"] == loaded["deals"] > 0          # every deal with its company, in the CRM
    fill_billing_invoices(billing_source, data)
    crm = SourceAccess(base_url=sandbox.url, token=TOKEN)
    for name, access in (("crm_companies", crm), ("crm_contacts", crm), ("crm_deals", crm),
                         ("billing_invoices", SourceAccess(url=billing_source))):
        full_sync(db, name, access, imap=imap)      # crmhub_ingest's task (the deals' associations read with them)
    for kind in ("org", "contact"):
        run_resolution(db, kind, imap=imap)
    push_sync(db, "company_invoice_status", sandbox.url, TOKEN, imap=imap)
    pages: list[dict] = []
    run_health_cycle(db, imap, notify=pages.append, freeze=False)

    with psycopg.connect(db) as conn:
        committed = conn.execute(
            """SELECT count(DISTINCT d.crmhub_id), count(DISTINCT a.deal_id) FILTER (WHERE a.crmhub_id IS NOT NULL)
                 FROM core.deal d LEFT JOIN core.deal_association a ON a.deal_id = d.crmhub_id
                      AND a.crm_object = 'company'
                WHERE d.deleted_at IS NULL AND d.stage IN ('accepted', 'closed')""").fetchone()
        (m,) = missing_fields.measure_all(conn, imap)
        incidents = conn.execute("SELECT count(*) FROM ops.incidents WHERE trigger = 'missing_fields' "
                                 "AND resolved_at IS NULL").fetchone()[0]
    assert committed[0] >= 5 and committed[1] == committed[0]   # each committed deal has its company in core
    assert m["deals"] == committed[0]
    assert m["missing_pct"] < m["max_pct"] == 5.0, missing_fields.describe(m)
    assert m["fields"]["company.invoice_status"]["without_record"] == 0
    assert incidents == 0 and not [p for p in pages if p["crmhub"]["trigger"] == "missing_fields"]
