"""Webhooks: HubSpot payload format, v3 signature verification, asynchronous delivery with retry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from crm_sandbox import SandboxServer, sign_v3, verify_signature_v3

SECRET = "webhook-secret"


class Receiver:
    """A local HTTP endpoint that records every POST and answers with scripted status codes."""

    def __init__(self, statuses: list[int] | None = None):
        self.received: list[dict] = []
        self.statuses = list(statuses or [])
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(outer.statuses.pop(0) if outer.statuses else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/hubspot?source=sandbox"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        return [e for r in self.received for e in json.loads(r["body"])]

    def wait_for(self, n_events: int, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.events()) < n_events:
            time.sleep(0.02)
        return self.events()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_webhook_delivered_with_valid_v3_signature(receiver: Receiver) -> None:
    with SandboxServer(webhook_url=receiver.url, webhook_secret=SECRET) as server, \
            httpx.Client(base_url=server.url) as client:
        cid = client.post("/crm/v3/objects/contacts",
                          json={"properties": {"email": "w@x.example", "firstname": "Wen"}}).json()["id"]
        client.patch(f"/crm/v3/objects/contacts/{cid}", json={"properties": {"firstname": "Wendy"}})
        client.delete(f"/crm/v3/objects/contacts/{cid}")
        events = receiver.wait_for(6)
        stats = client.get("/_sandbox/webhooks", params={"wait": 2}).json()
    types = [(e["subscriptionType"], e.get("propertyName"), e.get("propertyValue")) for e in events]
    assert ("contact.creation", None, None) in types
    assert ("contact.propertyChange", "email", "w@x.example") in types
    assert ("contact.propertyChange", "firstname", "Wendy") in types
    assert any(b"Wendy" in r["body"] for r in receiver.received)
    assert types[-1] == ("contact.deletion", None, None)
    for e in events:
        assert {"eventId", "subscriptionId", "portalId", "occurredAt", "subscriptionType", "attemptNumber",
                "objectId", "changeSource"} <= set(e)
        assert e["objectId"] == int(cid) and e["attemptNumber"] == 0 and e["changeSource"] == "API"
    assert len({e["eventId"] for e in events}) == len(events)
    assert stats["events_failed"] == 0 and stats["events_delivered"] == len(events)
    for req in receiver.received:
        h = req["headers"]
        ts, sig = h["X-HubSpot-Request-Timestamp"], h["X-HubSpot-Signature-v3"]
        assert verify_signature_v3(SECRET, "POST", receiver.url, req["body"], ts, sig)
        # independent recomputation of HubSpot's documented formula
        expected = base64.b64encode(hmac.new(SECRET.encode(), b"POST" + receiver.url.encode() + req["body"]
                                             + ts.encode(), hashlib.sha256).digest()).decode()
        assert sig == expected
        if b"Wendy" in req["body"]:
            tampered = req["body"].replace(b"Wendy", b"Mallory")
            assert not verify_signature_v3(SECRET, "POST", receiver.url, tampered, ts, sig)
        assert not verify_signature_v3(SECRET, "POST", receiver.url, req["body"] + b" ", ts, sig)
        assert not verify_signature_v3("other-secret", "POST", receiver.url, req["body"], ts, sig)
        assert not verify_signature_v3(SECRET, "POST", receiver.url, req["body"], ts, sig,
                                       now=int(ts) / 1000 + 301)


def test_tampered_body_and_old_timestamp_fail_verification() -> None:
    body = json.dumps([{"eventId": 1, "objectId": 5, "propertyName": "email", "propertyValue": "a@b.example"}])
    uri = "https://crmhub.example/hooks/crm?x=1"
    ts = str(int(time.time() * 1000))
    sig = sign_v3(SECRET, "POST", uri, body, ts)
    assert verify_signature_v3(SECRET, "POST", uri, body.encode(), ts, sig)
    assert not verify_signature_v3(SECRET, "POST", uri, body.replace("a@b", "evil@b"), ts, sig)
    assert not verify_signature_v3(SECRET, "POST", "https://crmhub.example/hooks/other?x=1", body, ts, sig)
    assert not verify_signature_v3(SECRET, "POST", uri, body, str(int(ts) + 1), sig)
    old = str(int((time.time() - 600) * 1000))
    assert not verify_signature_v3(SECRET, "POST", uri, body, old, sign_v3(SECRET, "POST", uri, body, old))
    assert verify_signature_v3(SECRET, "POST", uri, body, old, sign_v3(SECRET, "POST", uri, body, old),
                               max_age_s=900)
    assert not verify_signature_v3(SECRET, "POST", uri, body, "not-a-number", sig)
    assert not verify_signature_v3(SECRET, "POST", uri, body, ts, None)
    # HubSpot decodes URL-encoded ':' and '/' etc. in the URI before signing
    encoded = "https://crmhub.example/hooks%2Fcrm?x=1"
    plain_sig = sign_v3(SECRET, "POST", "https://crmhub.example/hooks/crm?x=1", body, ts)
    assert verify_signature_v3(SECRET, "POST", encoded, body, ts, plain_sig)


def test_delivery_is_retried_with_attempt_number() -> None:
    receiver = Receiver(statuses=[503, 500, 204])
    try:
        with SandboxServer(webhook_url=receiver.url, webhook_secret=SECRET,
                           webhook_retry_delays=(0.05, 0.05, 0.05)) as server:
            httpx.post(f"{server.url}/crm/v3/objects/companies", json={"properties": {"name": "Retry Co"}})
            deadline = time.monotonic() + 5
            while len(receiver.received) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            stats = httpx.get(f"{server.url}/_sandbox/webhooks", params={"wait": 2}).json()
        attempts = [json.loads(r["body"])[0]["attemptNumber"] for r in receiver.received]
        assert attempts == [0, 1, 2]
        event_ids = [[e["eventId"] for e in json.loads(r["body"])] for r in receiver.received]
        assert event_ids[0] == event_ids[1] == event_ids[2]
        assert all(json.loads(r["body"])[0]["subscriptionType"].startswith("company.") for r in receiver.received)
        assert stats["requests_failed"] == 2 and stats["events_failed"] == 0 and stats["pending"] == 0
        for r in receiver.received:  # each attempt is signed afresh
            h = r["headers"]
            assert verify_signature_v3(SECRET, "POST", receiver.url, r["body"], h["X-HubSpot-Request-Timestamp"],
                                       h["X-HubSpot-Signature-v3"])
    finally:
        receiver.close()


def test_unreachable_receiver_does_not_block_writes() -> None:
    with SandboxServer(webhook_url="http://127.0.0.1:9/nowhere", webhook_secret=SECRET,
                       webhook_retry_delays=(5.0,)) as server:
        t0 = time.monotonic()
        r = httpx.post(f"{server.url}/crm/v3/objects/contacts/batch/create",
                       json={"inputs": [{"properties": {"email": f"n{i}@x.example"}} for i in range(50)]})
        assert r.status_code == 201
        assert time.monotonic() - t0 < 2
        assert httpx.get(f"{server.url}/_sandbox/counts").json()["contacts"]["total"] == 50


def test_change_source_header_and_runtime_configuration(receiver: Receiver) -> None:
    with SandboxServer() as server, httpx.Client(base_url=server.url) as client:
        client.post("/crm/v3/objects/contacts", json={"properties": {"email": "before@x.example"}})
        assert client.post("/_sandbox/webhooks", json={"url": receiver.url, "secret": SECRET}).json()["enabled"]
        client.post("/crm/v3/objects/contacts", json={"properties": {"email": "ui@x.example"}},
                    headers={"X-Sandbox-Change-Source": "CRM_UI"})
        events = receiver.wait_for(2)
    assert events and all(e["changeSource"] == "CRM_UI" for e in events)
    assert not any(e.get("propertyValue") == "before@x.example" for e in events)
