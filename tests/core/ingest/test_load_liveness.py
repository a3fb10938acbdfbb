"""One load per connector at a time, and a load whose process was SIGKILLed is noticed, cancelled and reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg

from crmhub.health.cycle import run_health_cycle
from crmhub.ingest.loader import ingest_file
from crmhub.warehouse.locks import LoadLease, load_lock_held

ROOT = Path(__file__).resolve().parents[3]
HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def _big_file(path: Path, rows: int) -> Path:
    lines = [HEADER] + [f"LP-{i},Ann,Lee{i},ann{i}@x.com,Fund {i % 50},{1000 + i},2025-03-14T10:00:00Z"
                        for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _wait(pred, timeout: float = 60.0, step: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not reached in time")


def test_a_second_load_of_the_same_connector_waits_for_the_first(db, fundadmin, write, fetch):
    path = write("a.csv", HEADER + "\nLP-1,Ann,Lee,ann@x.com,Fund 1,10,2025-03-14T10:00:00Z\n")
    with psycopg.connect(db, autocommit=True) as conn, LoadLease(conn, fundadmin.name) as lease:
        assert load_lock_held(conn, fundadmin.name, pid=lease.pid)
        done = []
        worker = threading.Thread(target=lambda: done.append(ingest_file(db, fundadmin, path)))
        worker.start()
        time.sleep(1.5)
        assert not done and fetch("SELECT count(*) FROM ops.loads")[0][0] == 0  # waiting for the lock
    worker.join(30)
    assert done and done[0].status == "loaded"


def test_a_sigkilled_load_is_abandoned_its_backend_cancelled_and_its_owner_told(db, fundadmin, imap, tmp_path, fetch):
    path = _big_file(tmp_path / "big.csv", 300_000)
    script = (
        "import sys; from crmhub.config import load_integration_map; from crmhub.ingest.loader import ingest_file; "
        f"ingest_file({db!r}, load_integration_map().connector({fundadmin.name!r}), {str(path)!r}, load_id='doomed')"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "include"))
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        pid = _wait(lambda: (fetch("SELECT backend_pid FROM ops.loads WHERE load_id = 'doomed' AND status = 'running'")
                             or [[None]])[0][0])
        _wait(lambda: fetch("SELECT state = 'active' FROM pg_stat_activity WHERE pid = %s", (pid,)) == [(True,)])
        time.sleep(1.0)  # mid-load
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with psycopg.connect(db, autocommit=True) as conn:
        _wait(lambda: not load_lock_held(conn, fundadmin.name), timeout=10)
    summary = run_health_cycle(db, imap)
    assert fetch("SELECT status FROM ops.loads WHERE load_id = 'doomed'") == [("abandoned",)]
    incident = fetch("SELECT connector, trigger, owner, \"values\"->>'load_id' FROM ops.incidents "
                     "WHERE trigger = 'job_failure'")
    assert incident == [(fundadmin.name, "job_failure", fundadmin.owner, "doomed")]
    assert incident and summary["opened"]
    _wait(lambda: fetch("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)) == [(0,)], timeout=30)
    assert fetch("SELECT count(*) FROM core.contact")[0][0] == 0  # nothing of the load was committed
    assert run_health_cycle(db, imap)["opened"] == []  # judged once
