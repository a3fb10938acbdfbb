"""Bulk-load a pandas frame with ``COPY ... FROM STDIN``, binary when the column types allow, else CSV.

No Python per row either way. With ``types`` (column -> PostgreSQL type) the frame is encoded in
PostgreSQL's binary COPY format by :mod:`crmhub.ingest.pgbinary` (pyarrow kernels; PostgreSQL then
skips CSV scanning and the text input functions). Otherwise - or when a column cannot be encoded
exactly - pyarrow writes CSV in C++: strings are quoted (so an empty string stays ``''``), nulls are
unquoted empty fields (``NULL``), timestamps are written as UTC wall time under a transaction-local
``TimeZone = UTC``, dates are cast to ``date32``. Values such as ``'; DROP TABLE x; --`` are data:
COPY never interprets them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from crmhub.ingest import pgbinary
from crmhub.ingest.phases import Phases

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


@dataclass
class Payload:
    """A frame encoded for COPY: binary rows (``binary``) or CSV text, plus whether it holds UTC wall times."""

    columns: list[str]
    data: memoryview
    binary: bool
    utc: bool = False
    rows: int = 0


def encode_frame(
    frame: pd.DataFrame, *, date_columns: set[str] | None = None, types: dict[str, str] | None = None
) -> Payload:
    """Encode ``frame`` for COPY: binary when ``types`` covers every column exactly, else CSV."""
    columns = [str(c) for c in frame.columns]
    data = pgbinary.encode(frame, types) if types else None
    if data is not None:
        return Payload(columns, memoryview(data), True, rows=len(frame))
    table, utc = _arrow(frame, date_columns or set())
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, _WRITE)
    return Payload(columns, buf.getbuffer(), False, utc=utc, rows=len(frame))


def copy_payload(conn: psycopg.Connection, table: sql.Composable, payload: Payload) -> int:
    """Send an encoded frame with one ``COPY ... FROM STDIN``; returns the row count."""
    if not payload.rows:
        return 0
    if payload.utc:
        local = conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
        conn.execute("SELECT set_config('TimeZone', 'UTC', %s)", (local,))
    cols = sql.SQL(", ").join(sql.Identifier(c) for c in payload.columns)
    fmt = sql.SQL("binary" if payload.binary else "csv")
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {})").format(table, cols, fmt)
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        if payload.binary:
            copy.write(pgbinary.HEADER)
        step = 1 << 20
        for start in range(0, len(payload.data), step):
            copy.write(payload.data[start : start + step])
        if payload.binary:
            copy.write(pgbinary.TRAILER)
    return payload.rows


def copy_frame(
    conn: psycopg.Connection,
    table: sql.Composable,
    frame: pd.DataFrame,
    *,
    date_columns: set[str] | None = None,
    types: dict[str, str] | None = None,
) -> int:
    """COPY every row of ``frame`` into ``table`` (columns by name); returns the row count.

    ``types`` (column -> PostgreSQL type of the target column) enables the binary format.
    """
    if frame.empty:
        return 0
    return copy_payload(conn, table, encode_frame(frame, date_columns=date_columns, types=types))


class CopyWorker:
    """Runs COPY jobs on a background thread so that parsing/checking the next chunk (main thread)
    overlaps with PostgreSQL ingesting the previous one. The frame is encoded by the caller (pyarrow
    kernels, main thread); the worker only streams the bytes, and psycopg releases the GIL while it
    waits on the socket, so the main thread keeps the GIL for its own work. The queue is bounded
    (``depth`` jobs) so memory stays flat.

    Only the worker touches the connection between ``start`` and ``close``; errors surface in the main
    thread on the next ``submit`` or on ``close``. Phases: ``encode_<label>`` (caller),
    ``copy_<label>`` (worker: from the COPY statement to PostgreSQL's reply), ``wait_for_copy``
    (caller blocked on a full queue: PostgreSQL is the bottleneck).
    """

    def __init__(self, conn: psycopg.Connection, depth: int = 2, phases: Phases | None = None):
        import queue
        import threading

        self.conn = conn
        self.phases = phases if phases is not None else Phases()
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
            table, payload, label = job
            try:
                with self.phases(f"copy_{label}"):
                    copy_payload(self.conn, table, payload)
            except BaseException as exc:  # re-raised in the main thread
                self._error = exc

    def submit(
        self, table: sql.Composable, frame: pd.DataFrame, *, date_columns: set[str] | None = None,
        types: dict[str, str] | None = None, label: str = "table",
    ) -> None:
        if self._error is not None:
            self.close()
        if frame.empty:
            return
        with self.phases(f"encode_{label}"):
            payload = encode_frame(frame, date_columns=date_columns, types=types)
        self.submit_payload(table, payload, label=label)

    def submit_payload(self, table: sql.Composable, payload: Payload, *, label: str = "table") -> None:
        """Queue an already encoded payload."""
        if self._error is not None:
            self.close()
        with self.phases("wait_for_copy"):  # the queue is full: PostgreSQL is the bottleneck
            self._queue.put((table, payload, label))

    def close(self, *, cancel: bool = False) -> None:
        """Wait for every submitted job (or skip the rest with ``cancel``); re-raise a worker error."""
        self._cancel = self._cancel or cancel
        if self._thread.is_alive():
            with self.phases("wait_for_copy"):
                self._queue.put(None)
                self._thread.join()
        if self._error is not None and not cancel:
            error, self._error = self._error, None
            raise error
