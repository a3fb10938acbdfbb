"""Notifier for crmhub: page an incident's owner over a Slack-compatible webhook and/or SMTP email."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseHook, BaseNotifier


class CrmHubNotifier(BaseNotifier):
    """Page crmhub alerts to their owner: every payload carries error, values, owner, runbook link, incident id.

    Used three ways:

    * as every task's ``on_failure_callback`` (``crmhub_provider.defaults``): :meth:`notify` makes one core call,
      ``crmhub.health.alerts.job_failure_alert``, which opens (or repeats) the ``job_failure`` incident of what
      failed and returns the page; the subject is ``connector`` or, by default, the failed task's
      ``crmhub_subject`` (the connector, sync, rule or automation a crmhub operator runs; ``warehouse``
      otherwise), so the owner comes from the map;
    * as a DAG's ``on_failure_callback`` with ``scope="dag"``: pages only when the run failed for a reason other
      than a failed task (timeout, deadlock), so one task failure is one page;
    * by the health cycle: ``run_health_cycle(..., notify=CrmHubNotifier().send_payload)``.

    Delivery, through one hook per channel: :class:`~crmhub_provider.hooks.crmhub.CrmHubAlertWebhookHook`
    (``webhook_conn_id``) and :class:`~crmhub_provider.hooks.crmhub.CrmHubSmtpHook` (``smtp_conn_id``; to the
    owner's email unless the connection's ``extra.to`` says otherwise). A channel whose connection does not exist
    is skipped; with none, the incident is recorded and a warning logged. Note: Airflow 3.3's
    ``BaseNotifier.__call__`` logs and re-raises a failure.

    :param connector: what the alert is about (connector, system, SLA, sync, rule, automation); default: the
        failed task's ``crmhub_subject``, else ``warehouse`` (templated).
    :param trigger: incident trigger (default ``job_failure``).
    :param error: message; default: the exception from the context (templated).
    :param scope: ``task`` (default) or ``dag``: a DAG callback skips runs failed by a task (already paged).
    :param webhook_conn_id: HTTP connection of the webhook, or None for no webhook.
    :param smtp_conn_id: SMTP connection, or None for no email.
    :param crmhub_conn_id: warehouse connection used to record the incident.
    :param open_incident: record an incident (default True).
    """

    template_fields: Sequence[str] = ("error", "connector")

    def __init__(
        self,
        *,
        connector: str | None = None,
        trigger: str = "job_failure",
        error: str | None = None,
        scope: str = "task",
        webhook_conn_id: str | None = "crmhub_alert_webhook",
        smtp_conn_id: str | None = "crmhub_smtp",
        crmhub_conn_id: str = "crmhub_warehouse",
        open_incident: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if scope not in ("task", "dag"):
            raise ValueError(f"scope must be 'task' or 'dag', not {scope!r}")
        self.connector = connector
        self.trigger = trigger
        self.error = error
        self.scope = scope
        self.webhook_conn_id = webhook_conn_id
        self.smtp_conn_id = smtp_conn_id
        self.crmhub_conn_id = crmhub_conn_id
        self.open_incident = open_incident

    # -- delivery -------------------------------------------------------------------------------------------

    def channels(self) -> list[str]:
        """The configured channels (``webhook``, ``smtp``) whose Airflow connection exists."""
        return [name for name, conn_id in (("webhook", self.webhook_conn_id), ("smtp", self.smtp_conn_id))
                if conn_id and _exists(conn_id)]

    def send_payload(self, payload: dict) -> None:
        """Deliver a payload built by ``crmhub.health.alerts`` to every configured channel."""
        from crmhub.health import alerts
        from crmhub_provider.hooks.http import CrmHubAlertWebhookHook
        from crmhub_provider.hooks.smtp import CrmHubSmtpHook

        channels = self.channels()
        incident = payload["crmhub"]["incident_id"]
        if not channels:
            self.log.warning("no alert channel configured (connections %s / %s): incident %s recorded, nobody paged",
                             self.webhook_conn_id, self.smtp_conn_id, incident)
        if "webhook" in channels:
            status = CrmHubAlertWebhookHook(self.webhook_conn_id).post(payload)
            self.log.info("webhook answered %s for incident %s", status, incident)
        if "smtp" in channels:
            hook = CrmHubSmtpHook(self.smtp_conn_id)
            to = hook.recipients(alerts.owner_emails(payload))
            hook.send_message(alerts.email_message(payload, from_email=hook.from_email or "crmhub@localhost", to=to))
            self.log.info("emailed %d recipient(s) for incident %s", len(to), incident)

    # -- Airflow entry points -------------------------------------------------------------------------------

    def build_payload(self, context: dict) -> dict:
        """The page for a failure callback (records the incident when ``open_incident``)."""
        ti = context.get("ti") or context.get("task_instance")
        exc = context.get("exception")
        error = self.error or (f"{type(exc).__name__}: {exc}" if exc else str(context.get("reason") or "task failed"))
        values = {
            "dag_id": getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None),
            "task_id": getattr(ti, "task_id", None),
            "map_index": getattr(ti, "map_index", None),
            "run_id": getattr(ti, "run_id", None) or context.get("run_id"),
            "try_number": getattr(ti, "try_number", None),
        }
        from crmhub.health import alerts
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        subject = self.connector or getattr(context.get("task"), "crmhub_subject", None) or "warehouse"
        url = CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id).warehouse_url() if self.open_incident else ""
        return alerts.job_failure_alert(url, subject, values, error=error, trigger=self.trigger,
                                        record=self.open_incident)

    def notify(self, context: dict) -> None:
        if self.scope == "dag" and context.get("reason") == "task_failure":
            self.log.info("DAG run failed by a task: its own callback paged the owner")
            return
        self.send_payload(self.build_payload(context))

    async def async_notify(self, context: dict) -> None:
        """For Deadline Alerts (``AsyncCallback``): same work in a thread, off the triggerer's loop."""
        await asyncio.to_thread(self.notify, context)


def _exists(conn_id: str) -> bool:
    try:
        BaseHook.get_connection(conn_id)
    except Exception:  # AirflowNotFoundException (its module moved between 3.x releases)
        return False
    return True


send_crmhub_notification = CrmHubNotifier


def crmhub_deadline_alert(dag_id: str, *, notifier_kwargs: dict | None = None):
    """A ``DeadlineAlert`` for ``dag_id`` (interval from ``crmhub.health.sla.deadline_params``), or None.

    None when ``CRMHUB_DISABLE_DEADLINES=1`` (``airflow dags test`` exits 1 on DAGs with ``deadline=``,
    apache/airflow issue 73428). The callback is an ``AsyncCallback`` of :class:`CrmHubNotifier` with
    ``notifier_kwargs`` (e.g. ``{"connector": "crm_contacts", "trigger": "sla", "webhook_conn_id": ...}``).
    """
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    from crmhub.health.sla import DAG_DEADLINE_MIN, deadline_params

    if dag_id in DAG_DEADLINE_MIN:  # crmhub's own DAGs: no need to load the map while the DAG is parsed
        params = deadline_params(dag_id)
    else:
        from crmhub.config import load_integration_map

        params = deadline_params(dag_id, load_integration_map())
    if params is None:
        return None
    return DeadlineAlert(
        reference=getattr(DeadlineReference, params["reference"]),
        interval=params["interval"],
        callback=AsyncCallback(CrmHubNotifier, kwargs={"trigger": "sla", **(notifier_kwargs or {})}),
    )
