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

    @property
    def empty(self) -> bool:
        return self.size == 0


class _Shape:
    """Byte-level pre-check, block by block (numpy, no Python per line)."""

    def __init__(self) -> None:
        self.simple = True
        self.parity = 0
        self.tail = b""
        self.lines = 0

    def feed(self, block: bytes) -> None:
        self.lines += block.count(b"\n")
        if not self.simple:
            return
        edge = self.tail + block
        lone_cr = b"\r" in block and edge.count(b"\r") != edge.count(b"\r\n")
        if lone_cr or b"\x00" in block or b"\n\n" in edge or (b"\r" in block and b"\n\r\n" in edge):
            self.simple = False
            return
        arr = np.frombuffer(block, dtype=np.uint8)
        quotes = np.flatnonzero(arr == 34)
        if quotes.size or self.parity:
            newlines = np.flatnonzero(arr == 10)
            before = np.searchsorted(quotes, newlines) + self.parity
            if (before & 1).any():
                self.simple = False
                return
            self.parity = (self.parity + quotes.size) & 1
        self.tail = block[-2:]


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


def scan_file(path: str | Path, declared_encoding: str = "utf-8", *, strict: bool | None = None) -> FileScan:
    """Checksum the file and choose its encoding (see module doc); raises RejectedFileError when strict fails.

    One streaming pass computes the checksum, checks the encoding and pre-checks the shape; only a
    file that is not valid in its declared encoding is read again (for the fallback).
    """
    path = Path(path)
    if not path.is_file():
        raise RejectedFileError(str(path), "no such file")
    declared = _normal(declared_encoding or "utf-8")
    lenient = declared == "utf-8" if strict is None else not strict
    digest = hashlib.sha256()
    shape = _Shape()
    size = 0
    bad: tuple[int, int] | None = None
    decoder = None
    encoding = declared
    with path.open("rb") as fh:
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
    if bad is None and decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad = (shape.lines + 1, size)
    checksum = digest.hexdigest()
    simple = shape.simple and encoding in ("utf-8", "utf-8-sig")
    if bad is None:
        return FileScan(path, size, checksum, encoding, declared, lines=shape.lines, simple=simple)
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
            return FileScan(path, size, checksum, fallback, declared, fallback=True, lines=shape.lines)
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover
