import email

import psycopg
import pytest

from crmhub.health import alerts, incidents


def _payload(imap):
    return alerts.build_payload(
        error="crm_contacts error rate 0.80 % is above 0.5 %", values={"error_rate_pct": 0.8, "score": 52.0},
        owner=imap.people["marcus.lee"], runbook_url="https://runbooks.crmhub.example/crm_contacts#error_rate",
        incident_id=7, connector="crm_contacts", trigger="error_rate", severity="critical",
    )


def test_payload_carries_error_values_owner_runbook_incident(imap):
    p = _payload(imap)
    data = p["crmhub"]
    assert data["owner"]["email"] == "marcus.lee@firm.example"
    assert data["runbook_url"].endswith("crm_contacts#error_rate")
    assert data["incident_id"] == 7 and data["values"]["error_rate_pct"] == 0.8 and "0.80 %" in data["error"]
    assert "Marcus Lee" in p["text"] and "runbooks.crmhub.example" in p["text"] and "incident #7" in p["text"]
    assert p["blocks"][0]["type"] == "header"
    with pytest.raises(ValueError, match="runbook"):
        alerts.build_payload(error="x", values={}, owner="a", runbook_url="", incident_id=None)
    with pytest.raises(ValueError, match="owner"):
        alerts.build_payload(error="x", values={}, owner="", runbook_url="u", incident_id=None)


def test_payload_for_incident_row(db, imap):
    with psycopg.connect(db) as conn:
        inc = incidents.open_incident(conn, "billing_invoices", "lag", {"sync_lag_min": 500, "target_lag_min": 360},
                                      imap=imap)
        row = incidents.get_incident(conn, inc.incident_id)
    p = alerts.payload_for_incident(row, imap)
    assert p["crmhub"]["incident_id"] == inc.incident_id
    assert p["crmhub"]["owner"]["id"] == "dana.kim" and p["crmhub"]["owner"]["email"] == "dana.kim@firm.example"
    assert p["crmhub"]["runbook_url"] == "docs/runbooks/lag.md"
    assert "500.0 min exceeds target 360 min" in p["crmhub"]["error"]


def test_post_webhook_reaches_a_real_receiver(webhook_server, imap):
    url = f"http://127.0.0.1:{webhook_server.server_port}/hooks/crmhub"
    assert alerts.post_webhook(url, _payload(imap)) == 200
    assert len(webhook_server.received) == 1
    got = webhook_server.received[0]
    assert got["path"] == "/hooks/crmhub" and got["headers"]["Content-Type"] == "application/json"
    assert got["json"]["crmhub"]["owner"]["id"] == "marcus.lee" and got["json"]["text"].startswith("[CRITICAL]")


def test_send_email_to_a_real_smtp_sink(smtp_sink, imap):
    payload = _payload(imap)
    alerts.send_email("127.0.0.1", smtp_sink.port, from_email="crmhub@firm.example",
                      to=alerts.owner_emails(payload), payload=payload)
    alerts.send_email("127.0.0.1", smtp_sink.port, from_email="crmhub@firm.example", to=["oncall@firm.example"],
                      payload=payload)
    assert len(smtp_sink.messages) == 2
    first = smtp_sink.messages[0]
    assert first["to"] == ["marcus.lee@firm.example"] and first["from"] == "crmhub@firm.example"
    msg = email.message_from_string(first["data"])
    assert msg["Subject"] == "[crmhub critical] #7 crm_contacts error_rate"
    body = msg.get_payload()
    assert "Runbook: https://runbooks.crmhub.example/crm_contacts#error_rate" in body and "Owner: Marcus Lee" in body
    with pytest.raises(ValueError, match="recipient"):
        alerts.send_email("127.0.0.1", smtp_sink.port, from_email="a@b", to=[], payload=payload)
