"""Real Unleash server (npm unleash-server 8.2.0 from tools/unleash) on a fresh PostgreSQL database.

The first run on a fresh machine runs ``npm ci`` in tools/unleash (about a minute, needs the npm registry).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crmhub.outreach.unleash_admin import UnleashAdmin
from crmhub.outreach.unleash_server import UnleashServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/ for outreach_support

from outreach_support import SmtpSink  # noqa: E402


@pytest.fixture(scope="session")
def unleash_server(make_database):
    server = UnleashServer(database_url=make_database()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def unleash_admin(unleash_server):
    return UnleashAdmin(unleash_server.base_url, unleash_server.admin_token)


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    yield sink
    sink.stop()
