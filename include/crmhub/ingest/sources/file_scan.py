"""One streaming pass over a file's bytes: checksum, byte-order mark and the encoding to read it with.

Encoding policy (documented in docs/ingest.md):

* A byte-order mark wins over the declared encoding: UTF-8 BOM -> ``utf-8-sig`` (the BOM is not part
  of the first column name), UTF-16 LE/BE BOM -> ``utf-16``.
* Declared ``utf-8`` (the default) is *lenient*: if the bytes are not valid UTF-8 the file is read as
  ``cp1252`` (Windows "Latin-1", what Excel exports) when that decodes cleanly, else ``latin-1`` (which
  decodes any byte). The fallback is recorded on the load (``ops.loads.encoding``) and logged.
* Any other declared encoding, or ``strict_encoding: true`` in the connector's ``source``, is *strict*:
  an undecodable byte rejects the whole file with :class:`RejectedFileError` naming the line.

Memory is flat: the file is read in 1 MiB blocks through an incremental decoder.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from crmhub.exceptions import RejectedFileError

log = logging.getLogger(__name__)

BLOCK = 1 << 20
_LENIENT_FALLBACKS = ("cp1252", "latin-1")


@dataclass(frozen=True)
class FileScan:
    """What the scan found: ``encoding`` is what to open the file with.

    ``simple`` is True when the bytes show none of the things that need the careful (csv module)
    parser: no NUL byte, no blank line, no lone CR line end, no line ending inside quotes (every line
    holds an even number of ``"``), UTF-8. Such a file can take the fast (pyarrow) parser.
    """

    path: Path
    size: int
    checksum: str
    encoding: str
    declared_encoding: str
    fallback: bool = False
    lines: int = 0
    simple: bool = False
    long_line: tuple[int, int] | None = None   # (line, bytes) of the first line longer than max_line_bytes

    @property
    def empty(self) -> bool:
        return self.size == 0


class _Shape:
    """Byte-level pre-check, block by block (numpy, no Python per line)."""

    def __init__(self, max_line_bytes: int | None = None) -> None:
        self.simple = True
        self.parity = 0
        self.tail = b""
        self.lines = 0
        self.size = 0
        self.line_start = 0          # offset of the current line's first byte
        self.max_line_bytes = max_line_bytes
        self.long_line: tuple[int, int] | None = None

    def feed(self, block: bytes) -> None:
        arr = np.frombuffer(block, dtype=np.uint8)
        newlines = np.flatnonzero(arr == 10)
        if self.max_line_bytes is not None and self.long_line is None:
            self._check_lengths(newlines)
        self.size += len(block)
        self.lines += newlines.size
        if not self.simple:
            return
        if b"\r" in block:
            edge = self.tail + block
            if edge.count(b"\r") != edge.count(b"\r\n") or b"\n\r\n" in edge:
                self.simple = False
                return
        # a blank line: two consecutive newlines, within the block or across the previous block's end
        blank = bool(newlines.size) and (
            (newlines[0] == 0 and self.tail.endswith(b"\n")) or bool((np.diff(newlines) == 1).any())
        )
        if blank or b"\x00" in block:
            self.simple = False
            return
        quotes = np.flatnonzero(arr == 34)
        if quotes.size or self.parity:
            before = np.searchsorted(quotes, newlines) + self.parity
            if (before & 1).any():
                self.simple = False
                return
            self.parity = (self.parity + quotes.size) & 1
        self.tail = block[-2:]

    def _check_lengths(self, newlines: np.ndarray) -> None:
        """Record the first line longer than ``max_line_bytes`` (line end excluded), also one still open."""
        ends = newlines + self.size
        lengths = np.diff(np.concatenate(([self.line_start], ends + 1))) - 1
        over = np.flatnonzero(lengths > self.max_line_bytes)
        if over.size:
            i = int(over[0])
            self.long_line = (self.lines + i + 1, int(lengths[i]))
        if ends.size:
            self.line_start = int(ends[-1]) + 1

    def finish(self) -> None:
        """The last line (no line end) counts too."""
        tail = self.size - self.line_start
        if self.max_line_bytes is not None and self.long_line is None and tail > self.max_line_bytes:
            self.long_line = (self.lines + 1, tail)


class _Digest:
    """SHA-256 computed on a helper thread (hashlib releases the GIL for large blocks), in order, while the
    caller checks the same blocks; at most ``depth`` blocks wait."""

    def __init__(self, depth: int = 8) -> None:
        self._sha = hashlib.sha256()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmhub-sha256")
        self._pending: deque = deque()
        self._depth = depth

    def update(self, block: bytes) -> None:
        if len(self._pending) >= self._depth:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._sha.update, block))

    def __enter__(self) -> _Digest:
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True)

    def hexdigest(self) -> str:
        """The checksum (call after the ``with`` block: every block is hashed by then)."""
        while self._pending:
            self._pending.popleft().result()
        return self._sha.hexdigest()


def _normal(name: str) -> str:
    return codecs.lookup(name).name


def _first_bad_line(path: Path, encoding: str) -> tuple[int, int] | None:
    """``(line, byte offset)`` of the first byte ``encoding`` cannot decode, or None when it all decodes."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 1
    offset = 0
    with path.open("rb") as fh:
        while True:
            block = fh.read(BLOCK)
            final = not block
            try:
                decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                # exc.start is relative to what the decoder had buffered plus this block; close enough
                # for the line: count newlines up to the bad byte within this block.
                bad = max(0, min(exc.start, len(block)))
                return lines + block[:bad].count(b"\n"), offset + bad
            if final:
                return None
            lines += block.count(b"\n")
            offset += len(block)


def scan_file(path: str | Path, declared_encoding: str = "utf-8", *, strict: bool | None = None,
              max_line_bytes: int | None = None) -> FileScan:
    """Checksum the file and choose its encoding (see module doc); raises RejectedFileError when strict fails.

    One streaming pass computes the checksum, checks the encoding and pre-checks the shape; only a
    file that is not valid in its declared encoding is read again (for the fallback). With
    ``max_line_bytes`` the pass also notes the first physical line longer than that (``long_line``), in
    1 MiB blocks: a gigabyte line is found without ever being held in memory.
    """
    path = Path(path)
    if not path.is_file():
        raise RejectedFileError(str(path), "no such file")
    declared = _normal(declared_encoding or "utf-8")
    lenient = declared == "utf-8" if strict is None else not strict
    shape = _Shape(max_line_bytes)
    size = 0
    bad: tuple[int, int] | None = None
    decoder = None
    encoding = declared
    with path.open("rb") as fh, _Digest() as digest:
        first = True
        while block := fh.read(BLOCK):
            if first:
                first = False
                if block.startswith(codecs.BOM_UTF8):
                    encoding = "utf-8-sig"
                elif block.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    encoding = "utf-16"
                decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
                if block[:1] in (b"\n", b"\r"):
                    shape.simple = False
            digest.update(block)
            if bad is None:
                try:
                    decoder.decode(block, final=False)
                except UnicodeDecodeError as exc:
                    cut = max(0, min(exc.start, len(block)))
                    bad = (shape.lines + 1 + block[:cut].count(b"\n"), size + cut)
            shape.feed(block)
            size += len(block)
    checksum = digest.hexdigest()
    shape.finish()
    if bad is None and decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = (shape.lines + 1, size)
    simple = shape.simple and encoding in ("utf-8", "utf-8-sig")
    if bad is None:
        return FileScan(path, size, checksum, encoding, declared, lines=shape.lines, simple=simple,
                        long_line=shape.long_line)
    line, offset = bad
    if not lenient or encoding == "utf-16":
        raise RejectedFileError(
            str(path),
            f"byte at offset {offset} is not valid {encoding}; re-export the file as {declared} "
            f"or declare its real encoding in the connector's source.encoding",
            line=line,
        )
    for fallback in _LENIENT_FALLBACKS:
        if _first_bad_line(path, fallback) is None:
            log.warning("%s: not valid UTF-8 (first bad byte on line %s); reading it as %s", path, line, fallback)
            return FileScan(path, size, checksum, fallback, declared, fallback=True, lines=shape.lines,
                            long_line=shape.long_line)
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover
