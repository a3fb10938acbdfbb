"""crmhub_identity: resolve organisations and contacts into canonical records when core data lands.

Scheduled on the core Assets that crmhub_ingest and crmhub_cdc emit. Deterministic links (tax ID, email)
merge automatically; fuzzy pairs over 0.70 go to the human review queue (`crmhub review ...`), never
auto-merged. Writes the crosswalk, Identity_Confidence per record and holds below 60, and the duplicate
rate against the 2 % pilot target. Logic: ``crmhub.identity``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from crmhub_provider.assets import CORE_ASSETS, IDENTITY_ASSET


@dag(
    dag_id="crmhub_identity",
    schedule=(CORE_ASSETS["entity"] | CORE_ASSETS["contact"]),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "identity"],
    doc_md=__doc__,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1), "owner": "marcus.lee"},
)
def crmhub_identity():
    @task
    def resolve_orgs() -> dict:
        from crmhub.identity.store import run_resolution
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return run_resolution(CrmHubWarehouseHook().warehouse_url(), "org").as_dict()

    @task
    def resolve_contacts() -> dict:
        from crmhub.identity.store import run_resolution
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return run_resolution(CrmHubWarehouseHook().warehouse_url(), "contact").as_dict()

    @task(outlets=[IDENTITY_ASSET])
    def report(orgs: dict, contacts: dict) -> dict:
        return {"org": orgs, "contact": contacts}

    orgs = resolve_orgs()
    contacts = resolve_contacts()
    orgs >> contacts  # one at a time: both rewrite the crosswalk
    report(orgs, contacts)


crmhub_identity()
