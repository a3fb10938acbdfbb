"""Logical decoding (pgoutput) against the real local PostgreSQL (wal_level=logical, see scripts/ensure-postgres.sh)."""

import psycopg
import pytest

from crmhub.ingest.sources.logical_slot import LogicalSource, logical_decoding_available

pytestmark = pytest.mark.integration


@pytest.fixture
def source(make_database):
    url = make_database()
    with psycopg.connect(url, autocommit=True) as conn:
        if not logical_decoding_available(conn):
            pytest.fail("wal_level must be logical for CDC tests: run scripts/ensure-postgres.sh")
        conn.execute("CREATE SCHEMA billing")
        conn.execute("""CREATE TABLE billing.invoices (invoice_id text PRIMARY KEY, amount numeric,
                        status text, note text, updated_at timestamptz NOT NULL DEFAULT now())""")
    src = LogicalSource(url, f"crmhub_test_{url.rsplit('_', 1)[-1]}", ["billing.invoices"])
    src.ensure()
    src.ensure()  # idempotent
    yield url, src
    src.drop()


def test_insert_update_delete_in_commit_order(source):
    url, src = source
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO billing.invoices (invoice_id, amount, status, note) VALUES "
                     "('INV-1', 100.50, 'sent', NULL), ('INV-2', 20, 'draft', 'x''y; DROP TABLE z')")
        conn.execute("UPDATE billing.invoices SET status = 'paid' WHERE invoice_id = 'INV-1'")
        conn.execute("DELETE FROM billing.invoices WHERE invoice_id = 'INV-2'")
    rows, lsn = src.peek()
    assert [(r.op, (r.new or r.old)["invoice_id"]) for r in rows] == [
        ("insert", "INV-1"), ("insert", "INV-2"), ("update", "INV-1"), ("delete", "INV-2")]
    assert rows[0].new["amount"] == "100.50" and rows[0].new["note"] is None
    assert rows[1].new["note"] == "x'y; DROP TABLE z"
    assert rows[2].new["status"] == "paid" and rows[2].old == {"invoice_id": "INV-1"}
    assert rows[3].old == {"invoice_id": "INV-2"}
    assert all(r.commit_time is not None and r.schema == "billing" for r in rows)
    assert lsn is not None


def test_peek_redelivers_until_acknowledged(source):
    url, src = source
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO billing.invoices (invoice_id, amount, status) VALUES ('INV-9', 1, 'sent')")
    first, lsn = src.peek()
    again, _ = src.peek()  # a crash before acknowledging: same changes again, nothing lost
    assert [r.new for r in first] == [r.new for r in again] and len(first) == 1
    assert src.lag().lag_bytes > 0
    src.acknowledge(lsn)
    after, _ = src.peek()
    assert after == []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE billing.invoices SET amount = 2 WHERE invoice_id = 'INV-9'")
    later, _ = src.peek()
    assert [(r.op, r.new["amount"]) for r in later] == [("update", "2")]


def test_uncommitted_changes_are_not_seen(source):
    url, src = source
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO billing.invoices (invoice_id, amount, status) VALUES ('INV-5', 5, 'sent')")
        rows, _ = src.peek()
        assert rows == []
        conn.rollback()
    assert src.peek()[0] == []


def test_bad_identifier_rejected(make_database):
    with pytest.raises(ValueError, match="invalid identifier"):
        LogicalSource(make_database(), "slot; drop", ["a.b"])
