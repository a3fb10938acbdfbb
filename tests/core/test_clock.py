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
