"""`make demo` end to end: the same entry point (`crmhub demo`) on a fresh embedded PostgreSQL."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crmhub.airflow_env import dag_ids
from crmhub.warehouse.embedded import stop_embedded

pytestmark = [pytest.mark.slow, pytest.mark.airflow, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def crmhub_home():
    home = Path(f"/tmp/crmhub-demo-test-{os.getpid()}")  # traversable by the embedded server's OS user
    home.mkdir(mode=0o755, exist_ok=True)
    yield home
    stop_embedded(home / "pg")
    subprocess.run(["rm", "-rf", str(home)], check=False)


def test_demo_runs_every_dag_and_prints_the_report(crmhub_home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CRMHUB_"))}
    env["CRMHUB_HOME"] = str(crmhub_home)
    proc = subprocess.run([sys.executable, "-m", "crmhub.cli", "demo"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=1200)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-3000:]
    for dag_id in dag_ids():
        assert f"{dag_id:26} success" in out, out
    assert "== Ingestion" in out and "fundadmin_lp_contacts" in out
    assert "frozen connectors: none" in out
    assert "== Security audit: clean" in out  # tasks ran as crmhub_app; no grant drifted
    # outreach: the control-list contact is mailed in control mode (nobody else), a named person promotes
    # the automation, then exactly the contacts marked interested by hand are mailed; the bulk import is not
    assert "== Outreach story: control sends 1 (to f" in out, out
    assert "other mails before promotion 0" in out, out
    assert "promoted reinstate_interest by sam.ortiz after 1 control send(s)" in out, out
    mailed = re.search(r"after promotion: mailed (\d+) of (\d+) hand-marked contacts, (\d+) other recipients", out)
    assert mailed, out
    assert int(mailed[1]) == int(mailed[2]) == 3 and mailed[3] == "0", out
    assert re.search(r"reinstate_interest: suppressed \d+ \(bulk_import\)", out), out
    # the invoice flow (#18.1): billing customers reach their CRM companies by tax id; a billing change made
    # during the demo reaches the CRM, timed end to end; every field_map flow shows its SLA met rate
    pushed = re.search(r"company_invoice_status +\d+ success +\d+ +\d+ +(\d+) +0 +0 ", out)
    assert pushed and int(pushed[1]) > 0, out
    story = re.search(r"== Invoice flow: billing set INV-\d+ to (\w+); CRM company \d+ invoice_status = (\w+) "
                      r"(\d+) s after the billing change \(SLA billing_to_crm 6 h\)", out)
    assert story and story[1] == story[2] and int(story[3]) < 6 * 3600, out
    flows = re.findall(r"^   (\S+) -> (\S+) \[.*SLA \w+: (?:end to end|ingest) (\d+)% of (\d+) run", out, re.MULTILINE)
    assert {f[0] for f in flows} >= {"billing_invoices.invoice_status", "cdp_events.behavioral_score",
                                     "fundadmin_lp_contacts.amount", "warehouse.icp_fit"}, out
    assert [int(f[3]) for f in flows if f[0] == "billing_invoices.invoice_status"] == [2], out
    report = crmhub_home / "reports" / "demo.html"  # the KPI report, charts next to it
    assert f"== KPI report (7 days up to today, with charts): {report}" in out
    assert 'id="verdict"' in report.read_text() and (crmhub_home / "reports" / "demo_charts").is_dir()
    # the embedded server was stopped cleanly
    assert not (crmhub_home / "pg" / "postmaster.pid").exists()
