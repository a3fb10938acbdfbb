"""crmhub_cdc: incremental syncs of every connector whose schedule is due, and webhook-targeted syncs.

Runs every 5 minutes (catch-up off) and whenever new CRM webhook notifications land (an Asset watched
by ``CrmWebhookEventsTrigger``): webhooks are notifications, not truth, so the run re-reads the
referenced records from the CRM; the periodic incremental read (watermark + lookback, or logical
decoding for PostgreSQL sources) reconciles whatever webhooks missed. Logic: ``crmhub.cdc``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetWatcher, dag, get_current_context, task
from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable

from crmhub_provider.assets import CHANGE_LOG_ASSET, CORE_ASSETS
from crmhub_provider.triggers.crmhub import CrmWebhookEventsTrigger

CRM_WEBHOOKS = Asset(
    name="crmhub.ops.webhook_events",
    uri="postgres://crmhub-warehouse:5432/crmhub/ops/webhook_events",
    watchers=[AssetWatcher(name="crm_webhook_events", trigger=CrmWebhookEventsTrigger(poke_interval=15))],
)


@dag(
    dag_id="crmhub_cdc",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("*/5 * * * *", timezone="UTC"), assets=[CRM_WEBHOOKS]),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "cdc"],
    doc_md=__doc__,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1), "owner": "lena.vogel"},
)
def crmhub_cdc():
    @task
    def due() -> list[str]:
        from crmhub.cdc.tasks import due_connectors
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return due_connectors(CrmHubWarehouseHook().warehouse_url())

    @task(map_index_template="{{ connector_name }}")
    def sync(connector: str) -> dict:
        from crmhub_provider.suspension import skip_if_suspended

        skip_if_suspended("connector", connector)   # go-live mode / freeze-all: skipped with the reason
        from crmhub.cdc.tasks import cdc_sync
        from crmhub.config import load_integration_map
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook, source_access

        get_current_context()["connector_name"] = connector
        imap = load_integration_map()
        return cdc_sync(CrmHubWarehouseHook().warehouse_url(), connector, source_access(imap.connector(connector)),
                        imap=imap)

    @task
    def webhooks() -> dict:
        from crmhub.cdc.tasks import webhook_sync
        from crmhub.config import load_integration_map
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook, source_access

        imap = load_integration_map()
        crm = next(c for c in imap.connectors if c.system == "crm" and c.kind == "rest")
        return webhook_sync(CrmHubWarehouseHook().warehouse_url(), source_access(crm), imap=imap)

    @task(outlets=[CORE_ASSETS["contact"], CORE_ASSETS["entity"], CORE_ASSETS["commitment"], CHANGE_LOG_ASSET],
          trigger_rule="none_failed")
    def publish(synced: list[dict], hooked: dict) -> dict:
        return {"connectors": [s["connector"] for s in synced], "webhooks": hooked}

    publish(sync.expand(connector=due()), webhooks())


crmhub_cdc()
