"""Load and validate ``config/integration_map.yaml``.

Validation happens in two passes and reports every problem at once, each with its YAML path and line:
the JSON Schema in ``config/schema/integration_map.schema.json`` (shape and types), then the
cross-references a schema cannot express: owners are people, connectors name known systems,
primary key and timestamp source are contracted fields, field-map sources resolve to contracts,
SLA names exist. "No owner = no deployment": any unowned system, connector, field, SLA or
field-map entry fails. "No class = no deployment": every connector field carries a data class
(``public``, ``internal``, ``pii_contact``, ``pii_tax``, ``financial``); the class alone decides masking.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from crmhub import settings
from crmhub.config.yaml_paths import format_path, line_index, locate
from crmhub.exceptions import ConfigError
from crmhub.hubspot import wire
from crmhub.pools import CRITICAL_POOL, DEFAULT_POOL, DEFAULT_POOL_SLOTS  # noqa: F401  (re-exported)

SCHEMA_PATH = settings.REPO_ROOT / "config" / "schema" / "integration_map.schema.json"
_DURATION = re.compile(r"^(\d+)(s|m|h|d)$")
_NAMED = {"nightly": 86400, "daily": 86400, "hourly": 3600, "weekly": 7 * 86400}
#: Data classes whose values are masked wherever people read them and unmasked only through a logged read.
SENSITIVE_CLASSES = frozenset({"pii_contact", "pii_tax", "financial"})


def duration_seconds(text: str) -> int:
    """``"15m"`` -> 900, ``"6h"`` -> 21600, ``"nightly"`` -> 86400."""
    if text in _NAMED:
        return _NAMED[text]
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"invalid duration {text!r}; use e.g. 30s, 15m, 6h, 1d, nightly")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


@dataclass(frozen=True)
class FieldContract:
    """One source field's contract: type, allowed values/range, transform, null handling, owner."""

    name: str
    type: str
    null_handling: str
    owner: str
    allowed: tuple | None = None
    range: dict | None = None
    default: Any = None
    transform: tuple = ()
    timestamp_source: str | None = None
    data_class: str = "internal"
    enrichment: bool = False
    target: str | None = None
    description: str = ""
    #: ``people.crm_owner_id``: the value is a source user id naming the record's owner (target ``<table>.owner``)
    person_from: str | None = None
    #: (source user id, person id) pairs of ``people``, set from ``person_from`` by load_integration_map
    persons: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, raw: dict) -> FieldContract:
        data = dict(raw)
        data.pop("allowed_from", None)    # already expanded into ``allowed`` by load_integration_map
        if data.get("persons"):
            data["persons"] = tuple((str(k), str(v)) for k, v in dict(data["persons"]).items())
        if data.get("allowed") is not None:
            data["allowed"] = tuple(data["allowed"])
        data["transform"] = tuple(data.get("transform") or ())
        legacy_sensitive = data.pop("sensitive", None)
        if "class" in data:
            data["data_class"] = data.pop("class")
        elif legacy_sensitive:  # contracts built in code before classes existed
            data["data_class"] = "pii_contact"
        return cls(**data)

    @property
    def sensitive(self) -> bool:
        """Masked in quarantine/drift samples, logs and reports: derived from the class, nowhere else."""
        return self.data_class in SENSITIVE_CLASSES


@dataclass(frozen=True)
class Connector:
    """A source of one object from one system, with the contract of each of its fields."""

    name: str
    system: str
    object: str
    owner: str
    source: dict
    primary_key: str
    timestamp_source: str
    targets: tuple
    sla: dict
    fields: tuple[FieldContract, ...]
    description: str = ""
    runbook: str | None = None
    delete_marker: str | None = None
    bulk_threshold: int | None = None
    critical: bool = False

    @classmethod
    def from_dict(cls, raw: dict) -> Connector:
        data = dict(raw)
        data["fields"] = tuple(FieldContract.from_dict(f) for f in data["fields"])
        data["targets"] = tuple(data["targets"])
        return cls(**data)

    @property
    def kind(self) -> str:
        return self.source["kind"]

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldContract:
        for contract in self.fields:
            if contract.name == name:
                return contract
        raise KeyError(f"connector {self.name!r} has no field {name!r}; fields: {', '.join(self.field_names)}")


@dataclass(frozen=True)
class IntegrationMap:
    """The validated integration map. ``raw`` keeps the YAML data for sections later issues add."""

    path: Path
    raw: dict
    people: dict[str, dict]
    systems: dict[str, dict]
    stages: dict
    slas: dict[str, dict]
    connectors: tuple[Connector, ...]
    field_map: tuple[dict, ...] = field(default_factory=tuple)

    def connector(self, name: str) -> Connector:
        for conn in self.connectors:
            if conn.name == name:
                return conn
        known = ", ".join(c.name for c in self.connectors)
        raise KeyError(f"unknown connector {name!r}; known: {known}")

    def owner(self, person_id: str) -> dict:
        return self.people[person_id]

    def runbook_url(self, topic: str) -> str:
        return f"{self.raw.get('runbook_base_url', 'docs/runbooks/')}{topic}"


#: Kinds of map items that carry ``owner`` and ``critical``, and where their list lives in the map.
ITEM_SECTIONS: dict[str, tuple[str, ...]] = {
    "connector": ("connectors",),
    "sync": ("reverse_etl", "syncs"),
    "rule": ("reconciliation", "rules"),
    "automation": ("automations",),
}


def map_item(imap: IntegrationMap, kind: str, name: str) -> dict:
    """The raw map entry of a connector, reverse-ETL sync, reconciliation rule or automation.

    Raises:
        KeyError: unknown kind or name (the message lists the known names).
    """
    if kind not in ITEM_SECTIONS:
        raise KeyError(f"unknown map item kind {kind!r}; valid: {', '.join(ITEM_SECTIONS)}")
    section: Any = imap.raw
    for key in ITEM_SECTIONS[kind]:
        section = (section or {}).get(key) if isinstance(section, dict) else None
    items = {item["name"]: item for item in section or []}
    if name not in items:
        raise KeyError(f"unknown {kind} {name!r}; known: {', '.join(items) or '(none)'}")
    return items[name]


def is_critical(imap: IntegrationMap, kind: str, name: str) -> bool:
    """``critical:`` of a connector / sync / rule / automation (default False): critical work runs first
    (pool ``crmhub_critical``) and keeps running in go-live mode."""
    return bool(map_item(imap, kind, name).get("critical", False))


def split_by_criticality(imap: IntegrationMap, kind: str, names: list[str]) -> dict[str, list[str]]:
    """``{"critical": [...], "default": [...]}`` of ``names`` in their order (each name checked)."""
    out: dict[str, list[str]] = {"critical": [], "default": []}
    for name in names:
        out["critical" if is_critical(imap, kind, name) else "default"].append(name)
    return out


def pool_slots(imap: IntegrationMap) -> dict[str, int]:
    """Slots of the Airflow pools ``crmhub_critical`` and ``crmhub_default`` (map ``airflow.pools``)."""
    pools = (imap.raw.get("airflow") or {}).get("pools") or {}
    return {name: int(pools.get(name, default)) for name, default in DEFAULT_POOL_SLOTS.items()}


def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_integration_map(data: Any, source: str = "<integration map>", text: str | None = None) -> list[str]:
    """Every problem in ``data`` as ``"<yaml path> (line N): message"``; empty when valid."""
    index = line_index(text) if text else {}
    problems: list[tuple[tuple, str]] = []
    validator = jsonschema.Draft202012Validator(_schema())
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        problems.append((tuple(err.absolute_path), _schema_message(err)))
    if isinstance(data, dict) and not problems:
        problems.extend(_cross_reference_problems(data))

    out = []
    for path, message in problems:
        line = locate(path, index)
        where = format_path(path, data) + (f" (line {line})" if line else "")
        out.append(f"{where}: {message}")
    return out


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        if missing == "owner":
            return "no owner: every system, connector, field, SLA and field-map entry needs one (no owner = no deployment)"
        if missing == "class":
            return ("no class: every field needs `class:` (public, internal, pii_contact, pii_tax or financial; "
                    "no class = no deployment)")
        return f"missing required key {missing!r}"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {err.validator_value}"
    return err.message


def _cross_reference_problems(data: dict) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    people = {p["id"] for p in data["people"]}

    def owner_ok(path: tuple, owner: str) -> None:
        if owner not in people:
            problems.append((path, f"owner {owner!r} is not a person in `people` (no owner = no deployment)"))

    crm_owner_ids: dict[str, str] = {}
    for i, person in enumerate(data["people"]):
        if [p["id"] for p in data["people"]].count(person["id"]) > 1 and i > 0:
            problems.append((("people", i, "id"), f"duplicate person id {person['id']!r}"))
        crm_id = person.get("crm_owner_id")
        if crm_id is not None and crm_owner_ids.setdefault(crm_id, person["id"]) != person["id"]:
            problems.append((("people", i, "crm_owner_id"), f"crm owner id {crm_id!r} is already "
                             f"{crm_owner_ids[crm_id]!r}'s: one CRM user is one person"))
    for name, system in data["systems"].items():
        owner_ok(("systems", name, "owner"), system["owner"])
    stages = data["stages"]
    if stages["accept_stage"] not in stages["fundraising"]:
        problems.append((("stages", "accept_stage"), f"{stages['accept_stage']!r} is not a fundraising stage"))
    for i, conn in enumerate(data["connectors"]):
        for j, f in enumerate(conn["fields"]):
            if str(f.get("target", "")).endswith(".stage") and f.get("allowed_from") != "stages.fundraising":
                problems.append((("connectors", i, "fields", j), "a stage field takes its values from the map's "
                                 "stage list: write `allowed_from: stages.fundraising` instead of `allowed`"))
            if str(f.get("target", "")).endswith(".owner") != ("person_from" in f):
                problems.append((("connectors", i, "fields", j), "a field with target <table>.owner holds a source "
                                 "user id that names a person: give it `person_from: people.crm_owner_id` (and "
                                 "only such a field)"))
    sla_names = set()
    for i, sla in enumerate(data["slas"]):
        owner_ok(("slas", i, "owner"), sla["owner"])
        for end in ("from", "to"):
            if sla[end] not in data["systems"]:
                problems.append((("slas", i, end), f"unknown system {sla[end]!r}"))
        if sla["name"] in sla_names:
            problems.append((("slas", i, "name"), f"duplicate SLA name {sla['name']!r}"))
        sla_names.add(sla["name"])
        problems.extend((("slas", i, "missing_fields") + sub, msg) for sub, msg in _missing_fields_problems(data, sla))

    contracted: set[str] = set()
    seen_connectors: set[str] = set()
    for i, conn in enumerate(data["connectors"]):
        base = ("connectors", i)
        if conn["name"] in seen_connectors:
            problems.append((base + ("name",), f"duplicate connector name {conn['name']!r}"))
        seen_connectors.add(conn["name"])
        owner_ok(base + ("owner",), conn["owner"])
        if conn["system"] not in data["systems"]:
            problems.append((base + ("system",), f"unknown system {conn['system']!r}"))
        names = [f["name"] for f in conn["fields"]]
        for j, fld in enumerate(conn["fields"]):
            owner_ok(base + ("fields", j, "owner"), fld["owner"])
            if names.count(fld["name"]) > 1 and names.index(fld["name"]) != j:
                problems.append((base + ("fields", j, "name"), f"duplicate field {fld['name']!r}"))
            ts = fld.get("timestamp_source")
            if ts and ts not in names:
                problems.append((base + ("fields", j, "timestamp_source"), f"{ts!r} is not a field of this connector"))
            if "sensitive" in fld and fld["sensitive"] != (fld["class"] in SENSITIVE_CLASSES):
                problems.append((base + ("fields", j, "sensitive"),
                                 f"sensitive: {str(fld['sensitive']).lower()} contradicts class {fld['class']!r}; "
                                 "remove `sensitive:` (the class decides masking)"))
            rng = fld.get("range") or {}
            if "min" in rng and "max" in rng and rng["min"] > rng["max"]:
                problems.append((base + ("fields", j, "range"), "min is greater than max"))
            contracted.add(f"{conn['name']}.{fld['name']}")
        for key in ("primary_key", "timestamp_source", "delete_marker"):
            if conn.get(key) and conn[key] not in names:
                problems.append((base + (key,), f"{conn[key]!r} is not a contracted field of this connector"))

    sync_columns = {x["name"]: {f.get("column") for f in x.get("fields") or []}
                    for x in (data.get("reverse_etl") or {}).get("syncs") or []}
    for i, entry in enumerate(data["field_map"]):
        owner_ok(("field_map", i, "owner"), entry["owner"])
        if entry["source"] not in contracted and not warehouse_source_ok(data, entry, sync_columns):
            problems.append((("field_map", i, "source"), f"{entry['source']!r} has no field contract (add it under its connector's fields; a warehouse model's column is `<warehouse system>.<column>` with the `sync` whose model returns it)"))
        if entry["sla"] not in sla_names:
            problems.append((("field_map", i, "sla"), f"unknown SLA {entry['sla']!r}"))
        syncs = set(sync_columns)
        if "sync" in entry and entry["sync"] not in syncs:
            problems.append((("field_map", i, "sync"), f"unknown reverse-ETL sync {entry['sync']!r}; known: "
                                                       f"{', '.join(sorted(syncs)) or 'none'}"))

    # Outreach automations (optional section): owned by a person, unique names, one flag each.
    seen_automations: set[str] = set()
    seen_flags: dict[str, str] = {}
    for i, auto in enumerate(data.get("automations") or []):
        base = ("automations", i)
        owner_ok(base + ("owner",), auto["owner"])
        if auto["name"] in seen_automations:
            problems.append((base + ("name",), f"duplicate automation name {auto['name']!r}"))
        seen_automations.add(auto["name"])
        if auto["flag"] in seen_flags:
            problems.append((base + ("flag",), f"flag {auto['flag']!r} already gates automation {seen_flags[auto['flag']]!r}; give each automation its own flag"))
        seen_flags.setdefault(auto["flag"], auto["name"])
    if isinstance(data.get("security"), dict):
        owner_ok(("security", "owner"), data["security"]["owner"])
    control = (data.get("outreach") or {}).get("control_list")
    if control:
        owner_ok(("outreach", "control_list", "owner"), control["owner"])
        seen_members: set[str] = set()
        for j, member in enumerate(control["members"]):
            email = member["email"].strip().lower()
            if email in seen_members:
                problems.append((("outreach", "control_list", "members", j, "email"), "listed twice"))
            seen_members.add(email)
    problems.extend(_reverse_etl_problems(data, owner_ok))
    problems.extend(_reconciliation_problems(data))
    return problems


#: The target system's objects whose properties a deal carries for an SLA's ``missing_fields`` alert: the deal
#: itself and the companies and contacts associated with it (``core.deal_association``).
MISSING_FIELDS_OBJECTS = ("deal", "company", "contact")


def missing_field_targets(data: dict, sla: dict) -> list[tuple[str, str, str]]:
    """``[(object, property, sync)]``: what the SLA's ``missing_fields`` alert looks for, the properties its
    ``field_map`` entries write to the SLA's ``to`` system (target ``<to>.<object>.<property>``) through a
    reverse-ETL sync (``billing_to_crm``: ``company``, ``invoice_status``, ``company_invoice_status``)."""
    out = []
    for entry in data.get("field_map") or []:
        parts = entry["target"].split(".")
        if entry["sla"] == sla["name"] and entry.get("sync") and len(parts) == 3 and parts[0] == sla["to"]:
            out.append((parts[1], parts[2], entry["sync"]))
    return out


def _missing_fields_problems(data: dict, sla: dict) -> list[tuple[tuple, str]]:
    spec = sla.get("missing_fields")
    if not spec:
        return []
    problems: list[tuple[tuple, str]] = []
    stages = data["stages"]["fundraising"]
    if spec.get("from_stage") is not None and spec["from_stage"] not in stages:
        problems.append((("from_stage",), f"{spec['from_stage']!r} is not a fundraising stage; use one of "
                                          f"{', '.join(stages)}"))
    targets = missing_field_targets(data, sla)
    if not targets:
        problems.append(((), f"no field_map entry of SLA {sla['name']!r} writes a {sla['to']} property through a "
                             f"sync: add one (target `{sla['to']}.<object>.<property>`, `sync:`) or remove "
                             "missing_fields"))
    for obj, prop, _sync in targets:
        if obj not in MISSING_FIELDS_OBJECTS:
            problems.append(((), f"{sla['to']}.{obj}.{prop}: a {spec['of']} does not carry {obj} properties; "
                                 f"missing_fields counts properties of {', '.join(MISSING_FIELDS_OBJECTS)}"))
    return problems


_CRM_OBJECTS = {"contacts": "contact", "companies": "company"}


def _reverse_etl_problems(data: dict, owner_ok: Any) -> list[tuple[tuple, str]]:
    """Cross-checks of the ``reverse_etl`` section (owners, destination connectors, id mapping, models)."""
    problems: list[tuple[tuple, str]] = []
    section = data.get("reverse_etl")
    if not isinstance(section, dict):
        return problems
    connectors = {c["name"]: c for c in data["connectors"]}
    names: set[str] = set()
    for i, sync in enumerate(section.get("syncs") or []):
        base = ("reverse_etl", "syncs", i)
        owner_ok(base + ("owner",), sync["owner"])
        if sync["name"] in names:
            problems.append((base + ("name",), f"duplicate sync name {sync['name']!r}"))
        names.add(sync["name"])
        sql = (sync["model"].get("sql") or "").strip().rstrip(";").strip()
        if ";" in sql:
            problems.append((base + ("model", "sql"), "the model must be one SELECT statement (found ';' inside)"))
        dest = sync["destination"]
        idm = sync.get("id_mapping") or {}
        if dest["kind"] == "crm":
            conn = connectors.get(dest["connector"])
            if conn is None:
                problems.append((base + ("destination", "connector"),
                                 f"unknown connector {dest['connector']!r}; use the CRM connector of the object"))
            else:
                system = data["systems"].get(conn["system"], {})
                if system.get("kind") != "crm":
                    problems.append((base + ("destination", "connector"),
                                     f"connector {dest['connector']!r} is not a CRM connector (system {conn['system']!r})"))
                elif conn["object"] != _CRM_OBJECTS[dest["object"]]:
                    problems.append((base + ("destination", "connector"),
                                     f"connector {dest['connector']!r} carries {conn['object']!r}, not {dest['object']!r}"))
            if idm.get("system", "crm") not in data["systems"]:
                problems.append((base + ("id_mapping", "system"), f"unknown system {idm.get('system')!r}"))
            if sync["mode"] in ("upsert", "mirror") and not idm.get("upsert_by"):
                problems.append((base + ("id_mapping",), f"mode {sync['mode']!r} needs id_mapping.upsert_by "
                                                          "(a unique CRM property, e.g. email) for records not yet in the CRM"))
            unique = wire.unique_properties(dest["object"])
            for k, key in enumerate(idm.get("upsert_by") or []):
                if key["property"] not in unique:
                    problems.append((base + ("id_mapping", "upsert_by", k, "property"),
                                     f"{key['property']!r} is not a unique property of {dest['object']} (HubSpot refuses "
                                     f"an upsert by it); use one of {', '.join(unique)}"))
        props = [f["property"] for f in sync["fields"]]
        for j, prop in enumerate(props):
            if props.index(prop) != j:
                problems.append((base + ("fields", j, "property"), f"property {prop!r} is mapped twice"))
    return problems


def _reconciliation_problems(data: dict) -> list[tuple[tuple, str]]:
    """Cross-checks of the ``reconciliation`` section: owners are people, connectors/systems exist, every
    compared field is mapped on both sides and every mapped/required column is a field of its connector."""
    problems: list[tuple[tuple, str]] = []
    section = data.get("reconciliation")
    if not isinstance(section, dict):
        return problems
    people = {p["id"] for p in data["people"]}
    connectors = {c["name"]: c for c in data["connectors"]}
    names: set[str] = set()
    for i, rule in enumerate(section.get("rules") or []):
        base = ("reconciliation", "rules", i)
        if rule["owner"] not in people:
            problems.append((base + ("owner",), f"owner {rule['owner']!r} is not a person in `people` (no owner = no deployment)"))
        if rule["name"] in names:
            problems.append((base + ("name",), f"duplicate reconciliation rule name {rule['name']!r}"))
        names.add(rule["name"])
        for side in ("left", "right"):
            spec = rule[side]
            if "connector" in spec:
                conn = connectors.get(spec["connector"])
                if conn is None:
                    problems.append((base + (side, "connector"), f"unknown connector {spec['connector']!r}"))
                    continue
                fields = {f["name"] for f in conn["fields"]}
                for key in ("fields", "require"):
                    cols = spec.get(key) or {}
                    for col in (cols.values() if isinstance(cols, dict) else cols):
                        if col not in fields:
                            problems.append((base + (side, key), f"{col!r} is not a field of connector {spec['connector']!r}"))
        for j, measure in enumerate(rule["measures"]):
            wanted = [measure["field"]] if measure.get("field") else list(measure.get("fields") or [])
            for name in wanted:
                for side in ("left", "right"):
                    if name not in (rule[side].get("fields") or {}):
                        problems.append((base + ("measures", j), f"{name!r} is not mapped in {side}.fields"))
            for name in measure.get("by") or []:
                if not any(name in (rule[s].get("fields") or {}) for s in ("left", "right")) and name != "fund":
                    problems.append((base + ("measures", j, "by"), f"{name!r} is mapped on neither side"))
    par = section.get("parallel_run")
    if isinstance(par, dict):
        if par["owner"] not in people:
            problems.append((("reconciliation", "parallel_run", "owner"),
                             f"owner {par['owner']!r} is not a person in `people` (no owner = no deployment)"))
        if par["system"] not in data["systems"]:
            problems.append((("reconciliation", "parallel_run", "system"), f"unknown system {par['system']!r}"))
        cc = par.get("cash_calls_connector")
        if cc and cc not in connectors:
            problems.append((("reconciliation", "parallel_run", "cash_calls_connector"), f"unknown connector {cc!r}"))
    return problems


#: Maps already validated in this process, by (path, text): parsing and validating costs 0.1-0.3 s, and every
#: task function loads the map (a 21-day ``crmhub simulate`` loads it tens of thousands of times).
_LOADED: dict[tuple[str, str], IntegrationMap] = {}
_LOADED_MAX = 16


def load_integration_map(path: str | Path | None = None) -> IntegrationMap:
    """Read, validate and build the map; raises ConfigError listing every problem.

    A map whose file text this process has already validated is not parsed again: the caller gets a deep
    copy of the map built then (its own, like a fresh load; a changed file is read and validated anew)."""
    path = Path(path or settings.integration_map_path())
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [("<file>", str(exc))]) from exc
    key = (str(path.resolve()), text)
    if key not in _LOADED:
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = _build(path, text)
    return copy.deepcopy(_LOADED[key])


def _build(path: Path, text: str) -> IntegrationMap:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "<file>"
        raise ConfigError(str(path), [(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from exc
    problems = validate_integration_map(data, str(path), text)
    if problems:
        raise ConfigError(str(path), [tuple(p.split(": ", 1)) for p in problems])
    return IntegrationMap(
        path=path,
        raw=data,
        people={p["id"]: p for p in data["people"]},
        systems=data["systems"],
        stages=data["stages"],
        slas={s["name"]: s for s in data["slas"]},
        connectors=tuple(Connector.from_dict(_derive_persons(_derive_allowed(c, data["stages"]), data["people"]))
                         for c in data["connectors"]),
        field_map=tuple(data["field_map"]),
    )


def _derive_allowed(connector: dict, stages: dict) -> dict:
    """The connector with ``allowed`` of each ``allowed_from: stages.fundraising`` field set from the stage list."""
    return {**connector, "fields": [{**f, "allowed": list(stages["fundraising"])}
                                    if f.get("allowed_from") == "stages.fundraising" else f
                                    for f in connector["fields"]]}


def _derive_persons(connector: dict, people: list[dict]) -> dict:
    """The connector with ``persons`` of each ``person_from: people.crm_owner_id`` field set from ``people``:
    {crm owner id: person id} (people without a ``crm_owner_id`` are left out)."""
    persons = {p["crm_owner_id"]: p["id"] for p in people if p.get("crm_owner_id")}
    return {**connector, "fields": [{**f, "persons": persons} if f.get("person_from") == "people.crm_owner_id" else f
                                    for f in connector["fields"]]}


def warehouse_source(data: dict, entry: dict) -> bool:
    """The field-map entry's source is a column of crmhub's own warehouse model (``<warehouse system>.<column>``,
    e.g. the ICP score), not a source system's field: it has no field contract; its sync's model computes it."""
    system = entry["source"].split(".", 1)[0]
    return (data.get("systems") or {}).get(system, {}).get("kind") == "warehouse"


def warehouse_source_ok(data: dict, entry: dict, sync_columns: dict[str, set]) -> bool:
    """A warehouse-model source is valid when the entry's ``sync`` maps that model column."""
    return (warehouse_source(data, entry) and entry.get("sync") in sync_columns
            and entry["source"].split(".", 1)[1] in sync_columns[entry["sync"]])


def contract_coverage(imap: IntegrationMap) -> tuple[int, int]:
    """(synced fields with a contract, synced fields). Synced = field-map sources from source systems (not the
    warehouse's own model columns) + fields with a target."""
    contracted = {f"{c.name}.{f.name}" for c in imap.connectors for f in c.fields}
    synced = {e["source"] for e in imap.field_map if not warehouse_source(imap.raw, e)}
    synced |= {f"{c.name}.{f.name}" for c in imap.connectors for f in c.fields if f.target}
    return len(synced & contracted), len(synced)
