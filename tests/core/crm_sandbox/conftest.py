"""Fixtures for the CRM sandbox tests: a client of the root conftest's ``sandbox`` server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from crm_sandbox import SandboxServer

TOKEN = "test-token"


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10) as c:
        yield c
