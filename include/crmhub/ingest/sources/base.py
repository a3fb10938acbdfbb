"""The contract between a source and the loader.

A source yields batches of raw text values; it never types or cleans them (that is the contract
checker's job), and it never drops a record: a record it cannot split into the declared columns is
still yielded, with its problem in ``row_errors`` so the loader can quarantine it with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd


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
        raw_records: ``{row position: the record's text as read}`` for rows in ``row_errors`` whose values
            could not be mapped onto the columns (kept in ``raw.<connector>.raw_record``).
    """

    frame: pd.DataFrame
    locators: Sequence[str]
    origin: str
    header: list[str]
    cursor: str | None = None
    row_errors: dict[int, str] = field(default_factory=dict)
    deleted: list[bool] | None = None
    raw_records: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.deleted is None:
            self.deleted = [False] * len(self.frame)
        if len(self.locators) != len(self.frame) or len(self.deleted) != len(self.frame):
            raise ValueError(
                f"{self.origin}: batch of {len(self.frame)} rows has {len(self.locators)} locators "
                f"and {len(self.deleted)} deleted flags; they must match"
            )

    def __len__(self) -> int:
        return len(self.frame)


class Source(Protocol):
    """Anything that can read batches of records for one connector."""

    name: str

    def batches(self) -> Iterator[SourceBatch]: ...
