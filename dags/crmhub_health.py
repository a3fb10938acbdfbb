"""crmhub_health: every 5 minutes, score every connector, open/refresh incidents, act, page owners.

Integration_Health = max(0, 100 - Error_Rate_pct*50 - (Avg_Latency_s/Target_Latency_s)*25
- (Sync_Lag_min/Target_Lag_min)*25) per connector from ``ops.sync_runs``; below 90 degraded, below 70
blocked (downstream sensors wait) and paged. Also refreshes SLA met rates, the weekly segment latency
audit and MTTR; weekly the permissions audit and daily the retention purge (``crmhub.security.tasks``, each
skips itself until due); once per ISO week the data-health dashboard (``crmhub.kpi``). Logic: ``crmhub.health``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from crmhub_provider.alerting import SMTP_CONN_ID
from crmhub_provider.notifications.crmhub import crmhub_deadline_alert


@dag(
    dag_id="crmhub_health",
    schedule=timedelta(minutes=5),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "health"],
    doc_md=__doc__,
    default_args={"retries": 1, "retry_delay": timedelta(seconds=30), "owner": "lena.vogel"},
    deadline=crmhub_deadline_alert("crmhub_health", notifier_kwargs={"connector": "warehouse",
                                                                     "smtp_conn_id": SMTP_CONN_ID}),
)
def crmhub_health():
    @task
    def cycle() -> dict:
        from crmhub.health import tasks
        from crmhub_provider.alerting import alert_notifier
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        notifier = alert_notifier()
        return tasks.health_cycle(CrmHubWarehouseHook().warehouse_url(),
                                  notify=notifier.send_payload if notifier else None)

    @task
    def sla_results() -> dict:
        from crmhub.health import tasks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return tasks.sla_results(CrmHubWarehouseHook().warehouse_url())

    @task
    def segment_audit() -> dict:
        from crmhub.health import tasks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return tasks.segment_audit(CrmHubWarehouseHook().warehouse_url())

    @task
    def incident_metrics() -> dict:
        from crmhub.health import tasks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return tasks.incident_metrics(CrmHubWarehouseHook().warehouse_url())

    @task
    def weekly_dashboard() -> dict:
        """The weekly RevOps data-health dashboard (HTML + PNG), written once per ISO week."""
        from crmhub.kpi import tasks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return tasks.weekly_dashboard(CrmHubWarehouseHook().warehouse_url())

    @task
    def security_audit() -> dict:
        from crmhub.security import tasks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return tasks.weekly_security_audit(CrmHubWarehouseHook().warehouse_url())

    @task
    def retention() -> dict:
        from crmhub.security import tasks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return tasks.daily_retention(CrmHubWarehouseHook().warehouse_url())

    cycle() >> [sla_results(), segment_audit()] >> incident_metrics() >> weekly_dashboard()
    security_audit()
    retention()


crmhub_health()
