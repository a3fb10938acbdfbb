"""Example DAG (not deployed): gate a task on integration health, page on failure. Used by a slow system test."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from crmhub_provider.notifications.crmhub import CrmHubNotifier
from crmhub_provider.sensors.crmhub import IntegrationHealthSensor


@dag(dag_id="example_crmhub_health_gate", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def example_crmhub_health_gate():
    gate = IntegrationHealthSensor(
        task_id="health_gate",
        connectors=["crm_contacts"],
        deferrable=True,
        poke_interval=1,
        timeout=60,
        retries=1,
    )

    @task(on_failure_callback=CrmHubNotifier(connector="crm_contacts", webhook_conn_id="crmhub_alert_webhook"))
    def downstream(verdict: dict | None = None) -> str:
        return "ran"

    gate >> downstream()


example_crmhub_health_gate()
