"""crmhub_reverse_etl: push curated traits and segments from the warehouse to the CRM, safely.

Waits on IntegrationHealthSensor for the CRM connectors it writes to (below 70 blocks) and on
IdentityConfidenceSensor (contact resolution ran in the last day, at most 5 % of contacts held), then runs one
mapped task per sync definition of the integration map: diff-based (payload hash per record), batched,
token-bucket rate limited, exponential backoff honouring Retry-After, idempotency keys on every write,
per-record errors retried later, sync log with before/after values. Records on an identity hold
(confidence < 60) are never pushed; a frozen connector pushes nothing. Params: one sync, dry run, full
resync. Logic: ``crmhub.reverse_etl``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, get_current_context, task

from crmhub.reverse_etl.definitions import load_syncs
from crmhub_provider.sensors.crmhub import IdentityConfidenceSensor, IntegrationHealthSensor

SYNCS = load_syncs()
CRM_CONNECTORS = sorted({s.connector for s in SYNCS.values() if s.destination_kind == "crm"})


@dag(
    dag_id="crmhub_reverse_etl",
    schedule="15 2 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "reverse_etl"],
    doc_md=__doc__,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=2), "owner": "lena.vogel"},
    params={
        "sync": Param("all", type="string", enum=["all", *SYNCS], description="One sync, or all of them."),
        "dry_run": Param(False, type="boolean", description="Show the diff that would be sent; write nothing."),
        "full_resync": Param(False, type="boolean", description="Send every record, ignoring payload hashes."),
    },
)
def crmhub_reverse_etl():
    health_gate = IntegrationHealthSensor(
        task_id="crm_health_gate", connectors=CRM_CONNECTORS, deferrable=True, poke_interval=60,
        timeout=int(timedelta(hours=2).total_seconds()), retries=1,
    )

    # Identity resolution must be fresh and holds rare; held records themselves are dropped per record anyway.
    identity_gate = IdentityConfidenceSensor(
        task_id="identity_gate", kind="contact", max_held_pct=5.0, max_age_minutes=24 * 60, deferrable=True,
        poke_interval=300, timeout=int(timedelta(hours=2).total_seconds()), retries=1,
    )

    @task
    def plan() -> list[str]:
        chosen = get_current_context()["params"]["sync"]
        return list(SYNCS) if chosen == "all" else [chosen]

    @task(map_index_template="{{ sync_name }}")
    def push(sync: str) -> dict:
        from crmhub.reverse_etl.engine import run_sync
        from crmhub_provider.hooks.crmhub import CrmHubCrmHook, CrmHubWarehouseHook
        from crmhub_provider.suspension import skip_if_suspended

        context = get_current_context()
        context["sync_name"] = sync
        params = context["params"]
        if not params["dry_run"]:
            skip_if_suspended("sync", sync)   # go-live mode / freeze-all: skipped with the reason
        crm = CrmHubCrmHook()
        result = run_sync(sync, CrmHubWarehouseHook().warehouse_url(), crm.base_url(), crm.token(),
                          dry_run=params["dry_run"], full_resync=params["full_resync"])
        print(result.summary())
        if result.status == "failed":
            raise RuntimeError(f"sync {sync} failed: {result.error}")
        return {"sync": sync, "run_id": result.run_id, "status": result.status, **result.counts}

    names = plan()
    [health_gate, identity_gate] >> names
    push.expand(sync=names)


crmhub_reverse_etl()
