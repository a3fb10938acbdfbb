"""A migrated + provisioned warehouse and URLs that log in as each crmhub role (trust auth on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import pytest

from crmhub.security.policy import load_policy
from crmhub.security.provision import provision


def as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.split("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{role}@{host}", parts.path, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def policy(imap):
    return load_policy(imap)


@pytest.fixture
def secure_db(db: str, imap) -> str:
    provision(db, imap)
    return db


@pytest.fixture
def role_url(secure_db: str, policy) -> Callable[[str], str]:
    """``role_url("reader")`` -> a URL of the provisioned test warehouse logging in as that role."""
    return lambda key: as_role(secure_db, policy.roles[key])
