"""Run the sandbox: :class:`SandboxServer` (uvicorn in a thread, for tests) or :func:`serve` (CLI).

Example::

    with SandboxServer(token="t", faults={"error_rate": 0.1, "seed": 42}) as sandbox:
        httpx.get(f"{sandbox.url}/crm/v3/objects/contacts", headers={"Authorization": "Bearer t"})
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import uvicorn

from crm_sandbox.app import RequestLog, SandboxASGI, create_app
from crm_sandbox.faults import FaultInjector
from crm_sandbox.service import Sandbox
from crm_sandbox.store import Backend, open_backend
from crm_sandbox.webhooks import WebhookDispatcher
from crmhub.exceptions import CrmHubError

log = logging.getLogger(__name__)


class SandboxServer:
    """A sandbox CRM served by uvicorn on a background thread; ``port=0`` picks a free port.

    Args:
        host: interface to bind (loopback by default).
        port: TCP port, 0 for an ephemeral one (read it back from :attr:`url`).
        token: when set, every API and admin call needs ``Authorization: Bearer <token>``.
        state: JSON file to persist to; ``state_url``: PostgreSQL URL (schema ``schema``) - wins over ``state``.
        faults: initial fault knobs, as for ``POST /_sandbox/faults``.
        webhook_url, webhook_secret: where to POST signed HubSpot-format notifications.
        webhook_retry_delays: seconds between delivery attempts.
        seed: records to load at start (seed document, see :mod:`crm_sandbox.seed`).
        backend: a ready backend (overrides ``state``/``state_url``).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        token: str | None = None,
        state: str | None = None,
        state_url: str | None = None,
        schema: str = "crm_sandbox",
        faults: dict[str, Any] | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        webhook_retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0),
        seed: dict[str, Any] | None = None,
        backend: Backend | None = None,
        log_level: str = "warning",
    ):
        self.host = host
        self.port = port
        self.token = token
        self.log_level = log_level
        self.webhooks = WebhookDispatcher(webhook_url, webhook_secret, retry_delays=webhook_retry_delays)
        try:
            self.sandbox = Sandbox(backend or open_backend(state, state_url, schema), self.webhooks)
        except Exception:
            self.webhooks.stop()
            raise
        self.injector = FaultInjector()
        if faults:
            self.injector.configure(faults)
        self.request_log = RequestLog()
        self.app: SandboxASGI = create_app(self.sandbox, self.injector, token, self.request_log)
        if seed:
            self.load_seed(seed)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def load_seed(self, seed: dict[str, Any]) -> dict[str, int]:
        status, body, _ = self.sandbox.run_write(lambda tx: self.sandbox.load_seed(tx, seed))
        if status != 200:
            raise CrmHubError(f"crm-sandbox seed rejected: {body.get('message')}")
        return body["loaded"]

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(self.app, host=self.host, port=self.port, log_level=self.log_level,
                              access_log=False, lifespan="off", timeout_graceful_shutdown=2)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> SandboxServer:
        self.app.stopping.clear()
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(target=self._server.run, name="crm-sandbox-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.close()
                raise CrmHubError(f"crm-sandbox did not start on {self.host}:{self.port} (port in use?)")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self.app.stopping.set()  # requests held by a slow-response fault answer now
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None

    def close(self) -> None:
        self.stop()
        self.sandbox.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def serve(self) -> None:
        """Serve in the calling thread until SIGINT/SIGTERM (the CLI)."""
        server = uvicorn.Server(self._config())
        try:
            server.run()
        finally:
            self.sandbox.close()
