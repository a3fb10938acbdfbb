"""Webhook receiver hardening: size cap before reading, signature before the database, 400 on malformed
signed payloads, bounded/expiring rejection log, --public-url behind a proxy, valid deliveries during a flood.
Runs the real app under uvicorn, connected as the crmhub_webhook role."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import uvicorn

from crmhub.cdc.webhook_app import RejectionLog, create_webhook_app
from crmhub.hubspot.signatures import sign_v3

SECRET = "s3cret-webhook-key"


class Receiver:
    def __init__(self, url: str, **kwargs):
        self.app = create_webhook_app(url, SECRET, **kwargs)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/webhooks/crm"
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(5)


def _body(event_id: int, **extra) -> bytes:
    return json.dumps([{"eventId": event_id, "subscriptionType": "contact.propertyChange", "objectId": 5,
                        "occurredAt": 1793000000000, **extra}]).encode()


def _signed(url: str, body: bytes, ts_ms: int | None = None) -> dict:
    ts_ms = ts_ms or int(time.time() * 1000)
    return {"Content-Type": "application/json", "X-HubSpot-Request-Timestamp": str(ts_ms),
            "X-HubSpot-Signature-v3": sign_v3(SECRET, "POST", url, body, ts_ms)}


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_ten_megabyte_body_is_refused_without_being_read(secure_db, role_url):
    with Receiver(role_url("webhook")) as rx, socket.create_connection(("127.0.0.1", rx.port)) as sock:
        sock.sendall(b"POST /webhooks/crm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 10485760\r\n\r\n" + b"[" * 65536)  # 64 KB sent of the declared 10 MB
        sock.settimeout(5)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")
    assert _count(secure_db, "ops.webhook_events") == 0


def test_chunked_body_over_the_cap_is_cut_off(secure_db, role_url):
    with Receiver(role_url("webhook"), max_body_bytes=1000) as rx:
        def gen():
            for _ in range(50):
                yield b"x" * 100
        assert httpx.post(rx.url, content=gen()).status_code == 413


def test_malformed_signed_payloads_are_400_not_500(secure_db, role_url):
    with Receiver(role_url("webhook")) as rx:
        for body in (_body(1, occurredAt="yesterday"), b"[1, 2]", b"[]", json.dumps([{"eventId": {"a": 1}}]).encode(),
                     _body(2, propertyName=["x"]), b"{\"eventId\": 1, \"occurredAt\": 1e400}"):
            r = httpx.post(rx.url, content=body, headers=_signed(rx.url, body))
            assert r.status_code == 400, body
        bad_utf8 = b"\xff\xfe"
        r = httpx.post(rx.url, content=bad_utf8, headers={"X-HubSpot-Signature-v3": "x",
                                                          "X-HubSpot-Request-Timestamp": "1"})
        assert r.status_code == 401
    assert _count(secure_db, "ops.webhook_events") == 0


def test_public_url_verifies_signatures_made_for_the_proxy_address(secure_db, role_url):
    public = "https://hooks.firm.example/webhooks/crm"
    with Receiver(role_url("webhook"), public_url=public) as rx:
        body = _body(10)
        assert httpx.post(rx.url, content=body, headers=_signed(rx.url, body)).status_code == 401
        assert httpx.post(rx.url, content=body, headers=_signed(public, body)).status_code == 200
    assert _count(secure_db, "ops.webhook_events") == 1


def test_flood_of_unsigned_requests_does_not_stop_valid_deliveries(secure_db, role_url):
    with Receiver(role_url("webhook")) as rx, httpx.Client(timeout=10) as client:
        stop = threading.Event()

        def flood() -> int:
            n = 0
            while not stop.is_set():
                client.post(rx.url, content=b"[{}]", headers={"Content-Type": "application/json"})
                n += 1
            return n

        with ThreadPoolExecutor(8) as pool:
            floods = [pool.submit(flood) for _ in range(6)]
            time.sleep(0.3)
            valid = []
            for i in range(20):
                body = _body(100 + i)
                valid.append(client.post(rx.url, content=body, headers=_signed(rx.url, body)).status_code)
            deadline = time.monotonic() + 60  # a loaded machine floods slower: wait for a real flood
            while sum(rx.app.state.rejections.counts.values()) < 200 and time.monotonic() < deadline:
                time.sleep(0.05)
            stop.set()
            unsigned = sum(f.result() for f in floods)
        log: RejectionLog = rx.app.state.rejections
    assert valid == [200] * 20
    assert unsigned >= 200
    assert _count(secure_db, "ops.webhook_events") == 20
    assert _count(secure_db, "ops.webhook_rejections") <= log.db_writes_per_minute  # the flood stayed in memory
    assert log.not_persisted == unsigned - _count(secure_db, "ops.webhook_rejections")


def test_rejection_log_is_bounded_and_expires():
    log = RejectionLog(max_entries=5, ttl_s=10, db_writes_per_minute=2)
    persisted = [log.add("bad", "h", now=float(i)) for i in range(8)]
    assert persisted == [True, True] + [False] * 6
    assert len(log.recent(now=8.0)) == 5
    assert log.recent(now=100.0) == []
    assert log.add("bad", "h", now=200.0) is True  # a minute later the database may hear about it again
    assert log.counts["bad"] == 9


def test_signature_checked_before_the_database():
    # a receiver whose database is unreachable still answers unsigned requests (401), without a 500
    with Receiver("postgresql://nobody@127.0.0.1:1/none") as rx:
        r = httpx.post(rx.url, content=_body(1), headers={"Content-Type": "application/json"})
    assert r.status_code == 401
