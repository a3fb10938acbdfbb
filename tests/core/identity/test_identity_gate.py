"""The identity gate the IdentityConfidenceSensor polls (records form and scope form)."""

import uuid

import psycopg
import pytest

from crmhub.identity import gate


def _contact(conn, confidence):
    cid = str(uuid.uuid4())
    conn.execute("INSERT INTO core.contact (crmhub_id, email, owner, confidence, source_system) "
                 "VALUES (%s, %s, 'sam.ortiz', %s, 'crm')", (cid, f"{cid[:8]}@lp.com", confidence))
    return cid


def test_records_form_needs_every_record_over_the_floor_and_unheld(db):
    with psycopg.connect(db) as conn:
        ok, low, held = _contact(conn, 89), _contact(conn, 45), _contact(conn, 80)
        conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason) VALUES ('contact', %s, 55, 'x')",
                     (held,))
        conn.commit()
    assert gate.check(db, "contact", crmhub_ids=[ok])["passed"]
    res = gate.check(db, "contact", crmhub_ids=[ok, low, held])
    assert not res["passed"] and set(res["below_floor"]) == {low, held}
    missing = str(uuid.uuid4())
    res = gate.check(db, "contact", crmhub_ids=[ok, missing])
    assert not res["passed"] and res["missing"] == [missing]


def test_scope_form_needs_a_run_and_few_holds(db):
    with psycopg.connect(db) as conn:
        ids = [_contact(conn, 90) for _ in range(19)] + [_contact(conn, 40)]
        conn.commit()
        assert gate.check(db, "contact")["reason"] == "identity resolution of contact has never run"
        conn.execute("""INSERT INTO ops.identity_runs (kind, started_at, records, clusters, candidate_pairs,
                        deterministic_links, merges_applied, review_pending, holds_open, expected_unmerged_duplicates,
                        duplicate_rate, duplicate_rate_target, meets_target)
                        VALUES ('contact', now(), 20, 20, 0, 0, 0, 0, 1, 0, 0, 0.02, true)""")
        conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason) VALUES ('contact', %s, 40, 'x')",
                     (ids[-1],))
        conn.commit()
    assert not gate.check(db, "contact", max_held_pct=1.0)["passed"]  # 5 % held
    res = gate.check(db, "contact", max_held_pct=5.0, max_age_minutes=60)
    assert res["passed"] and res["held"] == 1 and res["live"] == 20


def test_bad_kind_rejected():
    with pytest.raises(ValueError, match="kind must be one of"):
        gate.query("person", None)
