"""Airflow Assets for crmhub's warehouse tables, so downstream DAGs are data-aware."""

from __future__ import annotations

from airflow.sdk import Asset, AssetWatcher

from crmhub_provider.triggers.crmhub import CrmWebhookEventsTrigger

CORE_TABLES = ("entity", "contact", "fund", "commitment", "deal", "interaction")


def warehouse_asset(schema: str, table: str) -> Asset:
    """``crmhub.<schema>.<table>``; the URI names the warehouse table (host is symbolic)."""
    return Asset(name=f"crmhub.{schema}.{table}", uri=f"postgres://crmhub-warehouse:5432/crmhub/{schema}/{table}")


CORE_ASSETS: dict[str, Asset] = {table: warehouse_asset("core", table) for table in CORE_TABLES}
#: Field-level changes applied to core rows (outreach and audits schedule on it).
CHANGE_LOG_ASSET = warehouse_asset("core", "change_log")
#: The crosswalk and canonical clusters after identity resolution.
IDENTITY_ASSET = warehouse_asset("core", "external_id")
#: Pending CRM webhook notifications; watched by ``CrmWebhookEventsTrigger`` so ``crmhub_cdc`` runs when they land.
WEBHOOK_EVENTS_ASSET = Asset(
    name="crmhub.ops.webhook_events",
    uri=warehouse_asset("ops", "webhook_events").uri,
    watchers=[AssetWatcher(name="crm_webhook_events", trigger=CrmWebhookEventsTrigger(poke_interval=15))],
)
