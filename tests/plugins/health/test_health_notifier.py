import asyncio
import email
from datetime import timedelta
from types import SimpleNamespace

import psycopg
import pytest
from health_support import NOW, add_run

from crmhub.config import load_integration_map
from crmhub.health.cycle import run_health_cycle
from crmhub_provider.notifications.crmhub import (
    CrmHubNotifier,
    crmhub_deadline_alert,
    send_crmhub_notification,
)

pytestmark = pytest.mark.airflow


@pytest.fixture
def smtp_conn_id() -> str:
    return "smtp_default"  # the notifier also works on the SMTP provider's default connection


def _context():
    ti = SimpleNamespace(dag_id="crmhub_ingest_billing_invoices", task_id="load", run_id="manual__1", try_number=2)
    return {"ti": ti, "exception": RuntimeError("billing.invoices: relation does not exist")}


class TestCrmHubNotifier:
    def test_failure_callback_opens_incident_and_pages_both_channels(self, channels):
        notifier = send_crmhub_notification(connector="billing_invoices", webhook_conn_id="crmhub_alert_webhook",
                                            smtp_conn_id="smtp_default")
        notifier(_context())
        assert len(channels.webhook.received) == 1
        got = channels.webhook.received[0]
        assert got["path"] == "/hooks/crmhub"
        data = got["json"]["crmhub"]
        assert data["owner"]["id"] == "dana.kim" and data["runbook_url"] == "docs/runbooks/job_failure.md"
        assert "relation does not exist" in data["error"] and data["values"]["task_id"] == "load"
        assert isinstance(data["incident_id"], int)
        assert len(channels.smtp.messages) == 1
        msg = email.message_from_string(channels.smtp.messages[0]["data"])
        assert channels.smtp.messages[0]["to"] == ["dana.kim@firm.example"]
        assert f"#{data['incident_id']}" in msg["Subject"] and "Runbook:" in msg.get_payload()
        with psycopg.connect(channels.db) as conn:
            row = conn.execute("SELECT trigger, owner, notified_at IS NOT NULL FROM ops.incidents "
                               "WHERE incident_id = %s", (data["incident_id"],)).fetchone()
        assert row == ("job_failure", "dana.kim", True)
        # a second failure repeats the same incident (no new row) and still pages with its id
        notifier(_context())
        assert channels.webhook.received[1]["json"]["crmhub"]["incident_id"] == data["incident_id"]

    def test_health_cycle_pages_through_send_payload(self, channels):
        with psycopg.connect(channels.db) as conn:
            add_run(conn, "cdp_events", minutes_ago=5, records_total=1000, records_failed=9, lag_min_p95=10)
        notifier = CrmHubNotifier(webhook_conn_id="crmhub_alert_webhook")
        summary = run_health_cycle(channels.db, load_integration_map(), notify=notifier.send_payload, now=NOW)
        assert len(summary["notified"]) == 2 and len(channels.webhook.received) == 2
        assert {r["json"]["crmhub"]["trigger"] for r in channels.webhook.received} == {"error_rate", "health"}
        assert channels.smtp.messages == []

    def test_async_notify_for_deadline_callbacks(self, channels):
        notifier = CrmHubNotifier(connector="crm_contacts", trigger="sla", smtp_conn_id="smtp_default",
                                  error="crmhub_ingest_crm_contacts missed its deadline")
        asyncio.run(notifier.async_notify({}))
        assert len(channels.smtp.messages) == 1
        assert "missed its deadline" in email.message_from_string(channels.smtp.messages[0]["data"]).get_payload()

    def test_without_a_channel_the_incident_is_recorded_and_nobody_paged(self, warehouse_conn):
        notifier = CrmHubNotifier(connector="crm_contacts", webhook_conn_id="missing_hook", smtp_conn_id=None)
        assert notifier.channels() == []
        notifier.notify(_context())
        with psycopg.connect(warehouse_conn) as conn:
            assert conn.execute("SELECT count(*) FROM ops.incidents WHERE connector = 'crm_contacts' "
                                "AND trigger = 'job_failure'").fetchone()[0] == 1


def test_deadline_alert_helper(monkeypatch):
    monkeypatch.delenv("CRMHUB_DISABLE_DEADLINES", raising=False)
    alert = crmhub_deadline_alert("crmhub_health", notifier_kwargs={"webhook_conn_id": "crmhub_alert_webhook"})
    assert alert.interval == timedelta(minutes=10)
    monkeypatch.setenv("CRMHUB_DISABLE_DEADLINES", "1")
    assert crmhub_deadline_alert("crmhub_health") is None
