"""raw/staging table creation is safe when loads of a new connector start at the same moment.

Two backfill chunks of a connector run at once (crmhub_backfill maps them two at a time); when both are the
connector's first loads they used to create its tables together and one failed on the catalog's unique index.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import psycopg

from crmhub.ingest.loader import ingest_file
from crmhub.ingest.tables import ensure_tables, tables_complete

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"

ROUNDS = 4


def _run_together(n: int, work) -> list[BaseException]:
    """Run ``work(i)`` in ``n`` threads released together by a barrier; returns the exceptions raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is still running (deadlock?)"
    return errors


def test_concurrent_ensure_tables_on_fresh_connector(db, fundadmin):
    for round_no in range(ROUNDS):
        connector = dataclasses.replace(fundadmin, name=f"race_tables_{round_no}")

        def create(_i: int, connector=connector) -> None:
            with psycopg.connect(db) as conn:
                ensure_tables(conn, connector)
                time.sleep(0.3)  # the creating transaction stays open a while, as a caller's would
                conn.commit()

        errors = _run_together(2, create)
        assert errors == [], f"round {round_no}: {errors!r}"
        with psycopg.connect(db) as conn:
            assert tables_complete(conn, connector)


def test_concurrent_first_loads_of_a_connector_both_succeed(db, fundadmin, write):
    for round_no in range(ROUNDS):
        connector = dataclasses.replace(fundadmin, name=f"race_loads_{round_no}")
        paths = [
            write(f"r{round_no}_{i}.csv", HEADER + "\n" + "".join(
                f"LP-{i}-{k},Ann,Lee,ann{i}.{k}@x.com,Fund,100,2025-03-14T10:00:00Z\n" for k in range(50)))
            for i in range(2)
        ]
        summaries = {}

        def load(i: int, connector=connector, paths=paths, summaries=summaries) -> None:
            summaries[i] = ingest_file(db, connector, paths[i], to_core=False)

        errors = _run_together(2, load)
        assert errors == [], f"round {round_no}: {errors!r}"
        assert [summaries[i].status for i in (0, 1)] == ["loaded", "loaded"]
        with psycopg.connect(db) as conn:
            staged = conn.execute(f"SELECT count(*) FROM staging.{connector.name}").fetchone()[0]
        assert staged == 100


def test_complete_tables_take_no_lock(db, fundadmin):
    """Once the tables exist, ensure_tables only reads the catalog: a load holds no DDL lock on them."""
    connector = dataclasses.replace(fundadmin, name="race_nolock")
    with psycopg.connect(db) as conn:
        ensure_tables(conn, connector)
        conn.commit()
        ensure_tables(conn, connector)
        locks = conn.execute(
            """SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE l.pid = pg_backend_pid() AND n.nspname IN ('raw', 'staging')"""
        ).fetchall()
        advisory = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory'").fetchone()[0]
        conn.rollback()
    assert locks == [] and advisory == 0


def test_new_contract_field_widens_staging(db, fundadmin):
    """A field added to the contract later is still added (the completeness check sees it missing)."""
    connector = dataclasses.replace(fundadmin, name="race_widen")
    extra = dataclasses.replace(fundadmin.fields[0], name="added_later")
    wider = dataclasses.replace(connector, fields=(*connector.fields, extra))
    with psycopg.connect(db) as conn:
        ensure_tables(conn, connector)
        conn.commit()
        assert tables_complete(conn, connector) and not tables_complete(conn, wider)
        ensure_tables(conn, wider)
        conn.commit()
        assert tables_complete(conn, wider)
        cols = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'staging' AND table_name = %s",
            (connector.name,)).fetchall()]
    assert "added_later" in cols
