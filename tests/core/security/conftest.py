"""Security tests: the policy; ``secure_db`` and ``role_url`` come from tests/conftest.py."""

from __future__ import annotations

import pytest

from crmhub.security.policy import load_policy
from crmhub.security.provision import role_url as _role_url


def as_role(url: str, role: str) -> str:
    return _role_url(url, role)


@pytest.fixture(scope="session")
def policy(imap):
    return load_policy(imap)
