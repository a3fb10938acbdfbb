"""Postgres table destination, the pure rollback planner, and the ``crmhub rev-etl`` CLI."""

from __future__ import annotations

import psycopg
import pytest
from retl_helpers import TOKEN, add_contact, set_commitment

from crmhub.cli import main
from crmhub.exceptions import CrmHubError
from crmhub.report import render
from crmhub.reverse_etl import SyncAlreadyRunning, get_sync, plan_rollback, rollback_run, run_sync, store


def _mart_sync():
    return get_sync("lp_traits_analytics")


def test_postgres_destination_change_detection_mirror_and_rollback(db):
    with psycopg.connect(db) as conn:
        a = add_contact(conn, "a@fund.example", committed=60e6)
        b = add_contact(conn, "b@fund.example", committed=5)
        held = add_contact(conn, "h@fund.example", confidence=30)
    first = run_sync("lp_traits_analytics", db)
    assert first.status == "success" and first.counts["records_created"] == 2 and set(first.held) == {held}
    assert run_sync("lp_traits_analytics", db).counts["records_sent"] == 0
    with psycopg.connect(db) as conn:
        set_commitment(conn, b, 20e6)
    second = run_sync("lp_traits_analytics", db)
    assert second.counts["records_sent"] == 1
    with psycopg.connect(db) as conn:
        rows = dict(conn.execute("SELECT email, lp_segment FROM marts.lp_traits").fetchall())
    assert rows == {"a@fund.example": "anchor", "b@fund.example": "core"}

    rb = rollback_run(second.run_id, db)
    assert rb.status == "success" and rb.restored == 1
    with psycopg.connect(db) as conn:
        # putting the earlier amounts back is an export of financial values too: logged like the run's own
        logged = conn.execute("SELECT who, row_count, 'financial' = ANY(classes) FROM ops.access_log "
                              "WHERE reason LIKE %s", (f"reverse ETL rollback of run {second.run_id}:%",)).fetchall()
        assert logged == [("reverse_etl:lp_traits_analytics", 1, True)]
        assert conn.execute("SELECT lp_segment, committed_amount FROM marts.lp_traits WHERE crmhub_id = %s",
                            (b,)).fetchone() == ("emerging", "5")
        conn.execute("UPDATE core.contact SET deleted_at = now() WHERE crmhub_id = %s", (a,))
    # after the rollback the state mirrors the table again, so the model's value goes out once more
    third = run_sync("lp_traits_analytics", db)
    assert third.counts["records_archived"] == 1 and third.counts["records_sent"] == 2
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT email, lp_segment FROM marts.lp_traits").fetchall() == [("b@fund.example", "core")]
    report = render(db)
    assert "== Reverse ETL" in report and "lp_traits_analytics" in report


def test_plan_rollback_decides_per_field():
    written = [
        {"crmhub_id": "c1", "destination_id": "1", "action": "update", "before": {"a": "x", "b": None},
         "after": {"a": "y", "b": "z"}},
        {"crmhub_id": "c2", "destination_id": "2", "action": "update", "before": {"a": "x"}, "after": {"a": "y"}},
        {"crmhub_id": "c3", "destination_id": "3", "action": "create", "before": {"a": None}, "after": {"a": "y"}},
        {"crmhub_id": "c4", "destination_id": "4", "action": "update", "before": None, "after": {"a": "y"}},
        {"crmhub_id": "c5", "destination_id": "5", "action": "update", "before": {"a": "x"}, "after": {"a": "y"}},
    ]
    current = {"1": {"a": "y", "b": "z"}, "2": {"a": "edited"}, "3": {"a": "y"}, "4": {"a": "y"}}
    plan = plan_rollback(written, current)
    assert [(i.crmhub_id, i.send, i.before) for i in plan.restore] == [("c1", {"a": "x", "b": None},
                                                                         {"a": "y", "b": "z"})]
    assert [i.dest_id for i in plan.archive] == ["3"]
    reasons = {c["crmhub_id"]: c["reason"] for c in plan.conflicts}
    assert set(reasons) == {"c2", "c4", "c5"}
    assert "now 'edited'" in reasons["c2"] and "unknown" in reasons["c4"] and "no longer" in reasons["c5"]


def test_cli_run_dry_run_runs_show_rollback(db, sandbox, admin, capsys):
    with psycopg.connect(db) as conn:
        cid = add_contact(conn, "cli@fund.example", committed=15e6)
    crm = ["--url", db, "--crm-url", sandbox.url, "--crm-token", TOKEN]
    assert main(["rev-etl", "syncs"]) == 0
    assert "contact_traits" in capsys.readouterr().out
    assert main(["rev-etl", "run", "contact_traits", "--dry-run", *crm]) == 0
    out = capsys.readouterr().out
    assert "DRY RUN" in out and cid in out and "lp_segment: '?' -> 'core'" in out
    assert admin.get("/_sandbox/requests").json()["total"] == 0
    assert main(["rev-etl", "run", "contact_traits", *crm]) == 0
    assert "run 1 success" in capsys.readouterr().out
    with psycopg.connect(db) as conn:
        set_commitment(conn, cid, 70e6)
    assert main(["rev-etl", "run", "contact_traits", *crm]) == 0
    assert main(["rev-etl", "runs", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "contact_traits" in out and "run 2 success" in out
    assert main(["rev-etl", "show", "2", "--url", db]) == 0
    out = capsys.readouterr().out
    assert "lp_segment: 'core' -> 'anchor'" in out and "ok" in out
    assert main(["rev-etl", "rollback", "2", *crm]) == 0
    assert "restored 1" in capsys.readouterr().out
    crm_rec = [c for c in admin.get("/_sandbox/export").json()["contacts"] if c["properties"].get("crmhub_id") == cid]
    assert crm_rec[0]["properties"]["lp_segment"] == "core"
    assert main(["rev-etl", "show", "99", "--url", db]) == 1
    assert "no reverse ETL run 99" in capsys.readouterr().err


def test_cli_needs_a_crm_url(db, capsys, monkeypatch):
    monkeypatch.delenv("CRMHUB_CRM_URL", raising=False)
    with psycopg.connect(db) as conn:
        add_contact(conn, "x@fund.example")
    assert main(["rev-etl", "run", "contact_traits", "--url", db]) == 1
    assert "CRM base URL" in capsys.readouterr().err
    with psycopg.connect(db) as conn:   # refused before a run was opened
        assert conn.execute("SELECT count(*) FROM ops.reverse_etl_runs").fetchone()[0] == 0


@pytest.mark.parametrize("name", ["nope"])
def test_cli_unknown_sync(db, capsys, name):
    assert main(["rev-etl", "run", name, "--url", db, "--dry-run"]) == 2
    assert "no sync named 'nope'" in capsys.readouterr().err


def test_rollback_takes_the_syncs_lock_and_a_run_is_rolled_back_once(db):
    """#16: a rollback waits for no one and writes while a run of the same sync is going, and two rollbacks of
    one run could both start (the check was a SELECT before the insert); now the sync's advisory lock and the
    unique index reverse_etl_runs_one_rollback stop both."""
    sync = _mart_sync()
    with psycopg.connect(db) as conn:
        cid = add_contact(conn, "lock@lp.example", committed=5_000_000)
    first = run_sync(sync, db)
    with psycopg.connect(db) as conn:
        set_commitment(conn, cid, 60_000_000)
    second = run_sync(sync, db)
    with psycopg.connect(db, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (store.lock_key(sync.name),))   # a run of the sync is going
        with pytest.raises(SyncAlreadyRunning):
            rollback_run(second.run_id, db, sync=sync)
        other.execute("SELECT pg_advisory_unlock(%s)", (store.lock_key(sync.name),))
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM ops.reverse_etl_runs WHERE kind = 'rollback'").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.UniqueViolation):   # the constraint itself, whatever the code checks
            for _ in range(2):
                store.start_run(conn, sync_name=sync.name, destination=sync.destination, connector=sync.connector,
                                mode=sync.mode, full_resync=False, kind="rollback", rollback_of=first.run_id)
        conn.rollback()
        # an abandoned rollback (process died, row left 'running') does not block a new one under the lock
        store.start_run(conn, sync_name=sync.name, destination=sync.destination, connector=sync.connector,
                        mode=sync.mode, full_resync=False, kind="rollback", rollback_of=second.run_id)
        conn.commit()
    rb = rollback_run(second.run_id, db, sync=sync)
    assert rb.status == "success" and rb.restored == 1
    with pytest.raises(CrmHubError, match="already rolled back by run"):
        rollback_run(second.run_id, db, sync=sync)


def test_each_run_that_exports_values_writes_one_access_log_row(db):
    with psycopg.connect(db) as conn:
        add_contact(conn, "a@fund.example", committed=60e6)
        add_contact(conn, "b@fund.example", committed=5)
    first = run_sync("lp_traits_analytics", db)
    assert run_sync("lp_traits_analytics", db).counts["records_sent"] == 0  # nothing pushed: nothing logged
    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT who, via, table_name, fields, classes, row_count, reason FROM ops.access_log"
                            ).fetchall()
    assert rows == [("reverse_etl:lp_traits_analytics", "task", "contact", ["email", "committed_amount"],
                     ["pii_contact", "financial"], 2, f"reverse ETL export to postgres:marts.lp_traits (run {first.run_id})")]
