"""Logical decoding of a PostgreSQL source: publication + slot management, change fetch, slot lag.

Uses the SQL interface (``pg_logical_slot_*_binary_changes`` with ``pgoutput``), so no replication
connection is needed. When the server has no logical decoding (``wal_level`` is not ``logical``),
``logical_decoding_available()`` is False and callers fall back to an ``updated_at`` watermark.
Changes are *peeked* and only *advanced* after the caller has committed them, so a crash between
load and acknowledgement re-delivers (and the idempotent merge makes that harmless).

A slot holds WAL on the source until it is advanced. ``list_slots`` shows what each crmhub slot retains and
whether the server has invalidated it (``wal_status = 'lost'``, past ``max_slot_wal_keep_size``): a lost slot
can never be read again, so the caller drops and recreates it and catches up through the watermark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

from crmhub.ingest.sources.pgoutput import Decoder, RowChange

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"invalid identifier {name!r}: use lower-case letters, digits and _")
    return name


def logical_decoding_available(conn: psycopg.Connection) -> bool:
    """True when the server's wal_level allows logical decoding."""
    return conn.execute("SHOW wal_level").fetchone()[0] == "logical"


@dataclass
class SlotLag:
    """One slot as the source server sees it.

    ``lag_bytes``: WAL after the last acknowledged change (what the next run will decode);
    ``retained_bytes``: WAL the server keeps on disk for it (from ``restart_lsn``);
    ``wal_status``: ``reserved``/``extended``/``unreserved``, or ``lost`` once invalidated.
    """

    slot: str
    lag_bytes: int
    active: bool
    retained_bytes: int = 0
    wal_status: str | None = None
    database: str | None = None

    @property
    def lost(self) -> bool:
        return self.wal_status == "lost"


_SLOT_COLUMNS = """slot_name, pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, active,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, wal_status, database"""


def _slot_lag(row: tuple) -> SlotLag:
    name, lag, active, retained, status, database = row
    return SlotLag(name, int(lag or 0), bool(active), int(retained or 0), status, database)


def list_slots(url: str, prefix: str = "crmhub_") -> list[SlotLag]:
    """The logical slots on the server at ``url`` whose name starts with ``prefix``, largest retention first."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            f"SELECT {_SLOT_COLUMNS} FROM pg_replication_slots WHERE slot_type = 'logical' "
            "AND starts_with(slot_name, %s) ORDER BY 4 DESC NULLS LAST, 1", (prefix,)).fetchall()
    return [_slot_lag(r) for r in rows]


class LogicalSource:
    """Changes of some tables of a source database, through a publication and a pgoutput slot.

    Args:
        url: libpq URL of the *source* database.
        slot: replication slot name (one per consumer).
        tables: qualified table names ("schema.table") to publish.
    """

    def __init__(self, url: str, slot: str, tables: list[str]):
        self.url = url
        self.slot = _ident(slot)
        self.publication = _ident(f"{slot}_pub")
        self.tables = [".".join(_ident(p) for p in t.split(".")) for t in tables]

    def ensure(self) -> None:
        """Create the publication and slot if missing (idempotent)."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            if not logical_decoding_available(conn):
                raise psycopg.NotSupportedError("wal_level is not 'logical'; use the updated_at watermark instead")
            exists = conn.execute("SELECT 1 FROM pg_publication WHERE pubname = %s", (self.publication,)).fetchone()
            if not exists:
                conn.execute(f"CREATE PUBLICATION {self.publication} FOR TABLE {', '.join(self.tables)}")
            slot = conn.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (self.slot,)).fetchone()
            if not slot:
                conn.execute("SELECT pg_create_logical_replication_slot(%s, 'pgoutput')", (self.slot,))

    def peek(self, limit: int = 10_000) -> tuple[list[RowChange], str | None]:
        """Committed row changes not yet acknowledged, and the LSN to acknowledge them up to."""
        decoder = Decoder()
        rows: list[RowChange] = []
        with psycopg.connect(self.url, autocommit=True) as conn:
            cur = conn.execute(
                "SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes(%s, NULL, %s, "
                "'proto_version', '1', 'publication_names', %s)",
                (self.slot, limit, self.publication),
            )
            for lsn, data in cur:
                rows.extend(decoder.feed(bytes(data), lsn))
        return rows, decoder.last_commit_end

    def acknowledge(self, lsn: str) -> None:
        """Advance the slot past ``lsn`` once the changes are committed downstream."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_replication_slot_advance(%s, %s::pg_lsn)", (self.slot, lsn))

    def lag(self) -> SlotLag:
        """How far the slot is behind the server's current WAL position, and what it retains."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(f"SELECT {_SLOT_COLUMNS} FROM pg_replication_slots WHERE slot_name = %s",
                               (self.slot,)).fetchone()
        if row is None:
            raise LookupError(f"replication slot {self.slot!r} does not exist")
        return _slot_lag(row)

    def drop(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s",
                (self.slot,),
            )
            conn.execute(f"DROP PUBLICATION IF EXISTS {self.publication}")
