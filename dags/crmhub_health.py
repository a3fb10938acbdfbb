"""crmhub_health: every 5 minutes, score every connector, open/refresh incidents, act, page owners.

Integration_Health = max(0, 100 - Error_Rate_pct*50 - (Avg_Latency_s/Target_Latency_s)*25
- (Sync_Lag_min/Target_Lag_min)*25) per connector from ``ops.sync_runs``; below 90 degraded, below 70
blocked (downstream sensors wait) and paged. Also refreshes SLA met rates, the weekly segment latency
audit and MTTR, drains the retry queue (backoff, dead letter -> incident); weekly the permissions audit and
daily the retention purge (``crmhub.security.tasks``, each skips itself until due); once per ISO week the
data-health dashboard (``crmhub.kpi``). Triggered with ``go_live_hours`` > 0 it first starts go-live mode
(``crmhub.ops.golive``). Logic: ``crmhub.health``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag

from crmhub_provider.alerting import SMTP_CONN_ID
from crmhub_provider.defaults import CRITICAL, DEFAULT, dag_failure_callback, task_defaults
from crmhub_provider.notifications.crmhub import crmhub_deadline_alert
from crmhub_provider.operators.crmhub import HealthOperator, SecurityOperator


@dag(
    dag_id="crmhub_health",
    schedule=timedelta(minutes=5),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "health"],
    doc_md=__doc__,
    default_args=task_defaults(owner="lena.vogel", retry_delay=timedelta(seconds=30), **CRITICAL),
    on_failure_callback=dag_failure_callback(),
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
    cycle = HealthOperator(task_id="cycle", step="cycle")
    sla_results = HealthOperator(task_id="sla_results", step="sla_results")
    segment_audit = HealthOperator(task_id="segment_audit", step="segment_audit")
    incident_metrics = HealthOperator(task_id="incident_metrics", step="incident_metrics")
    drain = HealthOperator(task_id="drain_retry_queue", step="drain_retry_queue")
    weekly_dashboard = HealthOperator(task_id="weekly_dashboard", step="weekly_dashboard", **DEFAULT)  # once a week
    HealthOperator(task_id="go_live", step="go_live") >> cycle
    cycle >> [sla_results, segment_audit, drain] >> incident_metrics >> weekly_dashboard
    SecurityOperator(task_id="security_audit", step="audit", **DEFAULT)  # weekly / daily: not urgent
    SecurityOperator(task_id="retention", step="retention", **DEFAULT)


crmhub_health()
