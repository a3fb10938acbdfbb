"""Child processes of the tests: wait until a server answers, stop a process group for good."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def stop_group(*procs: subprocess.Popen, grace_s: float = 30) -> None:
    """SIGTERM each process group (started with ``start_new_session=True``), SIGKILL what is still up after
    ``grace_s``."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_http_ok(url: str, proc: subprocess.Popen, *, timeout_s: float, what: str,
                 output: Callable[[], str] = lambda: "", interval_s: float = 0.5) -> None:
    """Poll ``url`` until it answers 200; fail with the process's output if it exits first or ``timeout_s``
    passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, f"{what} exited early:\n{output()[-3000:]}"
        assert time.monotonic() < deadline, f"{what} did not answer in {timeout_s:.0f} s:\n{output()[-3000:]}"
        time.sleep(interval_s)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
