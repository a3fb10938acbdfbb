"""Which alert channels are configured: the notifier for the health cycle and the reconciliation pages."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

WEBHOOK_CONN_ID = "crmhub_alert_webhook"
SMTP_CONN_ID = "crmhub_smtp"


def alert_notifier(**kwargs):
    """A CrmHubNotifier on every configured channel (``crmhub_alert_webhook`` HTTP, ``crmhub_smtp`` SMTP), or None."""
    from crmhub_provider.notifications.crmhub import CrmHubNotifier

    notifier = CrmHubNotifier(webhook_conn_id=WEBHOOK_CONN_ID, smtp_conn_id=SMTP_CONN_ID, **kwargs)
    if not notifier.channels():
        log.warning("no alert channel configured (connections %s / %s): incidents are recorded, nobody is paged",
                    WEBHOOK_CONN_ID, SMTP_CONN_ID)
        return None
    return notifier
