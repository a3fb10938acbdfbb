"""crmhub_reverse_etl: push curated traits and segments from the warehouse to the CRM, safely.

Wakes every 15 minutes; each sync of the integration map runs on its own ``schedule`` (a sync is due when a
run of its cron fell since its last finished run), or every sync / one sync when asked (param ``sync``).
Waits on IntegrationHealthSensor for the CRM connectors (below 70 blocks) and on IdentityConfidenceSensor
(contact resolution ran in the last day, at most 5 % of contacts held), then runs one mapped task per due
sync (``critical: true`` syncs in the ``crmhub_critical`` pool first): diff-based (payload hash per record),
batched, token-bucket rate limited, exponential backoff honouring Retry-After, idempotency keys on every
write, per-record errors retried later, sync log with before/after values. Records on an identity hold
(confidence < 60) are never pushed; a frozen connector pushes nothing. Logic: ``crmhub.reverse_etl``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag

from crmhub_provider.defaults import CRITICAL, dag_failure_callback, task_defaults
from crmhub_provider.operators.crmhub import ReverseEtlPlanOperator, ReverseEtlSyncOperator
from crmhub_provider.sensors.crmhub import IdentityConfidenceSensor, IntegrationHealthSensor


@dag(
    dag_id="crmhub_reverse_etl",
    schedule="*/15 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "reverse_etl"],
    doc_md=__doc__,
    default_args=task_defaults(owner="lena.vogel", retry_delay=timedelta(minutes=2)),
    on_failure_callback=dag_failure_callback(),
    params={
        "sync": Param("due", type="string", pattern="^[a-z][a-z0-9_]*$",
                      description="due (each sync on its own schedule), all, or one sync's name."),
        "dry_run": Param(False, type="boolean", description="Show the diff that would be sent; write nothing."),
        "full_resync": Param(False, type="boolean", description="Send every record, ignoring payload hashes."),
    },
)
def crmhub_reverse_etl():
    health_gate = IntegrationHealthSensor(
        task_id="crm_health_gate", systems=["crm"], deferrable=True, poke_interval=60,
        timeout=int(timedelta(hours=2).total_seconds()),
    )
    # Identity resolution must be fresh and holds rare; held records themselves are dropped per record anyway.
    identity_gate = IdentityConfidenceSensor(
        task_id="identity_gate", kind="contact", max_held_pct=5.0, max_age_minutes=24 * 60, deferrable=True,
        poke_interval=300, timeout=int(timedelta(hours=2).total_seconds()),
    )
    plan_critical = ReverseEtlPlanOperator(task_id="plan_critical", group="critical")
    plan = ReverseEtlPlanOperator(task_id="plan", group="default")
    [health_gate, identity_gate] >> plan_critical
    [health_gate, identity_gate] >> plan
    ReverseEtlSyncOperator.partial(task_id="push_critical", **CRITICAL).expand(sync=plan_critical.output)
    ReverseEtlSyncOperator.partial(task_id="push").expand(sync=plan.output)


crmhub_reverse_etl()
