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

from crmhub.exceptions import RejectedFileError

log = logging.getLogger(__name__)

BLOCK = 1 << 20
_LENIENT_FALLBACKS = ("cp1252", "latin-1")


@dataclass(frozen=True)
class FileScan:
    """What the scan found: ``encoding`` is what to open the file with."""

    path: Path
    size: int
    checksum: str
    encoding: str
    declared_encoding: str
    fallback: bool = False

    @property
    def empty(self) -> bool:
        return self.size == 0


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
    """Checksum the file and choose its encoding (see module doc); raises RejectedFileError when strict fails."""
    path = Path(path)
    if not path.is_file():
        raise RejectedFileError(str(path), "no such file")
    declared = _normal(declared_encoding or "utf-8")
    lenient = declared == "utf-8" if strict is None else not strict
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        head = fh.read(4)
        digest.update(head)
        size += len(head)
        while block := fh.read(BLOCK):
            digest.update(block)
            size += len(block)
    checksum = digest.hexdigest()
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = declared
    bad = _first_bad_line(path, encoding)
    if bad is None:
        return FileScan(path, size, checksum, encoding, declared)
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
            return FileScan(path, size, checksum, fallback, declared, fallback=True)
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover
