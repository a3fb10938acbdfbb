"""Security tests: the policy; ``secure_db`` and ``role_url`` come from tests/conftest.py."""

from __future__ import annotations

import pytest

from crmhub.security.policy import load_policy


@pytest.fixture(scope="session")
def policy(imap):
    return load_policy(imap)
