"""The contract between a source and the loader.

A source yields batches of raw text values; it never types or cleans them (that is the contract
checker's job), and it never drops a record: a record it cannot split into the declared columns is
still yielded, with its problem in ``row_errors`` so the loader can quarantine it with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd


@dataclass
class RawChunk:
    """The batch's records as read, landed verbatim in ``raw.<connector>`` (one row per batch).

    Attributes:
        data: the records' bytes, concatenated in order (line ends included). For a file read as UTF-8
            these are the file's own bytes; a file in another encoding is transcoded to UTF-8 (the
            encoding is recorded with the batch). Lines that are not records (blank lines, repeated
            header rows) are not included.
        offsets: ``n + 1`` byte offsets (int64): record ``i`` is ``data[offsets[i]:offsets[i + 1]]``.
        format: ``csv`` (a delimited record) or ``ndjson`` (one JSON object per record, e.g. an API result).
        lines: per record, the physical line of the file where it starts (files only; the locator is
            ``<file>:<line>``), else None (the batch's locators are stored instead).
    """

    data: bytes
    offsets: np.ndarray
    format: str = "csv"
    lines: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def of_records(cls, records: Sequence[bytes | memoryview], format: str = "csv",
                   lines: np.ndarray | None = None) -> RawChunk:
        """A chunk of ``records`` (each one record's bytes, in order)."""
        lengths = np.fromiter(map(len, records), np.int64, len(records))
        return cls(b"".join(records), np.concatenate(([0], np.cumsum(lengths))).astype(np.int64), format, lines)

    def select(self, positions: np.ndarray) -> RawChunk:
        """Only the records at ``positions`` (ascending); the bytes between them are dropped."""
        if len(positions) == len(self):
            return self
        starts, ends = self.offsets[positions], self.offsets[positions + 1]
        view = memoryview(self.data)
        records = [view[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        return RawChunk.of_records(records, self.format, self.lines[positions] if self.lines is not None else None)


@dataclass
class SourceBatch:
    """One chunk of records as read.

    Attributes:
        frame: one row per record, one column per source column; every value is ``str`` or ``None``.
        locators: per row, where it came from (``"lp_contacts.csv:17"`` or ``"after=123#4"``); a list or a
            pandas string Series.
        origin: the file name, endpoint or table the batch came from.
        header: the columns as the source declared them (for schema-drift checks).
        cursor: position to resume after this batch (API cursor / max watermark), if any.
        row_errors: ``{row position in frame: reason}`` for records that could not be split cleanly.
        deleted: per row, True when the source marks the record as deleted/archived (else all False;
            ``None`` is filled with False).
        raw: the records as read (:class:`RawChunk`), landed verbatim in ``raw.<connector>``; None =
            the loader writes the frame's values as CSV records instead (sources whose input has no
            byte form of its own, e.g. a table read through a cursor).
    """

    frame: pd.DataFrame
    locators: Sequence[str]
    origin: str
    header: list[str]
    cursor: str | None = None
    row_errors: dict[int, str] = field(default_factory=dict)
    deleted: list[bool] | None = None
    raw: RawChunk | None = None

    def __post_init__(self) -> None:
        if self.deleted is None:
            self.deleted = [False] * len(self.frame)
        if len(self.locators) != len(self.frame) or len(self.deleted) != len(self.frame):
            raise ValueError(
                f"{self.origin}: batch of {len(self.frame)} rows has {len(self.locators)} locators "
                f"and {len(self.deleted)} deleted flags; they must match"
            )
        if self.raw is not None and len(self.raw) != len(self.frame):
            raise ValueError(f"{self.origin}: batch of {len(self.frame)} rows has {len(self.raw)} raw records")

    def __len__(self) -> int:
        return len(self.frame)


class Source(Protocol):
    """Anything that can read batches of records for one connector."""

    name: str

    def batches(self) -> Iterator[SourceBatch]: ...
