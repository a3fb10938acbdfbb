"""Run the pinned Unleash server (``tools/unleash``, npm ``unleash-server`` 8.2.0) for tests and the demo.

``npm ci`` runs once if ``tools/unleash/node_modules`` is missing (about a minute; needs the npm
registry). The server gets a fresh PostgreSQL database, a free port, pre-created admin and backend
tokens, and is stopped with SIGTERM.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from crmhub import settings
from crmhub.exceptions import CrmHubError

TOOLS_DIR = settings.REPO_ROOT / "tools" / "unleash"


class UnleashServerError(CrmHubError):
    """The Unleash server could not be installed or started; the message carries its log tail."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_installed(tools_dir: Path = TOOLS_DIR, timeout: float = 600) -> None:
    """``npm ci`` in ``tools/unleash`` when ``node_modules/unleash-server`` is missing."""
    if (tools_dir / "node_modules" / "unleash-server" / "package.json").is_file():
        return
    npm = shutil.which("npm")
    if not npm:
        raise UnleashServerError("npm not found: install Node.js 20+ to run the Unleash server")
    proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=tools_dir, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if proc.returncode != 0:
        raise UnleashServerError(f"npm ci in {tools_dir} failed ({proc.returncode}): {proc.stderr[-2000:]}")


@dataclass
class UnleashServer:
    """A running ``tools/unleash/server.mjs``; ``database_url`` must point at an existing (empty) database."""

    database_url: str
    port: int = 0
    admin_token: str = field(repr=False, default_factory=lambda: f"*:*.{secrets.token_hex(16)}")
    backend_token: str = field(repr=False, default_factory=lambda: f"*:development.{secrets.token_hex(16)}")
    log_path: Path | None = None
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """What the SDK wants as ``url``."""
        return f"{self.base_url}/api"

    def start(self, timeout: float = 90) -> UnleashServer:
        ensure_installed()
        node = shutil.which("node")
        if not node:
            raise UnleashServerError("node not found: install Node.js 20+")
        self.port = self.port or free_port()
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.database_url.replace("postgresql://", "postgres://", 1),
            "UNLEASH_PORT": str(self.port),
            "INIT_ADMIN_API_TOKENS": self.admin_token,
            "INIT_BACKEND_API_TOKENS": self.backend_token,
            "SCARF_ANALYTICS": "false",
            "DO_NOT_TRACK": "1",
        })
        if self.log_path is None:
            self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"crmhub-unleash-{self.port}.log"
        log_file = open(self.log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime
        self.process = subprocess.Popen([node, "server.mjs"], cwd=TOOLS_DIR, env=env, stdout=log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise UnleashServerError(f"unleash exited with {self.process.returncode}: {self._log_tail()}")
            if self.healthy():
                return self
            time.sleep(0.3)
        self.stop()
        raise UnleashServerError(f"unleash not healthy after {timeout:.0f} s: {self._log_tail()}")

    def healthy(self) -> bool:
        try:
            resp = requests.get(f"{self.base_url}/health", timeout=2)
            return resp.ok and resp.json().get("health") == "GOOD"
        except (requests.RequestException, ValueError):
            return False

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM, wait; SIGKILL if it does not stop in ``timeout`` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:] if self.log_path else ""
        except OSError:
            return ""

    def __enter__(self) -> UnleashServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
