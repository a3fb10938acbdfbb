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


def test_new_crmhub_ids_are_time_ordered_uuid7(db, fundadmin, write, fetch):
    """New ids carry the load's time in their first 48 bits (RFC 9562 version 7): a load's ids land at the right
    edge of the crmhub-id indexes instead of on random pages."""
    before = fetch("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")[0][0]
    ingest_file(db, fundadmin, write("day1.csv", _rows(30)), load_id="day1")
    after = fetch("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")[0][0]
    ids = [row[0] for row in fetch(
        "SELECT crmhub_id FROM core.contact UNION ALL SELECT crmhub_id FROM core.commitment "
        "UNION ALL SELECT crmhub_id FROM core.entity")]
    assert len(ids) == 30 + 30 + 3
    assert {u.version for u in ids} == {7}
    assert {u.variant for u in ids} == {"specified in RFC 4122"}
    assert all(before <= u.int >> 80 <= after for u in ids)
    assert len(set(ids)) == len(ids)
    crosswalk = {row[0] for row in fetch("SELECT crmhub_id FROM core.external_id")}
    assert crosswalk == set(ids)


def test_a_key_created_concurrently_is_taken_over_not_duplicated(db, fundadmin, write, fetch, monkeypatch):
    """The crosswalk insert of new keys is a plain INSERT; when another load created one of the keys after this load
    looked (a unique violation), it is repeated with ON CONFLICT and the other load's crmhub id is used."""
    from crmhub.ingest import upsert

    taken = {}
    stage = upsert._stage_source

    def stage_then_race(conn, plan, tp, p):
        stage(conn, plan, tp, p)
        if tp.table == "entity":  # a concurrent load of another connector commits entity 'fund 1' now
            taken["id"] = conn.execute(
                "INSERT INTO core.entity (name, entity_type, owner, source_system) "
                "VALUES ('Fund 1', 'lp', 'someone', 'crm') RETURNING crmhub_id").fetchone()[0]
            conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                         "VALUES ('fund_admin', 'entity_by_name', 'fund 1', %s, 'entity')", (taken["id"],))

    monkeypatch.setattr(upsert, "_stage_source", stage_then_race)
    summary = ingest_file(db, fundadmin, write("day1.csv", _rows(6)), load_id="day1")
    assert (summary.loaded, summary.quarantined) == (6, 0)
    assert fetch("SELECT count(*) FROM core.external_id WHERE object = 'entity_by_name'")[0][0] == 3
    assert fetch("SELECT count(*) FROM core.entity")[0][0] == 3  # no second 'Fund 1'
    linked = fetch("SELECT DISTINCT c.entity_id FROM core.contact c JOIN core.external_id x "
                   "ON x.crmhub_id = c.crmhub_id WHERE x.external_id IN ('LP-1', 'LP-4')")
    assert linked == [(taken["id"],)]
