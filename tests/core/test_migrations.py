import psycopg
import pytest

from crmhub.exceptions import WarehouseError
from crmhub.warehouse import applied_versions, upgrade
from crmhub.warehouse.migrate import MIGRATIONS_DIR, discover

SCHEMA_QUERY = """
SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default
FROM information_schema.columns
WHERE table_schema IN ('raw', 'staging', 'core', 'ops')
ORDER BY 1, 2, 3
"""


def _schema(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(SCHEMA_QUERY).fetchall()


def test_upgrade_twice_gives_same_schema(make_database):
    url = make_database()
    first = upgrade(url)
    assert first == [m.path.name for m in discover()]
    schema_once = _schema(url)
    assert upgrade(url) == []
    assert _schema(url) == schema_once
    with psycopg.connect(url) as conn:
        schemas = {r[0] for r in conn.execute("SELECT schema_name FROM information_schema.schemata")}
        assert {"raw", "staging", "core", "ops"} <= schemas
        assert set(applied_versions(conn)) == {m.version for m in discover()}


def test_canonical_tables_exist(warehouse_url):
    tables = {(s, t) for s, t, *_ in _schema(warehouse_url)}
    for name in ("entity", "contact", "fund", "commitment", "deal", "interaction", "external_id"):
        assert ("core", name) in tables


def test_changed_migration_is_refused(make_database, tmp_path):
    url = make_database()
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE ops.t_a (x int);")
    assert upgrade(url, tmp_path) == ["0001_a.sql"]
    (tmp_path / "0001_a.sql").write_text("CREATE TABLE ops.t_a (x int, y int);")
    with pytest.raises(WarehouseError, match="changed after it was applied"):
        upgrade(url, tmp_path)


def test_failed_migration_names_file_and_rolls_back(make_database, tmp_path):
    url = make_database()
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE ops.t_ok (x int);")
    (tmp_path / "0002_bad.sql").write_text("CREATE TABLE ops.t_half (x int); SELECT no_such_column FROM ops.t_ok;")
    with pytest.raises(WarehouseError, match="0002_bad.sql"):
        upgrade(url, tmp_path)
    with psycopg.connect(url) as conn:
        assert set(applied_versions(conn)) == {"0001"}
        assert conn.execute("SELECT to_regclass('ops.t_half')").fetchone()[0] is None


def test_badly_named_migration_rejected(tmp_path):
    (tmp_path / "create_things.sql").write_text("SELECT 1;")
    with pytest.raises(WarehouseError, match="NNNN_topic.sql"):
        discover(tmp_path)


def test_shipped_migrations_are_numbered():
    assert all(m.path.parent == MIGRATIONS_DIR for m in discover())


def test_an_application_role_may_call_upgrade_on_an_up_to_date_warehouse_but_not_migrate(db, tmp_path):
    assert upgrade(db) == []  # the loader/app CLIs check first: no DDL (CREATE SCHEMA needs the database's CREATE)
    for mig in discover():
        (tmp_path / mig.path.name).write_text(mig.path.read_text())
    (tmp_path / "9999_next.sql").write_text("CREATE TABLE ops.next_thing (id int);")
    with pytest.raises(WarehouseError, match="crmhub_app may not apply them: run `crmhub db upgrade` as the warehouse"):
        upgrade(db, tmp_path)
