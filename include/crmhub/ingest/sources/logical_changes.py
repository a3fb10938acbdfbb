"""A ``Source`` over logical-decoding changes of a PostgreSQL table, feeding the normal merge path.

Inserts and updates carry their new row. A delete carries only the key, so the tombstone takes its other
values from the latest staged version of that record (the contract needs them) and the commit time as
its timestamp, marked ``deleted``. Changes are acknowledged on the slot only after the load committed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import psycopg
from psycopg import sql

from crmhub.config import Connector
from crmhub.ingest.sources.base import SourceBatch
from crmhub.ingest.sources.logical_slot import LogicalSource
from crmhub.ingest.sources.pgoutput import UNCHANGED_TOAST


class LogicalChangesSource:
    """Committed changes of ``connector``'s source table since the slot's confirmed position."""

    def __init__(self, connector: Connector, logical: LogicalSource, warehouse_url: str, *, limit: int = 50_000):
        self.connector = connector
        self.logical = logical
        self.warehouse_url = warehouse_url
        self.limit = limit
        self.name = connector.name
        self.origin = f"logical:{logical.slot}"
        self.ack_lsn: str | None = None
        self.changes = 0
        self._records: list[dict] | None = None
        self._deleted: list[bool] = []
        self._locators: list[str] = []

    def _last_staged(self, keys: list[str]) -> dict[str, dict]:
        if not keys:
            return {}
        pk = self.connector.primary_key
        cols = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(f)) for f in self.connector.field_names)
        with psycopg.connect(self.warehouse_url) as conn:
            exists = conn.execute("SELECT to_regclass(%s)", (f"staging.{self.connector.name}",)).fetchone()[0]
            if exists is None:
                return {}
            rows = conn.execute(
                sql.SQL("SELECT DISTINCT ON ({pk}) {cols} FROM {t} WHERE {pk}::text = ANY(%s) "
                        "ORDER BY {pk}, row_no DESC").format(
                    pk=sql.Identifier(pk), cols=cols, t=sql.Identifier("staging", self.connector.name)),
                (keys,),
            ).fetchall()
        return {r[self.connector.field_names.index(pk)]: dict(zip(self.connector.field_names, r, strict=True))
                for r in rows}

    def peek_count(self) -> int:
        """Fetch the pending changes and build their records (before the load opens its transaction)."""
        rows, self.ack_lsn = self.logical.peek(self.limit)
        table = self.connector.source.get("table", "")
        rows = [r for r in rows if f"{r.schema}.{r.table}" == table and r.op != "truncate"]
        self.changes = len(rows)
        fields = list(self.connector.field_names)
        pk, ts = self.connector.primary_key, self.connector.timestamp_source
        last = self._last_staged([str((r.old or {}).get(pk)) for r in rows if r.op == "delete"])
        self._records, self._deleted, self._locators = [], [], []
        for r in rows:
            if r.op == "delete":
                key = str((r.old or {}).get(pk))
                values = dict(last.get(key, {pk: key}))
                values[ts] = r.commit_time.isoformat() if r.commit_time else values.get(ts)
            else:
                values = {f: (None if r.new.get(f) is UNCHANGED_TOAST else r.new.get(f)) for f in fields}
            self._records.append({f: values.get(f) for f in fields})
            self._deleted.append(r.op == "delete")
            self._locators.append(f"{self.origin}@{r.lsn}:{r.op}")
        return self.changes

    def batches(self) -> Iterator[SourceBatch]:
        if self._records is None:
            self.peek_count()
        if not self._records:
            return
        fields = list(self.connector.field_names)
        frame = pd.DataFrame({f: pd.array([rec[f] for rec in self._records], dtype="str") for f in fields})
        yield SourceBatch(frame=frame, locators=self._locators, origin=self.origin, header=fields,
                          cursor=self.ack_lsn, deleted=self._deleted)

    def acknowledge(self) -> None:
        if self.ack_lsn:
            self.logical.acknowledge(self.ack_lsn)


