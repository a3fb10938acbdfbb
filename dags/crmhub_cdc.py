"""crmhub_cdc: incremental syncs of every connector whose schedule is due, and webhook-targeted syncs.

Runs every 5 minutes (catch-up off) and whenever new CRM webhook notifications land (an Asset watched
by ``CrmWebhookEventsTrigger``): webhooks are notifications, not truth, so the run re-reads the
referenced records from the CRM; the periodic incremental read (watermark + lookback, or logical
decoding for PostgreSQL sources) reconciles whatever webhooks missed. Logic: ``crmhub.cdc``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag
from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable

from crmhub_provider.assets import CHANGE_LOG_ASSET, CORE_ASSETS, WEBHOOK_EVENTS_ASSET
from crmhub_provider.defaults import CRITICAL, dag_failure_callback, task_defaults
from crmhub_provider.operators.crmhub import (
    ConnectorPlanOperator,
    ConnectorSyncOperator,
    CrmWebhookSyncOperator,
    LoadPublishOperator,
)


@dag(
    dag_id="crmhub_cdc",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("*/5 * * * *", timezone="UTC"),
                                 assets=[WEBHOOK_EVENTS_ASSET]),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "cdc"],
    doc_md=__doc__,
    default_args=task_defaults(owner="lena.vogel", retries=2),
    on_failure_callback=dag_failure_callback(),
)
def crmhub_cdc():
    due_critical = ConnectorPlanOperator(task_id="due_critical", group="critical", mode="cdc")
    due = ConnectorPlanOperator(task_id="due", group="default", mode="cdc")
    critical = ConnectorSyncOperator.partial(task_id="sync_critical", mode="cdc", **CRITICAL).expand(
        connector=due_critical.output)
    default = ConnectorSyncOperator.partial(task_id="sync", mode="cdc").expand(connector=due.output)
    webhooks = CrmWebhookSyncOperator(task_id="webhooks", source="crm", retry_delay=timedelta(minutes=1))
    publish = LoadPublishOperator(task_id="publish", summaries=[critical.output, default.output],
                                  outlets=[CORE_ASSETS["contact"], CORE_ASSETS["entity"], CORE_ASSETS["commitment"],
                                           CHANGE_LOG_ASSET])
    webhooks >> publish


crmhub_cdc()
