"""Real local receivers for alert tests: an HTTP webhook sink (stdlib) and an SMTP sink (aiosmtpd)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (stdlib name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class _Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = _Sink()
    with socket.socket() as probe:  # a free port: aiosmtpd's ready check cannot use port 0
        probe.bind(("127.0.0.1", 0))
        sink.port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def smtp_conn_id() -> str:
    """The SMTP connection id ``channels`` sets up (override the fixture to use another)."""
    return "crmhub_smtp"


@pytest.fixture
def channels(monkeypatch, warehouse_conn, webhook_server, smtp_sink, smtp_conn_id):
    """The warehouse, the alert webhook (``crmhub_alert_webhook``) and SMTP (``smtp_conn_id``) as Airflow
    connections pointing at this test's receivers."""
    monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_ALERT_WEBHOOK", json.dumps({
        "conn_type": "http", "host": "127.0.0.1", "port": webhook_server.server_port, "schema": "http",
        "extra": {"endpoint": "/hooks/crmhub"}}))
    monkeypatch.setenv(f"AIRFLOW_CONN_{smtp_conn_id.upper()}", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": smtp_sink.port,
        "extra": {"from_email": "crmhub@firm.example"}}))
    return SimpleNamespace(db=warehouse_conn, webhook=webhook_server, smtp=smtp_sink)
