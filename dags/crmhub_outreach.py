"""crmhub_outreach: investor-communication automations behind Unleash flags, that cannot blast.

Runs when core changes land (the change-log Asset). Waits on IntegrationHealthSensor (below 70 blocks
every automation), then runs each automation through the engine's rails: pause switch, trigger events
from core.change_log, bulk-import guard (suppressed + incident), identity holds, suppression list, the
Unleash flag (userId = relationship owner; fail closed), blast-radius cap, outbox with idempotency keys
over SMTP. A run that hits its cap or send budget with ``on_exceed: approval`` waits for a human in the
Airflow UI (ApprovalOperator) before sending more; the approver is recorded and the send passes the
health gate again. A new or changed automation runs in control mode (control list only); a human confirms
its control sends (ApprovalOperator) to promote it to its flag rollout. ``critical: true`` automations run
in the ``crmhub_critical`` pool. Logic: ``crmhub.outreach``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param, dag, task

from crmhub_provider.assets import CHANGE_LOG_ASSET
from crmhub_provider.defaults import CRITICAL, dag_failure_callback, task_defaults
from crmhub_provider.operators.crmhub import (
    OutreachApprovedSendOperator,
    OutreachAutomationOperator,
    OutreachPlanOperator,
    OutreachPromoteOperator,
)
from crmhub_provider.sensors.crmhub import IntegrationHealthSensor


@dag(
    dag_id="crmhub_outreach",
    schedule=[CHANGE_LOG_ASSET],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "outreach"],
    doc_md=__doc__,
    default_args=task_defaults(owner="sam.ortiz"),
    on_failure_callback=dag_failure_callback(),
    params={
        "dry_run": Param(False, type="boolean", description="Decide and show what would be sent; send nothing."),
        "automations": Param([], type="array", items={"type": "string"},
                             description="Only these automations (default: all in the integration map)."),
    },
)
def crmhub_outreach():
    health_gate = IntegrationHealthSensor(
        task_id="health_gate", connectors=["crm_contacts"], deferrable=True, poke_interval=60,
        timeout=int(timedelta(hours=1).total_seconds()),
    )
    plan_critical = OutreachPlanOperator(task_id="plan_critical", group="critical")
    plan = OutreachPlanOperator(task_id="plan", group="default")
    health_gate >> [plan_critical, plan]
    critical = OutreachAutomationOperator.partial(task_id="run_critical", **CRITICAL).expand(
        automation=plan_critical.output)
    default = OutreachAutomationOperator.partial(task_id="run_automations").expand(automation=plan.output)
    results = [critical.output, default.output]

    @task.short_circuit(trigger_rule="none_failed")
    def approval_needed(critical: list[dict] | None, default: list[dict] | None) -> bool:
        from crmhub.outreach.tasks import needs_approval

        return needs_approval(critical, default)

    request_approval = ApprovalOperator(
        task_id="request_approval",
        subject="crmhub outreach: an automation hit its blast-radius cap or send budget",
        body="{{ ti.xcom_pull(task_ids=['run_critical', 'run_automations']) | tojson }}",
        response_timeout=timedelta(hours=4),
    )
    approval_needed(critical.output, default.output) >> request_approval
    OutreachApprovedSendOperator(task_id="send_approved", results=results, approval=request_approval.output)

    @task.short_circuit(trigger_rule="none_failed")
    def control_confirmation_needed(critical: list[dict] | None, default: list[dict] | None) -> bool:
        from crmhub.outreach.tasks import control_sends_to_confirm

        return control_sends_to_confirm(critical, default)

    confirm_control_sends = ApprovalOperator(
        task_id="confirm_control_sends",
        subject="crmhub outreach: confirm what the control list received, then promote to the flag rollout",
        body="Check `crmhub outreach control-report NAME`. Runs: "
             "{{ ti.xcom_pull(task_ids=['run_critical', 'run_automations']) | tojson }}",
        response_timeout=timedelta(days=7),
    )
    control_confirmation_needed(critical.output, default.output) >> confirm_control_sends
    OutreachPromoteOperator(task_id="promote_confirmed", results=results, approval=confirm_control_sends.output)


crmhub_outreach()
