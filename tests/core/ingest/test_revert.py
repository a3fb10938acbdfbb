"""``crmhub load revert``: a load's changes undone from the change log; later changes are conflicts and stay."""

from __future__ import annotations

import json

import psycopg

from crmhub.cli import main
from crmhub.ingest.loader import ingest_file
from crmhub.ingest.revert import revert_load

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def _file_text(rows: list[tuple[int, str, str]] = ((1, "a1@x.com", "2025-01-01T00:00:00Z"),)) -> str:
    return "\n".join([HEADER] + [f"LP-{i},Ann,Lee{i},{email},Fund 1,100,{ts}" for i, email, ts in rows]) + "\n"


def _file(write, name: str, rows: list[tuple[int, str, str]]):
    return write(name, _file_text(rows))


def _emails(fetch) -> dict:
    return dict(fetch("SELECT x.external_id, c.email || CASE WHEN c.deleted_at IS NULL THEN '' ELSE ' (deleted)' END "
                      "FROM core.external_id x JOIN core.contact c ON c.crmhub_id = x.crmhub_id "
                      "WHERE x.object = 'lp_contact'"))


def test_revert_restores_before_values_and_reports_a_later_load_as_conflict(db, fundadmin, write, fetch):
    ingest_file(db, fundadmin, _file(write, "a.csv", [(1, "a1@x.com", "2025-01-01T00:00:00Z"),
                                                       (2, "a2@x.com", "2025-01-01T00:00:00Z")]), load_id="good")
    ingest_file(db, fundadmin, _file(write, "b.csv", [(1, "bad1@x.com", "2025-02-01T00:00:00Z"),
                                                       (2, "bad2@x.com", "2025-02-01T00:00:00Z"),
                                                       (3, "bad3@x.com", "2025-02-01T00:00:00Z")]), load_id="bad")
    ingest_file(db, fundadmin, _file(write, "c.csv", [(1, "later1@x.com", "2025-03-01T00:00:00Z")]), load_id="later")
    with psycopg.connect(db) as conn:
        result = revert_load(conn, "bad", by="priya.shah")
        conn.commit()
    assert _emails(fetch) == {"LP-1": "later1@x.com", "LP-2": "a2@x.com", "LP-3": "bad3@x.com (deleted)"}
    conflicts = {(c.core_table, c.field, c.load_value, c.current_value, c.changed_by) for c in result.conflicts}
    assert ("contact", "email", "bad1@x.com", "later1@x.com", "later") in conflicts
    assert result.removed_records == 2  # LP-3's contact and commitment
    assert fetch("SELECT status, reverted_by FROM ops.loads WHERE load_id = 'bad'") == [("reverted", "priya.shah")]
    assert fetch("SELECT count(*) FROM core.change_log WHERE connector = 'revert' AND actor = 'priya.shah'")[0][0] > 0


def test_load_revert_cli_prints_the_result_and_refuses_a_second_revert(db, fundadmin, write, capsys):
    ingest_file(db, fundadmin, _file(write, "a.csv", [(1, "a1@x.com", "2025-01-01T00:00:00Z")]), load_id="one")
    assert main(["load", "revert", "one", "--by", "dana.kim", "--url", db]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["removed_records"], out["conflicts"]) == (3, [])  # contact, commitment and its entity
    assert main(["load", "revert", "one", "--by", "dana.kim", "--url", db]) == 1
    assert "'reverted'" in capsys.readouterr().err
    again = ingest_file(db, fundadmin, write("a.csv", _file_text()))
    assert again.skipped and again.status == "reverted"  # a reverted file is not loaded again by itself
