"""crmhub_reconciliation: compare systems of truth with the CRM every day; alert on drift over a threshold.

"Events are great for immediate alerts; batches prevent drift." Daily at 06:00 UTC with catch-up on, so
missed days are reconciled by backfill; a run is deterministic for its logical date (as-of the data at the
end of that day), so a rerun gives the same answer. Per rule: totals on both sides, delta %, record-level
differences (ops.reconciliation_runs / ops.reconciliation_diffs). A breach opens one incident and pages the
rule's owner with the HTML report attached as proof. Runs in the ``crmhub_critical`` pool: reconciliation
comes first under load. Logic: ``crmhub.reconcile``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag

from crmhub_provider.defaults import CRITICAL, dag_failure_callback, task_defaults
from crmhub_provider.operators.crmhub import ReconciliationOperator


@dag(
    dag_id="crmhub_reconciliation",
    schedule="0 6 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=True,
    max_active_runs=1,
    tags=["crmhub", "reconciliation"],
    doc_md=__doc__,
    default_args=task_defaults(owner="priya.shah", retry_delay=timedelta(minutes=5)),
    on_failure_callback=dag_failure_callback(),
)
def crmhub_reconciliation():
    ReconciliationOperator(task_id="reconcile", **CRITICAL)


crmhub_reconciliation()
