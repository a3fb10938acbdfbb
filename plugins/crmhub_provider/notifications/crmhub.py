"""Notifier for crmhub: page an incident's owner over a Slack-compatible webhook and/or SMTP email."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseHook, BaseNotifier

from crmhub.health import alerts
from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook


class CrmHubNotifier(BaseNotifier):
    """Send crmhub alerts: every payload carries error, values, owner, runbook link and incident id.

    Used two ways:

    * as a task/DAG ``on_failure_callback``: :meth:`notify` opens (or repeats) a ``job_failure`` incident for
      ``connector`` in the warehouse, so the page carries an incident id, owner and runbook from the map;
    * by the health cycle: ``run_health_cycle(..., notify=CrmHubNotifier(...).send_payload)`` sends payloads
      already built from ``ops.incidents``.

    Delivery: ``webhook_conn_id`` is an HTTP connection (``schema`` = http/https, ``host``, ``port``, and the
    path in ``extra.endpoint``, or a full URL in ``host``); ``smtp_conn_id`` is an SMTP connection (``host``,
    ``port``, ``login``, ``password``; extra ``from_email``, ``to`` (list or comma-separated, default: the
    owner's email), ``use_ssl``, ``starttls``). At least one of the two is required. Note: Airflow 3.3's
    ``BaseNotifier.__call__`` logs and re-raises a failure.

    :param connector: connector (or system) the alert is about; its owner and runbook come from the map.
    :param trigger: incident trigger for failure callbacks (default ``job_failure``).
    :param error: message; default: the exception from the context (templated).
    :param webhook_conn_id: HTTP connection of the webhook, or None.
    :param smtp_conn_id: SMTP connection, or None.
    :param crmhub_conn_id: warehouse connection used to record the incident.
    :param open_incident: record an incident for failure callbacks (default True).
    """

    template_fields: Sequence[str] = ("error", "connector")

    def __init__(
        self,
        *,
        connector: str | None = None,
        trigger: str = "job_failure",
        error: str | None = None,
        webhook_conn_id: str | None = None,
        smtp_conn_id: str | None = None,
        crmhub_conn_id: str = CrmHubWarehouseHook.default_conn_name,
        open_incident: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not webhook_conn_id and not smtp_conn_id:
            raise ValueError("CrmHubNotifier needs webhook_conn_id and/or smtp_conn_id")
        self.connector = connector
        self.trigger = trigger
        self.error = error
        self.webhook_conn_id = webhook_conn_id
        self.smtp_conn_id = smtp_conn_id
        self.crmhub_conn_id = crmhub_conn_id
        self.open_incident = open_incident

    # -- delivery -------------------------------------------------------------------------------------------

    def _webhook_url(self) -> str:
        conn = BaseHook.get_connection(self.webhook_conn_id)
        host = conn.host or ""
        if "://" in host:
            base = host.rstrip("/")
        else:
            scheme = conn.schema or "https"
            base = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
        endpoint = (conn.extra_dejson or {}).get("endpoint", "")
        return base + (("/" + endpoint.lstrip("/")) if endpoint else "")

    def send_payload(self, payload: dict) -> None:
        """Deliver a payload built by ``crmhub.health.alerts`` to every configured channel."""
        if self.webhook_conn_id:
            url = self._webhook_url()
            status = alerts.post_webhook(url, payload)
            self.log.info("webhook answered %s for incident %s", status, payload["crmhub"]["incident_id"])
        if self.smtp_conn_id:
            conn = BaseHook.get_connection(self.smtp_conn_id)
            extra = conn.extra_dejson or {}
            to = extra.get("to") or alerts.owner_emails(payload)
            if isinstance(to, str):
                to = [a.strip() for a in to.split(",") if a.strip()]
            alerts.send_email(
                conn.host or "localhost",
                int(conn.port or 25),
                from_email=extra.get("from_email", "crmhub@localhost"),
                to=to,
                payload=payload,
                login=conn.login or None,
                password=conn.password or None,
                use_ssl=bool(extra.get("use_ssl", False)),
                starttls=bool(extra.get("starttls", False)),
            )
            self.log.info("emailed %s for incident %s", ", ".join(to), payload["crmhub"]["incident_id"])

    # -- Airflow entry points -------------------------------------------------------------------------------

    def build_payload(self, context: dict) -> dict:
        """Payload for a failure callback; records a ``job_failure`` incident when asked to."""
        from crmhub.config import load_integration_map
        from crmhub.health import incidents
        from crmhub.warehouse.connection import connect

        imap = load_integration_map()
        ti = context.get("ti") or context.get("task_instance")
        exc = context.get("exception")
        error = self.error or (f"{type(exc).__name__}: {exc}" if exc else "task failed")
        values = {
            "dag_id": getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None),
            "task_id": getattr(ti, "task_id", None),
            "run_id": getattr(ti, "run_id", None) or context.get("run_id"),
            "try_number": getattr(ti, "try_number", None),
            "error": error,
        }
        subject = self.connector or "warehouse"
        owner_id, _ = incidents.resolve_owner(imap, subject)
        incident_id = None
        runbook_url = incidents.runbook_for(imap, subject, self.trigger)   # docs/runbooks/<trigger>.md
        if self.open_incident:
            with connect(CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id).warehouse_url()) as conn:
                inc = incidents.open_incident(conn, subject, self.trigger, values, imap=imap)
                conn.execute("UPDATE ops.incidents SET notified_at = now() WHERE incident_id = %s",
                             (inc.incident_id,))
                conn.commit()
            incident_id, runbook_url = inc.incident_id, inc.runbook_url
        return alerts.build_payload(
            error=error, values=values, owner=imap.people.get(owner_id, owner_id), runbook_url=runbook_url,
            incident_id=incident_id, connector=subject, trigger=self.trigger, severity="critical",
        )

    def notify(self, context: dict) -> None:
        self.send_payload(self.build_payload(context))

    async def async_notify(self, context: dict) -> None:
        """For Deadline Alerts (``AsyncCallback``): same work in a thread, off the triggerer's loop."""
        await asyncio.to_thread(self.notify, context)


send_crmhub_notification = CrmHubNotifier


def crmhub_deadline_alert(dag_id: str, *, notifier_kwargs: dict | None = None):
    """A ``DeadlineAlert`` for ``dag_id`` (interval from ``crmhub.health.sla.deadline_params``), or None.

    None when ``CRMHUB_DISABLE_DEADLINES=1`` (``airflow dags test`` exits 1 on DAGs with ``deadline=``,
    apache/airflow issue 73428). The callback is an ``AsyncCallback`` of :class:`CrmHubNotifier` with
    ``notifier_kwargs`` (e.g. ``{"connector": "crm_contacts", "trigger": "sla", "webhook_conn_id": ...}``).
    """
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    from crmhub.config import load_integration_map
    from crmhub.health.sla import deadline_params

    params = deadline_params(dag_id, load_integration_map())
    if params is None:
        return None
    return DeadlineAlert(
        reference=getattr(DeadlineReference, params["reference"]),
        interval=params["interval"],
        callback=AsyncCallback(CrmHubNotifier, kwargs={"trigger": "sla", **(notifier_kwargs or {})}),
    )
