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
    report = crmhub_home / "reports" / "demo.html"  # the KPI report, charts next to it
    assert f"== KPI report (7 days up to today, with charts): {report}" in out
    assert 'id="verdict"' in report.read_text() and (crmhub_home / "reports" / "demo_charts").is_dir()
    # the embedded server was stopped cleanly
    assert not (crmhub_home / "pg" / "postmaster.pid").exists()
