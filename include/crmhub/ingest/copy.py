"""Bulk-load a pandas frame with ``COPY ... FROM STDIN (FORMAT csv)``; the CSV text is written by pyarrow.

No Python per row: pyarrow converts the columns and writes CSV in C++. Strings are quoted (so an empty
string stays ``''``), nulls are unquoted empty fields (``NULL``), timestamps are written as UTC wall
time under a transaction-local ``TimeZone = UTC``, dates are cast to ``date32``. Values such as ``'; DROP TABLE x; --`` are data: COPY never interprets them.
"""

from __future__ import annotations

import io

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

_WRITE = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def _arrow(frame: pd.DataFrame, date_columns: set[str]) -> tuple[pa.Table, bool]:
    """The frame as an arrow table ready for CSV; True when it holds timestamps written as UTC wall time.

    pyarrow formats tz-aware timestamps ~25x slower than naive ones, so timestamptz values are written
    as naive UTC and the COPY runs with ``TimeZone = UTC`` (transaction-local).
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    utc = False
    for i, name in enumerate(table.column_names):
        col = table.column(i)
        if name in date_columns:
            table = table.set_column(i, name, col.cast(pa.date32()))
        elif pa.types.is_timestamp(col.type) and col.type.tz is not None:
            naive = pa.timestamp(col.type.unit)
            table = table.set_column(i, name, pa.chunked_array([c.view(naive) for c in col.chunks], type=naive))
            utc = True
    return table, utc


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
    data, utc = _arrow(frame, date_columns or set())
    if utc:
        local = conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        conn.execute("SELECT set_config('TimeZone', 'UTC', %s)", (local,))
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


class CopyWorker:
    """Runs ``copy_frame`` jobs on a background thread so that parsing/checking the next chunk (main
    thread) overlaps with PostgreSQL ingesting the previous one. pyarrow's CSV writer and psycopg's
    socket waits release the GIL. The queue is bounded (``depth`` chunks) so memory stays flat.

    Only the worker touches the connection between ``start`` and ``close``; errors surface in the main
    thread on the next ``submit`` or on ``close``.
    """

    def __init__(self, conn: psycopg.Connection, depth: int = 2):
        import queue
        import threading

        self.conn = conn
        self.rows = 0
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._cancel = False
        self._thread = threading.Thread(target=self._loop, name="crmhub-copy", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self._error is not None or self._cancel:
                continue
            table, frame, date_columns = job
            try:
                copy_frame(self.conn, table, frame, date_columns=date_columns)
            except BaseException as exc:  # re-raised in the main thread
                self._error = exc

    def submit(self, table: sql.Composable, frame: pd.DataFrame, *, date_columns: set[str] | None = None) -> None:
        if self._error is not None:
            self.close()
        self._queue.put((table, frame, date_columns))

    def close(self, *, cancel: bool = False) -> None:
        """Wait for every submitted job (or skip the rest with ``cancel``); re-raise a worker error."""
        self._cancel = self._cancel or cancel
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None and not cancel:
            error, self._error = self._error, None
            raise error
