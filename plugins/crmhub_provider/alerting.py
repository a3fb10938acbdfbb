"""Which alert channels are configured: the notifier for DAG callbacks and the health cycle."""

from __future__ import annotations

import logging

from airflow.sdk import BaseHook

log = logging.getLogger(__name__)

WEBHOOK_CONN_ID = "crmhub_alert_webhook"
SMTP_CONN_ID = "crmhub_smtp"


def _exists(conn_id: str) -> bool:
    try:
        BaseHook.get_connection(conn_id)
    except Exception:  # AirflowNotFoundException (its module moved between 3.x releases)
        return False
    return True


def alert_notifier(**kwargs):
    """A CrmHubNotifier on every configured channel (``crmhub_alert_webhook`` HTTP, ``crmhub_smtp`` SMTP), or None."""
    from crmhub_provider.notifications.crmhub import CrmHubNotifier

    webhook = WEBHOOK_CONN_ID if _exists(WEBHOOK_CONN_ID) else None
    smtp = SMTP_CONN_ID if _exists(SMTP_CONN_ID) else None
    if not webhook and not smtp:
        log.warning("no alert channel configured (connections %s / %s): incidents are recorded, nobody is paged",
                    WEBHOOK_CONN_ID, SMTP_CONN_ID)
        return None
    return CrmHubNotifier(webhook_conn_id=webhook, smtp_conn_id=smtp, **kwargs)
