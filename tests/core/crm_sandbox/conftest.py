"""Fixtures for the CRM sandbox tests: an in-process server on an ephemeral port and a client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from crmhub.crm_sandbox import SandboxServer

TOKEN = "test-token"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(token=TOKEN) as server:
        yield server


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as c:
        yield c

