"""A CRM connection's ``timeout`` and ``verify`` extras as the reverse-ETL clients read them (sync runs and rollbacks).

Three bugs fixed here: a connection ``timeout`` longer than the sync's ``timeout_s`` replaced it (the smaller must
win); the string ``"false"`` in ``verify`` was taken for a CA bundle path; a rollback built its client without
the connection's timeout and verify.
"""

from __future__ import annotations

import ssl

import httpx
import psycopg
import pytest
from retl_helpers import TOKEN, add_contact

from crmhub.hubspot.connection import request_timeout, tls_verify
from crmhub.reverse_etl import CrmClient, get_sync, rollback_run, run_sync
from crmhub.reverse_etl import crm_client as crm_client_module
from crmhub.reverse_etl.engine import build_crm_client


def _ssl(client: CrmClient) -> ssl.SSLContext:
    return client._http._transport._pool._ssl_context


@pytest.mark.parametrize(("value", "expected"), [
    (None, True), (True, True), (False, False), ("false", False), ("False", False), (" no ", False), ("0", False),
    ("off", False), ("true", True), ("1", True), ("/etc/crm-ca.pem", "/etc/crm-ca.pem"), (0, False)])
def test_tls_verify_reads_hand_typed_booleans(value, expected):
    assert tls_verify(value) == expected


def test_the_string_false_turns_verification_off_instead_of_naming_a_ca_file():
    with CrmClient("https://crm.example", "tok", verify="false") as client:
        assert _ssl(client).verify_mode == ssl.CERT_NONE
    with CrmClient("https://crm.example", "tok", verify="true") as client:
        assert _ssl(client).verify_mode == ssl.CERT_REQUIRED


def test_the_smaller_of_the_connection_timeout_and_the_syncs_own_wins():
    sync = get_sync("contact_traits")                     # timeout_s 10 (the section default)
    assert request_timeout(None, 10.0) == 10.0 and request_timeout(3, 10.0) == 3.0 and request_timeout(30, 10) == 10
    for conn_timeout, expected in ((None, 10.0), (3.0, 3.0), (30.0, 10.0)):
        with build_crm_client(sync, "https://crm.example", "tok", timeout=conn_timeout) as client:
            assert client._http.timeout == httpx.Timeout(expected), conn_timeout


@pytest.mark.integration
def test_rollback_builds_its_client_with_the_connections_timeout_and_verify(db, sandbox, monkeypatch):
    with psycopg.connect(db) as conn:
        add_contact(conn, "rb@fund.example", committed=1)
    run = run_sync("contact_traits", db, sandbox.url, TOKEN)
    assert run.counts["records_created"] == 1
    built: list[dict] = []
    real = crm_client_module.httpx.Client

    def spy(*args, **kwargs):
        built.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(crm_client_module.httpx, "Client", spy)
    result = rollback_run(run.run_id, db, sandbox.url, TOKEN, timeout=4.0, verify="false")
    assert result.archived == 1
    assert [(b["timeout"], b["verify"]) for b in built] == [(4.0, False)]
