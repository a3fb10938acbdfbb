"""Sandbox state (records, associations, idempotency keys, custom properties) and its persistence.

The working state always lives in memory (:class:`State`); a backend persists what each request
changed (:class:`Changes`) before the response is sent:

* :class:`MemoryBackend` - nothing persisted (default);
* :class:`JsonFileBackend` - the whole state rewritten atomically to one JSON file;
* :class:`PostgresBackend` - rows in its own schema (``crm_sandbox`` by default), created on start.
  This is a separate system from the warehouse: no crmhub migration touches it.

One sandbox process owns its state; two processes on the same schema/file are not supported.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from crm_sandbox.schema import BUILTIN, OBJECTS, PropertyDef, unique_key
from crmhub.exceptions import CrmHubError

FIRST_ID = {"contacts": 1001, "companies": 5001, "deals": 9001}


@dataclass
class Record:
    """One CRM object as stored: properties as strings, times in epoch ms."""

    object_type: str
    id: int
    properties: dict[str, str]
    created_at: int
    updated_at: int
    archived: bool = False
    archived_at: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": str(self.id), "properties": self.properties, "createdAt": self.created_at,
                "updatedAt": self.updated_at, "archived": self.archived, "archivedAt": self.archived_at}

    @classmethod
    def from_json(cls, object_type: str, d: dict[str, Any]) -> Record:
        return cls(object_type, int(d["id"]), dict(d["properties"]), int(d["createdAt"]), int(d["updatedAt"]),
                   bool(d.get("archived")), d.get("archivedAt"))


@dataclass
class IdempotencyEntry:
    key: str
    fingerprint: str
    status: int
    body: Any
    created_at: int


Assoc = tuple[str, int, str, int]  # (from_type, from_id, to_type, to_id); both directions are stored


@dataclass
class Changes:
    """What one request changed, for the backend to persist."""

    records: set[tuple[str, int]] = field(default_factory=set)
    assoc_added: set[Assoc] = field(default_factory=set)
    assoc_removed: set[Assoc] = field(default_factory=set)
    idempotency: list[IdempotencyEntry] = field(default_factory=list)
    properties: list[tuple[str, PropertyDef]] = field(default_factory=list)
    reset: bool = False

    def __bool__(self) -> bool:
        return bool(self.records or self.assoc_added or self.assoc_removed or self.idempotency
                    or self.properties or self.reset)


class State:
    """All sandbox data in memory, with unique-value indexes kept in step with the records."""

    def __init__(self) -> None:
        self.records: dict[str, dict[int, Record]] = {o: {} for o in OBJECTS}
        self.assocs: set[Assoc] = set()
        self.idempotency: dict[str, IdempotencyEntry] = {}
        self.custom_props: dict[str, dict[str, PropertyDef]] = {o: {} for o in OBJECTS}
        self.next_id: dict[str, int] = dict(FIRST_ID)
        self._unique: dict[tuple[str, str], dict[str, int]] = {}

    # -- properties
    def properties(self, object_type: str) -> dict[str, PropertyDef]:
        props = {p.name: p for p in BUILTIN[object_type]}
        props.update(self.custom_props[object_type])
        return props

    # -- ids
    def allocate_id(self, object_type: str) -> int:
        new = self.next_id[object_type]
        self.next_id[object_type] = new + 1
        return new

    # -- unique indexes (archived records free their unique values)
    def _index(self, object_type: str, prop: str) -> dict[str, int]:
        key = (object_type, prop)
        if key not in self._unique:
            idx: dict[str, int] = {}
            for rec in self.records[object_type].values():
                val = rec.properties.get(prop)
                if val is not None and not rec.archived:
                    idx[val.strip().lower()] = rec.id
            self._unique[key] = idx
        return self._unique[key]

    def find_unique(self, object_type: str, prop: PropertyDef, value: str) -> Record | None:
        rid = self._index(object_type, prop.name).get(unique_key(prop, value))
        return self.records[object_type].get(rid) if rid is not None else None

    def put(self, rec: Record) -> None:
        """Insert or replace a record, keeping indexes and the id counter in step."""
        old = self.records[rec.object_type].get(rec.id)
        for (otype, prop), idx in self._unique.items():
            if otype != rec.object_type:
                continue
            if old is not None and not old.archived and old.properties.get(prop) is not None:
                k = old.properties[prop].strip().lower()
                if idx.get(k) == old.id:
                    del idx[k]
            if not rec.archived and rec.properties.get(prop) is not None:
                idx[rec.properties[prop].strip().lower()] = rec.id
        self.records[rec.object_type][rec.id] = rec
        if rec.id >= self.next_id[rec.object_type]:
            self.next_id[rec.object_type] = rec.id + 1

    def delete(self, object_type: str, record_id: int) -> None:
        """Remove a record entirely (used to undo a failed request, not an API archive)."""
        old = self.records[object_type].pop(record_id, None)
        if old is None:
            return
        for (otype, prop), idx in self._unique.items():
            val = old.properties.get(prop)
            if otype == object_type and val is not None and idx.get(val.strip().lower()) == record_id:
                del idx[val.strip().lower()]

    def associated(self, from_type: str, from_id: int, to_type: str) -> list[int]:
        return sorted(t for (f, fid, tt, t) in self.assocs if f == from_type and fid == from_id and tt == to_type)

    def to_json(self) -> dict[str, Any]:
        return {
            "records": {o: [r.to_json() for r in recs.values()] for o, recs in self.records.items()},
            "associations": sorted(list(a) for a in self.assocs),
            "idempotency": [e.__dict__ for e in self.idempotency.values()],
            "properties": {o: [p.to_api(o) for p in d.values()] for o, d in self.custom_props.items()},
            "next_id": self.next_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        st = cls()
        for o, recs in data.get("records", {}).items():
            for r in recs:
                st.put(Record.from_json(o, r))
        st.assocs = {(a[0], int(a[1]), a[2], int(a[3])) for a in data.get("associations", [])}
        st.idempotency = {e["key"]: IdempotencyEntry(**e) for e in data.get("idempotency", [])}
        for o, props in data.get("properties", {}).items():
            st.custom_props[o] = {p["name"]: PropertyDef.from_api(p) for p in props}
        for o, n in data.get("next_id", {}).items():
            st.next_id[o] = max(st.next_id.get(o, 0), int(n))
        return st


class Backend:
    """Persistence interface: ``load`` at start, ``save`` after every changing request."""

    description = "memory"

    def load(self) -> State:
        return State()

    def save(self, state: State, changes: Changes) -> None:
        """Persist ``changes`` (already applied to ``state``); raise to signal failure."""

    def close(self) -> None:
        pass


class MemoryBackend(Backend):
    """Nothing persisted: the state dies with the process."""


class JsonFileBackend(Backend):
    """The whole state in one JSON file, rewritten atomically after each change."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.description = f"json:{self.path}"

    def load(self) -> State:
        if not self.path.exists():
            return State()
        try:
            return State.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise CrmHubError(f"{self.path}: not a crm-sandbox state file ({exc}); move it away or pass "
                              "another --state path") from exc

    def save(self, state: State, changes: Changes) -> None:
        if not changes:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(state.to_json(), fh)
        os.replace(tmp, self.path)


_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


class PostgresBackend(Backend):
    """State in PostgreSQL tables of its own schema; each request's changes commit in one transaction."""

    def __init__(self, url: str, schema: str = "crm_sandbox"):
        if not _SCHEMA_RE.match(schema):
            raise CrmHubError(f"invalid crm-sandbox schema name {schema!r}: use lower-case letters, digits, _")
        self.url = url
        self.schema = schema
        self.description = f"postgres:{schema}"
        try:
            self.conn = psycopg.connect(url)
        except psycopg.OperationalError as exc:
            from crmhub.warehouse.connection import redact

            raise CrmHubError(f"crm-sandbox cannot connect to {redact(url)}: {exc}") from exc
        self._create_tables()

    def _create_tables(self) -> None:
        s = self.schema
        with self.conn.transaction():
            self.conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
            self.conn.execute(
                f"""CREATE TABLE IF NOT EXISTS {s}.records (
                    object_type text NOT NULL, id bigint NOT NULL, properties jsonb NOT NULL,
                    created_at bigint NOT NULL, updated_at bigint NOT NULL,
                    archived boolean NOT NULL DEFAULT false, archived_at bigint,
                    PRIMARY KEY (object_type, id))""")
            self.conn.execute(
                f"""CREATE TABLE IF NOT EXISTS {s}.associations (
                    from_type text NOT NULL, from_id bigint NOT NULL, to_type text NOT NULL, to_id bigint NOT NULL,
                    PRIMARY KEY (from_type, from_id, to_type, to_id))""")
            self.conn.execute(
                f"""CREATE TABLE IF NOT EXISTS {s}.idempotency_keys (
                    key text PRIMARY KEY, fingerprint text NOT NULL, status integer NOT NULL,
                    body jsonb, created_at bigint NOT NULL)""")
            self.conn.execute(
                f"""CREATE TABLE IF NOT EXISTS {s}.properties (
                    object_type text NOT NULL, name text NOT NULL, definition jsonb NOT NULL,
                    PRIMARY KEY (object_type, name))""")
            self.conn.execute(
                f"CREATE TABLE IF NOT EXISTS {s}.counters (object_type text PRIMARY KEY, next_id bigint NOT NULL)")

    def load(self) -> State:
        s = self.schema
        st = State()
        with self.conn.transaction():
            for row in self.conn.execute(f"SELECT object_type, name, definition FROM {s}.properties"):
                st.custom_props.setdefault(row[0], {})[row[1]] = PropertyDef.from_api(row[2])
            for row in self.conn.execute(
                    f"SELECT object_type, id, properties, created_at, updated_at, archived, archived_at "
                    f"FROM {s}.records ORDER BY object_type, id"):
                if row[0] in st.records:
                    st.put(Record(row[0], row[1], row[2], row[3], row[4], row[5], row[6]))
            st.assocs = {tuple(r) for r in self.conn.execute(  # type: ignore[misc]
                f"SELECT from_type, from_id, to_type, to_id FROM {s}.associations")}
            for row in self.conn.execute(f"SELECT key, fingerprint, status, body, created_at FROM {s}.idempotency_keys"):
                st.idempotency[row[0]] = IdempotencyEntry(*row)
            for row in self.conn.execute(f"SELECT object_type, next_id FROM {s}.counters"):
                if row[0] in st.next_id:
                    st.next_id[row[0]] = max(st.next_id[row[0]], row[1])
        return st

    def save(self, state: State, changes: Changes) -> None:
        if not changes:
            return
        s = self.schema
        try:
            with self.conn.transaction(), self.conn.cursor() as cur:
                if changes.reset:
                    for table in ("records", "associations", "idempotency_keys", "properties", "counters"):
                        cur.execute(f"DELETE FROM {s}.{table}")
                for otype, prop in changes.properties:
                    cur.execute(
                        f"INSERT INTO {s}.properties VALUES (%s, %s, %s) ON CONFLICT (object_type, name) "
                        "DO UPDATE SET definition = EXCLUDED.definition", (otype, prop.name, Jsonb(prop.to_api(otype))))
                rows = []
                for otype, rid in changes.records:
                    r = state.records[otype][rid]
                    rows.append((otype, rid, Jsonb(r.properties), r.created_at, r.updated_at, r.archived, r.archived_at))
                if rows:
                    cur.executemany(
                        f"""INSERT INTO {s}.records VALUES (%s, %s, %s, %s, %s, %s, %s)
                            ON CONFLICT (object_type, id) DO UPDATE SET properties = EXCLUDED.properties,
                            created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
                            archived = EXCLUDED.archived, archived_at = EXCLUDED.archived_at""", rows)
                if changes.assoc_removed:
                    cur.executemany(
                        f"DELETE FROM {s}.associations WHERE from_type=%s AND from_id=%s AND to_type=%s AND to_id=%s",
                        list(changes.assoc_removed))
                if changes.assoc_added:
                    cur.executemany(f"INSERT INTO {s}.associations VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                                    list(changes.assoc_added))
                if changes.idempotency:
                    cur.executemany(
                        f"INSERT INTO {s}.idempotency_keys VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
                        [(e.key, e.fingerprint, e.status, Jsonb(e.body), e.created_at) for e in changes.idempotency])
                if changes.records or changes.reset:
                    cur.executemany(
                        f"INSERT INTO {s}.counters VALUES (%s, %s) ON CONFLICT (object_type) "
                        "DO UPDATE SET next_id = EXCLUDED.next_id", list(state.next_id.items()))
        except psycopg.OperationalError:
            # A broken connection: reconnect once so the next request can work again, then report.
            self.conn = psycopg.connect(self.url)
            raise

    def close(self) -> None:
        self.conn.close()


def open_backend(state: str | None = None, state_url: str | None = None, schema: str = "crm_sandbox") -> Backend:
    """Pick the backend for ``--state PATH`` / ``--state-url URL`` (a URL wins), else memory."""
    if state_url:
        return PostgresBackend(state_url, schema)
    if state:
        return JsonFileBackend(state)
    return MemoryBackend()
