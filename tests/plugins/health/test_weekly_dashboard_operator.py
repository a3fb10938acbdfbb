"""crmhub_health's weekly_dashboard task: the HealthOperator step writes this week's report once."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.airflow


def test_weekly_dashboard_step_writes_the_report_once_per_week(warehouse_conn, tmp_path: Path, monkeypatch):
    from crmhub_provider.operators.crmhub import HealthOperator

    monkeypatch.setenv("CRMHUB_REPORTS_DIR", str(tmp_path))
    op = HealthOperator(task_id="weekly_dashboard", step="weekly_dashboard")
    first = op.execute({})
    assert first["written"] and Path(first["path"]).parent == tmp_path
    assert 'id="verdict"' in Path(first["path"]).read_text()
    assert op.execute({})["written"] is False
