"""Every failure reaches its owner: each DAG and task has the notifier, and a task failure pages exactly once.

The DAGs are parsed by Airflow's own DagBag; a failure is delivered the way Airflow does it (the task's
``on_failure_callback`` with the failed task and its exception, then the DAG's with ``reason``), to a real
local HTTP webhook and a real SMTP sink; the incident lands in a fresh warehouse.
"""

from __future__ import annotations

import email
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

pytest.importorskip("airflow")

pytestmark = pytest.mark.airflow
ROOT = Path(__file__).resolve().parents[3]

#: dag id -> (task id, mapped arguments of the failed instance, params, owner expected from the map)
FAILURES = {
    "crmhub_ingest": ("ingest_critical", {"connector": "billing_invoices"}, {}, "dana.kim"),
    "crmhub_cdc": ("sync", {"connector": "crm_contacts"}, {}, "marcus.lee"),
    "crmhub_backfill": ("plan", None, {"source": "billing_invoices"}, "dana.kim"),
    "crmhub_identity": ("resolve_contacts", None, {}, "lena.vogel"),
    "crmhub_health": ("cycle", None, {}, "lena.vogel"),
    "crmhub_reconciliation": ("reconcile", None, {}, "lena.vogel"),
    "crmhub_reverse_etl": ("push_critical", {"sync": "contact_traits"}, {}, "lena.vogel"),
    "crmhub_outreach": ("run_automations", {"automation": "reinstate_interest"}, {}, "sam.ortiz"),
}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("airflow_home")
    mp.setenv("AIRFLOW_HOME", str(home))
    mp.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    mp.setenv("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
    mp.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    yield bag
    mp.undo()




def _callbacks(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value] if value else []


def test_every_dag_and_task_has_the_notifier(dagbag):
    from crmhub_provider.notifications.crmhub import CrmHubNotifier

    assert set(dagbag.dags) == set(FAILURES)
    for dag_id, dag in dagbag.dags.items():
        (dag_cb,) = _callbacks(dag.on_failure_callback)
        assert isinstance(dag_cb, CrmHubNotifier) and dag_cb.scope == "dag", dag_id
        for task in dag.tasks:
            callbacks = _callbacks(task.on_failure_callback)
            assert [type(c) for c in callbacks] == [CrmHubNotifier], f"{dag_id}.{task.task_id}"
            assert callbacks[0].scope == "task"


def test_pools_and_priority_follow_criticality(dagbag):
    from crmhub.config import CRITICAL_POOL, DEFAULT_POOL

    critical = {("crmhub_ingest", "ingest_critical"), ("crmhub_cdc", "sync_critical"),
                ("crmhub_reverse_etl", "push_critical"), ("crmhub_outreach", "run_critical"),
                ("crmhub_reconciliation", "reconcile")}
    for dag_id, dag in dagbag.dags.items():
        for task in dag.tasks:
            periodic = ("security_audit", "retention", "weekly_dashboard")  # weekly / daily jobs: not urgent
            health_cycle = dag_id == "crmhub_health" and task.task_id not in periodic
            if (dag_id, task.task_id) in critical or health_cycle:
                assert (task.pool, task.priority_weight) == (CRITICAL_POOL, 10), f"{dag_id}.{task.task_id}"
            else:
                assert (task.pool, task.priority_weight) == (DEFAULT_POOL, 1), f"{dag_id}.{task.task_id}"


def test_backfill_runs_one_at_a_time(dagbag):
    assert dagbag.dags["crmhub_backfill"].max_active_runs == 1


def _fail(dag, task_id: str, mapped: dict | None, params: dict) -> dict:
    task = dag.get_task(task_id)
    failed = task.unmap(mapped) if mapped is not None else task
    context = {"params": params}
    if hasattr(failed, "pre_execute") and params:
        failed.pre_execute(context)  # what Airflow runs before execute (the backfill learns its source here)
    ti = SimpleNamespace(dag_id=dag.dag_id, task_id=task_id, run_id="scheduled__2026-12-05", try_number=2,
                         map_index=0 if mapped is not None else -1)
    return {**context, "ti": ti, "task": failed, "dag": dag,
            "exception": RuntimeError(f"{task_id} broke: relation ops.nothing does not exist")}


@pytest.mark.parametrize("dag_id", sorted(FAILURES))
def test_a_task_failure_pages_its_owner_exactly_once(dagbag, channels, dag_id):
    from crmhub.config import load_integration_map

    task_id, mapped, params, owner = FAILURES[dag_id]
    dag = dagbag.dags[dag_id]
    context = _fail(dag, task_id, mapped, params)
    for callback in _callbacks(dag.get_task(task_id).on_failure_callback):
        callback(context)
    for callback in _callbacks(dag.on_failure_callback):  # then the run fails because of that task
        callback({"dag": dag, "run_id": "scheduled__2026-12-05", "reason": "task_failure"})

    assert len(channels.webhook.received) == 1 and len(channels.smtp.messages) == 1
    page = channels.webhook.received[0]["json"]["crmhub"]
    imap = load_integration_map()
    assert page["owner"]["id"] == owner and channels.smtp.messages[0]["to"] == [imap.people[owner]["email"]]
    assert "broke: relation ops.nothing does not exist" in page["error"]
    assert page["values"]["task_id"] == task_id and page["trigger"] == "job_failure"
    runbook = page["runbook_url"]
    assert "job_failure" in runbook
    if not runbook.startswith("http"):  # a repository path: the runbook must exist
        assert (ROOT / runbook.split("#")[0]).exists(), runbook
    body = email.message_from_string(channels.smtp.messages[0]["data"]).get_payload()
    assert f"Runbook: {runbook}" in body and imap.people[owner]["name"] in body
    with psycopg.connect(channels.db) as conn:
        rows = conn.execute("SELECT owner, notified_at IS NOT NULL FROM ops.incidents WHERE incident_id = %s",
                            (page["incident_id"],)).fetchall()
    assert rows == [(owner, True)]


def test_a_run_that_fails_without_a_failed_task_pages_once(dagbag, channels):
    dag = dagbag.dags["crmhub_identity"]
    for callback in _callbacks(dag.on_failure_callback):
        callback({"dag": dag, "run_id": "scheduled__2026-12-05", "reason": "timed_out"})
    assert len(channels.webhook.received) == 1
    page = channels.webhook.received[0]["json"]["crmhub"]
    assert page["values"]["dag_id"] == "crmhub_identity" and "timed_out" in page["error"]
