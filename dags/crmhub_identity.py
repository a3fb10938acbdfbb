"""crmhub_identity: resolve organisations and contacts into canonical records when core data lands.

Scheduled on the core Assets that crmhub_ingest and crmhub_cdc emit. Deterministic links (tax ID, email)
merge automatically; fuzzy pairs over 0.70 go to the human review queue (`crmhub review ...`), never
auto-merged. Writes the crosswalk, Identity_Confidence per record and holds below 60, and the duplicate
rate against the 2 % pilot target. Logic: ``crmhub.identity``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag

from crmhub_provider.assets import CORE_ASSETS, IDENTITY_ASSET
from crmhub_provider.defaults import dag_failure_callback, task_defaults
from crmhub_provider.operators.crmhub import IdentityResolutionOperator


@dag(
    dag_id="crmhub_identity",
    schedule=(CORE_ASSETS["entity"] | CORE_ASSETS["contact"]),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "identity"],
    doc_md=__doc__,
    default_args=task_defaults(owner="marcus.lee"),
    on_failure_callback=dag_failure_callback(),
)
def crmhub_identity():
    orgs = IdentityResolutionOperator(task_id="resolve_orgs", kind="org")
    contacts = IdentityResolutionOperator(task_id="resolve_contacts", kind="contact", outlets=[IDENTITY_ASSET])
    orgs >> contacts  # one at a time: both rewrite the crosswalk


crmhub_identity()
