"""crmhub_health: every 5 minutes, score every connector, open/refresh incidents, act, page owners.

Integration_Health = max(0, 100 - Error_Rate_pct*50 - (Avg_Latency_s/Target_Latency_s)*25
- (Sync_Lag_min/Target_Lag_min)*25) per connector from ``ops.sync_runs``; below 90 degraded, below 70
blocked (downstream sensors wait) and paged. Also refreshes SLA met rates, the weekly segment latency
audit and MTTR, drains the retry queue (backoff, dead letter -> incident); weekly the permissions audit
and daily the retention purge (``crmhub.security.tasks``, each skips itself until due). Triggered with
``go_live_hours`` > 0 it first starts go-live mode (``crmhub.ops.golive``). Logic: ``crmhub.health``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

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
    params={
        "go_live_hours": Param(0, type="number", minimum=0, maximum=336,
                               description="Trigger with > 0 to start go-live mode: non-critical connectors, "
                                           "syncs and automations are suspended for this many hours."),
        "go_live_by": Param("airflow", type="string", minLength=1, description="Who starts go-live mode."),
    },
)
def crmhub_health():
    @task
    def go_live() -> dict | None:
        from crmhub.ops.golive import start_go_live
        from crmhub.warehouse import connect
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        params = get_current_context()["params"]
        if not params["go_live_hours"]:
            return None
        with connect(CrmHubWarehouseHook().warehouse_url()) as conn:
            window = start_go_live(conn, float(params["go_live_hours"]), by=params["go_live_by"],
                                   reason="go-live (crmhub_health param)")
        return window.as_dict()

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
    def drain_retry_queue() -> dict:
        from crmhub.health import tasks
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook, source_access

        return tasks.drain_retry_queue(CrmHubWarehouseHook().warehouse_url(), access_for=source_access)

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

    go_live() >> cycle() >> [sla_results(), segment_audit(), drain_retry_queue()] >> incident_metrics()
    security_audit()
    retention()


crmhub_health()
