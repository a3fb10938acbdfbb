"""Decode PostgreSQL's ``pgoutput`` logical replication messages (protocol version 1).

Only what crmhub needs: Begin, Commit, Relation, Insert, Update, Delete, Truncate (Origin and Type
messages are skipped). Values arrive as text exactly as PostgreSQL prints them; typing is the
contract checker's job. Reference: "Logical Replication Message Formats" in the PostgreSQL docs.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
UNCHANGED_TOAST = object()  # an unchanged TOASTed value the server did not resend


@dataclass(frozen=True)
class Relation:
    oid: int
    schema: str
    name: str
    columns: tuple[str, ...]
    key_columns: tuple[str, ...]


@dataclass
class RowChange:
    """One inserted, updated or deleted row of a committed transaction."""

    op: str  # "insert" | "update" | "delete" | "truncate"
    schema: str
    table: str
    new: dict | None = None
    old: dict | None = None  # key columns (or full old row with REPLICA IDENTITY FULL)
    lsn: str | None = None
    xid: int | None = None
    commit_time: datetime | None = None


@dataclass
class Decoder:
    """Stateful decoder: relations are announced once per session, rows refer to them by OID."""

    relations: dict[int, Relation] = field(default_factory=dict)
    _pending: list[RowChange] = field(default_factory=list)
    _xid: int | None = None
    #: end LSN ("X/Y") of the last commit decoded: acknowledge up to here once its rows are stored.
    last_commit_end: str | None = None

    def feed(self, data: bytes, lsn: str | None = None) -> list[RowChange]:
        """Decode one message; returns the rows of a transaction when its Commit arrives, else []."""
        kind = data[:1]
        body = memoryview(data)[1:]
        if kind == b"B":
            _final_lsn, _ts, self._xid = struct.unpack_from("!QqI", body)
            self._pending = []
        elif kind == b"C":
            _flags, _commit_lsn, end_lsn, ts = struct.unpack_from("!bQQq", body)
            self.last_commit_end = f"{end_lsn >> 32:X}/{end_lsn & 0xFFFFFFFF:X}"
            commit_time = PG_EPOCH + timedelta(microseconds=ts)
            rows, self._pending = self._pending, []
            for row in rows:
                row.commit_time = commit_time
            return rows
        elif kind == b"R":
            self._relation(body)
        elif kind in (b"I", b"U", b"D"):
            self._pending.append(self._row(kind, body, lsn))
        elif kind == b"T":
            (count, _options), pos = struct.unpack_from("!Ib", body), 5
            for _ in range(count):
                (oid,) = struct.unpack_from("!I", body, pos)
                pos += 4
                rel = self.relations[oid]
                self._pending.append(RowChange("truncate", rel.schema, rel.name, lsn=lsn, xid=self._xid))
        # "O" (origin), "Y" (type), "M" (logical message): nothing to do
        return []

    def _relation(self, body: memoryview) -> None:
        (oid,) = struct.unpack_from("!I", body)
        pos = 4
        schema, pos = _cstring(body, pos)
        name, pos = _cstring(body, pos)
        pos += 1  # replica identity setting
        (ncols,) = struct.unpack_from("!h", body, pos)
        pos += 2
        columns, keys = [], []
        for _ in range(ncols):
            flags = body[pos]
            col, pos = _cstring(body, pos + 1)
            pos += 8  # type oid + type modifier
            columns.append(col)
            if flags & 1:
                keys.append(col)
        self.relations[oid] = Relation(oid, schema, name, tuple(columns), tuple(keys))

    def _row(self, kind: bytes, body: memoryview, lsn: str | None) -> RowChange:
        (oid,) = struct.unpack_from("!I", body)
        rel = self.relations.get(oid)
        if rel is None:
            raise ValueError(f"pgoutput: row for relation {oid} before its Relation message")
        pos = 4
        old = new = None
        marker = bytes(body[pos : pos + 1])
        if marker in (b"K", b"O"):
            old, pos = _tuple(body, pos + 1, rel.columns)
            if kind == b"D":
                return RowChange("delete", rel.schema, rel.name, old=_drop_unset(old), lsn=lsn, xid=self._xid)
            marker = bytes(body[pos : pos + 1])
        if marker != b"N":
            raise ValueError(f"pgoutput: unexpected tuple marker {marker!r} in {kind!r} message")
        new, pos = _tuple(body, pos + 1, rel.columns)
        op = "insert" if kind == b"I" else "update"
        if op == "update" and old is None:
            old = {k: new[k] for k in rel.key_columns if k in new}
        return RowChange(op, rel.schema, rel.name, new=new, old=_drop_unset(old), lsn=lsn, xid=self._xid)


def _cstring(buf: memoryview, pos: int) -> tuple[str, int]:
    end = bytes(buf[pos:]).index(b"\x00") + pos
    return bytes(buf[pos:end]).decode("utf-8"), end + 1


def _tuple(buf: memoryview, pos: int, columns: tuple[str, ...]) -> tuple[dict, int]:
    (ncols,) = struct.unpack_from("!h", buf, pos)
    pos += 2
    values: dict = {}
    for i in range(ncols):
        kind = bytes(buf[pos : pos + 1])
        pos += 1
        name = columns[i]
        if kind == b"n":
            values[name] = None
        elif kind == b"u":
            values[name] = UNCHANGED_TOAST
        elif kind in (b"t", b"b"):
            (length,) = struct.unpack_from("!i", buf, pos)
            pos += 4
            raw = bytes(buf[pos : pos + length])
            pos += length
            values[name] = raw.decode("utf-8") if kind == b"t" else raw
        else:
            raise ValueError(f"pgoutput: unknown tuple value kind {kind!r}")
    return values, pos


def _drop_unset(row: dict | None) -> dict | None:
    """Old-key tuples carry nulls for non-key columns; keep only the values actually sent."""
    if row is None:
        return None
    return {k: v for k, v in row.items() if v is not None and v is not UNCHANGED_TOAST}
