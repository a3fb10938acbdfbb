"""crmhub runs unchanged on Airflow's CeleryExecutor: api-server, scheduler, dag-processor and one Celery worker
(two processes) against Redis at 127.0.0.1:6379 and a throw-away PostgreSQL metadata database.

``crmhub_ingest`` (its mapped connector tasks, both pools) and ``crmhub_identity`` are triggered through the CLI
and must succeed with every task instance sent through Celery: each carries the Celery task id
(``external_executor_id``) and the worker's result row in the Celery result backend. Kept light for a shared
2-core machine: two DAG files in the DAGs folder, CSV connectors only, no triggerer, worker concurrency 2.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from airflow_support import warehouse_conn_json
from process_support import free_port, stop_group

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.airflow]

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CRMHUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CSV_CONNECTORS = ["fundadmin_lp_contacts", "cdp_events"]  # one critical, one default: both mapped groups run


def _redis_up() -> bool:
    parsed = urlparse(BROKER)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def airflow_env(tmp_path, db, make_database):
    if not _redis_up():
        pytest.skip(f"no Redis at {BROKER}")
    from crmhub.airflow_env import sqlalchemy_url
    from crmhub.demo_data import generate

    meta = make_database()  # throw-away metadata DB (dropped at the end of the session)
    dags = tmp_path / "dags"
    dags.mkdir()
    for dag_id in ("crmhub_ingest", "crmhub_identity"):
        shutil.copy(ROOT / "dags" / f"{dag_id}.py", dags)
    data = generate(tmp_path / "data", seed=7, scale=1).root
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({
        "AIRFLOW_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,  # api-server and worker must share it
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy_url(meta),
        "AIRFLOW__CELERY__BROKER_URL": BROKER,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + sqlalchemy_url(meta),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        # a queue of our own: other users of the shared Redis never see (or take) these tasks
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"crmhub-test-{uuid.uuid4().hex[:8]}",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs this test triggers (no cron/Asset runs)
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW_CONN_CRMHUB_WAREHOUSE": warehouse_conn_json(db),
        "CRMHUB_DATA_DIR": str(data),
        "CRMHUB_DISABLE_DEADLINES": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT / "plugins")]),
    })
    return {"env": env, "meta": meta, "warehouse": db, "home": tmp_path / "home", "port": port}


def _airflow(env: dict, *args: str, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _start(env: dict, logs: Path, name: str, *args: str) -> subprocess.Popen:
    out = (logs / f"{name}.log").open("w")
    return subprocess.Popen([str(Path(sys.executable).with_name("airflow")), *args], env=env, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait(meta: str, sql: str, params: tuple, done, timeout: float, procs, logs: Path):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with psycopg.connect(meta) as conn:
            rows = conn.execute(sql, params).fetchall()
        if done(rows):
            return rows
        dead = [p.args[1:] for p in procs if p.poll() is not None]
        assert not dead, f"{dead} exited; logs in {logs}"
        time.sleep(2)
    tails = {p.name: p.read_text(errors="replace")[-1500:] for p in logs.glob("*.log")}
    pytest.fail(f"timed out; last rows {rows}; logs:\n" + "\n".join(f"== {k}\n{v}" for k, v in tails.items()))


def _run_state(meta: str, dag_id: str, run_id: str, procs, logs) -> str:
    rows = _wait(meta, "SELECT state FROM dag_run WHERE dag_id = %s AND run_id = %s", (dag_id, run_id),
                 lambda r: r and r[0][0] in ("success", "failed"), 420, procs, logs)
    return rows[0][0]


def _task_instances(meta: str, dag_id: str, run_id: str) -> list[tuple]:
    with psycopg.connect(meta) as conn:
        return conn.execute(
            "SELECT task_id, map_index, state, external_executor_id, queue FROM task_instance "
            "WHERE dag_id = %s AND run_id = %s ORDER BY task_id, map_index", (dag_id, run_id)).fetchall()


def test_ingest_mapped_tasks_and_identity_run_on_celery(airflow_env, tmp_path):
    env, meta = airflow_env["env"], airflow_env["meta"]
    logs = tmp_path / "logs"
    logs.mkdir()
    migrated = _airflow(env, "db", "migrate", timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    from crmhub.airflow_env import write_pools_file

    pools = _airflow(env, "pools", "import", str(write_pools_file(tmp_path / "pools.json")))
    assert pools.returncode == 0, pools.stderr[-2000:]
    procs = [
        _start(env, logs, "api-server", "api-server"),
        _start(env, logs, "dag-processor", "dag-processor"),
        _start(env, logs, "scheduler", "scheduler"),
        _start(env, logs, "worker", "celery", "worker", "--concurrency", "2", "--queues",
               env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]),
    ]
    try:
        _wait(meta, "SELECT dag_id FROM serialized_dag WHERE dag_id IN ('crmhub_ingest', 'crmhub_identity')", (),
              lambda r: len(r) == 2, 240, procs, logs)
        ingest_run = f"celery_ingest_{uuid.uuid4().hex[:6]}"
        trig = _airflow(env, "dags", "trigger", "crmhub_ingest", "--run-id", ingest_run,
                        "--conf", json.dumps({"connectors": CSV_CONNECTORS}))
        assert trig.returncode == 0, trig.stderr[-2000:]
        assert _run_state(meta, "crmhub_ingest", ingest_run, procs, logs) == "success", _task_instances(
            meta, "crmhub_ingest", ingest_run)

        identity_run = f"celery_identity_{uuid.uuid4().hex[:6]}"
        trig = _airflow(env, "dags", "trigger", "crmhub_identity", "--run-id", identity_run)
        assert trig.returncode == 0, trig.stderr[-2000:]
        assert _run_state(meta, "crmhub_identity", identity_run, procs, logs) == "success", _task_instances(
            meta, "crmhub_identity", identity_run)
    finally:
        stop_group(*procs)

    ingest = _task_instances(meta, "crmhub_ingest", ingest_run)
    mapped = {(t, m) for t, m, state, *_ in ingest if m >= 0 and state == "success"}
    assert mapped == {("ingest_critical", 0), ("ingest_connector", 0)}, ingest
    identity = _task_instances(meta, "crmhub_identity", identity_run)
    assert {t for t, _, state, *_ in identity if state == "success"} == {"resolve_orgs", "resolve_contacts"}
    ran = [ti for ti in ingest + identity if ti[2] == "success"]
    # sent through Celery: each task instance carries its Celery task id, on our queue, with a result row
    assert all(ti[3] and ti[4] == env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] for ti in ran), ran
    with psycopg.connect(meta) as conn:
        results = dict(conn.execute("SELECT task_id, status FROM celery_taskmeta").fetchall())
    assert all(results.get(ti[3]) == "SUCCESS" for ti in ran), (ran, results)
    with psycopg.connect(airflow_env["warehouse"]) as conn:
        loaded = dict(conn.execute("SELECT connector, count(*) FROM ops.sync_runs WHERE status = 'success' "
                                   "GROUP BY connector").fetchall())
        resolved = conn.execute("SELECT count(*) FROM core.external_id").fetchone()[0]
    assert set(loaded) == set(CSV_CONNECTORS) and resolved > 0
