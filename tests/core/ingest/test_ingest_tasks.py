"""The per-connector task of crmhub_ingest, on the demo data, against the real CRM sandbox and a real billing DB."""

from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from crm_sandbox import SandboxServer, load_seed_file, merge_seeds
from crmhub.config import load_integration_map
from crmhub.demo_data import generate
from crmhub.demo_data.generator import FILES
from crmhub.demo_services import load_billing_source
from crmhub.exceptions import CrmHubError
from crmhub.ingest.tasks import SourceAccess, ingest_connector

pytestmark = pytest.mark.integration
TOKEN = "t0ken"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("demo"), seed=5, scale=1)


def _runs(url):
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT connector, kind, status, records_total, records_failed, api_calls, "
                            "latency_s_total, lag_min_p95 FROM ops.sync_runs ORDER BY run_id").fetchall()


def test_csv_connector_loads_everything_and_records_the_run(db, demo):
    imap = load_integration_map()
    out = ingest_connector(db, "fundadmin_lp_contacts", SourceAccess(data_dir=demo.root), imap=imap)
    rows = demo.manifest["counts"]["fund_admin"]
    assert out["rows_read"] == rows == out["loaded"] + out["quarantined"] + out["rejected"]
    assert out["quarantined"] >= demo.manifest["planted"]["fund_admin.email_illegal"]
    runs = _runs(db)
    assert runs[0][:5] == ("fundadmin_lp_contacts", "ingest", "success", rows, 0)
    assert runs[0][7] is None  # first load: watermark established, no lag claimed
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM core.external_id WHERE system = 'fund_admin'").fetchone()[0] > 0
        assert conn.execute("SELECT watermark_ts IS NOT NULL FROM ops.sync_state "
                            "WHERE connector = 'fundadmin_lp_contacts'").fetchone()[0]
    # the same file again: skipped as already loaded, nothing new
    again = ingest_connector(db, "fundadmin_lp_contacts", SourceAccess(data_dir=demo.root), imap=imap)
    assert again["loads"] == 0 and again["skipped"] == 1


def test_rest_connector_against_sandbox_measures_latency_and_lag(db, demo):
    imap = load_integration_map()
    seed = merge_seeds([load_seed_file(f"contacts={demo.files['crm_contacts']}")])
    with SandboxServer(token=TOKEN, seed=seed) as crm:
        access = SourceAccess(base_url=crm.url, token=TOKEN)
        first = ingest_connector(db, "crm_contacts", access, imap=imap)
        assert first["rows_read"] == demo.manifest["counts"]["crm_contacts"]
        # a change made in the CRM now is picked up with a small, measured lag
        cid = next(iter(seed["contacts"]))["id"]
        r = httpx.patch(f"{crm.url}/crm/v3/objects/contacts/{cid}", json={"properties": {"jobtitle": "CIO"}},
                        headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200
        second = ingest_connector(db, "crm_contacts", access, imap=imap)
    runs = [r for r in _runs(db) if r[0] == "crm_contacts"]
    assert runs[1][5] >= -(-first["rows_read"] // 100) and runs[1][6] > 0  # pages requested, time waiting on them
    assert runs[1][7] is not None and 0 <= runs[1][7] < 5  # minutes
    assert second["rows_read"] == first["rows_read"]


def test_postgres_connector_and_missing_inputs(db, db_owner, demo):
    imap = load_integration_map()
    billing_url = load_billing_source(db_owner, demo.root)  # the billing system's own database: its admin sets it up
    out = ingest_connector(db, "billing_invoices", SourceAccess(url=billing_url), imap=imap)
    assert out["rows_read"] == demo.manifest["counts"]["billing"]
    with pytest.raises(CrmHubError, match="does not exist"):
        ingest_connector(db, "cdp_events", SourceAccess(data_dir=demo.root / "nowhere"), imap=imap)
    failed = [r for r in _runs(db) if r[0] == "cdp_events"]
    assert failed and failed[0][2] == "failed"
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM core.external_id WHERE system = 'billing'").fetchone()[0] > 0


def test_sync_run_ages_are_recent(db, demo):
    ingest_connector(db, "cdp_events", SourceAccess(data_dir=demo.root))
    with psycopg.connect(db) as conn:
        started, finished = conn.execute("SELECT started_at, finished_at FROM ops.sync_runs").fetchone()
    assert finished >= started > datetime.now(UTC) - timedelta(minutes=5)
    assert FILES["cdp"] == "cdp/events.csv"
