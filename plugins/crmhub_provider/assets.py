"""Airflow Assets for crmhub's warehouse tables, so downstream DAGs are data-aware."""

from __future__ import annotations

from airflow.sdk import Asset

CORE_TABLES = ("entity", "contact", "fund", "commitment", "deal", "interaction")


def warehouse_asset(schema: str, table: str) -> Asset:
    """``crmhub.<schema>.<table>``; the URI names the warehouse table (host is symbolic)."""
    return Asset(name=f"crmhub.{schema}.{table}", uri=f"postgres://crmhub-warehouse:5432/crmhub/{schema}/{table}")


CORE_ASSETS: dict[str, Asset] = {table: warehouse_asset("core", table) for table in CORE_TABLES}
#: Field-level changes applied to core rows (outreach and audits schedule on it).
CHANGE_LOG_ASSET = warehouse_asset("core", "change_log")
#: The crosswalk and canonical clusters after identity resolution.
IDENTITY_ASSET = warehouse_asset("core", "external_id")
