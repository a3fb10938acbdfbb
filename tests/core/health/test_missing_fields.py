"""The map's Billing -> CRM alert "Missing fields > 5 % opps": the share of the CRM's committed deals whose company
lacks the invoice status billing writes, measured every health cycle, opens and closes an incident for FinanceOps."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from health_support import NOW

from crmhub.config.integration_map import validate_integration_map
from crmhub.health import causes, missing_fields
from crmhub.health.cycle import run_health_cycle
from crmhub.ops.closeout import owner_closeout

SYNC = "company_invoice_status"


def _deal(conn, n: int, stage: str, *, company: bool = True) -> str | None:
    """A CRM deal (crosswalk ``crm``/``deal``) at ``stage``, associated with its own CRM company; the company's
    crmhub id (None without one)."""
    deal = conn.execute("INSERT INTO core.deal (name, stage, owner, source_system) VALUES (%s, %s, 'sam.ortiz', "
                        "'crm') RETURNING crmhub_id", (f"Fund IV - LP {n}", stage)).fetchone()[0]
    conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                 "VALUES ('crm', 'deal', %s, %s, 'deal')", (f"D{n}", deal))
    if not company:
        return None
    entity = conn.execute("INSERT INTO core.entity (entity_type, name, owner, source_system) VALUES ('lp', %s, "
                          "'marcus.lee', 'crm') RETURNING crmhub_id", (f"LP {n}",)).fetchone()[0]
    conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                 "VALUES ('crm', 'company', %s, %s, 'entity')", (f"C{n}", entity))
    conn.execute("INSERT INTO core.deal_association (deal_id, core_table, crm_object, crm_id, crmhub_id, type_id) "
                 "VALUES (%s, 'entity', 'company', %s, %s, 341)", (deal, f"C{n}", entity))
    return entity


def _pushed(conn, entity: str, n: int, status: str | None = "paid") -> None:
    """The CRM acknowledged ``invoice_status`` on company ``C<n>`` (the sync's push state)."""
    conn.execute("INSERT INTO ops.reverse_etl_state (sync_name, crmhub_id, destination_id, payload, status) "
                 "VALUES (%s, %s, %s, %s, 'synced') ON CONFLICT (sync_name, crmhub_id) DO UPDATE SET "
                 "payload = EXCLUDED.payload", (SYNC, entity, f"C{n}", json.dumps({"invoice_status": status})))


def _committed_deals(conn, total: int, missing: int) -> list[tuple[int, str]]:
    """``total`` deals at accepted/closed, all but ``missing`` of them with the invoice status in the CRM; the
    deals (number, company) left without it."""
    left = []
    for n in range(total):
        entity = _deal(conn, n, "accepted" if n % 2 else "closed")
        if n < missing:
            left.append((n, entity))
        else:
            _pushed(conn, entity, n)
    return left


def _open(conn):
    return conn.execute("""SELECT connector, owner, "values", recovered_at, resolved_at, proof FROM ops.incidents
                           WHERE trigger = 'missing_fields'""").fetchall()


def test_the_shipped_map_measures_billing_to_crm_on_committed_deals_and_the_invoice_status_it_writes(imap):
    (rule,) = missing_fields.rules(imap)
    assert (rule.sla, rule.owner, rule.system, rule.max_pct) == ("billing_to_crm", "dana.kim", "crm", 5.0)
    assert rule.stages == ("accepted", "closed")
    assert rule.fields == (missing_fields.Field("company", "invoice_status", SYNC),)


def test_over_5_pct_opens_an_incident_for_financeops_that_recovers_and_closes_with_proof_once_fixed(db, imap, tmp_path):
    pages: list[dict] = []
    with psycopg.connect(db) as conn:
        left = _committed_deals(conn, 100, missing=6)
        conn.commit()
    run_health_cycle(db, imap, notify=pages.append, now=NOW)
    with psycopg.connect(db) as conn:
        ((name, owner, values, recovered, resolved, _proof),) = _open(conn)
        assert (name, owner, recovered, resolved) == ("billing_to_crm", "dana.kim", None, None)
        assert (values["deals"], values["missing"], values["missing_pct"], values["max_pct"]) == (100, 6, 6.0, 5.0)
        assert values["fields"] == {"company.invoice_status": {"missing": 6, "without_record": 0}}
    (page,) = [p["crmhub"] for p in pages if p["crmhub"]["trigger"] == "missing_fields"]
    assert page["owner"]["id"] == "dana.kim" and page["runbook_url"] == "docs/runbooks/missing_fields.md"
    assert "6 of 100 deals (6.00 %)" in page["error"]

    with psycopg.connect(db) as conn:           # FinanceOps has two of the six pushed: 4 % left
        for n, entity in left[:2]:
            _pushed(conn, entity, n)
        conn.commit()
    run_health_cycle(db, imap, notify=pages.append, now=NOW + timedelta(minutes=5))
    with psycopg.connect(db) as conn:
        ((_n, _o, _v, recovered, resolved, _p),) = _open(conn)
        assert recovered == NOW + timedelta(minutes=5) and resolved is None
        owner_closeout(conn, tmp_path)
        ((_n, _o, _v, _r, resolved, proof),) = _open(conn)
    assert resolved is not None and "4 of 100 deals (4.00 %)" in Path(proof).read_text()


@pytest.mark.parametrize(("missing", "fires"), [(6, True), (5, False), (4, False)])
def test_it_fires_above_the_maps_5_pct_only(db, imap, missing, fires):
    with psycopg.connect(db) as conn:
        _committed_deals(conn, 100, missing=missing)
        out = causes.sync_trigger(conn, imap, "missing_fields", now=NOW)
        assert bool(out["opened"]) is fires and len(_open(conn)) == int(fires)


def test_the_threshold_is_the_maps(db, imap):
    sla = copy.deepcopy(imap.slas["billing_to_crm"])
    sla["missing_fields"]["max_pct"] = 3
    stricter = dataclasses.replace(imap, slas={**imap.slas, "billing_to_crm": sla})
    with psycopg.connect(db) as conn:
        _committed_deals(conn, 100, missing=4)
        assert causes.sync_trigger(conn, imap, "missing_fields", now=NOW)["opened"] == []
        assert len(causes.sync_trigger(conn, stricter, "missing_fields", now=NOW)["opened"]) == 1


def test_what_counts_prospects_deleted_deals_deals_without_a_company_and_empty_values(db, imap):
    with psycopg.connect(db) as conn:
        _committed_deals(conn, 20, missing=0)
        for n in range(100, 150):                       # prospects: nothing to bill yet, not counted
            _deal(conn, n, "prospect")
        gone = _deal(conn, 200, "closed")              # a deleted deal is not counted
        conn.execute("UPDATE core.deal SET deleted_at = now() WHERE crmhub_id = (SELECT deal_id FROM "
                     "core.deal_association WHERE crmhub_id = %s)", (gone,))
        _deal(conn, 300, "closed", company=False)      # no company in the CRM: nothing carries the status
        _pushed(conn, _deal(conn, 400, "accepted"), 400, status="")   # an empty value is missing
        (m,) = missing_fields.measure_all(conn, imap)
    assert (m["deals"], m["missing"], m["breached"]) == (22, 2, True)
    assert m["fields"] == {"company.invoice_status": {"missing": 2, "without_record": 1}}


def test_the_map_checks_the_alert(imap):
    raw = copy.deepcopy(imap.raw)
    billing = next(s for s in raw["slas"] if s["name"] == "billing_to_crm")
    billing["missing_fields"]["from_stage"] = "signed"
    assert any("'signed' is not a fundraising stage" in p for p in validate_integration_map(raw))
    raw = copy.deepcopy(imap.raw)
    for entry in raw["field_map"]:
        if entry["sla"] == "billing_to_crm":
            entry.pop("sync")
    assert any("no field_map entry of SLA 'billing_to_crm' writes a crm property through a sync" in p
               for p in validate_integration_map(raw))
    raw = copy.deepcopy(imap.raw)
    next(s for s in raw["slas"] if s["name"] == "billing_to_crm")["missing_fields"]["of"] = "contact"
    assert validate_integration_map(raw)


def test_cli_prints_the_share_and_exits_1_over_the_limit(db, capsys):
    from crmhub.cli import main

    with psycopg.connect(db) as conn:
        left = _committed_deals(conn, 50, missing=3)
        conn.commit()
    assert main(["health", "missing-fields", "--url", db]) == 1
    out = capsys.readouterr().out
    assert "billing_to_crm: 3 of 50 deals (6.00 %) lack a field it writes, over the 5 % limit" in out
    assert "company.invoice_status missing on 3 (0 without any company)" in out
    with psycopg.connect(db) as conn:
        n, entity = left[0]
        _pushed(conn, entity, n)
        conn.commit()
    assert main(["health", "missing-fields", "--url", db]) == 0
    assert "2 of 50 deals (4.00 %) lack a field it writes, within the 5 % limit" in capsys.readouterr().out
