"""The HTTP client's retry behaviour against a tiny scripted stdlib server (no CRM logic in it)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crmhub.reverse_etl.crm_client import CrmClient, idempotency_key


class Script:
    def __init__(self) -> None:
        self.steps: list[str] = []
        self.seen: list[dict] = []


@pytest.fixture
def scripted() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            script.seen.append({"key": self.headers.get("Idempotency-Key"), "auth": self.headers.get("Authorization"),
                                "t": time.monotonic(), "body": json.loads(body or b"null")})
            step = script.steps.pop(0) if script.steps else "200"
            if step == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            status = int(step.split(":")[0])
            payload = json.dumps({"status": "COMPLETE", "results": []} if status < 400 else
                                 {"status": "error", "message": f"scripted {status}", "category": "X"}).encode()
            self.send_response(status)
            if ":" in step:
                self.send_header("Retry-After", step.split(":")[1])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", script
    server.shutdown()
    server.server_close()


def test_retries_429_5xx_and_drops_with_the_same_idempotency_key(scripted):
    url, script = scripted
    script.steps = ["429:1", "503", "drop", "200"]
    with CrmClient(url, "tok", max_attempts=5, backoff_base=0.01, timeout_s=2, seed=7) as client:
        key = idempotency_key("sync", 1, "upsert", [{"id": "a"}])
        res = client.batch("contacts", "upsert", [{"id": "a", "idProperty": "crmhub_id", "properties": {}}], key=key)
    assert res.status == 200 and res.attempts == 4
    assert [s["key"] for s in script.seen] == [key] * 4
    assert all(s["auth"] == "Bearer tok" for s in script.seen)
    assert script.seen[1]["t"] - script.seen[0]["t"] >= 1.0          # Retry-After honoured
    assert client.stats.api_calls == 4 and client.stats.api_errors == 3 and client.stats.rate_limited == 1


def test_client_errors_are_not_retried(scripted):
    url, script = scripted
    script.steps = ["400"]
    with CrmClient(url, None, max_attempts=5, backoff_base=0.01) as client:
        res = client.batch("contacts", "update", [{"id": "1", "properties": {}}], key="k")
    assert res.status == 400 and res.attempts == 1 and "scripted 400" in res.error
    assert len(script.seen) == 1 and script.seen[0]["auth"] is None


def test_gives_up_after_max_attempts(scripted):
    url, script = scripted
    script.steps = ["503"] * 10
    with CrmClient(url, "t", max_attempts=3, backoff_base=0.01) as client:
        res = client.batch("contacts", "update", [{"id": "1", "properties": {}}], key="k")
    assert res.status == 503 and res.attempts == 3 and len(script.seen) == 3


def test_idempotency_key_is_deterministic_in_run_and_content():
    a = idempotency_key("s", 1, "update", [{"id": "1", "properties": {"x": "1"}}])
    assert a == idempotency_key("s", 1, "update", [{"properties": {"x": "1"}, "id": "1"}])
    assert a != idempotency_key("s", 2, "update", [{"id": "1", "properties": {"x": "1"}}])
    assert a != idempotency_key("s", 1, "update", [{"id": "1", "properties": {"x": "2"}}])


def test_batch_over_100_inputs_is_refused_before_sending(scripted):
    url, script = scripted
    with CrmClient(url, "t") as client, pytest.raises(ValueError, match="at most 100"):
        client.batch("contacts", "upsert", [{"id": str(i)} for i in range(101)])
    assert script.seen == []
