"""The merge into core costs what changed: unchanged rows touch nothing; a created record is one change-log row."""

from __future__ import annotations

import shutil

import psycopg

from crmhub.ingest.loader import ingest_file
from crmhub.warehouse import upgrade
from crmhub.warehouse.migrate import MIGRATIONS_DIR

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def _rows(n: int, changed: dict[int, str] | None = None) -> str:
    out = [HEADER]
    for i in range(n):
        email, ts = f"ann{i}@x.com", "2025-03-14T10:00:00Z"
        if changed and i in changed:
            email, ts = changed[i], "2025-03-15T10:00:00Z"
        out.append(f"LP-{i},Ann,Lee{i},{email},Fund {i % 3},{1000 + i},{ts}")
    return "\n".join(out) + "\n"


def _versions(fetch) -> dict[str, dict[str, str]]:
    """Row version (xmin) per key of the crosswalk and the two target tables: unchanged when nothing wrote the row."""
    out = {}
    for table in ("contact", "commitment"):
        out[table] = dict(fetch(
            f"SELECT x.external_id, t.xmin::text FROM core.external_id x JOIN core.{table} t ON t.crmhub_id = x.crmhub_id "
            "WHERE x.core_table = %s", (table,)))
    out["external_id"] = dict(fetch("SELECT object || ':' || external_id, xmin::text FROM core.external_id"))
    return out


def test_unchanged_rows_of_a_snapshot_touch_nothing(db, fundadmin, write, fetch, balanced):
    balanced(ingest_file(db, fundadmin, write("day1.csv", _rows(20)), load_id="day1"))
    before = _versions(fetch)
    changes_before = fetch("SELECT count(*) FROM core.change_log")[0][0]
    day2 = ingest_file(db, fundadmin, write("day2.csv", _rows(21, changed={3: "new3@x.com"})), load_id="day2")
    balanced(day2)
    assert (day2.loaded, day2.quarantined) == (21, 0)
    after = _versions(fetch)
    for table, versions in before.items():
        touched = {k for k, v in versions.items() if after[table][k] != v}
        if table == "external_id":
            assert touched == {"lp_contact:LP-3"}  # its row hash moved on; nothing else was written
        else:
            assert touched == {"LP-3"}, table
    assert fetch("SELECT email, source_lineage->>'load_id' FROM core.contact c JOIN core.external_id x "
                 "ON x.crmhub_id = c.crmhub_id WHERE x.external_id = 'LP-3' AND x.object = 'lp_contact'") == [
        ("new3@x.com", "day2")]
    new = fetch("SELECT core_table, field, old_value, new_value FROM core.change_log WHERE change_id > "
                "(SELECT max(change_id) FROM core.change_log WHERE load_id = 'day1') ORDER BY change_id")
    assert new == [("contact", "_created", None, None), ("contact", "email", "ann3@x.com", "new3@x.com"),
                   ("commitment", "_created", None, None)]
    assert fetch("SELECT count(*) FROM core.change_log")[0][0] == changes_before + 3


def test_a_created_record_is_one_change_log_row_read_per_field_through_the_view(db, fundadmin, write, fetch):
    ingest_file(db, fundadmin, write("a.csv", _rows(4)), load_id="first")
    logged = fetch("SELECT core_table, field, count(*) FROM core.change_log GROUP BY 1, 2 ORDER BY 1, 2")
    assert logged == [("commitment", "_created", 4), ("contact", "_created", 4), ("entity", "_created", 3)]
    per_field = fetch("SELECT field, old_value, new_value FROM core.field_changes f JOIN core.external_id x "
                      "ON x.crmhub_id = f.crmhub_id WHERE x.external_id = 'LP-1' AND f.core_table = 'contact' "
                      "ORDER BY field")
    assert per_field == [("email", None, "ann1@x.com"), ("first_name", None, "Ann"), ("last_name", None, "Lee1")]


def test_migration_collapses_the_rows_of_a_created_record_and_repoints_outreach(make_database, tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.name != "0012_change_log_shape.sql":
            shutil.copy(path, old / path.name)
    url = make_database()
    upgrade(url, old)
    rid = "11111111-1111-1111-1111-111111111111"
    with psycopg.connect(url) as conn:
        ids = [conn.execute(
            "INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system, load_id) "
            "VALUES ('contact', %s, %s, %s, %s, 'crm', %s) RETURNING change_id", (rid, *row)).fetchone()[0]
            for row in [("email", None, "a@x.com", "L1"), ("interested", None, "true", "L1"),
                        ("interested", "true", "false", "L2")]]
        conn.execute("INSERT INTO ops.outreach_decisions (automation, change_id, decision, reason) "
                     "VALUES ('welcome', %s, 'sent', 'test')", (ids[1],))
    shutil.copy(MIGRATIONS_DIR / "0012_change_log_shape.sql", old)
    upgrade(url, old)
    with psycopg.connect(url) as conn:
        log = conn.execute("SELECT change_id, field, old_value, new_value, created_values FROM core.change_log "
                           "ORDER BY change_id").fetchall()
        assert log == [(ids[0], "_created", None, None, {"email": "a@x.com", "interested": "true"}),
                       (ids[2], "interested", "true", "false", None)]
        assert conn.execute("SELECT change_id FROM ops.outreach_decisions").fetchall() == [(ids[0],)]
        view = conn.execute("SELECT change_id, field, old_value, new_value FROM core.field_changes "
                            "ORDER BY change_id, field").fetchall()
        assert view == [(ids[0], "email", None, "a@x.com"), (ids[0], "interested", None, "true"),
                        (ids[2], "interested", "true", "false")]
