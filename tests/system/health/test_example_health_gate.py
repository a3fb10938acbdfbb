"""Slow end-to-end check: ``airflow dags test`` runs the deferrable health gate through its trigger.

The run starts blocked (last good run 3 h old), the trigger polls, a fresh run lands, the gate opens and the
downstream task runs. Guards the whole chain: plugins folder on sys.path, trigger classpath importable,
connection resolved from AIRFLOW_CONN_CRMHUB_WAREHOUSE inside the trigger, execute_complete on resume.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from airflow_support import airflow_subprocess_env

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


def _wait_for(path: Path, text: str, proc: subprocess.Popen, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if path.exists() and text in path.read_text(errors="replace"):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.5)
    return False


def test_dags_test_defers_and_resumes(db, tmp_path):
    airflow_bin = str(Path(sys.executable).with_name("airflow"))
    env = airflow_subprocess_env(tmp_path, ROOT / "tests" / "system" / "health", db,
                                 AIRFLOW_CONN_CRMHUB_ALERT_WEBHOOK=json.dumps({"conn_type": "http",
                                                                               "host": "127.0.0.1", "port": 9}))
    with psycopg.connect(db) as conn:
        conn.execute("INSERT INTO ops.sync_runs (connector, kind, started_at, finished_at, status, records_total, "
                     "lag_min_p95) VALUES ('crm_contacts', 'ingest', now() - interval '3 hours', "
                     "now() - interval '3 hours', 'success', 10, 1)")
    subprocess.run([airflow_bin, "db", "migrate"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=120)
    log = tmp_path / "dagtest.log"
    with log.open("w") as out:
        proc = subprocess.Popen([airflow_bin, "dags", "test", "example_crmhub_health_gate"], env=env, cwd=tmp_path,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        assert _wait_for(log, "blocked by crm_contacts", proc, 90), log.read_text(errors="replace")[-3000:]
        with psycopg.connect(db) as conn:
            conn.execute("INSERT INTO ops.sync_runs (connector, kind, started_at, finished_at, status, records_total, "
                         "lag_min_p95) VALUES ('crm_contacts', 'ingest', now() - interval '1 min', now(), 'success', "
                         "10, 1)")
        rc = proc.wait(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text(errors="replace")
    assert rc == 0, text[-3000:]
    assert "crm_contacts: health 0.0 (blocked); pulled down by: lag" in text
    assert "Trigger completed" in text
    assert "task_id=downstream" in text or "downstream" in text
    assert "DagRun Finished: dag_id=example_crmhub_health_gate" in text and "state=success" in text
