"""crmhub_reconciliation: compare systems of truth with the CRM every day; alert on drift over a threshold.

"Events are great for immediate alerts; batches prevent drift." Daily at 06:00 UTC with catch-up on, so
missed days are reconciled by backfill; a run is deterministic for its logical date (as-of the data at the
end of that day), so a rerun gives the same answer. Per rule: totals on both sides, delta %, record-level
differences (ops.reconciliation_runs / ops.reconciliation_diffs). A breach opens one incident and pages the
rule's owner with the HTML report attached as proof. Logic: ``crmhub.reconcile``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, get_current_context, task


@dag(
    dag_id="crmhub_reconciliation",
    schedule="0 6 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=True,
    max_active_runs=1,
    tags=["crmhub", "reconciliation"],
    doc_md=__doc__,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=5), "owner": "priya.shah"},
)
def crmhub_reconciliation():
    @task
    def reconcile() -> dict:
        from crmhub.reconcile import run_reconciliation
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        context = get_current_context()
        logical = context.get("logical_date") or context["data_interval_end"]
        return run_reconciliation(CrmHubWarehouseHook().warehouse_url(), logical.date().isoformat())

    @task
    def notify_owners(result: dict) -> dict:
        from crmhub_provider.alerting import alert_notifier

        notifier = alert_notifier()
        sent = 0
        for payload in result["notifications"]:
            if notifier is not None:
                notifier.send_payload(payload)
                sent += 1
        return {"breached": result["breached"], "paged": sent, "report": result["report"]}

    notify_owners(reconcile())


crmhub_reconciliation()
