"""Slow end-to-end check: in go-live mode ``airflow dags test`` ends non-critical tasks *skipped*, the reason
in the task log; after the window the same tasks run."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from airflow_support import airflow_subprocess_env

from crmhub.ops import golive

pytestmark = [pytest.mark.airflow, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


def _env(db: str, home: Path) -> dict:
    return airflow_subprocess_env(home, ROOT / "tests" / "system" / "ops", db)


def test_go_live_skips_in_airflow_and_resumes(db, tmp_path):
    airflow_bin = str(Path(sys.executable).with_name("airflow"))
    env = _env(db, tmp_path)
    subprocess.run([airflow_bin, "db", "migrate"], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=180)
    with psycopg.connect(db) as conn:
        golive.start_go_live(conn, 48, by="lena.vogel", reason="CRM cutover")
    run = subprocess.run([airflow_bin, "dags", "test", "example_crmhub_go_live", "2026-12-01"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    text = run.stdout + run.stderr
    assert run.returncode == 0, text[-3000:]
    assert "go-live window #1" in text and "non-critical sync 'company_icp_fit' suspended" in text
    assert "state=skipped" in text or "SKIPPED" in text.upper()
    assert "pushed company_icp_fit" not in text
    with psycopg.connect(db) as conn:     # 48 h later: the window is over by itself
        conn.execute("UPDATE ops.go_live_windows SET starts_at = starts_at - %s, ends_at = ends_at - %s",
                     (timedelta(hours=48), timedelta(hours=48)))
    again = subprocess.run([airflow_bin, "dags", "test", "example_crmhub_go_live", "2026-12-02"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    text = again.stdout + again.stderr
    assert again.returncode == 0, text[-3000:]
    assert "pushed company_icp_fit" in text and "go-live window" not in text
