"""Bulk-load a pandas frame with ``COPY ... FROM STDIN (FORMAT csv)``; the CSV text is written by pyarrow.

No Python per row: pyarrow converts the columns and writes CSV in C++. Strings are quoted (so an empty
string stays ``''``), nulls are unquoted empty fields (``NULL``), timestamps are ISO-8601 UTC, dates are
cast to ``date32``. Values such as ``'; DROP TABLE x; --`` are data: COPY never interprets them.
"""

from __future__ import annotations

import io

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

_WRITE = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def _arrow(frame: pd.DataFrame, date_columns: set[str]) -> pa.Table:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, name in enumerate(table.column_names):
        if name in date_columns:
            table = table.set_column(i, name, table.column(i).cast(pa.date32()))
    return table


def copy_frame(
    conn: psycopg.Connection,
    table: sql.Composable,
    frame: pd.DataFrame,
    *,
    date_columns: set[str] | None = None,
) -> int:
    """COPY every row of ``frame`` into ``table`` (columns by name); returns the row count."""
    if frame.empty:
        return 0
    data = _arrow(frame, date_columns or set())
    buf = io.BytesIO()
    pacsv.write_csv(data, buf, _WRITE)
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(table, cols)
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        view = buf.getbuffer()
        step = 1 << 20
        for start in range(0, len(view), step):
            copy.write(view[start : start + step])
        del view
    return len(frame)
