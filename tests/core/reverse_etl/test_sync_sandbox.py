"""Reverse ETL against the real CRM sandbox (in-process uvicorn) and a real warehouse."""

from __future__ import annotations

import dataclasses
import time

import psycopg
import pytest
from retl_helpers import TOKEN, add_contact, add_entity, set_commitment

from crmhub.ingest.state import freeze, unfreeze
from crmhub.reverse_etl import CrmClient, get_sync, rollback_run, run_sync, store
from crmhub.reverse_etl.definitions import FieldMapping, SyncDefinition
from crmhub.reverse_etl.engine import read_model

pytestmark = pytest.mark.integration


def contact_sync(**changes) -> SyncDefinition:
    return dataclasses.replace(get_sync("contact_traits"), **changes)


def fast_client(sandbox, **kw) -> CrmClient:
    opts = {"rate_limit": {"requests": 100, "per_seconds": 10}, "backoff_base": 0.05, "backoff_cap": 1.0,
            "timeout_s": 2.0, "seed": 3, "max_attempts": 10}
    opts.update(kw)
    return CrmClient(sandbox.url, TOKEN, **opts)


def crm_contacts(admin) -> list[dict]:
    return [c for c in admin.get("/_sandbox/export").json()["contacts"] if not c["archived"]]


def expected_payloads(db: str, sync: SyncDefinition) -> dict[str, dict]:
    with psycopg.connect(db) as conn:
        return {str(r[sync.key]): sync.payload(r) for r in read_model(conn, sync)}


def assert_exactly_once(db: str, admin, sync: SyncDefinition, expected_ids: set[str]) -> None:
    """Every expected record is in the CRM once, with the model's values, and in the crosswalk."""
    records = crm_contacts(admin)
    by_cid: dict[str, list[dict]] = {}
    for rec in records:
        by_cid.setdefault(rec["properties"].get("crmhub_id"), []).append(rec)
    dupes = {k: len(v) for k, v in by_cid.items() if len(v) > 1}
    assert not dupes, f"duplicated in the CRM: {dupes}"
    emails = [r["properties"].get("email") for r in records if r["properties"].get("email")]
    assert len(emails) == len(set(emails))
    missing = expected_ids - set(by_cid)
    assert not missing, f"lost: {len(missing)} records"
    payloads = expected_payloads(db, sync)
    for cid in expected_ids:
        props = by_cid[cid][0]["properties"]
        for prop, value in payloads[cid].items():
            assert props.get(prop) == value, (cid, prop, props.get(prop), value)
    with psycopg.connect(db) as conn:
        xwalk = dict(conn.execute("SELECT DISTINCT ON (crmhub_id) crmhub_id::text, external_id FROM core.external_id "
                                  "WHERE system = 'crm' AND object = 'contact' "
                                  "ORDER BY crmhub_id, last_seen_at DESC").fetchall())
    for cid in expected_ids:
        assert xwalk[cid] == by_cid[cid][0]["id"]


def make_contacts(db: str, n: int, prefix: str = "lp") -> list[str]:
    with psycopg.connect(db) as conn:
        return [add_contact(conn, f"{prefix}{i}@fund{i % 7}.example", committed=(i % 5) * 7e6) for i in range(n)]


def test_push_then_no_change_run_makes_zero_api_calls(db, sandbox, admin):
    ids = make_contacts(db, 150)
    sync = contact_sync()
    first = run_sync(sync, db, sandbox.url, TOKEN)
    assert first.status == "success"
    assert first.counts["records_created"] == 150 and first.counts["api_calls"] == 2   # 100 + 50 per request
    assert_exactly_once(db, admin, sync, set(ids))

    admin.delete("/_sandbox/requests")
    second = run_sync(sync, db, sandbox.url, TOKEN)
    assert second.status == "success" and second.counts["records_changed"] == 0
    assert admin.get("/_sandbox/requests").json()["total"] == 0

    with psycopg.connect(db) as conn:
        set_commitment(conn, ids[0], 80e6)
    third = run_sync(sync, db, sandbox.url, TOKEN)
    log = admin.get("/_sandbox/requests").json()
    assert log["by_route"] == {"POST /crm/v3/objects/contacts/batch/update": 1}
    assert third.counts["records_sent"] == 1 and third.counts["records_created"] == 0
    with psycopg.connect(db) as conn:
        before, after = conn.execute("SELECT before, after FROM ops.reverse_etl_log WHERE run_id = %s",
                                     (third.run_id,)).fetchone()
        runs = conn.execute("SELECT kind, status, records_total, records_failed, api_calls, api_errors, "
                            "latency_s_total, connector FROM ops.sync_runs ORDER BY run_id").fetchall()
    assert after == {"lp_segment": "anchor", "lp_commitment_amount": "80000000"}   # only the changed fields
    assert set(before) == set(after) and before["lp_segment"] == "prospect"
    assert [r[:6] for r in runs] == [("reverse_etl", "success", 150, 0, 2, 0), ("reverse_etl", "success", 0, 0, 0, 0),
                                     ("reverse_etl", "success", 1, 0, 1, 0)]
    assert runs[0][6] > 0 and runs[0][7] == "crm_contacts"


def test_faults_every_changed_record_arrives_exactly_once(db, sandbox, admin):
    ids = make_contacts(db, 300)
    sync = contact_sync(batch_size=20, concurrency=4)
    # seed 1 puts every kind in the first 20 requests: 502/503, drop, drop after commit, slow past the timeout
    admin.post("/_sandbox/faults", json={"error_rate": 0.04, "drop_rate": 0.03, "drop_after_commit_rate": 0.04,
                                          "slow_rate": 0.03, "slow_seconds": 1.5, "seed": 1})
    with fast_client(sandbox, timeout_s=1.0) as client:
        first = run_sync(sync, db, client=client)
        with psycopg.connect(db) as conn:
            for cid in ids[::3]:
                set_commitment(conn, cid, 55e6)
        second = run_sync(sync, db, client=client)
    requests_log = admin.get("/_sandbox/requests").json()
    faults = requests_log["by_status"]
    kinds = {r["fault"] for r in requests_log["recent"]}
    admin.delete("/_sandbox/faults")
    assert {"error", "drop", "drop_after_commit"} <= kinds, kinds
    assert client.stats.by_status.get("ReadTimeout", 0) >= 1, client.stats.by_status   # slow -> client timeout
    assert first.status == "success" and second.status == "success", (first.failed, second.failed)
    assert second.counts["records_sent"] == len(ids[::3]) and second.counts["records_created"] == 0
    injected = sum(v for k, v in faults.items() if k in ("dropped", "dropped_after_commit", "502", "503"))
    assert injected >= 3 and faults.get("dropped_after_commit", 0) >= 1, faults
    assert first.counts["api_errors"] + second.counts["api_errors"] >= injected
    assert_exactly_once(db, admin, sync, set(ids))


def test_a_batch_hanging_at_the_tail_is_hedged_and_applied_once(db, sandbox, admin):
    ids = make_contacts(db, 30)
    sync = contact_sync(batch_size=10, concurrency=4)
    # the 3rd request (the last batch) hangs 6 s before the server applies it; the client would wait 10 s
    admin.post("/_sandbox/faults", json={"slow_seconds": 6, "next": [None, None, "slow"]})
    with fast_client(sandbox, timeout_s=10.0) as client:
        started = time.monotonic()
        result = run_sync(sync, db, client=client)
        seconds = time.monotonic() - started
        time.sleep(6.5)              # let the hanging original reach the server: it must not apply twice
    outcomes = admin.get("/_sandbox/requests").json()["by_status"]
    assert result.status == "success" and seconds < 5, seconds   # settled by the copy, not after the 6 s hang
    assert outcomes == {"200": 4}, outcomes                      # 3 batches + 1 hedged copy, both copies 200
    assert_exactly_once(db, admin, sync, set(ids))
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM ops.reverse_etl_log WHERE run_id = %s",
                            (result.run_id,)).fetchone()[0] == 30   # one log row per record


def test_rate_limit_429_is_honoured_and_nothing_is_lost(db, sandbox, admin):
    ids = make_contacts(db, 200)
    admin.post("/_sandbox/faults", json={"rate_limit": "8/1s"})
    # the client believes in a much higher limit, so the sandbox must answer 429 and the client must back off
    with fast_client(sandbox, rate_limit={"requests": 100, "per_seconds": 1}) as client:
        result = run_sync(contact_sync(batch_size=10, concurrency=4), db, client=client)
        assert client.stats.rate_limited > 0
    assert result.status == "success" and result.counts["api_errors"] > 0
    assert_exactly_once(db, admin, contact_sync(), set(ids))


def test_crash_mid_run_then_rerun_completes_without_duplicates(db, sandbox, admin):
    ids = make_contacts(db, 120)
    sync = contact_sync(batch_size=10, concurrency=4)

    done: list[int] = []

    def crash(batch_no: int) -> None:  # the 3rd batch to be committed, whichever it is (batches run 4 at a time)
        done.append(batch_no)
        if len(done) == 3:
            raise RuntimeError("injected crash after 3 committed batches")

    with pytest.raises(RuntimeError, match="injected crash"):
        run_sync(sync, db, sandbox.url, TOKEN, after_batch=crash)
    with psycopg.connect(db) as conn:
        status, error = conn.execute("SELECT status, error FROM ops.reverse_etl_runs").fetchone()
        recorded = conn.execute("SELECT count(*) FROM ops.reverse_etl_state WHERE status = 'synced'").fetchone()[0]
    assert status == "failed" and "injected crash" in error
    assert recorded == 30 and len(crm_contacts(admin)) >= recorded  # in-flight batches may have landed unrecorded
    result = run_sync(sync, db, sandbox.url, TOKEN)
    assert result.status == "success"
    assert_exactly_once(db, admin, sync, set(ids))
    assert len(crm_contacts(admin)) == 120


def test_one_rejected_field_does_not_block_the_others_and_is_retried(db, sandbox, admin):
    ids = make_contacts(db, 30)
    with psycopg.connect(db) as conn:
        bad = add_contact(conn, "bad@fund.example", committed=1)
    sql = ("SELECT crmhub_id, lower(email) AS email, CASE WHEN email = 'bad@fund.example' THEN 'n/a' "
           "ELSE confidence::text END AS identity_confidence FROM core.contact WHERE deleted_at IS NULL")
    fields = (FieldMapping("crmhub_id", "crmhub_id"), FieldMapping("identity_confidence", "identity_confidence"))
    sync = contact_sync(model_sql=sql, fields=fields)
    result = run_sync(sync, db, sandbox.url, TOKEN)
    assert result.status == "partial" and set(result.failed) == {bad}
    assert "INVALID_FLOAT" in result.failed[bad] or "not a valid number" in result.failed[bad]
    assert {c["properties"]["crmhub_id"] for c in crm_contacts(admin)} == set(ids)
    with psycopg.connect(db) as conn:
        st = conn.execute("SELECT status, failures FROM ops.reverse_etl_state WHERE crmhub_id = %s", (bad,)).fetchone()
        http = conn.execute("SELECT http_status FROM ops.reverse_etl_log WHERE crmhub_id = %s", (bad,)).fetchone()
    assert st == ("failed", 1) and http == (207,)
    admin.delete("/_sandbox/requests")
    again = run_sync(sync, db, sandbox.url, TOKEN)          # retried in the next run, alone
    assert again.counts["records_sent"] == 1 and admin.get("/_sandbox/requests").json()["total"] == 1
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE core.contact SET email = 'fixed@fund.example' WHERE crmhub_id = %s", (bad,))
    fixed = run_sync(sync, db, sandbox.url, TOKEN)
    assert fixed.status == "success" and fixed.counts["records_created"] == 1
    assert len(crm_contacts(admin)) == 31


def test_dry_run_makes_no_calls_and_writes_nothing(db, sandbox, admin):
    ids = make_contacts(db, 5)
    sync = contact_sync()
    dry = run_sync(sync, db, sandbox.url, TOKEN, dry_run=True)
    assert dry.dry_run and len(dry.changes) == 5 and all(c.action == "upsert" for c in dry.changes)
    assert admin.get("/_sandbox/requests").json()["total"] == 0
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM ops.reverse_etl_runs) + (SELECT count(*) FROM "
                            "ops.reverse_etl_state) + (SELECT count(*) FROM ops.sync_runs)").fetchone()[0] == 0
    run_sync(sync, db, sandbox.url, TOKEN)
    with psycopg.connect(db) as conn:
        set_commitment(conn, ids[2], 60e6)
    admin.delete("/_sandbox/requests")
    dry = run_sync(sync, db, sandbox.url, TOKEN, dry_run=True)
    assert [(c.crmhub_id, c.action, c.before, c.after) for c in dry.changes] == [
        (ids[2], "update", {"lp_segment": "core", "lp_commitment_amount": "14000000"},
         {"lp_segment": "anchor", "lp_commitment_amount": "60000000"})]
    assert admin.get("/_sandbox/requests").json()["total"] == 0


def test_held_records_and_frozen_connector_push_nothing(db, sandbox, admin):
    with psycopg.connect(db) as conn:
        ok = add_contact(conn, "ok@fund.example", committed=1)
        low = add_contact(conn, "low@fund.example", confidence=45)
        hold = add_contact(conn, "hold@fund.example", confidence=80)
        conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason) VALUES "
                     "('contact', %s, 55, 'ambiguous match')", (hold,))
        freeze(conn, "crm_contacts", "schema drift", by="test")
    sync = contact_sync()
    frozen = run_sync(sync, db, sandbox.url, TOKEN)
    assert frozen.status == "skipped" and "frozen" in frozen.error
    assert admin.get("/_sandbox/requests").json()["total"] == 0 and crm_contacts(admin) == []
    with psycopg.connect(db) as conn:
        unfreeze(conn, "crm_contacts", by="test")
    result = run_sync(sync, db, sandbox.url, TOKEN)
    assert set(result.held) == {low, hold} and "confidence 45" in result.held[low] and "hold" in result.held[hold]
    assert {c["properties"]["crmhub_id"] for c in crm_contacts(admin)} == {ok}
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE ops.identity_holds SET released_at = now(), released_score = 75")
        conn.execute("UPDATE core.contact SET confidence = 61 WHERE crmhub_id = %s", (low,))
    released = run_sync(sync, db, sandbox.url, TOKEN)
    assert released.counts["records_created"] == 2 and not released.held


def test_rollback_restores_before_values_and_reports_conflicts(db, sandbox, admin):
    sandbox.load_seed({"contacts": [{"id": str(100 + i), "properties": {
        "email": f"pre{i}@fund.example", "lp_segment": "legacy", "identity_confidence": "10"}} for i in range(3)]})
    with psycopg.connect(db) as conn:
        pre = [add_contact(conn, f"pre{i}@fund.example", committed=60e6) for i in range(3)]
        for i, cid in enumerate(pre):
            conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                         "VALUES ('crm', 'contact', %s, %s, 'contact')", (str(100 + i), cid))
        new = add_contact(conn, "new@fund.example", committed=1)
    sync = contact_sync(read_before=True)
    run = run_sync(sync, db, sandbox.url, TOKEN)
    assert run.counts["records_created"] == 1 and run.counts["records_ok"] == 4
    headers = {"Authorization": f"Bearer {TOKEN}"}
    admin.patch("/crm/v3/objects/contacts/101", json={"properties": {"lp_segment": "hand-edited"}}, headers=headers)

    result = rollback_run(run.run_id, db, sandbox.url, TOKEN, sync=sync)
    assert result.status == "partial" and result.restored == 3 and result.archived == 1
    assert [(c["destination_id"], c["fields"]) for c in result.conflicts] == [("101", ["lp_segment"])]
    state = {c["id"]: c for c in admin.get("/_sandbox/export").json()["contacts"]}
    for rid in ("100", "102"):
        props = state[rid]["properties"]
        assert (props.get("lp_segment"), props.get("identity_confidence"), props.get("crmhub_id")) == ("legacy", "10", None)
    assert state["101"]["properties"]["lp_segment"] == "hand-edited"          # conflict left alone
    assert state["101"]["properties"]["identity_confidence"] == "10"          # its other field restored
    created = [c for c in state.values() if c["properties"].get("email") == "new@fund.example"]
    assert len(created) == 1 and created[0]["archived"]
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM core.external_id WHERE crmhub_id = %s", (new,)).fetchone()[0] == 0
        kinds = conn.execute("SELECT kind, rollback_of, conflicts FROM ops.reverse_etl_runs ORDER BY run_id").fetchall()
    assert kinds[-1] == ("rollback", run.run_id, 1)
    with pytest.raises(Exception, match="already rolled back"):
        rollback_run(run.run_id, db, sandbox.url, TOKEN, sync=sync)


def test_mirror_archives_records_that_left_the_model_within_the_guard(db, sandbox, admin):
    ids = make_contacts(db, 10)
    sync = contact_sync(mode="mirror")
    run_sync(sync, db, sandbox.url, TOKEN)
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE core.contact SET deleted_at = now() WHERE crmhub_id = %s", (ids[0],))
    one = run_sync(sync, db, sandbox.url, TOKEN)
    assert one.counts["records_archived"] == 1 and len(crm_contacts(admin)) == 9
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE core.contact SET deleted_at = now() WHERE crmhub_id = ANY(%s::uuid[])", (ids[1:9],))
    # an identity merge: ids[9] is merged into ids[8] (soft-deleted, its CRM id moved to the survivor)
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE core.contact SET deleted_at = now() WHERE crmhub_id = %s", (ids[9],))
        conn.execute("UPDATE core.external_id SET crmhub_id = %s WHERE crmhub_id = %s", (ids[8], ids[9]))
    merged = run_sync(sync, db, sandbox.url, TOKEN)
    assert merged.counts["records_archived"] == 0 and len(crm_contacts(admin)) == 9
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT error FROM ops.reverse_etl_log WHERE run_id = %s AND crmhub_id = %s",
                            (merged.run_id, ids[9])).fetchone()[0].endswith("(merge)")
    storm = run_sync(sync, db, sandbox.url, TOKEN)
    assert storm.status == "partial" and "max_archive_share" in storm.error
    assert storm.counts["records_archived"] == 0 and len(crm_contacts(admin)) == 9


def test_company_sync_updates_by_crm_id_and_never_creates_a_nameless_company(db, sandbox, admin):
    """Old code upserted by domain (not unique in HubSpot) and created one nameless company per unmatched LP."""
    with psycopg.connect(db) as conn:
        lp = add_entity(conn, "Alpha Pension", domain="alpha.example")
        gp = add_entity(conn, "Beta Capital", entity_type="gp", domain="beta.example")
        orphan = add_entity(conn, "Gamma Trust", domain="gamma.example")      # not in the CRM
        add_entity(conn, "Portco", entity_type="portfolio_company", domain="portco.example")
        store.remember_ids(conn, "crm", "company", "entity", [(lp, "900"), (gp, "901")])
    sandbox.load_seed({"companies": [{"id": "900", "properties": {"name": "Alpha", "domain": "ALPHA.example"}},
                                     {"id": "901", "properties": {"name": "Beta", "domain": "beta.example"}}]})
    result = run_sync("company_icp_fit", db, sandbox.url, TOKEN)
    assert result.status == "success" and result.counts["records_created"] == 0
    assert result.counts["records_skipped"] == 1
    companies = {c["id"]: c["properties"] for c in admin.get("/_sandbox/export").json()["companies"]}
    assert set(companies) == {"900", "901"} and all(p.get("name") for p in companies.values())
    assert companies["900"]["icp_fit"] == "medium" and companies["901"]["icp_fit"] == "weak"
    with psycopg.connect(db) as conn:
        why = conn.execute("SELECT error FROM ops.reverse_etl_log WHERE crmhub_id = %s", (orphan,)).fetchone()[0]
    assert "lacks name" in why


def test_a_cleared_value_is_sent_as_an_empty_string_not_null(db, sandbox, admin):
    """HubSpot's properties are strings and "" clears one; the old client sent null (refused by the API)."""
    sync = contact_sync(fields=(FieldMapping("crmhub_id", "crmhub_id"), FieldMapping("email", "external_id")))
    with psycopg.connect(db) as conn:
        cid = add_contact(conn, "clear.me@lp.example")
    assert run_sync(sync, db, sandbox.url, TOKEN).counts["records_created"] == 1
    with psycopg.connect(db) as conn:
        conn.execute("UPDATE core.contact SET email = NULL WHERE crmhub_id = %s", (cid,))
    second = run_sync(sync, db, sandbox.url, TOKEN)
    assert second.status == "success" and second.counts["records_ok"] == 1, second.failed
    record = next(c for c in crm_contacts(admin) if c["properties"].get("crmhub_id") == cid)
    assert "external_id" not in record["properties"]


def test_sandbox_refuses_an_upsert_by_a_non_unique_property(sandbox, hubspot_wire):
    hubspot_wire.expect_violations = True     # planted: the sandbox must refuse it as HubSpot does
    with CrmClient(sandbox.url, TOKEN) as client:
        res = client.batch("companies", "upsert", [{"id": "alpha.example", "idProperty": "domain",
                                                    "properties": {"name": "Alpha", "domain": "alpha.example"}}])
    assert res.status == 400 and "domain" in res.error


def test_storm_guard_stops_a_run_whose_every_batch_fails_the_same_way(db, sandbox, admin):
    make_contacts(db, 100)
    with CrmClient(sandbox.url, "wrong-token", backoff_base=0.01) as client, \
            pytest.raises(Exception, match="3 consecutive batches failed entirely"):
        run_sync(contact_sync(batch_size=10, concurrency=1), db, client=client)
    assert admin.get("/_sandbox/requests").json()["by_status"] == {"401": 3}
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT status FROM ops.reverse_etl_runs").fetchone() == ("failed",)


def test_record_gone_from_the_crm_is_upserted_again(db, sandbox, admin):
    ids = make_contacts(db, 3)
    sync = contact_sync()
    run_sync(sync, db, sandbox.url, TOKEN)
    with psycopg.connect(db) as conn:
        old_id = conn.execute("SELECT external_id FROM core.external_id WHERE crmhub_id = %s", (ids[1],)).fetchone()[0]
        set_commitment(conn, ids[1], 90e6)
    admin.delete(f"/crm/v3/objects/contacts/{old_id}")
    result = run_sync(sync, db, sandbox.url, TOKEN)
    assert result.status == "success" and result.counts["records_created"] == 1
    assert_exactly_once(db, admin, sync, set(ids))


def test_update_mode_only_touches_records_already_in_the_crm(db, sandbox, admin):
    sandbox.load_seed({"contacts": [{"id": "77", "properties": {"email": "known@fund.example"}}]})
    with psycopg.connect(db) as conn:
        known = add_contact(conn, "known@fund.example", committed=20e6)
        unknown = add_contact(conn, "unknown@fund.example", committed=20e6)
        conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                     "VALUES ('crm', 'contact', '77', %s, 'contact')", (known,))
    result = run_sync(contact_sync(mode="update"), db, sandbox.url, TOKEN)
    assert result.status == "success" and result.counts["records_skipped"] == 1 and not result.failed
    records = crm_contacts(admin)
    assert len(records) == 1 and records[0]["properties"]["lp_segment"] == "core"
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT status FROM ops.reverse_etl_log WHERE crmhub_id = %s",
                            (unknown,)).fetchone() == ("skipped",)


def test_unknown_property_on_one_record_does_not_block_the_others(db, sandbox, admin):
    ids = make_contacts(db, 20)
    base = contact_sync()
    run_sync(base, db, sandbox.url, TOKEN)
    # a new mapped column that only one record has a value for: only that record sends the (unknown) property
    sql = base.model_sql.replace("SELECT c.crmhub_id,", "SELECT c.crmhub_id, CASE WHEN c.email = 'lp3@fund3.example' "
                                 "THEN 'gold' END AS tier,", 1)
    v2 = contact_sync(model_sql=sql, fields=(*base.fields, FieldMapping("tier", "no_such_prop")))
    with psycopg.connect(db) as conn:
        set_commitment(conn, ids[5], 90e6)                 # and one ordinary change in the same batch
    admin.delete("/_sandbox/requests")
    result = run_sync(v2, db, sandbox.url, TOKEN)
    assert result.status == "partial" and set(result.failed) == {ids[3]}
    assert "PROPERTY_DOESNT_EXIST" in result.failed[ids[3]] or "does not exist" in result.failed[ids[3]]
    assert admin.get("/_sandbox/requests").json()["total"] == 1          # one batch with the two changed records
    by_cid = {c["properties"]["crmhub_id"]: c["properties"] for c in crm_contacts(admin)}
    assert by_cid[ids[5]]["lp_segment"] == "anchor" and len(by_cid) == 20


def test_lp_contacts_creates_and_completes_fund_admin_lps_without_overwriting_the_crm(db, db_owner, roles, sandbox,
                                                                                      admin):
    """The reconciliation rule fund_admin_contacts_vs_crm missed the day's new fund-admin LPs (in the CRM only
    when IR typed them in the next morning) and contact_traits' contacts created by address alone (no stage,
    no last name). lp_contacts creates them complete before the nightly reconciliation and fills only what the
    CRM lacks: a name or stage the CRM has is sent back unchanged."""
    from crmhub.config import load_integration_map
    from crmhub.ingest.tables import ensure_tables
    from crmhub.security.provision import role_url

    with psycopg.connect(role_url(db_owner, roles["loader"])) as conn:   # as the CRM connector's first load
        ensure_tables(conn, load_integration_map().connector("crm_contacts"))
    sandbox.load_seed({"contacts": [
        {"id": "81", "properties": {"email": "bea@lp.example", "firstname": "Bea", "lastname": "Baker-Lyle",
                                    "lp_stage": "soft_circle"}},
        {"id": "82", "properties": {"email": "cy@lp.example", "lp_commitment_amount": "5000000"}},
        {"id": "83", "properties": {"email": "dee@lp.example", "lastname": "Dunn", "lp_stage": "accepted"}},
        {"id": "84", "properties": {"email": "dee.dunn7@gmail.com", "lastname": "Dunn"}}]})
    staged = []
    with psycopg.connect(db) as conn:
        ids = {}
        for email, last in [("ann@lp.example", "Ames"), ("bea@lp.example", "Baker"), ("cy@lp.example", "Cole"),
                            ("crm.only@lp.example", "Dorn"), ("dee@lp.example", "Dunn")]:
            ids[email] = add_contact(conn, email)
            conn.execute("UPDATE core.contact SET last_name = %s WHERE crmhub_id = %s", (last, ids[email]))
        for n, email in enumerate(["ann@lp.example", "bea@lp.example", "cy@lp.example", "dee@lp.example"]):
            conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                         "VALUES ('fund_admin', 'lp_contact', %s, %s, 'contact')", (f"FA-{n}", ids[email]))
        for crm_id, email, first, last, stage in [("81", "bea@lp.example", "Bea", "Baker-Lyle", "soft_circle"),
                                                  ("82", "cy@lp.example", None, None, None),
                                                  ("83", "dee@lp.example", None, "Dunn", "accepted"),
                                                  ("84", "dee.dunn7@gmail.com", None, "Dunn", None)]:
            owner = ids["dee@lp.example"] if crm_id == "84" else ids[email]   # a CRM duplicate merged in core
            conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                         "VALUES ('crm', 'contact', %s, %s, 'contact')", (crm_id, owner))
            staged.append((crm_id, email, first, last, stage))
    with psycopg.connect(role_url(db_owner, roles["loader"])) as conn:   # what the CRM connector's loads staged
        for row in staged:
            conn.execute("INSERT INTO staging.crm_contacts (load_id, locator, row_no, id, email, firstname, lastname, "
                         "lp_stage, lastmodifieddate) VALUES ('test', 't', 1, %s, %s, %s, %s, %s, now())", row)
    sync = get_sync("lp_contacts")
    first = run_sync(sync, db, sandbox.url, TOKEN)
    assert first.status == "success" and first.counts["records_created"] == 1
    crm = {r["properties"]["email"]: r["properties"] for r in crm_contacts(admin)}
    assert "crm.only@lp.example" not in crm, "a CRM-only contact is not created"
    assert crm["dee.dunn7@gmail.com"].get("lp_stage") is None and crm["dee@lp.example"]["lp_stage"] == "accepted", \
        "a person the CRM holds twice gets no stage from here (the CRM owner merges them)"
    assert (crm["ann@lp.example"]["firstname"], crm["ann@lp.example"]["lastname"],
            crm["ann@lp.example"]["lp_stage"]) == ("Ann", "Ames", "closed"), "a new fund-admin LP, complete"
    assert (crm["bea@lp.example"]["lastname"], crm["bea@lp.example"]["lp_stage"]) == ("Baker-Lyle", "soft_circle"), \
        "the CRM's own name and stage are kept"
    assert (crm["cy@lp.example"]["lastname"], crm["cy@lp.example"]["lp_stage"]) == ("Cole", "closed"), \
        "a contact created by address alone is completed"
    again = run_sync(sync, db, sandbox.url, TOKEN)
    assert again.status == "success" and again.counts["records_changed"] == 0


def test_a_sync_whose_source_was_never_loaded_waits_for_that_load_and_says_which(db, db_owner, roles, sandbox, admin):
    """lp_contacts reads staging.crm_contacts, which the CRM connector's first load creates: before that load the
    run failed on an undefined table. It is now a skipped run naming the load it waits for, due again next time."""
    from crmhub.config import load_integration_map
    from crmhub.ingest.tables import ensure_tables
    from crmhub.reverse_etl.tasks import due_syncs
    from crmhub.security.provision import role_url

    sync = get_sync("lp_contacts")
    with psycopg.connect(db) as conn:
        cid = add_contact(conn, "ann@lp.example")
        conn.execute("UPDATE core.contact SET last_name = 'Ames' WHERE crmhub_id = %s", (cid,))
        conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                     "VALUES ('fund_admin', 'lp_contact', 'FA-1', %s, 'contact')", (cid,))
    dry = run_sync(sync, db, sandbox.url, TOKEN, dry_run=True)
    waiting = run_sync(sync, db, sandbox.url, TOKEN)
    for result in (dry, waiting):
        assert result.status == "skipped"
        assert "waiting for the first load of crm_contacts" in result.error and "staging.crm_contacts" in result.error
    assert admin.get("/_sandbox/requests").json()["total"] == 0
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT status, error FROM ops.reverse_etl_runs WHERE run_id = %s",
                           (waiting.run_id,)).fetchone()
    assert row[0] == "skipped" and "crm_contacts" in row[1]
    assert "lp_contacts" in due_syncs(db), "a skipped run leaves the sync due"
    with psycopg.connect(role_url(db_owner, roles["loader"])) as conn:   # the CRM connector's first load
        ensure_tables(conn, load_integration_map().connector("crm_contacts"))
    loaded = run_sync(sync, db, sandbox.url, TOKEN)
    assert loaded.status == "success" and loaded.counts["records_created"] == 1
    assert sync.staging_reads == ("staging.crm_contacts",)
