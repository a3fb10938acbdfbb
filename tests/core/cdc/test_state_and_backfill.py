from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from crm_sandbox import SandboxServer
from crmhub.cdc.backfill import pending_chunks, plan_backfill, run_chunk, split_range
from crmhub.cdc.tasks import backfill
from crmhub.config import load_integration_map
from crmhub.exceptions import WarehouseError
from crmhub.ingest.tasks import SourceAccess
from crmhub.sync.watermarks import advance_watermark, get_watermark

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def test_watermark_advances_only_forward_and_only_on_commit(db):
    with psycopg.connect(db) as conn:
        wm = get_watermark(conn, "crm_contacts", "contact", lookback_s=600)
        assert wm.ts is None and wm.read_from() is None and wm.is_after(T0, "1")
        conn.commit()
        advance_watermark(conn, "crm_contacts", "contact", ts=T0 + timedelta(hours=1), record_id="5", rows=10)
        conn.rollback()  # the batch failed: the watermark must not move
        assert get_watermark(conn, "crm_contacts", "contact").ts is None
        advance_watermark(conn, "crm_contacts", "contact", ts=T0 + timedelta(hours=1), record_id="5", rows=10)
        conn.commit()
        advance_watermark(conn, "crm_contacts", "contact", ts=T0, record_id="9", rows=3)  # older: ignored
        conn.commit()
        wm = get_watermark(conn, "crm_contacts", "contact")
        assert (wm.ts, wm.id, wm.rows_seen) == (T0 + timedelta(hours=1), "5", 13)
        assert wm.read_from() == T0 + timedelta(minutes=50)
        # same timestamp, tie broken by id
        assert wm.is_after(T0 + timedelta(hours=1), "6") and not wm.is_after(T0 + timedelta(hours=1), "5")
        advance_watermark(conn, "crm_contacts", "contact", ts=T0 + timedelta(hours=1), record_id="6")
        conn.commit()
        assert get_watermark(conn, "crm_contacts", "contact").id == "6"


def test_split_range_covers_exactly():
    chunks = split_range(T0, T0 + timedelta(days=2, hours=5), timedelta(days=1))
    assert chunks[0][0] == T0 and chunks[-1][1] == T0 + timedelta(days=2, hours=5)
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:], strict=False))
    assert len(chunks) == 3
    with pytest.raises(ValueError, match="must be after start"):
        split_range(T0, T0, timedelta(days=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        split_range(datetime(2026, 1, 1), datetime(2026, 1, 2), timedelta(hours=1))


def test_backfill_resumes_after_failing_midway(db):
    loaded: list[tuple] = []

    def load(a, b):
        if a == T0 + timedelta(days=2) and not any(x[0] == "fail-once" for x in loaded):
            loaded.append(("fail-once", a))
            raise RuntimeError("CRM answered 503")
        loaded.append((a, b))
        return 7

    with psycopg.connect(db) as conn:
        chunks = plan_backfill(conn, "crm_contacts", "contact", T0, T0 + timedelta(days=4), timedelta(days=1))
        assert len(chunks) == 4
        with pytest.raises(RuntimeError, match="503"):
            for chunk in chunks:
                run_chunk(conn, chunk, load)
        status = dict(conn.execute("SELECT chunk_no, status FROM ops.backfill_chunks").fetchall())
        assert status == {0: "done", 1: "done", 2: "failed", 3: "pending"}
        # re-run of the same request: only the unfinished chunks, no chunk loaded twice
        again = plan_backfill(conn, "crm_contacts", "contact", T0, T0 + timedelta(days=4), timedelta(days=1))
        assert [c.chunk_no for c in again] == [2, 3]
        for chunk in again:
            run_chunk(conn, chunk, load)
        assert pending_chunks(conn, again[0].backfill_id) == []
        done_ranges = [x for x in loaded if x[0] != "fail-once"]
        assert len(done_ranges) == len(set(done_ranges)) == 4
        assert conn.execute("SELECT finished_at IS NOT NULL, (SELECT sum(rows) FROM ops.backfill_chunks) "
                            "FROM ops.backfills").fetchone() == (True, 28)


def test_postgres_backfill_end_to_end_resumable_and_never_overwrites_newer(db, make_database):
    """``crmhub backfill`` path against a real PostgreSQL source: chunks by source timestamp, a re-run skips
    the done chunks, an older version never overwrites the newer one already in core, a dry run writes nothing."""
    imap = load_integration_map()
    source = make_database()
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute("""CREATE TABLE billing.invoices AS
            SELECT 'INV-' || g AS invoice_id, 'BIL-' || (g %% 50) AS lp_external_id, 'Crmhub Growth Fund II' AS fund_name,
                   '100.00' AS amount, 'USD' AS currency, 'sent' AS invoice_status, '2026-10-01' AS issued_on,
                   %s::timestamptz + (g - 1) * interval '3 days' / 1200 AS updated_at, NULL::text AS customer_tax_id
              FROM generate_series(1, 1200) g""", (T0,))
        # a newer version of INV-1 (day 4.5), outside the range backfilled below
        conn.execute("INSERT INTO billing.invoices VALUES ('INV-1', 'BIL-1', 'Crmhub Growth Fund II', '100.00', "
                     "'USD', 'paid', '2026-10-01', %s)", (T0 + timedelta(days=4, hours=12),))
    access = SourceAccess(url=source)
    newer = backfill(db, "billing_invoices", access, T0 + timedelta(days=4), T0 + timedelta(days=5), imap=imap)
    assert (newer["chunks_run"], newer["rows"]) == (1, 1)

    dry = backfill(db, "billing_invoices", access, T0, T0 + timedelta(days=3), dry_run=True, imap=imap)
    assert (dry["chunks_run"], dry["rows"]) == (3, 1200)
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM core.commitment").fetchone()[0] == 1

    out = backfill(db, "billing_invoices", access, T0, T0 + timedelta(days=3), imap=imap)
    assert (out["chunks_run"], out["rows"]) == (3, 1200)
    again = backfill(db, "billing_invoices", access, T0, T0 + timedelta(days=3), imap=imap)
    assert (again["chunks_run"], again["rows"]) == (0, 0)
    with psycopg.connect(db) as conn:
        ids = conn.execute("SELECT count(*) FROM core.external_id WHERE system = 'billing' AND object = 'invoice'"
                           ).fetchone()[0]
        inv1 = conn.execute("""SELECT c.source_updated_at FROM core.external_id x JOIN core.commitment c
                               ON c.crmhub_id = x.crmhub_id WHERE x.system = 'billing' AND x.object = 'invoice'
                               AND x.external_id = 'INV-1'""").fetchone()[0]
        superseded = conn.execute("SELECT count(*) FROM ops.quarantine WHERE rule = 'superseded_duplicate'"
                                  ).fetchone()[0]
    assert ids == 1200
    assert inv1 == T0 + timedelta(days=4, hours=12) and superseded == 1
    # one ops.sync_runs row per chunk run (none for the skipped ones): rows, no lag, the chunk in the detail
    with psycopg.connect(db) as conn:
        runs = conn.execute(
            """SELECT status, records_total, records_failed, api_calls, lag_min_p95, (detail->>'dry_run')::boolean,
                      detail->>'backfill_id', (detail->>'chunk_no')::int, detail->'loads'
               FROM ops.sync_runs WHERE kind = 'backfill' ORDER BY run_id""").fetchall()
        chunk_rows = dict(conn.execute("SELECT backfill_id || '/' || chunk_no, rows FROM ops.backfill_chunks"
                                       ).fetchall())
    assert len(runs) == 1 + 3 + 3 and {r[0] for r in runs} == {"success"}
    assert [r[5] for r in runs] == [False, True, True, True, False, False, False]
    assert [r[1] for r in runs] == [chunk_rows[f"{r[6]}/{r[7]}"] for r in runs]
    assert sum(r[1] for r in runs[4:]) == sum(r[1] for r in runs[1:4]) == 1200
    assert all(r[4] is None for r in runs)  # historic records: no sync lag
    assert [r[3] for r in runs] == [1, 0, 0, 0, 1, 1, 1]  # a database source: one call per load
    assert [len(r[8]) for r in runs] == [1, 0, 0, 0, 1, 1, 1] and runs[1][2] == 0


def test_failed_backfill_chunk_records_a_failed_run(db, make_database):
    imap = load_integration_map()
    missing = make_database().rsplit("/", 1)[0] + "/crmhub_no_such_db"
    with pytest.raises(WarehouseError, match="crmhub_no_such_db"):
        backfill(db, "billing_invoices", SourceAccess(url=missing), T0, T0 + timedelta(days=2), imap=imap)
    with psycopg.connect(db) as conn:
        runs = conn.execute("""SELECT status, api_errors, detail->>'error', (detail->>'chunk_no')::int
                               FROM ops.sync_runs WHERE kind = 'backfill'""").fetchall()
        chunks = conn.execute("SELECT status FROM ops.backfill_chunks ORDER BY chunk_no").fetchall()
    assert len(runs) == 1 and runs[0][0] == "failed" and runs[0][1] == 1 and runs[0][3] == 0
    assert "crmhub_no_such_db" in runs[0][2]
    assert chunks == [("failed",), ("pending",)]


def test_rest_backfill_records_api_calls_and_latency(db):
    imap = load_integration_map()
    token = "tok"
    seed = {"contacts": [{"id": str(100 + i), "properties": {
        "email": f"p{i}@lp.com", "firstname": f"P{i}", "lastname": "X",
        "lastmodifieddate": (T0 + timedelta(hours=i)).isoformat()}} for i in range(150)]}
    with SandboxServer(token=token, seed=seed) as crm:
        out = backfill(db, "crm_contacts", SourceAccess(base_url=crm.url, token=token), T0,
                       T0 + timedelta(hours=200), chunk=timedelta(hours=100), imap=imap)
    assert (out["chunks_run"], out["rows"]) == (2, 150)
    with psycopg.connect(db) as conn:
        runs = conn.execute("""SELECT records_total, api_calls, api_errors, latency_s_total, lag_min_p95
                               FROM ops.sync_runs WHERE kind = 'backfill' ORDER BY run_id""").fetchall()
    assert [r[0] for r in runs] == [100, 50]
    assert [r[1] for r in runs] == [1, 1]  # 100 records per page
    assert all(r[2] == 0 and r[3] > 0 and r[4] is None for r in runs)
