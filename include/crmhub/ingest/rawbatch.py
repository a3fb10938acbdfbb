"""The raw landing: one ``raw.<connector>`` row per source batch, holding the batch's records verbatim.

A row is the batch's bytes (:class:`~crmhub.ingest.sources.base.RawChunk`: a file chunk's own bytes, an
API page's result objects, or - for sources with no byte form of their own - the values written as CSV)
plus per-record arrays: byte ``offsets``, start ``lines`` (files) or ``locators`` (other sources) and
``deleted`` flags (only when a record is marked deleted). The view ``raw.<connector>_records`` turns it
back into one row per record (see :mod:`crmhub.ingest.tables`).

The row is sent as one binary COPY row built with numpy/pyarrow (no Python per record): PostgreSQL
stores one tuple per batch (its bytes in TOAST, uncompressed) instead of one tuple and one index entry
per record.
"""

from __future__ import annotations

import struct

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmhub.ingest import pgbinary
from crmhub.ingest.copy import Payload
from crmhub.ingest.sources.base import RawChunk, SourceBatch

COLUMNS = [
    "batch_no", "origin", "first_row_no", "rows", "format", "encoding", "first_line", "lines", "locators",
    "deleted", "offsets", "data",
]
_INT4_OID, _INT8_OID, _TEXT_OID, _BOOL_OID = 23, 20, 25, 16
_MAX_BYTES = (1 << 30) - 1  # a bytea holds at most 1 GiB (offsets are int4)
_QUOTE = pa.scalar('"', pa.large_string())
_EMPTY = pa.scalar("", pa.large_string())
_EMPTY_BIN = pa.scalar(b"", pa.large_binary())


def _field(value: bytes | None) -> bytes:
    return b"\xff\xff\xff\xff" if value is None else struct.pack(">i", len(value)) + value


def _array(oid: int, n: int, cells: bytes) -> bytes:
    """A one-dimensional PostgreSQL array in binary form (``cells``: per element its length and value)."""
    if n == 0:
        return struct.pack(">iii", 0, 0, oid)
    return struct.pack(">iiiii", 1, 0, oid, n, 1) + cells


def _fixed_array(values: np.ndarray, dtype: str, oid: int) -> bytes:
    cells = np.empty(len(values), dtype=[("len", ">i4"), ("v", dtype)])
    cells["len"] = np.dtype(dtype).itemsize
    cells["v"] = values
    return _array(oid, len(values), cells.tobytes())


def _text_array(values) -> bytes:
    series = pd.Series(values, dtype="str") if not isinstance(values, pd.Series) else values
    joined = pc.binary_join_element_wise(*pgbinary._text(series.reset_index(drop=True)), _EMPTY_BIN)
    buffers = joined.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64, count=len(joined) + 1 + joined.offset)
    start, end = int(offsets[joined.offset]), int(offsets[joined.offset + len(joined)])
    return _array(_TEXT_OID, len(series), buffers[2].to_pybytes()[start:end] if len(series) else b"")


def chunk_from_frame(frame: pd.DataFrame) -> RawChunk:
    """The frame's values as CSV records (every value quoted, NULL = empty), for sources without raw bytes."""
    cols = []
    for name in frame.columns:
        series = frame[name]
        arr = pa.array(series.array) if hasattr(series.array, "__arrow_array__") else pa.array(
            series.to_numpy(dtype=object), from_pandas=True
        )
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        arr = arr.cast(pa.large_string())
        quoted = pc.binary_join_element_wise(_QUOTE, pc.replace_substring(arr, '"', '""'), _QUOTE, _EMPTY)
        cols.append(quoted.fill_null(""))
    comma, newline = pa.scalar(",", pa.large_string()), pa.scalar("\n", pa.large_string())
    records = pc.binary_join_element_wise(*cols, comma) if cols else pa.array([""] * len(frame), pa.large_string())
    records = pc.binary_join_element_wise(records, _EMPTY, newline)
    buffers = records.buffers()
    n = len(records)
    offsets = np.frombuffer(buffers[1], dtype=np.int64, count=n + 1 + records.offset)[records.offset :]
    start, end = int(offsets[0]), int(offsets[-1])
    data = buffers[2].to_pybytes()[start:end] if n else b""
    return RawChunk(data, (offsets - start).astype(np.int64), "csv")


def encode_batch(
    batch: SourceBatch, *, batch_no: int, first_row_no: int, encoding: str | None
) -> Payload:
    """One binary COPY row for ``raw.<connector>`` (``load_id`` and ``received_at`` are column defaults)."""
    chunk = batch.raw if batch.raw is not None else chunk_from_frame(batch.frame)
    n = len(chunk)
    if len(chunk.data) > _MAX_BYTES:
        raise ValueError(f"{batch.origin}: a batch of {len(chunk.data)} bytes does not fit one raw row (1 GiB)")
    deleted = np.asarray(batch.deleted, dtype=bool)
    lines = None if chunk.lines is None else np.asarray(chunk.lines, dtype=np.int64)
    first_line = None
    if lines is not None and n and lines[-1] - lines[0] == n - 1 and (n == 1 or (np.diff(lines) == 1).all()):
        first_line, lines = int(lines[0]), None  # consecutive lines: the first one says it all
    fields = [
        _field(struct.pack(">i", batch_no)),
        _field(batch.origin.encode("utf-8")),
        _field(struct.pack(">q", first_row_no)),
        _field(struct.pack(">i", n)),
        _field(chunk.format.encode("utf-8")),
        _field(encoding.encode("utf-8") if encoding else None),
        _field(struct.pack(">q", first_line) if first_line is not None else None),
        _field(_fixed_array(lines, ">i8", _INT8_OID) if lines is not None else None),
        _field(_text_array(batch.locators) if chunk.lines is None else None),
        _field(_fixed_array(deleted.astype(np.uint8), "u1", _BOOL_OID) if deleted.any() else None),
        _field(_fixed_array(np.asarray(chunk.offsets, dtype=np.int64), ">i4", _INT4_OID)),
    ]
    head = struct.pack(">h", len(COLUMNS)) + b"".join(fields) + struct.pack(">i", len(chunk.data))
    data = b"".join((head, chunk.data))
    return Payload(list(COLUMNS), memoryview(data), True, rows=1)
