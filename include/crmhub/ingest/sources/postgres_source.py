"""A PostgreSQL table or query read through a server-side cursor, in chunks, values as text.

* ``table`` (``schema.table``) or ``query`` (a SELECT, used as a sub-query) from the connector's source.
* Incremental: with ``cursor_column`` and ``updated_since``, only rows with ``cursor_column >
  updated_since`` are read, ordered by the cursor column; each batch's ``cursor`` is the last (largest)
  cursor value read, so the next pull can resume after it.
* Every value is converted to text by PostgreSQL itself (``col::text``), so typing stays the contract
  checker's job, exactly as for files.
* ``locators``: ``"<table>:<cursor_column>=<value>"`` (or ``"<table>:#<n>"`` without a cursor column).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pandas as pd
import psycopg
from psycopg import sql

from crmhub.ingest.sources.base import SourceBatch
from crmhub.warehouse.connection import connect


def _relation(name: str) -> sql.Composable:
    return sql.SQL(".").join(sql.Identifier(part) for part in name.split("."))


class PostgresSource:
    """Read a table or query from a PostgreSQL database (``url``) in chunks of ``chunk_rows``."""

    def __init__(
        self,
        url: str,
        *,
        table: str | None = None,
        query: str | None = None,
        cursor_column: str | None = None,
        updated_since: str | None = None,
        chunk_rows: int = 10_000,
        name: str = "postgres",
    ):
        if (table is None) == (query is None):
            raise ValueError("give exactly one of table or query")
        self.url = url
        self.table = table
        self.query = query
        self.cursor_column = cursor_column
        self.updated_since = updated_since
        self.chunk_rows = chunk_rows
        self.name = name
        self.origin = table or "query"

    @classmethod
    def for_connector(cls, connector, url: str, *, updated_since: str | None = None, **kwargs) -> PostgresSource:
        src = connector.source
        return cls(
            url, table=src.get("table"), query=src.get("query"), cursor_column=src.get("cursor_column"),
            updated_since=updated_since, name=connector.name, **kwargs,
        )

    def _base(self) -> sql.Composable:
        if self.table:
            return sql.SQL("SELECT * FROM {}").format(_relation(self.table))
        return sql.SQL(self.query.strip().rstrip(";"))  # type: ignore[union-attr]

    def batches(self) -> Iterator[SourceBatch]:
        with connect(self.url) as conn:
            base = self._base()
            with conn.cursor() as cur:
                cur.execute(sql.SQL("SELECT * FROM ({}) s LIMIT 0").format(base))
                columns = [d.name for d in cur.description]
            select = sql.SQL(", ").join(
                sql.SQL("s.{c}::text AS {c}").format(c=sql.Identifier(c)) for c in columns
            )
            stmt = sql.SQL("SELECT {} FROM ({}) s").format(select, base)
            params: list = []
            if self.cursor_column:
                cur_col = sql.Identifier(self.cursor_column)
                if self.updated_since is not None:
                    stmt += sql.SQL(" WHERE s.{} > %s").format(cur_col)
                    params.append(self.updated_since)
                stmt += sql.SQL(" ORDER BY s.{}").format(cur_col)
            with conn.transaction(), conn.cursor(name=f"crmhub_src_{uuid.uuid4().hex[:8]}") as cur:
                cur.itersize = self.chunk_rows
                cur.execute(stmt, params)
                n = 0
                while rows := cur.fetchmany(self.chunk_rows):
                    frame = pd.DataFrame(
                        {c: pd.array(col, dtype="str") for c, col in zip(columns, zip(*rows, strict=True), strict=True)}
                    )
                    if self.cursor_column:
                        locators = (f"{self.origin}:{self.cursor_column}=" + frame[self.cursor_column].fillna("")).tolist()
                        cursor = frame[self.cursor_column].iloc[-1]
                    else:
                        locators = [f"{self.origin}:#{i}" for i in range(n, n + len(rows))]
                        cursor = None
                    n += len(rows)
                    yield SourceBatch(frame=frame, locators=locators, origin=self.origin, header=columns, cursor=cursor)


def max_cursor(conn: psycopg.Connection, table: str, column: str) -> str | None:
    """Largest value of ``column`` in ``table`` as text (helper for watermarks)."""
    return conn.execute(
        sql.SQL("SELECT max({})::text FROM {}").format(sql.Identifier(column), _relation(table))
    ).fetchone()[0]
