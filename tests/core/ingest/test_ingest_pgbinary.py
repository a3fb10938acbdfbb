"""The binary COPY encoder stores exactly what the CSV path stores, and declines what it cannot encode."""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from crmhub.ingest import pgbinary
from crmhub.ingest.copy import copy_frame, encode_frame

TYPES = {
    "t": "text", "b": "boolean", "i": "bigint", "m": "numeric(20, 2)", "c": "numeric(5, 2)",
    "ts": "timestamptz", "d": "date",
}


def _frame() -> pd.DataFrame:
    ts = pd.Series(pd.to_datetime(
        ["2025-03-14T10:00:00.123456Z", None, "1970-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2262-04-11T00:00:00Z",
         "2000-01-01T00:00:00Z"],
        utc=True, format="ISO8601",
    )).astype("datetime64[us, UTC]")
    return pd.DataFrame(
        {
            "t": pd.array(["plain", None, "", "ünïcødé ✓ \"q\" , ;", "'; DROP TABLE x; --", "x" * 70_000], dtype="str"),
            "b": pd.array([True, False, None, True, False, None], dtype="boolean"),
            "i": pd.array([0, -1, None, 2**62, -(2**62), 7], dtype="Int64"),
            # half cents decide like PostgreSQL's rounding of the text form: 1.005 -> 1.01, 2.675 -> 2.68
            "m": [1200.5, -1200.0, np.nan, 1.005, 2.675, 99_999_999_999.99],
            "c": [100.0, 80.0, 0.0, 60.0, 40.0, 20.0],
            "ts": ts,
            "d": ts.dt.floor("D"),
        }
    )


def _create(conn, name: str) -> None:
    conn.execute(
        sql.SQL(
            "CREATE TABLE {} (t text, b boolean, i bigint, m numeric(20, 2), c numeric(5, 2), ts timestamptz, d date)"
        ).format(sql.Identifier("staging", name))  # the loader creates tables in raw/staging only
    )


def _binary_and_csv_rows(db: str, frame: pd.DataFrame) -> list[tuple]:
    """COPY ``frame`` once in binary and once as CSV; assert both tables hold the same rows and return them."""
    with psycopg.connect(db) as conn:
        _create(conn, "via_binary")
        _create(conn, "via_csv")
        assert copy_frame(conn, sql.Identifier("staging", "via_binary"), frame, date_columns={"d"}, types=TYPES) == 6
        assert copy_frame(conn, sql.Identifier("staging", "via_csv"), frame, date_columns={"d"}) == 6
        conn.execute("SET TimeZone = 'UTC'")
        query = "SELECT t, b, i, m::text, c::text, ts::text, d::text FROM {} ORDER BY i NULLS FIRST, t"
        got = conn.execute(sql.SQL(query).format(sql.Identifier("staging", "via_binary"))).fetchall()
        want = conn.execute(sql.SQL(query).format(sql.Identifier("staging", "via_csv"))).fetchall()
    assert got == want
    return got


def test_binary_copy_equals_csv_copy(db):
    frame = _frame()
    assert encode_frame(frame, types=TYPES).binary
    got = _binary_and_csv_rows(db, frame)
    by_text = {row[0]: row for row in got}
    assert by_text["plain"][3:6] == ("1200.50", "100.00", "2025-03-14 10:00:00.123456+00")
    assert by_text[""][3] is None  # NaN money is NULL
    assert {row[3] for row in got} >= {"1.01", "2.68", "-1200.00"}


def test_binary_copy_equals_csv_copy_with_text_between_null_fixed_columns(db):
    """Fixed-width columns with NULLs on both sides of a text column (they share row blocks with its length)."""
    frame = _frame()[["b", "t", "ts", "i", "m", "c", "d"]]
    got = _binary_and_csv_rows(db, frame)
    assert sum(row[1] is None for row in got) == 2 and sum(row[0] is None for row in got) == 1


def test_encoder_declines_what_it_cannot_encode_exactly():
    naive = pd.DataFrame({"ts": pd.to_datetime(["2025-01-01 10:00"])})
    assert pgbinary.encode(naive, {"ts": "timestamptz"}) is None  # session time zone would decide
    huge = pd.DataFrame({"m": [1e12]})
    assert pgbinary.encode(huge, {"m": "numeric(20, 2)"}) is None  # a float has no exact cents there
    plain_numeric = pd.DataFrame({"m": [0.1]})
    assert pgbinary.encode(plain_numeric, {"m": "numeric"}) is None  # unconstrained scale: CSV path
    mixed = pd.DataFrame({"t": pd.Series([1, "a"], dtype=object)})
    assert pgbinary.encode(mixed, {"t": "text"}) is None
    assert not encode_frame(huge, types={"m": "numeric(20, 2)"}).binary  # falls back to CSV


def test_tables_from_an_earlier_version_get_the_load_id_default_and_collation(db, fundadmin, write, balanced, fetch):
    """staging created before load_id had a default (and the C collation) is upgraded in place; a raw table
    of the one-row-per-record layout is renamed aside."""
    from crmhub.ingest.loader import ingest_file

    with psycopg.connect(db) as conn:  # the previous layout: load_id sent with every row, no default
        conn.execute(
            "CREATE TABLE raw.fundadmin_lp_contacts (load_id text NOT NULL, locator text NOT NULL, row_no bigint NOT NULL, "
            "received_at timestamptz NOT NULL DEFAULT now(), deleted boolean NOT NULL DEFAULT false, raw_record text)"
        )
        conn.execute(
            "CREATE TABLE staging.fundadmin_lp_contacts (load_id text NOT NULL, locator text NOT NULL, "
            "row_no bigint NOT NULL, confidence numeric(5, 2) NOT NULL DEFAULT 100, deleted boolean NOT NULL DEFAULT false)"
        )
        conn.execute("INSERT INTO raw.fundadmin_lp_contacts (load_id, locator, row_no) VALUES ('old', 'old.csv:2', 0)")
    header = "external_id,first_name,last_name,email,company,amount,updated_at\n"
    path = write("up.csv", header + "LP-1,Ann,Lee,ann@x.com,Fund A,\"$1,200.50\",2025-03-14T10:00:00Z\n")
    summary = ingest_file(db, fundadmin, path, load_id="new-load")
    balanced(summary)
    assert summary.loaded == 1
    assert fetch(
        "SELECT table_schema, collation_name, column_default FROM information_schema.columns "
        "WHERE table_name = 'fundadmin_lp_contacts' AND column_name = 'load_id' ORDER BY 1"
    ) == [("raw", "C", "current_setting('crmhub.load_id'::text)"),
          ("staging", "C", "current_setting('crmhub.load_id'::text)")]
    # the per-record raw table of the earlier layout is kept aside, rows intact; raw is now one row per batch
    assert fetch("SELECT load_id, locator, row_no FROM raw.fundadmin_lp_contacts_per_row") == [("old", "old.csv:2", 0)]
    assert fetch(
        "SELECT load_id, locator, row_no, deleted, received_at IS NOT NULL FROM raw.fundadmin_lp_contacts_records"
    ) == [("new-load", "up.csv:2", 0, False, True)]
    assert fetch("SELECT load_id, amount::text, deleted, confidence::text FROM staging.fundadmin_lp_contacts") == [
        ("new-load", "1200.50", False, "100.00")
    ]


def test_random_money_values_round_like_the_csv_path(db):
    """Cents from floats: binary == what PostgreSQL makes of the CSV text, on values near half cents too."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 10**9, 3000) / 1000  # three decimals: many exact half cents (x.xx5)
    wide = rng.uniform(-1e11, 1e11, 1000)
    values = np.concatenate([base, -base[:500], wide, [0.005, -0.005, 0.015, 1.005, 1e11 - 0.005]])
    frame = pd.DataFrame({"m": values[np.abs(values) < 1e11]})
    assert encode_frame(frame, types={"m": "numeric(20, 2)"}).binary
    with psycopg.connect(db) as conn:
        for name in ("m_bin", "m_csv"):
            conn.execute(sql.SQL("CREATE TABLE {} (k serial, m numeric(20, 2))").format(sql.Identifier("staging", name)))
        copy_frame(conn, sql.Identifier("staging", "m_bin"), frame, types={"m": "numeric(20, 2)"})
        copy_frame(conn, sql.Identifier("staging", "m_csv"), frame)
        diff = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE b.m IS DISTINCT FROM c.m) "
            "FROM staging.m_bin b JOIN staging.m_csv c USING (k)"
        ).fetchone()
    assert diff == (len(frame), 0)
