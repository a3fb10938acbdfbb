"""Shared fixtures: real PostgreSQL on 127.0.0.1:5432 (started by .ci/run if it is down).

``pg_admin_url`` points at the server; ``make_database()`` creates a throw-away database and drops it
afterwards; ``warehouse_url`` is one migrated database shared by the session; ``db`` is a fresh,
migrated database per test for tests that need an empty warehouse. ``imap`` is the integration map,
``fundadmin`` its fund-admin connector; ``sandbox`` is a real CRM sandbox server (in-process uvicorn on
an ephemeral port) whose bearer token is the ``sandbox_token`` fixture (override it per package).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from wire_guard import WireGuard

from crm_sandbox import SandboxServer
from crmhub.config import load_integration_map
from crmhub.warehouse import upgrade

PG_ADMIN_URL = os.environ.get("CRMHUB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _db_url(name: str) -> str:
    base, _ = PG_ADMIN_URL.rsplit("/", 1)
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:  # pragma: no cover - environment problem, said loudly
        pytest.exit(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}. Start it (see README).", returncode=3)
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def make_database(pg_admin_url: str) -> Iterator[Callable[[], str]]:
    created: list[str] = []

    def factory() -> str:
        name = f"crmhub_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _db_url(name)

    yield factory
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in created:
            # A logical replication slot pins its database: drop any a test left behind first.
            conn.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = %s",
                         (name,))
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def warehouse_url(make_database: Callable[[], str]) -> str:
    """One migrated warehouse for the whole session (tests must not depend on it being empty)."""
    url = make_database()
    upgrade(url)
    return url


@pytest.fixture
def db(make_database: Callable[[], str]) -> str:
    """A fresh, migrated warehouse for this test only."""
    url = make_database()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def imap():
    return load_integration_map()


@pytest.fixture(scope="session")
def fundadmin(imap):
    return imap.connector("fundadmin_lp_contacts")


@pytest.fixture
def sandbox_token() -> str:
    return "test-token"


@pytest.fixture
def sandbox(sandbox_token: str) -> Iterator[SandboxServer]:
    with SandboxServer(token=sandbox_token) as server:
        yield server


@pytest.fixture
def secure_db(db: str, imap) -> str:
    """A fresh warehouse after the full ``crmhub db upgrade``: roles, grants and masked views too."""
    from crmhub.security.provision import provision

    provision(db, imap)
    return db


@pytest.fixture
def role_url(secure_db: str, imap) -> Callable[[str], str]:
    """``role_url("app")`` -> the ``secure_db`` URL logging in as that crmhub role (loader, app, webhook,
    reader, finance, steward; trust auth on 127.0.0.1). Use it instead of the superuser outside migrations."""
    from crmhub.security.policy import load_policy
    from crmhub.security.provision import role_url as as_role

    roles = load_policy(imap).roles
    return lambda key: as_role(secure_db, roles[key])


@pytest.fixture(autouse=True)
def hubspot_wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireGuard]:
    """Every HubSpot request crmhub's own clients send in any test is checked against HubSpot's request models
    (tests/wire_guard.py); a violation fails the test unless it sets ``hubspot_wire.expect_violations``."""
    guard = WireGuard().install(monkeypatch)
    yield guard
    if guard.violations and not guard.expect_violations:
        pytest.fail(guard.report(), pytrace=False)
