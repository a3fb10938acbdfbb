"""Delimited files (CSV, TSV, ...) read in chunks with memory flat for any file size.

Decisions (also in docs/ingest.md):

* Encoding, BOM and checksum: see :mod:`crmhub.ingest.sources.file_scan`.
* CRLF, LF and CR line ends, and newlines inside quoted fields, are read as the csv module reads them.
* A record with the wrong number of columns is *yielded* (padded/truncated to the header) with its
  reason in ``row_errors`` -> quarantined, never dropped; its joined text is kept in ``raw_records``.
* A NUL byte cannot be stored in PostgreSQL text: NULs are stripped from the record's values and the
  record is quarantined (rule ``nul_byte``) so a person sees it; the rest of the file loads.
* Blank lines and repeated header rows are not records a person would count: they are skipped, not
  counted in ``rows_read``, and counted in ``skipped_blank`` / ``skipped_headers`` (stored on the load).
* A 0-byte (or whitespace-only) file has no header: rejected ("empty file"). A header-only file is a
  valid file with 0 rows.
* The header must split into the connector's columns: a header that is a single column containing
  another delimiter is rejected as "wrong delimiter". Other header differences are schema drift
  (handled by the loader, not here).
* A quoted field still open at end of file (unbalanced quote), or a field larger than
  ``FIELD_LIMIT`` (runaway quote), rejects the file naming the line where that record starts.
* ``locators`` are ``"<file name>:<line>"``, the physical line where the record starts (header = 1).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from crmhub.exceptions import RejectedFileError
from crmhub.ingest.sources.base import SourceBatch
from crmhub.ingest.sources.file_scan import FileScan, scan_file

log = logging.getLogger(__name__)

#: Largest single field accepted (bytes of text). Raised from the csv default of 128 KiB; bounded so a
#: runaway quote cannot eat the whole file into memory.
FIELD_LIMIT = 32 * 1024 * 1024
DEFAULT_CHUNK_ROWS = 50_000
_OTHER_DELIMITERS = (",", ";", "\t", "|")


class RestartWithCsvModule(Exception):  # noqa: N818 - a signal, not an error
    """The fast parser found a record it cannot place after batches were handed out: roll back, read again."""


class _NeedCareful(Exception):  # noqa: N818
    pass


def _raise_field_limit() -> None:
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)


class CsvSource:
    """One delimited file for one connector.

    Args:
        path: the file.
        columns: the columns the contract expects (for the wrong-delimiter check); None = no check.
        delimiter: one character (the connector's ``source.delimiter``, default ``,``).
        encoding: declared encoding (``source.encoding``, default utf-8); see file_scan for the policy.
        strict_encoding: reject undecodable bytes even when the declared encoding is utf-8.
        chunk_rows: records per batch.
        name: source name (the connector name).
        fast: allow the pyarrow parser for files whose byte pre-check is clean.
        block_bytes: pyarrow read block size (default: about ``chunk_rows`` records, 1-64 MiB).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        columns: list[str] | tuple[str, ...] | None = None,
        delimiter: str = ",",
        encoding: str = "utf-8",
        strict_encoding: bool | None = None,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        name: str | None = None,
        fast: bool = True,
        block_bytes: int | None = None,
    ):
        self.path = Path(path)
        self.fast = fast
        self.block_bytes = block_bytes
        self.columns = list(columns) if columns is not None else None
        self.delimiter = delimiter
        self.encoding = encoding
        self.strict_encoding = strict_encoding
        self.chunk_rows = chunk_rows
        self.name = name or self.path.stem
        self._scan: FileScan | None = None
        self.header: list[str] | None = None
        self.rows_read = 0
        self.skipped_headers = 0
        self.skipped_blank = 0

    @classmethod
    def for_connector(cls, connector, path: str | Path, **kwargs) -> CsvSource:
        """Build from a connector's ``source`` config (delimiter, encoding, strict_encoding)."""
        src = connector.source
        return cls(
            path,
            columns=list(connector.field_names),
            delimiter=src.get("delimiter", ","),
            encoding=src.get("encoding", "utf-8"),
            strict_encoding=src.get("strict_encoding"),
            name=connector.name,
            **kwargs,
        )

    @property
    def scan(self) -> FileScan:
        """Checksum and encoding (one pass over the bytes, done once)."""
        if self._scan is None:
            self._scan = scan_file(self.path, self.encoding, strict=self.strict_encoding)
        return self._scan

    @property
    def checksum(self) -> str:
        return self.scan.checksum

    @property
    def origin(self) -> str:
        return self.path.name

    def _reject(self, reason: str, line: int | None = None) -> RejectedFileError:
        return RejectedFileError(str(self.path), reason, line=line)

    def _read_header(self, reader) -> list[str]:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                header = [cell.replace("\x00", "").strip() for cell in row]
                break
        else:
            raise self._reject("empty file: no header row (an export always has one; check the export job)")
        expected = self.columns
        if expected and len(header) == 1 and len(expected) > 1:
            found = [d for d in _OTHER_DELIMITERS if d != self.delimiter and d in header[0]]
            hint = f" (it looks {found[0]!r}-delimited)" if found else ""
            raise self._reject(
                f"wrong delimiter: header does not split on {self.delimiter!r} into the expected columns "
                f"{', '.join(expected)}{hint}; fix source.delimiter or the export",
                line=reader.line_num,
            )
        return header

    def batches(self) -> Iterator[SourceBatch]:
        """Yield batches of ``chunk_rows`` records; raises RejectedFileError for a file that cannot be read.

        A file whose byte pre-check is clean (``FileScan.simple``) is parsed by pyarrow's streaming CSV
        reader (C++, multi-threaded); anything else by the csv module. If the fast parser meets a record it
        cannot place (wrong column count) it hands over to the csv module - transparently before the first
        batch, else by raising :class:`RestartWithCsvModule` so the caller rolls back and reads again.
        """
        _raise_field_limit()
        scan = self.scan
        if scan.empty:
            raise self._reject("empty file (0 bytes): no header row")
        self.rows_read = self.skipped_headers = self.skipped_blank = 0
        if self.fast and scan.simple:
            produced = 0
            try:
                for batch in self._fast_batches():
                    produced += 1
                    yield batch
                return
            except _NeedCareful as exc:
                self.fast = False
                if produced:
                    raise RestartWithCsvModule(f"{self.path}: {exc}; re-read with the csv module") from exc
                self.rows_read = self.skipped_headers = self.skipped_blank = 0
        yield from self._careful_batches()

    def _fast_batches(self) -> Iterator[SourceBatch]:
        scan = self.scan
        with self.path.open("r", encoding=scan.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            try:
                header = self._read_header(reader)
            except csv.Error as exc:
                raise _NeedCareful(str(exc)) from exc
            if reader.line_num != 1:
                raise _NeedCareful("header is not on line 1")
        self.header = header
        invalid: list[str] = []

        def on_invalid(row) -> str:
            invalid.append(row.text)
            return "skip"

        avg = max(16, scan.size // max(scan.lines, 1))
        block = self.block_bytes or int(min(64 << 20, max(1 << 20, avg * self.chunk_rows)))
        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=header, block_size=block, use_threads=True),
            parse_options=pacsv.ParseOptions(
                delimiter=self.delimiter, newlines_in_values=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        line = 2
        for record_batch in reader:
            if invalid:
                raise _NeedCareful(f"a record with the wrong number of columns ({invalid[0][:60]!r})")
            for offset in range(0, record_batch.num_rows, self.chunk_rows):
                frame = record_batch.slice(offset, self.chunk_rows).to_pandas()
                starts = np.arange(line, line + len(frame), dtype=np.int64)
                line += len(frame)
                batch = self._finish(frame, starts, header, {}, {}, np.ones(len(frame), dtype=bool))
                if batch is not None:
                    yield batch
        if invalid:
            raise _NeedCareful(f"a record with the wrong number of columns ({invalid[0][:60]!r})")

    def _careful_batches(self) -> Iterator[SourceBatch]:
        scan = self.scan
        with self.path.open("r", encoding=scan.encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=self.delimiter)
            try:
                header = self._read_header(reader)
            except csv.Error as exc:
                raise self._reject(f"cannot parse the header: {exc}", line=reader.line_num) from exc
            self.header = header
            n = len(header)
            last_line = reader.line_num
            tail: tuple[int, list[str]] | None = None
            while True:
                try:
                    rows = list(islice(reader, self.chunk_rows))
                except csv.Error as exc:
                    raise self._reject(
                        f"unparseable record ({exc}); probably an unbalanced quote starting here",
                        line=last_line + 1,
                    ) from exc
                if not rows:
                    break
                line_after = reader.line_num
                starts = self._start_lines(rows, last_line, line_after)
                last_line = line_after
                tail = (int(starts[-1]), rows[-1])
                batch = self._to_batch(rows, starts, header, n)
                if batch is not None:
                    yield batch
        if tail is not None:
            self._check_unbalanced_tail(*tail)

    # -- helpers -------------------------------------------------------------------------------------------

    def _start_lines(self, rows: list[list[str]], before: int, after: int) -> np.ndarray:
        """Physical start line of each record; a loop only for chunks with multi-line records."""
        if after - before == len(rows):
            return np.arange(before + 1, after + 1, dtype=np.int64)
        spans = np.fromiter((1 + sum(cell.count("\n") for cell in row) for row in rows), np.int64, len(rows))
        return before + 1 + np.concatenate(([0], np.cumsum(spans)[:-1]))

    def _check_unbalanced_tail(self, start: int, row: list[str]) -> None:
        """A quoted field open at end of file is read by the csv module as one long last field: find it."""
        if not any("\n" in cell or "\r" in cell for cell in row):
            return
        # Count quote characters in the raw text of the last record: an odd number means it never closed.
        quotes = 0
        with self.path.open("r", encoding=self.scan.encoding, newline="") as fh:
            for number, line in enumerate(fh, start=1):
                if number >= start:
                    quotes += line.count('"')
        if quotes % 2:
            raise self._reject("unbalanced quote: a quoted field opened here is never closed", line=start)

    def _to_batch(self, rows: list[list[str]], starts: np.ndarray, header: list[str], n: int) -> SourceBatch | None:
        lens = np.fromiter(map(len, rows), np.int64, len(rows))
        keep = np.ones(len(rows), dtype=bool)
        odd = np.flatnonzero(lens != n)
        errors: dict[int, str] = {}
        raw_text: dict[int, str] = {}
        if odd.size:
            rows = list(rows)
            for i in odd:
                row = rows[i]
                if not row or (len(row) == 1 and not row[0].strip()):
                    keep[i] = False  # blank line
                    rows[i] = [None] * n
                    continue
                errors[int(i)] = f"expected {n} columns, found {len(row)}"
                raw_text[int(i)] = self.delimiter.join(row)
                rows[i] = (row + [None] * n)[:n]
        columns = list(zip(*rows, strict=True)) if rows else [()] * n
        frame = pd.DataFrame(
            {name: pd.Series(pa.array(col, type=pa.string()), dtype="str") for name, col in zip(header, columns, strict=True)}
        )
        return self._finish(frame, starts, header, errors, raw_text, keep)

    def _finish(
        self, frame: pd.DataFrame, starts: np.ndarray, header: list[str], errors: dict[int, str],
        raw_text: dict[int, str], keep: np.ndarray,
    ) -> SourceBatch | None:
        """Drop repeated headers and blank lines, strip+flag NULs, build locators (all vectorised)."""
        # repeated header rows: every value equals the header name
        is_header = np.ones(len(frame), dtype=bool)
        for name in header:
            is_header &= (frame[name] == name).fillna(False).to_numpy(dtype=bool)
        self.skipped_headers += int(is_header.sum())
        self.skipped_blank += int((~keep).sum())
        keep &= ~is_header
        # NUL bytes: strip and quarantine
        nul = np.zeros(len(frame), dtype=bool)
        for name in header if not self.scan.simple else ():  # a "simple" file has no NUL byte
            has = frame[name].str.contains("\x00", regex=False).fillna(False).to_numpy(dtype=bool)
            if has.any():
                nul |= has
                frame[name] = frame[name].str.replace("\x00", "", regex=False)
        for i in np.flatnonzero(nul & keep):
            errors[int(i)] = (errors.get(int(i), "") + "; " if int(i) in errors else "") + "NUL byte(s) stripped"
        positions = np.flatnonzero(keep)
        if positions.size == 0:
            return None
        if positions.size != len(frame):
            frame = frame.iloc[positions].reset_index(drop=True)
            errors = {int(np.searchsorted(positions, i)): r for i, r in errors.items() if keep[i]}
            raw_text = {int(np.searchsorted(positions, i)): r for i, r in raw_text.items() if keep[i]}
            starts = starts[positions]
        locators = self.origin + ":" + pd.Series(starts).astype("str")
        self.rows_read += len(frame)
        return SourceBatch(
            frame=frame, locators=locators, origin=self.origin, header=list(header), row_errors=errors,
            raw_records=raw_text,
        )
