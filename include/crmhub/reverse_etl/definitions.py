"""Sync definitions: the ``reverse_etl:`` section of ``config/integration_map.yaml`` as dataclasses.

The section is validated with the rest of the map (JSON Schema + cross-references in
:mod:`crmhub.config.integration_map`); this module only builds typed objects from it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from crmhub.config.integration_map import IntegrationMap, load_integration_map
from crmhub.exceptions import ConfigError
from crmhub.reverse_etl import transforms

DEFAULT_RATE_LIMIT = {"requests": 100, "per_seconds": 10.0}
#: A staging table a model reads: ``staging.<connector>``, created by that connector's first load.
_STAGING_READ = re.compile(r"\bstaging\.([A-Za-z_][A-Za-z0-9_]*)")
CORE_TABLES = {"contact": "contact", "company": "entity", "entity": "entity"}


@dataclass(frozen=True)
class FieldMapping:
    """One model column -> one destination property, through transforms."""

    column: str
    property: str
    transform: tuple = ()

    def value(self, row: dict[str, Any]) -> str | None:
        return transforms.apply(row.get(self.column), self.transform)


@dataclass(frozen=True)
class UpsertKey:
    """A unique destination property used to find records not yet in the crosswalk (e.g. email)."""

    property: str
    column: str


@dataclass(frozen=True)
class SyncDefinition:
    """One reverse ETL sync: model -> destination with id mapping, field mapping and mode."""

    name: str
    owner: str
    model_sql: str
    key: str
    destination_kind: str                 # crm | postgres
    destination_object: str | None        # contacts | companies (crm)
    destination_table: str | None         # schema.table (postgres)
    connector: str
    fields: tuple[FieldMapping, ...]
    mode: str = "upsert"                  # upsert | update | mirror
    schedule: str | None = None
    description: str = ""
    id_system: str = "crm"
    id_object: str = "contact"
    core_table: str = "contact"
    upsert_by: tuple[UpsertKey, ...] = ()
    read_before: bool = False
    max_archive_share: float = 0.2
    batch_size: int = 100
    rate_limit: dict = field(default_factory=lambda: dict(DEFAULT_RATE_LIMIT))
    concurrency: int = 4
    max_attempts: int = 8
    timeout_s: float = 10.0
    source_ts: str | None = None          # model column: the source system's timestamp of the row's values

    @property
    def destination(self) -> str:
        if self.destination_kind == "crm":
            return f"crm:{self.destination_object}"
        return f"postgres:{self.destination_table}"

    @property
    def staging_reads(self) -> tuple[str, ...]:
        """The staging tables the model reads (``staging.<connector>``), sorted, each once."""
        return tuple(sorted({f"staging.{t}" for t in _STAGING_READ.findall(self.model_sql)}))

    @property
    def properties(self) -> tuple[str, ...]:
        return tuple(f.property for f in self.fields)

    def payload(self, row: dict[str, Any]) -> dict[str, str | None]:
        """The mapped payload of one model row (property -> wire value)."""
        return {f.property: f.value(row) for f in self.fields}

    @classmethod
    def from_dict(cls, raw: dict, section: dict | None = None) -> SyncDefinition:
        section = section or {}
        model = raw["model"]
        sql = model.get("sql") or f"SELECT * FROM {model['view']}"
        dest = raw["destination"]
        idm = raw.get("id_mapping") or {}
        kind = dest["kind"]
        obj = dest.get("object")
        default_object = {"contacts": "contact", "companies": "company"}.get(obj or "", "contact")
        id_object = idm.get("object", default_object)
        connector = dest.get("connector") or f"reverse_etl_{raw['name']}"
        return cls(
            name=raw["name"],
            owner=raw["owner"],
            description=raw.get("description", ""),
            model_sql=sql.strip().rstrip(";"),
            key=model.get("key", "crmhub_id"),
            source_ts=model.get("source_ts"),
            destination_kind=kind,
            destination_object=obj,
            destination_table=dest.get("table"),
            connector=connector,
            fields=tuple(FieldMapping(f["column"], f["property"], tuple(f.get("transform") or ()))
                         for f in raw["fields"]),
            mode=raw.get("mode", "upsert"),
            schedule=raw.get("schedule"),
            id_system=idm.get("system", "crm"),
            id_object=id_object,
            core_table=idm.get("core_table", CORE_TABLES.get(id_object, "contact")),
            upsert_by=tuple(UpsertKey(u["property"], u.get("column", u["property"])) for u in idm.get("upsert_by") or ()),
            read_before=bool(raw.get("read_before", False)),
            max_archive_share=float(raw.get("max_archive_share", section.get("max_archive_share", 0.2))),
            batch_size=int(raw.get("batch_size", section.get("batch_size", 100))),
            rate_limit=dict(raw.get("rate_limit") or section.get("rate_limit") or DEFAULT_RATE_LIMIT),
            concurrency=int(raw.get("concurrency", section.get("concurrency", 4))),
            max_attempts=int(raw.get("max_attempts", section.get("max_attempts", 8))),
            timeout_s=float(raw.get("timeout_s", section.get("timeout_s", 10.0))),
        )


def payload_hash(payload: dict[str, Any]) -> str:
    """Stable hash of a mapped payload (sorted keys, canonical JSON)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def load_syncs(imap: IntegrationMap | None = None) -> dict[str, SyncDefinition]:
    """Every sync of the map's ``reverse_etl`` section, by name (empty when the section is absent)."""
    imap = imap or load_integration_map()
    section = imap.raw.get("reverse_etl") or {}
    return {s["name"]: SyncDefinition.from_dict(s, section) for s in section.get("syncs") or []}


def get_sync(name: str, imap: IntegrationMap | None = None) -> SyncDefinition:
    """The sync called ``name``; ConfigError names the known ones."""
    imap = imap or load_integration_map()
    syncs = load_syncs(imap)
    if name not in syncs:
        raise ConfigError(str(imap.path), [("reverse_etl.syncs", f"no sync named {name!r}; known: "
                                                                 f"{', '.join(sorted(syncs)) or 'none'}")])
    return syncs[name]
