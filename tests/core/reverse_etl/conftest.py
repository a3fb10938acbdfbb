"""Fixtures for reverse ETL tests: the real CRM sandbox (root conftest) with this package's token, and an admin client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from retl_helpers import TOKEN

from crm_sandbox import SandboxServer


@pytest.fixture
def sandbox_token() -> str:
    return TOKEN


@pytest.fixture
def admin(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """Client for the sandbox's admin routes (/_sandbox/...: not rate limited, no faults)."""
    with httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as c:
        yield c
