"""crmhub_outreach: investor-communication automations behind Unleash flags, that cannot blast.

Runs when core changes land (the change-log Asset). Waits on IntegrationHealthSensor (below 70 blocks
every automation), then runs each automation through the engine's rails: pause switch, trigger events
from core.change_log, bulk-import guard (suppressed + incident), identity holds, suppression list, the
Unleash flag (userId = relationship owner; fail closed), blast-radius cap, outbox with idempotency keys
over SMTP. A run that hits its cap or send budget with ``on_exceed: approval`` waits for a human in the
Airflow UI (ApprovalOperator) before sending more; the approver is recorded and the send passes the
health gate again. A new or changed automation runs in control mode (control list only); a human confirms
its control sends (ApprovalOperator) to promote it to its flag rollout. Logic: ``crmhub.outreach``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param, dag, get_current_context, task

from crmhub_provider.assets import CHANGE_LOG_ASSET
from crmhub_provider.sensors.crmhub import IntegrationHealthSensor


@dag(
    dag_id="crmhub_outreach",
    schedule=[CHANGE_LOG_ASSET],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "outreach"],
    doc_md=__doc__,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1), "owner": "sam.ortiz"},
    params={
        "dry_run": Param(False, type="boolean", description="Decide and show what would be sent; send nothing."),
        "automations": Param([], type="array", items={"type": "string"},
                             description="Only these automations (default: all in the integration map)."),
    },
)
def crmhub_outreach():
    health_gate = IntegrationHealthSensor(
        task_id="health_gate", connectors=["crm_contacts"], deferrable=True, poke_interval=60,
        timeout=int(timedelta(hours=1).total_seconds()), retries=1,
    )

    @task
    def run_automations() -> list[dict]:
        from crmhub.outreach.tasks import run_automations as run
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook, smtp_settings, unleash_access

        params = get_current_context()["params"]
        return run(CrmHubWarehouseHook().warehouse_url(), unleash_access(), smtp_settings(),
                   dry_run=params["dry_run"], names=params["automations"] or None)

    @task.branch
    def approval_needed(results: list[dict]) -> list[str]:
        return ["request_approval"] if any(r["outcome"] == "needs_approval" for r in results) else []

    request_approval = ApprovalOperator(
        task_id="request_approval",
        subject="crmhub outreach: an automation hit its blast-radius cap or send budget",
        body="{{ ti.xcom_pull(task_ids='run_automations') | tojson }}",
        response_timeout=timedelta(hours=4),
    )

    @task
    def send_approved(results: list[dict], approval: dict) -> list[dict]:
        from crmhub.outreach.tasks import approved_sends
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook, smtp_settings, unleash_access

        return approved_sends(CrmHubWarehouseHook().warehouse_url(), unleash_access(), smtp_settings(), results, approval)

    @task.branch
    def control_confirmation_needed(results: list[dict]) -> list[str]:
        from crmhub.outreach.tasks import control_sends_to_confirm

        return ["confirm_control_sends"] if control_sends_to_confirm(results) else []

    confirm_control_sends = ApprovalOperator(
        task_id="confirm_control_sends",
        subject="crmhub outreach: confirm what the control list received, then promote to the flag rollout",
        body="Check `crmhub outreach control-report NAME`. Runs: {{ ti.xcom_pull(task_ids='run_automations') | tojson }}",
        response_timeout=timedelta(days=7),
    )

    @task
    def promote_confirmed(results: list[dict], approval: dict) -> list[dict]:
        from crmhub.outreach.tasks import promote_after_control
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return promote_after_control(CrmHubWarehouseHook().warehouse_url(), results, approval)

    results = run_automations()
    health_gate >> results
    approval_needed(results) >> request_approval
    send_approved(results, request_approval.output)
    control_confirmation_needed(results) >> confirm_control_sends
    promote_confirmed(results, confirm_control_sends.output)


crmhub_outreach()
