"""The PostgreSQL table source: server-side cursor in chunks, values as text, incremental by cursor column."""

from __future__ import annotations

import psycopg

from crmhub.ingest.loader import ingest
from crmhub.ingest.sources.postgres_source import PostgresSource


def make_invoices(url: str, reader: str, n: int = 25) -> None:
    """The billing system's table, made by its admin in the same server; ``reader`` (the loader) may read it."""
    with psycopg.connect(url) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute(
            """CREATE TABLE billing.invoices (invoice_id text PRIMARY KEY, lp_external_id text, fund_name text,
                   amount numeric(14, 2), currency text, invoice_status text, issued_on date, updated_at timestamptz,
                   customer_tax_id text)"""
        )
        conn.execute(
            """INSERT INTO billing.invoices
               SELECT 'INV-' || g, 'LP-' || (g %% 7), 'Fund ' || (g %% 2 + 1), 1000 + g, 'usd',
                      CASE WHEN g %% 5 = 0 THEN 'Open' ELSE 'paid' END, date '2025-01-01' + g,
                      timestamptz '2025-03-01 00:00:00+00' + g * interval '1 hour'
                 FROM generate_series(1, %s) g""",
            (n,),
        )
        conn.execute(f"GRANT USAGE ON SCHEMA billing TO {reader}")
        conn.execute(f"GRANT SELECT ON billing.invoices TO {reader}")


def test_chunks_text_values_and_cursor(db, db_owner, roles, imap):
    make_invoices(db_owner, roles["loader"])
    conn_cfg = imap.connector("billing_invoices")
    src = PostgresSource.for_connector(conn_cfg, db, chunk_rows=10)
    batches = list(src.batches())
    assert [len(b) for b in batches] == [10, 10, 5]
    first = batches[0].frame.iloc[0]
    assert first["amount"] == "1001.00" and first["issued_on"] == "2025-01-02"
    assert first["updated_at"] == "2025-03-01 01:00:00+00"
    assert batches[-1].cursor == "2025-03-02 01:00:00+00"
    assert batches[0].locators[0] == "billing.invoices:updated_at=2025-03-01 01:00:00+00"
    newer = PostgresSource.for_connector(conn_cfg, db, updated_since="2025-03-01 20:00:00+00")
    assert [i for b in newer.batches() for i in b.frame["invoice_id"]] == [f"INV-{g}" for g in range(21, 26)]


def test_table_pull_loads_through_contracts(db, db_owner, roles, imap, balanced, fetch):
    make_invoices(db_owner, roles["loader"])
    conn_cfg = imap.connector("billing_invoices")
    s = ingest(db, conn_cfg, PostgresSource.for_connector(conn_cfg, db))
    balanced(s)
    assert (s.rows_read, s.loaded, s.quarantined) == (25, 25, 0)
    assert s.cursor == "2025-03-02 01:00:00+00"
    assert fetch("SELECT count(*) FROM staging.billing_invoices WHERE invoice_status = 'sent'") == [(5,)]
    assert fetch("SELECT count(*), count(DISTINCT fund_id) FROM core.commitment") == [(25, 2)]
    assert fetch("SELECT cursor FROM ops.loads") == [("2025-03-02 01:00:00+00",)]
    # a cursor read has no bytes of its own: its values land as CSV records, with the batch's locators
    raw = fetch("SELECT locator, record FROM raw.billing_invoices_records WHERE row_no = 0")
    assert raw[0][0] == "billing.invoices:updated_at=2025-03-01 01:00:00+00"
    assert raw[0][1].startswith('"INV-1","LP-1","Fund 2","1001.00"')
    assert fetch("SELECT count(*) FROM raw.billing_invoices_records") == [(25,)]
