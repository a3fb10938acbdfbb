"""The simulation clock: production reads real time; a set offset moves Python, SQL text and column defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from crmhub import clock
from crmhub.warehouse import upgrade
from crmhub.warehouse.migrate import MIGRATIONS_DIR, repoint_now_defaults

DAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _real_time_after(monkeypatch):
    monkeypatch.delenv(clock.OFFSET_ENV, raising=False)
    monkeypatch.delenv("PGOPTIONS", raising=False)
    yield
    clock.set_offset(None)


def test_without_offset_everything_is_real_time(db):
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=2)
    with psycopg.connect(db) as conn:
        real, ours = conn.execute("SELECT pg_catalog.now(), ops.clock()").fetchone()
    assert real == ours


def test_no_column_default_uses_pg_catalog_now(db):
    with psycopg.connect(db) as conn:
        left = conn.execute("""
            SELECT n.nspname || '.' || c.relname || '.' || a.attname FROM pg_attrdef d
              JOIN pg_class c ON c.oid = d.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
             WHERE pg_get_expr(d.adbin, d.adrelid) ~ '(^|[^.])now\\(\\)'""").fetchall()
        clocked = conn.execute("SELECT count(*) FROM pg_attrdef d "
                               "WHERE pg_get_expr(d.adbin, d.adrelid) = 'ops.clock()'").fetchone()[0]
    assert left == []
    assert clocked > 50  # every ops/core timestamp default


def test_a_column_added_by_a_later_migration_follows_the_clock(db_owner, tmp_path):
    db = db_owner  # migrates: owner-only work
    for mig in MIGRATIONS_DIR.glob("*.sql"):
        (tmp_path / mig.name).write_bytes(mig.read_bytes())
    (tmp_path / "9999_later.sql").write_text("CREATE TABLE ops.later (id int, at timestamptz DEFAULT now());\n")
    assert upgrade(db, tmp_path) == ["9999_later.sql"]  # the idempotent repoint step ends every upgrade
    with psycopg.connect(db) as conn:
        expr = conn.execute("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef "
                            "WHERE adrelid = 'ops.later'::regclass").fetchone()[0]
    assert expr == "ops.clock()"


def test_travel_moves_python_sql_text_and_defaults(db_owner):
    db = db_owner  # creates a table in ops and repoints its default: owner-only work
    with psycopg.connect(db) as conn:
        conn.execute("CREATE TABLE ops.stamped (id int, at timestamptz DEFAULT now())")
        assert repoint_now_defaults(conn) == 1
        conn.commit()
    clock.travel_to(DAY)
    assert abs(clock.now() - DAY) < timedelta(seconds=5)
    with psycopg.connect(db) as conn:  # a bare psycopg connection: libpq sends PGOPTIONS
        conn.execute("INSERT INTO ops.stamped (id) VALUES (1)")
        text_now, default_now = conn.execute(
            "SELECT now(), (SELECT at FROM ops.stamped)").fetchone()
    assert abs(text_now - DAY) < timedelta(seconds=5)
    assert abs(default_now - DAY) < timedelta(seconds=5)
    clock.set_offset(None)
    with psycopg.connect(db) as conn:
        assert abs(conn.execute("SELECT now()").fetchone()[0] - datetime.now(UTC)) < timedelta(seconds=5)
    assert "PGOPTIONS" not in __import__("os").environ


def test_the_callers_own_pgoptions_are_kept(monkeypatch):
    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=5000")
    clock.set_offset(60)
    import os

    assert os.environ["PGOPTIONS"].startswith("-c statement_timeout=5000 -c crmhub.clock_offset=60.000s")
    clock.set_offset(None)
    assert os.environ["PGOPTIONS"] == "-c statement_timeout=5000"


def test_travel_needs_an_aware_time():
    with pytest.raises(ValueError, match="aware"):
        clock.travel_to(datetime(2026, 11, 2))


def test_no_core_module_reads_real_time_where_a_kpi_or_a_default_day_comes_from():
    """Under ``crmhub simulate`` every "today" and "now" default must be the simulated one: a module that calls
    ``datetime.now()``/``date.today()`` itself (reverse-ETL flow status, outreach overview, contract metrics,
    reconciliation's business day, the weekly report's last day ...) showed real dates in a simulated report.
    ``crmhub.clock.now()`` is real time in production. A deliberate real-time reading says so on its line."""
    from pathlib import Path

    import crmhub

    root = Path(crmhub.__file__).parent
    found = [f"{path.relative_to(root)}:{number}: {line.strip()}"
             for path in sorted(root.rglob("*.py")) if path.name != "clock.py"
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if ("datetime.now(" in line or "date.today(" in line) and "# real time" not in line]
    assert found == [], "use crmhub.clock.now() (or mark the line '# real time: why'):\n" + "\n".join(found)


def test_contract_metrics_are_counted_on_the_simulated_day(db):
    from crmhub.contracts.check import FieldStats
    from crmhub.contracts.metrics import record_metrics

    clock.travel_to(DAY)
    try:
        with psycopg.connect(db) as conn:
            record_metrics(conn, "crm_contacts", {"email": FieldStats(rows=10, nulls=1)})
            conn.commit()
            day = conn.execute("SELECT day FROM ops.contract_metrics WHERE connector = 'crm_contacts'").fetchone()[0]
    finally:
        clock.set_offset(None)
    assert day == DAY.date()
