"""Delimited files (CSV, TSV, ...) read in chunks with memory flat for any file size.

Decisions (also in docs/ingest.md):

* Encoding, BOM and checksum: see :mod:`crmhub.ingest.sources.file_scan`.
* CRLF, LF and CR line ends, and newlines inside quoted fields, are read as the csv module reads them.
* A record with the wrong number of columns is *yielded* (padded/truncated to the header) with its
  reason in ``row_errors`` -> quarantined, never dropped.
* Every batch carries its records as read (:class:`RawChunk`: the bytes and each record's offsets and
  start line), landed verbatim in ``raw.<connector>``.
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
* A header naming a column twice (compared case-insensitively) is rejected with the names and its line.
* A record longer than ``max_record_bytes`` (``source.max_record_bytes``, default 16 MiB) rejects the file
  naming its line, on both parsers: the byte pre-scan finds an over-long physical line in 1 MiB blocks
  (never holding it), and the csv module's line feed stops a record spanning many lines at the limit.
* ``locators`` are ``"<file name>:<line>"``, the physical line where the record starts (header = 1).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from crmhub.exceptions import RejectedFileError
from crmhub.ingest.sources.base import RawChunk, SourceBatch
from crmhub.ingest.sources.file_scan import FileScan, scan_file

log = logging.getLogger(__name__)

#: Largest single field accepted (bytes of text). Raised from the csv default of 128 KiB; bounded so a
#: runaway quote cannot eat the whole file into memory.
FIELD_LIMIT = 32 * 1024 * 1024
DEFAULT_CHUNK_ROWS = 50_000
#: Longest record accepted unless the connector's ``source.max_record_bytes`` says otherwise.
DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024
#: Largest chunk of a file landed as one raw row (a bytea holds at most 1 GiB).
MAX_CHUNK_BYTES = 64 * 1024 * 1024
_OTHER_DELIMITERS = (",", ";", "\t", "|")


class RestartWithCsvModule(Exception):  # noqa: N818 - a signal, not an error
    """The fast parser found a record it cannot place after batches were handed out: roll back, read again."""


class _NeedCareful(Exception):  # noqa: N818
    pass


class _RecordTooLong(Exception):  # noqa: N818 - a signal, turned into RejectedFileError
    def __init__(self, line: int, size: int) -> None:
        super().__init__(line, size)
        self.line, self.size = line, size


class _LineLog:
    """The file's lines for the csv module, kept until ``take()`` (the text of the record just read:
    the csv module reads no line beyond the record it returns). A record growing past ``limit`` bytes
    raises :class:`_RecordTooLong` with the line it started on."""

    def __init__(self, fh, limit: int) -> None:
        self._fh = fh
        self._pending: list[str] = []
        self._chars = 0
        self._limit = limit
        self.line = 0                # physical lines handed out so far

    def __iter__(self) -> _LineLog:
        return self

    def __next__(self) -> str:
        line = next(self._fh)
        self.line += 1
        self._pending.append(line)
        self._chars += len(line)
        if self._chars * 4 > self._limit:  # UTF-8 is at most 4 bytes a character: count exactly only near the limit
            size = sum(len(part.encode("utf-8", "surrogatepass")) for part in self._pending)
            if size > self._limit:
                raise _RecordTooLong(self.line - len(self._pending) + 1, size)
        return line

    def take(self) -> str:
        text = "".join(self._pending)
        self._pending.clear()
        self._chars = 0
        return text


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
        block_bytes: pyarrow parse block size within a chunk (default 1 MiB; at least the longest line).
        max_record_bytes: a longer record rejects the file naming its line (``source.max_record_bytes``).
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
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    ):
        self.path = Path(path)
        self.max_record_bytes = int(max_record_bytes)
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
            max_record_bytes=src.get("max_record_bytes", DEFAULT_MAX_RECORD_BYTES),
            **kwargs,
        )

    @property
    def scan(self) -> FileScan:
        """Checksum and encoding (one pass over the bytes, done once)."""
        if self._scan is None:
            self._scan = scan_file(self.path, self.encoding, strict=self.strict_encoding,
                                   max_line_bytes=self.max_record_bytes)
        return self._scan

    @property
    def checksum(self) -> str:
        return self.scan.checksum

    @property
    def origin(self) -> str:
        return self.path.name

    def _reject(self, reason: str, line: int | None = None) -> RejectedFileError:
        return RejectedFileError(str(self.path), reason, line=line)

    def _too_long(self, line: int, size: int) -> RejectedFileError:
        return self._reject(
            f"record of {size} bytes is longer than the limit of {self.max_record_bytes} bytes (a runaway quote or "
            "a broken export); fix the file or raise the connector's source.max_record_bytes",
            line=line,
        )

    def _read_header(self, reader) -> list[str]:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                header = [cell.replace("\x00", "").strip() for cell in row]
                break
        else:
            raise self._reject("empty file: no header row (an export always has one; check the export job)")
        counts: dict[str, int] = {}
        for name in header:
            counts[name.lower()] = counts.get(name.lower(), 0) + 1
        twice = [name for name in dict.fromkeys(header) if counts[name.lower()] > 1]
        if twice:
            raise self._reject(
                f"duplicate column name(s) in the header: {', '.join(twice)}; each column may appear once "
                "(names compare case-insensitively): fix the export",
                line=reader.line_num,
            )
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
        if scan.long_line is not None:
            raise self._too_long(*scan.long_line)
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

        parse = pacsv.ParseOptions(delimiter=self.delimiter, newlines_in_values=False, invalid_row_handler=on_invalid)
        convert = pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        line = 2
        for data, offsets in self._line_chunks():
            n = len(offsets) - 1
            block = max(self.block_bytes or 1 << 20, int(np.diff(offsets).max()) + 1)
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(column_names=header, block_size=block, use_threads=True),
                parse_options=parse,
                convert_options=convert,
            )
            if invalid or table.num_rows != n:
                what = repr(invalid[0][:60]) if invalid else f"{table.num_rows} rows parsed from {n} lines"
                raise _NeedCareful(f"a record with the wrong number of columns ({what})")
            starts = np.arange(line, line + n, dtype=np.int64)
            line += n
            raw = RawChunk(data, offsets, "csv", starts)
            batch = self._finish(table.to_pandas(), starts, header, {}, np.ones(n, dtype=bool), raw)
            if batch is not None:
                yield batch

    def _line_chunks(self) -> Iterator[tuple[bytes, np.ndarray]]:
        """The data lines of a simple file (one record per line) in chunks of ``chunk_rows`` lines (at most
        ``MAX_CHUNK_BYTES``, at least one line): ``(bytes, n + 1 offsets)``. The same bytes feed the parser
        and the raw landing, so a raw record is exactly what was parsed."""
        avg = max(16, self.scan.size // max(self.scan.lines, 1))
        read_size = int(min(MAX_CHUNK_BYTES, max(1 << 20, avg * self.chunk_rows)))
        with self.path.open("rb") as fh:
            fh.readline()  # the header (line 1; a simple file has no lone CR and no line end in quotes)
            buf, nl, eof = b"", np.empty(0, dtype=np.int64), False
            while True:
                while len(nl) < self.chunk_rows and not eof and (len(buf) < MAX_CHUNK_BYTES or not len(nl)):
                    block = fh.read(read_size)
                    if not block:
                        eof = True
                        break
                    found = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10) + len(buf)
                    buf += block
                    nl = np.concatenate((nl, found))
                if not buf:
                    return
                ends = nl[: self.chunk_rows] + 1
                if len(ends) > 1 and ends[-1] > MAX_CHUNK_BYTES:
                    ends = ends[: max(1, int(np.searchsorted(ends, MAX_CHUNK_BYTES, side="right")))]
                if eof and len(ends) == len(nl) and (not len(ends) or ends[-1] < len(buf)):
                    ends = np.append(ends, len(buf))  # the last line has no line end
                cut = int(ends[-1])
                yield buf[:cut], np.concatenate(([0], ends)).astype(np.int64)
                buf, nl = buf[cut:], nl[len(ends):] - cut
                nl = nl[nl >= 0]

    def _careful_batches(self) -> Iterator[SourceBatch]:
        scan = self.scan
        with self.path.open("r", encoding=scan.encoding, newline="") as fh:
            lines = _LineLog(fh, self.max_record_bytes)
            reader = csv.reader(lines, delimiter=self.delimiter)
            try:
                header = self._read_header(reader)
            except csv.Error as exc:
                raise self._reject(f"cannot parse the header: {exc}", line=reader.line_num) from exc
            except _RecordTooLong as exc:
                raise self._too_long(exc.line, exc.size) from None
            lines.take()
            self.header = header
            n = len(header)
            last_line = reader.line_num
            tail: tuple[int, list[str]] | None = None
            while True:
                rows: list[list[str]] = []
                texts: list[str] = []
                ends: list[int] = []
                size = 0
                try:
                    for row in reader:  # one Python step per record: the careful path is for messy files
                        rows.append(row)
                        texts.append(lines.take())
                        ends.append(reader.line_num)
                        size += len(texts[-1])
                        if len(rows) >= self.chunk_rows or size >= MAX_CHUNK_BYTES:
                            break
                except csv.Error as exc:
                    raise self._reject(
                        f"unparseable record ({exc}); probably an unbalanced quote starting here",
                        line=(ends[-1] if ends else last_line) + 1,
                    ) from exc
                except _RecordTooLong as exc:
                    raise self._too_long(exc.line, exc.size) from None
                if not rows:
                    break
                ends_arr = np.asarray(ends, dtype=np.int64)
                starts = np.concatenate(([last_line], ends_arr[:-1])) + 1
                last_line = ends[-1]
                tail = (int(starts[-1]), rows[-1])
                batch = self._to_batch(rows, starts, header, n, texts)
                if batch is not None:
                    yield batch
        if tail is not None:
            self._check_unbalanced_tail(*tail)

    # -- helpers -------------------------------------------------------------------------------------------

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

    def _to_batch(
        self, rows: list[list[str]], starts: np.ndarray, header: list[str], n: int, texts: list[str]
    ) -> SourceBatch | None:
        lens = np.fromiter(map(len, rows), np.int64, len(rows))
        keep = np.ones(len(rows), dtype=bool)
        odd = np.flatnonzero(lens != n)
        errors: dict[int, str] = {}
        if odd.size:
            rows = list(rows)
            for i in odd:
                row = rows[i]
                if not row or (len(row) == 1 and not row[0].strip()):
                    keep[i] = False  # blank line
                    rows[i] = [None] * n
                    continue
                errors[int(i)] = f"expected {n} columns, found {len(row)}"
                rows[i] = (row + [None] * n)[:n]
        columns = list(zip(*rows, strict=True)) if rows else [()] * n
        frame = pd.DataFrame(
            {name: pd.Series(pa.array(col, type=pa.string()), dtype="str") for name, col in zip(header, columns, strict=True)}
        )
        # the file's text (transcoded to UTF-8 if need be)
        raw = RawChunk.of_records([t.encode("utf-8") for t in texts], "csv", starts)
        return self._finish(frame, starts, header, errors, keep, raw)

    def _finish(
        self, frame: pd.DataFrame, starts: np.ndarray, header: list[str], errors: dict[int, str],
        keep: np.ndarray, raw: RawChunk,
    ) -> SourceBatch | None:
        """Drop repeated headers and blank lines, strip+flag NULs, build locators (all vectorised)."""
        # repeated header rows: every value equals the header name
        is_header = (frame[header[0]] == header[0]).fillna(False).to_numpy(dtype=bool, copy=True)
        for name in header[1:] if is_header.any() else ():
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
            starts = starts[positions]
            raw = raw.select(positions)
        locators = self.origin + ":" + pd.Series(starts).astype("str")
        self.rows_read += len(frame)
        return SourceBatch(
            frame=frame, locators=locators, origin=self.origin, header=list(header), row_errors=errors,
            raw=raw,
        )
