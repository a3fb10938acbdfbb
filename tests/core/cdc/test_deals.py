"""CRM deals (HubSpot deals v3) flow into core.deal by CDC and by backfill (issue 18.2); an accepted deal's
amount is frozen (a later CRM amount becomes a pending core.field_deltas row, see reconcile/amend.py)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from crm_sandbox import SandboxServer
from crmhub.cdc.tasks import backfill, cdc_sync
from crmhub.config import load_integration_map
from crmhub.config.integration_map import validate_integration_map
from crmhub.ingest.tasks import SourceAccess

pytestmark = pytest.mark.integration
TOKEN = "deal-token"
SEED = {
    "companies": [{"id": "5001", "properties": {"name": "Alpha Pension", "domain": "alpha.example", "entity_type": "lp"}}],
    "contacts": [{"id": "1001", "properties": {"email": "ann@alpha.example", "associatedcompanyid": "5001"}}],
    "deals": [
        {"id": "9001", "properties": {"dealname": "Fund IV - Alpha", "dealstage": "soft_circle", "amount": "25000000",
                                      "deal_currency_code": "usd", "pipeline": "default"}},
        {"id": "9002", "properties": {"dealname": "Fund IV - Beta", "dealstage": "accepted", "amount": "10000000",
                                      "deal_currency_code": "EUR", "pipeline": "default"}},
    ],
    "associations": [{"from_object": "deals", "from_id": "9001", "to_object": "companies", "to_id": "5001"},
                     {"from_object": "deals", "from_id": "9001", "to_object": "contacts", "to_id": "1001"}],
}


def _deals(db: str) -> dict[str, tuple]:
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT x.external_id, d.name, d.stage, d.amount, d.currency, d.accepted_at IS NOT NULL "
            "FROM core.deal d JOIN core.external_id x ON x.crmhub_id = d.crmhub_id AND x.system = 'crm' "
            "AND x.object = 'deal' WHERE d.deleted_at IS NULL").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_deals_flow_in_by_cdc_and_stage_changes_and_frozen_amounts_are_kept(db):
    imap = load_integration_map()
    with SandboxServer(token=TOKEN, seed=SEED) as crm:
        access = SourceAccess(base_url=crm.url, token=TOKEN)
        cdc_sync(db, "crm_deals", access, imap=imap)
        assert _deals(db) == {"9001": ("Fund IV - Alpha", "soft_circle", 25_000_000, "USD", False),
                              "9002": ("Fund IV - Beta", "accepted", 10_000_000, "EUR", True)}
        with httpx.Client(base_url=crm.url, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
            assert api.post("/crm/v3/objects/deals/batch/update", json={"inputs": [
                {"id": "9001", "properties": {"dealstage": "accepted"}},
                {"id": "9002", "properties": {"amount": "12000000"}}]}).status_code == 200
        cdc_sync(db, "crm_deals", access, imap=imap)
    deals = _deals(db)
    assert deals["9001"][1:] == ("accepted", 25_000_000, "USD", True)     # stage change reconciled, accepted_at set
    assert deals["9002"][2] == 10_000_000                                 # accepted: the amount is frozen ...
    with psycopg.connect(db) as conn:                                     # ... and the new one waits for approval
        assert conn.execute("SELECT core_table, field, old_value::numeric, new_value::numeric, status "
                            "FROM core.field_deltas").fetchall() == [("deal", "amount", 10_000_000, 12_000_000,
                                                                      "pending")]


def test_deals_backfill_loads_a_window_of_modification_times(db):
    imap = load_integration_map()
    now = datetime.now(UTC)
    with SandboxServer(token=TOKEN, seed=SEED) as crm:
        out = backfill(db, "crm_deals", SourceAccess(base_url=crm.url, token=TOKEN), now - timedelta(days=2),
                       now + timedelta(hours=1), imap=imap)
    assert out["rows"] == 2
    assert set(_deals(db)) == {"9001", "9002"}


def test_stage_fields_derive_from_the_maps_five_to_seven_stages():
    imap = load_integration_map()
    stages = tuple(imap.stages["fundraising"])
    assert 5 <= len(stages) <= 7
    allowed = {f"{c.name}.{f.name}": f.allowed for c in imap.connectors for f in c.fields
               if (f.target or "").endswith(".stage")}
    assert allowed == {"crm_contacts.lp_stage": stages, "crm_deals.dealstage": stages}


def test_the_schema_enforces_five_to_seven_stages_and_stage_fields_use_them():
    raw = copy.deepcopy(load_integration_map().raw)
    raw["stages"]["fundraising"] = ["prospect", "accepted", "closed"]
    assert any("stages.fundraising" in p and "too short" in p for p in validate_integration_map(raw))
    raw = copy.deepcopy(load_integration_map().raw)
    deal_stage = next(f for c in raw["connectors"] if c["name"] == "crm_deals" for f in c["fields"]
                      if f["name"] == "dealstage")
    del deal_stage["allowed_from"]
    deal_stage["allowed"] = ["open", "won", "lost"]
    assert any("allowed_from: stages.fundraising" in p for p in validate_integration_map(raw))


def test_companies_are_read_incrementally_by_hs_lastmodifieddate(db):
    """HubSpot companies have no lastmodifieddate: the old map's incremental search on it was a 400."""
    imap = load_integration_map()
    assert next(c for c in imap.connectors if c.name == "crm_companies").source["updated_since_property"] == \
        "hs_lastmodifieddate"
    with SandboxServer(token=TOKEN, seed=SEED) as crm:
        access = SourceAccess(base_url=crm.url, token=TOKEN)
        cdc_sync(db, "crm_companies", access, imap=imap)                 # first run: full read
        with httpx.Client(base_url=crm.url, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
            assert api.patch("/crm/v3/objects/companies/5001",
                             json={"properties": {"city": "Oslo"}}).status_code == 200
        cdc_sync(db, "crm_companies", access, imap=imap)                 # incremental: search by hs_lastmodifieddate
        recent = crm.request_log.to_api()["recent"]
        searches = [r for r in recent if r["path"].endswith("/companies/search")]
    assert searches and all(r["outcome"] == "200" for r in searches), recent
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT city FROM core.entity WHERE name = 'Alpha Pension'").fetchone() == ("Oslo",)


def _associations(db: str) -> set[tuple]:
    with psycopg.connect(db) as conn:
        return set(conn.execute(
            """SELECT dx.external_id, a.crm_object, a.crm_id, a.crmhub_id IS NOT NULL, a.core_table
                 FROM core.deal_association a
                 JOIN core.external_id dx ON dx.crmhub_id = a.deal_id AND dx.system = 'crm' AND dx.object = 'deal'
            """).fetchall())


def test_deal_associations_flow_in_with_the_deals_and_follow_the_crm(db, hubspot_wire):
    """Deals come with their companies and contacts (v4 batch read after each load); a removed association goes,
    an added one comes, an association to a record not in core yet resolves on the next read."""
    imap = load_integration_map()
    with SandboxServer(token=TOKEN, seed=SEED) as crm:
        access = SourceAccess(base_url=crm.url, token=TOKEN)
        cdc_sync(db, "crm_contacts", access, imap=imap)
        out = cdc_sync(db, "crm_deals", access, imap=imap)                  # companies not loaded yet
        assert out["associations"] == {"deals": 2, "associations": 2, "unresolved": 1}
        assert _associations(db) == {("9001", "company", "5001", False, "entity"),
                                     ("9001", "contact", "1001", True, "contact")}
        cdc_sync(db, "crm_companies", access, imap=imap)
        with httpx.Client(base_url=crm.url, headers={"Authorization": f"Bearer {TOKEN}"}) as api:
            assert api.delete("/crm/v4/objects/deals/9001/associations/contacts/1001").status_code in (200, 204)
            assert api.put("/crm/v4/objects/deals/9002/associations/default/companies/5001").status_code == 200
            assert api.patch("/crm/v3/objects/deals/9001", json={"properties": {"dealstage": "accepted"}}
                             ).status_code == 200
        cdc_sync(db, "crm_deals", access, imap=imap)                       # 9001 changed: re-read
        webhook_reads = [r for r in hubspot_wire.requests if "/crm/v4/associations/" in r.path]
    assert ("9001", "company", "5001", True, "entity") in _associations(db)       # resolved now
    assert ("9001", "contact", "1001", True, "contact") not in _associations(db)  # removed in the CRM
    assert webhook_reads and not hubspot_wire.violations


def test_a_backfill_of_deals_brings_their_associations(db):
    imap = load_integration_map()
    now = datetime.now(UTC)
    with SandboxServer(token=TOKEN, seed=SEED) as crm:
        access = SourceAccess(base_url=crm.url, token=TOKEN)
        backfill(db, "crm_deals", access, now - timedelta(days=2), now + timedelta(hours=1), imap=imap)
    assert {(d, o, c) for d, o, c, _, _ in _associations(db)} == {("9001", "company", "5001"),
                                                                  ("9001", "contact", "1001")}


def test_a_deal_webhook_reread_brings_its_associations(db):
    from crmhub.cdc.tasks import webhook_sync

    imap = load_integration_map()
    with psycopg.connect(db) as conn:
        conn.execute("INSERT INTO ops.webhook_events (event_id, source, subscription_type, object_id, payload) VALUES "
                     "('ev-1', 'crm', 'deal.propertyChange', '9001', '{}')")
    with SandboxServer(token=TOKEN, seed=SEED) as crm:
        out = webhook_sync(db, SourceAccess(base_url=crm.url, token=TOKEN), imap=imap)
    assert out["deal"]["associations"] == {"deals": 1, "associations": 2, "unresolved": 2}
    assert {(d, o, c) for d, o, c, _, _ in _associations(db)} == {("9001", "company", "5001"),
                                                                  ("9001", "contact", "1001")}
