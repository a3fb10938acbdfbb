"""The wire-format guard (tests/wire_guard.py, autouse in the root conftest) catches what HubSpot refuses."""

from __future__ import annotations

import psycopg
from retl_helpers import TOKEN, add_contact, set_commitment

from crmhub.reverse_etl import CrmClient, run_sync


def test_guard_catches_a_planted_null_and_an_upsert_by_a_non_unique_property(sandbox, hubspot_wire):
    hubspot_wire.expect_violations = True     # planted on purpose; the test checks the guard itself
    with CrmClient(sandbox.url, TOKEN) as client:
        client.batch("contacts", "upsert", [{"id": "a@lp.example", "idProperty": "email",
                                             "properties": {"email": "a@lp.example", "lp_segment": None}}])
        client.batch("companies", "upsert", [{"id": "alpha.example", "idProperty": "domain",
                                              "properties": {"name": "Alpha", "domain": "alpha.example"}}])
        client.batch("contacts", "update", [{"id": "1001", "properties": {"lp_segment": ""}}])
    assert len(hubspot_wire.requests) == 3
    null, by_domain = (r.problems for r in hubspot_wire.violations)
    assert any("lp_segment" in p and "None is not of type 'string'" in p for p in null)
    assert by_domain == ["idProperty 'domain' is not a unique property of companies (unique: hs_object_id, crmhub_id)"]
    assert not hubspot_wire.requests[2].problems


def test_a_reverse_etl_run_sends_only_valid_requests(db, sandbox, hubspot_wire):
    with psycopg.connect(db) as conn:
        for i in range(5):
            set_commitment(conn, add_contact(conn, f"lp{i}@fund.example"), 20_000_000)
        add_contact(conn, None)
    result = run_sync("contact_traits", db, sandbox.url, TOKEN)
    assert result.status == "success"
    assert hubspot_wire.requests and not hubspot_wire.violations, hubspot_wire.report()
