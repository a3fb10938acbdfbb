"""Example DAG for the go-live system test: one non-critical push, one critical push (contact_traits)."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task


@dag(dag_id="example_crmhub_go_live", schedule=None, start_date=datetime(2026, 1, 1), catchup=False,
     tags=["crmhub", "example"])
def example_crmhub_go_live():
    @task
    def push(sync: str) -> str:
        from crmhub_provider.suspension import skip_if_suspended

        skip_if_suspended("sync", sync)
        return f"pushed {sync}"

    push.override(task_id="non_critical")("company_icp_fit")
    push.override(task_id="critical_push")("contact_traits")   # critical: true in the map


example_crmhub_go_live()
