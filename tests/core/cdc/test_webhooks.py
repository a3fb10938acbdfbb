"""The real CRM sandbox delivers signed webhooks to crmhub's real receiver; bad and replayed deliveries are refused."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
import uvicorn

from crm_sandbox import SandboxServer
from crmhub.cdc.webhook_app import create_webhook_app
from crmhub.cdc.webhooks import mark_synced, pending_object_ids, replay
from crmhub.hubspot.signatures import sign_v3

SECRET = "s3cret-webhook-key"
pytestmark = pytest.mark.integration


class Receiver:
    def __init__(self, url: str):
        self.server = uvicorn.Server(uvicorn.Config(create_webhook_app(url, SECRET), host="127.0.0.1", port=0,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/webhooks/crm"
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(5)


def _events(url):
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT event_id, subscription_type, object_id, property_name FROM ops.webhook_events "
                            "ORDER BY event_id").fetchall()


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _signed(url: str, body: bytes, ts_ms: int, secret: str = SECRET) -> dict:
    return {"Content-Type": "application/json", "X-HubSpot-Request-Timestamp": str(ts_ms),
            "X-HubSpot-Signature-v3": sign_v3(secret, "POST", url, body, ts_ms)}


def test_sandbox_changes_arrive_once_and_feed_targeted_sync(secure_db, role_url):
    db = secure_db  # the receiver logs in as crmhub_webhook, as deployed; assertions read as the admin
    with Receiver(role_url("webhook")) as rx, SandboxServer(webhook_url=rx.url, webhook_secret=SECRET) as crm:
        created = httpx.post(f"{crm.url}/crm/v3/objects/contacts",
                             json={"properties": {"email": "ann@harborcapital.com", "firstname": "Ann"}}).json()
        httpx.patch(f"{crm.url}/crm/v3/objects/contacts/{created['id']}", json={"properties": {"firstname": "Anne"}})
        assert _wait(lambda: any(e[3] == "firstname" for e in _events(db))), _events(db)
        assert crm.webhooks.wait_idle(5)
    events = _events(db)
    assert {e[1] for e in events} >= {"contact.creation", "contact.propertyChange"}
    assert len({e[0] for e in events}) == len(events)
    with psycopg.connect(db) as conn:
        pending = pending_object_ids(conn, "crm")
        assert pending == {"contact": [created["id"]]}
        assert mark_synced(conn, "crm", "contact", pending["contact"]) == len(events)
        conn.commit()
        assert pending_object_ids(conn, "crm") == {}
        assert replay(conn, since=datetime.now(UTC) - timedelta(minutes=5)) == len(events)
        assert pending_object_ids(conn, "crm") == {"contact": [created["id"]]}
        with pytest.raises(ValueError, match="needs event ids or a time range"):
            replay(conn)


def test_bad_signature_replay_and_duplicate_events(secure_db, role_url):
    db = secure_db
    body = json.dumps([{"eventId": 9001, "subscriptionType": "company.propertyChange", "objectId": 77,
                        "propertyName": "domain", "propertyValue": "harbor.com", "occurredAt": 1793000000000}]).encode()
    with Receiver(role_url("webhook")) as rx:
        now_ms = int(time.time() * 1000)
        # wrong secret
        assert httpx.post(rx.url, content=body, headers=_signed(rx.url, body, now_ms, "wrong")).status_code == 401
        # tampered body
        tampered = body.replace(b"harbor.com", b"evil.com")
        assert httpx.post(rx.url, content=tampered, headers=_signed(rx.url, body, now_ms)).status_code == 401
        # expired timestamp (HubSpot: 5 minutes)
        old = now_ms - 10 * 60 * 1000
        assert httpx.post(rx.url, content=body, headers=_signed(rx.url, body, old)).status_code == 401
        # valid, then the exact same delivery again = replay
        headers = _signed(rx.url, body, now_ms)
        ok = httpx.post(rx.url, content=body, headers=headers)
        assert ok.status_code == 200 and ok.json() == {"accepted": 1, "duplicates": 0}
        assert httpx.post(rx.url, content=body, headers=headers).status_code == 409
        # a fresh (re-signed) redelivery of the same event id is stored only once
        again = httpx.post(rx.url, content=body, headers=_signed(rx.url, body, now_ms + 1000))
        assert again.status_code == 200 and again.json() == {"accepted": 0, "duplicates": 1}
        # not JSON events
        junk = b"not json"
        assert httpx.post(rx.url, content=junk, headers=_signed(rx.url, junk, now_ms)).status_code == 400
    assert [e[0] for e in _events(db)] == ["9001"]
    with psycopg.connect(db) as conn:
        reasons = [r[0] for r in conn.execute("SELECT reason FROM ops.webhook_rejections ORDER BY id")]
    assert reasons == ["bad or expired signature"] * 3 + ["replayed delivery (signature already used)",
                                                          "body is not a JSON array of events with eventId"]
