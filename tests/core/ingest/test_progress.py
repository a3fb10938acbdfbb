"""Long work shows progress: one log line per phase off a terminal, a bar on one."""

from __future__ import annotations

import io

from crmhub.ingest.loader import ingest_file
from crmhub.progress import BarProgress, LogProgress, interactive, progress_for

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ingest_file_logs_one_line_per_phase_with_rows_and_rate(db, fundadmin, write):
    rows = "\n".join(f"LP-{i},Ann,Lee{i},a{i}@x.com,Fund 1,10,2025-03-14T10:00:00Z" for i in range(30))
    out = io.StringIO()
    progress = LogProgress("ingest-file a.csv", out)
    ingest_file(db, fundadmin, write("a.csv", HEADER + "\n" + rows + "\n"), progress=progress)
    lines = out.getvalue().splitlines()
    assert [line.split(": ", 1)[1].split(" done")[0] for line in lines] == ["land", "merge", "metrics"]
    assert "30 rows (" in lines[0] and "rows/s)" in lines[0]


def test_a_terminal_gets_a_bar_ci_airflow_and_json_get_lines(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    for key in [k for k in __import__("os").environ if k.startswith("AIRFLOW_CTX_")]:
        monkeypatch.delenv(key)
    tty = _Tty()
    assert isinstance(progress_for("x", stream=tty), BarProgress)
    assert isinstance(progress_for("x", stream=tty, json_output=True), LogProgress)
    assert isinstance(progress_for("x", stream=io.StringIO()), LogProgress)
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "crmhub_ingest")
    assert not interactive(tty)
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID")
    monkeypatch.setenv("CI", "true")
    assert not interactive(tty)


def test_the_bar_shows_phase_rows_and_rate():
    tty = _Tty()
    bar = BarProgress("backfill crm_contacts", tty)
    with bar.phase("3 chunks") as p:
        p.advance(1200)
    text = tty.getvalue()
    assert "backfill crm_contacts: 3 chunks" in text and "1200" in text and "/s" in text
