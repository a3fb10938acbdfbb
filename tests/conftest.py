"""Shared fixtures: real PostgreSQL on 127.0.0.1:5432 (started by .ci/run if it is down).

Tests use crmhub's PostgreSQL roles, as a deployment does; the superuser only creates databases and runs
migrations. ``pg_admin_url`` points at the server; ``make_database()`` creates a throw-away database and
drops it afterwards. ``db_owner`` is a fresh warehouse after the full ``crmhub db upgrade`` (migrations,
roles, grants, masked views), logged in as the admin that migrated it: only for tests that need the owner
(migrations, planting audit findings, replication slots) and they say why. ``db`` is the same database as
the app role (``crmhub_app``: what every DAG task and ``CRMHUB_WAREHOUSE_URL`` use); package conftests
override it where another role is the deployed one (ingest: ``crmhub_loader``). ``warehouse_url`` is one
such warehouse shared by the session (app role). ``role_url("reader")`` is ``db_owner``'s database as any
crmhub role; ``secure_db`` is ``db_owner`` (security tests plant grants). ``imap`` is the integration map,
``fundadmin`` its fund-admin connector; ``sandbox`` is a real CRM sandbox server (in-process uvicorn on
an ephemeral port) whose bearer token is the ``sandbox_token`` fixture (override it per package).
``billing_source`` is a throw-away billing database with an empty ``billing.invoices``.
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
from crmhub.security.policy import load_policy
from crmhub.security.provision import provision
from crmhub.security.provision import role_url as role_url_of
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
def imap():
    return load_integration_map()


@pytest.fixture(scope="session")
def roles(imap) -> dict[str, str]:
    """Role names of the map's ``security.roles`` (owner, loader, app, webhook, reader, finance, steward)."""
    return load_policy(imap).roles


def upgraded_database(make_database: Callable[[], str], imap) -> str:
    """A new database after ``crmhub db upgrade`` (migrations + roles/grants/views); the admin's URL."""
    url = make_database()
    upgrade(url)
    provision(url, imap)
    return url


@pytest.fixture(scope="session")
def warehouse_url(make_database: Callable[[], str], imap, roles) -> str:
    """One upgraded warehouse for the whole session, as the app role (tests must not depend on it being empty)."""
    return role_url_of(upgraded_database(make_database, imap), roles["app"])


@pytest.fixture
def db_owner(make_database: Callable[[], str], imap) -> str:
    """A fresh upgraded warehouse for this test, as the admin that migrated it (owner-only work; say why)."""
    return upgraded_database(make_database, imap)


@pytest.fixture
def db(db_owner: str, roles) -> str:
    """``db_owner``'s database as the app role (``crmhub_app``), the role DAG tasks use."""
    return role_url_of(db_owner, roles["app"])


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
def secure_db(db_owner: str) -> str:
    """``db_owner``: security tests seed classified values and plant grants/findings, which needs the owner."""
    return db_owner


@pytest.fixture
def role_url(db_owner: str, roles) -> Callable[[str], str]:
    """``role_url("reader")`` -> ``db_owner``'s database logging in as that crmhub role (loader, app, webhook,
    reader, finance, steward; trust auth on 127.0.0.1)."""
    return lambda key: role_url_of(db_owner, roles[key])


@pytest.fixture(autouse=True)
def hubspot_wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[WireGuard]:
    """Every HubSpot request crmhub's own clients send in any test is checked against HubSpot's request models
    (tests/wire_guard.py); a violation fails the test unless it sets ``hubspot_wire.expect_violations``."""
    guard = WireGuard().install(monkeypatch)
    yield guard
    if guard.violations and not guard.expect_violations:
        pytest.fail(guard.report(), pytrace=False)


@pytest.fixture
def billing_source(make_database) -> str:
    """A throw-away billing system database with an empty ``billing.invoices`` (the billing connector's source)."""
    url = make_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute("""CREATE TABLE billing.invoices (invoice_id text PRIMARY KEY, lp_external_id text,
                        fund_name text, amount text, currency text, invoice_status text, issued_on text,
                        updated_at timestamptz NOT NULL, customer_tax_id text)""")
    return url
