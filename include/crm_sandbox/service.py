"""The sandbox CRM's behaviour, independent of HTTP: reads, searches, batch writes, associations.

Every handler returns ``(status, body)`` in HubSpot's wire format. Writes run through
:meth:`Sandbox.run_write`, which holds the state lock, replays ``Idempotency-Key`` hits, persists the
request's changes (and its idempotency record) in one backend save, then queues webhooks.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crm_sandbox.errors import ApiError, RecordError
from crm_sandbox.schema import (
    DEFAULT_PROPERTIES,
    MODIFIED_PROPERTIES,
    OBJECTS,
    READ_ONLY,
    SINGULAR,
    PropertyDef,
    PropertyError,
    ms_to_iso,
    normalize_value,
    now_ms,
    parse_time_ms,
)
from crm_sandbox.search import OPERATORS, comparable, matches, parse_sort
from crm_sandbox.store import Backend, Changes, IdempotencyEntry, MemoryBackend, Record, State
from crm_sandbox.webhooks import WebhookDispatcher
from crmhub.hubspot import wire

MAX_BATCH = wire.MAX_BATCH_INPUTS
MAX_LIST_LIMIT = wire.MAX_PAGE_LIMIT
MAX_SEARCH_LIMIT = wire.MAX_SEARCH_LIMIT
MAX_SEARCH_RESULTS = wire.MAX_SEARCH_RESULTS
#: HubSpot-defined association type ids (unlabeled/default).
ASSOC_TYPE = {("contacts", "companies"): 279, ("companies", "contacts"): 280,
              ("deals", "contacts"): 3, ("contacts", "deals"): 4,
              ("deals", "companies"): 341, ("companies", "deals"): 342}
ASSOC_NAME = {pair: f"{SINGULAR[pair[0]]}_to_{SINGULAR[pair[1]]}" for pair in ASSOC_TYPE}
#: associationTypeId -> (from, to); the "primary" ids 1/2 (contact<->company) and 5/6 (deal<->company) too.
_TYPE_PAIR = {v: k for k, v in ASSOC_TYPE.items()} | {1: ("contacts", "companies"), 2: ("companies", "contacts"),
                                                      5: ("deals", "companies"), 6: ("companies", "deals")}

Response = tuple[int, Any]


@dataclass
class Tx:
    """The changes and webhook events of one write request."""

    state: State
    now: int
    change_source: str = "API"
    changes: Changes = field(default_factory=Changes)
    events: list[tuple[str, str, int, str | None, str | None]] = field(default_factory=list)
    undo: dict[tuple[str, int], Record | None] = field(default_factory=dict)
    next_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.next_id = dict(self.state.next_id)

    def touch(self, rec: Record) -> None:
        key = (rec.object_type, rec.id)
        if key not in self.undo:
            self.undo[key] = self.state.records[rec.object_type].get(rec.id)
        self.state.put(rec)
        self.changes.records.add(key)

    def rollback(self) -> None:
        """Undo every in-memory change of this request (a whole-request error leaves no trace)."""
        if self.changes.reset:
            return
        for (otype, rid), old in self.undo.items():
            if old is None:
                self.state.delete(otype, rid)
            else:
                self.state.put(old)
        self.state.assocs -= self.changes.assoc_added
        self.state.assocs |= self.changes.assoc_removed
        for otype, prop in self.changes.properties:
            self.state.custom_props[otype].pop(prop.name, None)
        self.state.next_id.clear()
        self.state.next_id.update(self.next_id)
        self.changes = Changes()
        self.events.clear()
        self.undo.clear()


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Identity of a request for idempotency: method, path and canonical JSON body."""
    try:
        canon = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canon = body
    return hashlib.sha256(method.upper().encode() + b" " + path.encode() + b"\n" + canon).hexdigest()


def _iso(ms: int | None) -> str | None:
    return None if ms is None else ms_to_iso(ms)


class Sandbox:
    """State, schema and behaviour of one sandbox CRM."""

    def __init__(self, backend: Backend | None = None, webhooks: WebhookDispatcher | None = None):
        self.backend = backend or MemoryBackend()
        self.webhooks = webhooks
        self.lock = threading.RLock()
        self.state = self.backend.load()

    def close(self) -> None:
        if self.webhooks:
            self.webhooks.stop()
        self.backend.close()

    # ------------------------------------------------------------------------------------------ helpers
    @staticmethod
    def check_object(object_type: str) -> str:
        if object_type not in OBJECTS:
            raise ApiError(400, f"Unable to infer object type from: {object_type}. Supported: {', '.join(OBJECTS)}",
                           "VALIDATION_ERROR")
        return object_type

    def _props(self, object_type: str) -> dict[str, PropertyDef]:
        return self.state.properties(object_type)

    def render(self, rec: Record, properties: list[str] | None = None, associations: list[str] | None = None,
               ) -> dict[str, Any]:
        known = self._props(rec.object_type)
        names = [p for p in (properties or DEFAULT_PROPERTIES[rec.object_type]) if p in known]
        if "hs_object_id" not in names:
            names.append("hs_object_id")
        out: dict[str, Any] = {
            "id": str(rec.id),
            "properties": {n: rec.properties.get(n) for n in names},
            "createdAt": ms_to_iso(rec.created_at),
            "updatedAt": ms_to_iso(rec.updated_at),
            "archived": rec.archived,
        }
        if rec.archived:
            out["archivedAt"] = _iso(rec.archived_at)
        if associations:
            assoc: dict[str, Any] = {}
            for other in associations:
                if (rec.object_type, other) in ASSOC_TYPE:
                    ids = self.state.associated(rec.object_type, rec.id, other)
                    if ids:
                        assoc[other] = {"results": [{"id": str(i), "type": ASSOC_NAME[(rec.object_type, other)]}
                                                    for i in ids]}
            if assoc:
                out["associations"] = assoc
        return out

    def _find(self, object_type: str, ident: Any, id_property: str | None = None,
              archived: bool = False) -> Record | None:
        if ident is None:
            return None
        if id_property and id_property not in ("hs_object_id", "id"):
            prop = self._props(object_type).get(id_property)
            if prop is None or not prop.unique:
                raise ApiError(400, f"Property {id_property!r} is not a unique identifier property of {object_type};"
                                    " use one with hasUniqueValue=true", "VALIDATION_ERROR")
            rec = self.state.find_unique(object_type, prop, str(ident))
        else:
            try:
                rec = self.state.records[object_type].get(int(str(ident)))
            except ValueError:
                return None
        if rec is None or rec.archived != archived:
            return None
        return rec

    def _validate(self, object_type: str, props: Any, *, strict: bool = True) -> dict[str, str | None]:
        """Normalize a ``properties`` dict; raises RecordError listing every bad property."""
        if not isinstance(props, dict):
            raise RecordError(400, "VALIDATION_ERROR", "'properties' must be an object of property name -> value")
        known = self._props(object_type)
        out: dict[str, str | None] = {}
        problems: list[PropertyError] = []
        not_strings = dict(wire.property_problems(props)) if strict else {}
        for name, value in props.items():
            prop = known.get(name)
            if name in not_strings:  # HubSpot's model: properties map to strings; "" clears a property
                problems.append(PropertyError(name, "INVALID_VALUE", f'Property "{name}": {not_strings[name]}'))
                continue
            if prop is None:
                problems.append(PropertyError(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
                continue
            if strict and (prop.read_only or name in READ_ONLY):
                problems.append(PropertyError(name, "READ_ONLY_VALUE",
                                              f'Property "{name}" is read-only and is set by the CRM'))
                continue
            try:
                out[name] = normalize_value(prop, value)
            except PropertyError as exc:
                problems.append(exc)
        if problems:
            detail = json.dumps([p.to_api() for p in problems])
            raise RecordError(
                400, "VALIDATION_ERROR", f"Property values were not valid: {detail}",
                errors=[{"message": p.message, "code": p.code, "context": {"propertyName": [p.name]}}
                        for p in problems],
                context={"propertyName": [p.name for p in problems]})
        return out

    def _check_unique(self, object_type: str, values: dict[str, str | None], self_id: int | None) -> None:
        known = self._props(object_type)
        for name, val in values.items():
            prop = known[name]
            if prop.unique and val is not None:
                other = self.state.find_unique(object_type, prop, val)
                if other is not None and other.id != self_id:
                    raise RecordError(409, "CONFLICT",
                                      f"{SINGULAR[object_type].title()} already exists. Existing ID: {other.id}",
                                      errors=[{"message": f"{name} {val!r} is already used by {other.id}",
                                               "code": "CONFLICT", "context": {"propertyName": [name]}}],
                                      context={"existingId": [str(other.id)]})

    # ------------------------------------------------------------------------------------------ mutations
    def _create(self, tx: Tx, object_type: str, props: Any, *, strict: bool = True,
                record_id: int | None = None, created_at: int | None = None, updated_at: int | None = None,
                archived: bool = False) -> Record:
        if strict:
            values = self._validate(object_type, props)
            self._check_unique(object_type, values, None)
        else:  # seed loads: values were checked (leniently) by the caller
            values = dict(props)
        rid = record_id if record_id is not None else tx.state.allocate_id(object_type)
        created = created_at or parse_time_ms(values.get("createdate")) or tx.now
        updated = updated_at or parse_time_ms(values.get("lastmodifieddate") or values.get("hs_lastmodifieddate")) \
            or tx.now
        stored = {k: v for k, v in values.items() if v is not None and k not in _MODIFIED}
        stored.update({"hs_object_id": str(rid), "createdate": ms_to_iso(created)})
        _stamp(object_type, stored, updated)
        rec = Record(object_type, rid, stored, created, updated, archived, updated if archived else None)
        tx.touch(rec)
        tx.events.append((object_type, "creation", rid, None, None))
        for k, v in sorted(stored.items()):
            if k != "hs_object_id" and k not in _MODIFIED:
                tx.events.append((object_type, "propertyChange", rid, k, v))
        return rec

    def _update(self, tx: Tx, rec: Record, props: Any) -> Record:
        values = self._validate(rec.object_type, props)
        self._check_unique(rec.object_type, values, rec.id)
        changed = {k: v for k, v in values.items() if rec.properties.get(k) != v}
        if not changed:
            return rec
        new_props = dict(rec.properties)
        for k, v in changed.items():
            if v is None:
                new_props.pop(k, None)
            else:
                new_props[k] = v
        _stamp(rec.object_type, new_props, tx.now)
        new = Record(rec.object_type, rec.id, new_props, rec.created_at, tx.now, rec.archived, rec.archived_at)
        tx.touch(new)
        for k, v in sorted(changed.items()):
            tx.events.append((rec.object_type, "propertyChange", rec.id, k, v))
        return new

    def _archive(self, tx: Tx, rec: Record) -> None:
        if rec.archived:
            return
        for a in [a for a in tx.state.assocs if (a[0], a[1]) == (rec.object_type, rec.id)
                  or (a[2], a[3]) == (rec.object_type, rec.id)]:
            self._unlink(tx, a[0], a[1], a[2], a[3])
        rec = tx.state.records[rec.object_type][rec.id]
        tx.touch(Record(rec.object_type, rec.id, dict(rec.properties), rec.created_at, rec.updated_at, True, tx.now))
        tx.events.append((rec.object_type, "deletion", rec.id, None, None))

    def _link(self, tx: Tx, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        if (from_type, to_type) not in ASSOC_TYPE:
            raise RecordError(400, "VALIDATION_ERROR", f"association {from_type} -> {to_type} is not supported; "
                                                       "the sandbox supports contacts, companies and deals pairs")
        for obj, oid in ((from_type, from_id), (to_type, to_id)):
            if self._find(obj, oid) is None:
                raise RecordError(404, "OBJECT_NOT_FOUND", f"{obj} {oid} does not exist", context={"ids": [str(oid)]})
        for a in ((from_type, from_id, to_type, to_id), (to_type, to_id, from_type, from_id)):
            if a not in tx.state.assocs:
                tx.state.assocs.add(a)
                tx.changes.assoc_added.add(a)
                tx.changes.assoc_removed.discard(a)
        if {from_type, to_type} == {"contacts", "companies"}:
            contact_id, company_id = (from_id, to_id) if from_type == "contacts" else (to_id, from_id)
            self._set_primary_company(tx, contact_id, company_id)

    def _unlink(self, tx: Tx, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        for a in ((from_type, from_id, to_type, to_id), (to_type, to_id, from_type, from_id)):
            if a in tx.state.assocs:
                tx.state.assocs.discard(a)
                tx.changes.assoc_removed.add(a)
                tx.changes.assoc_added.discard(a)
        if {from_type, to_type} != {"contacts", "companies"}:
            return
        contact_id, company_id = (from_id, to_id) if from_type == "contacts" else (to_id, from_id)
        contact = tx.state.records["contacts"].get(contact_id)
        if contact and contact.properties.get("associatedcompanyid") == str(company_id):
            remaining = tx.state.associated("contacts", contact_id, "companies")
            self._set_primary_company(tx, contact_id, remaining[0] if remaining else None)

    def _set_primary_company(self, tx: Tx, contact_id: int, company_id: int | None) -> None:
        contact = tx.state.records["contacts"].get(contact_id)
        value = None if company_id is None else str(company_id)
        if contact is None or contact.properties.get("associatedcompanyid") == value:
            return
        props = dict(contact.properties)
        if value is None:
            props.pop("associatedcompanyid", None)
        else:
            props["associatedcompanyid"] = value
        _stamp("contacts", props, tx.now)
        tx.touch(Record("contacts", contact_id, props, contact.created_at, tx.now, contact.archived,
                        contact.archived_at))
        tx.events.append(("contacts", "propertyChange", contact_id, "associatedcompanyid", value))

    # ------------------------------------------------------------------------------------------ write runner
    def run_write(self, fn: Callable[[Tx], Response], *, idempotency_key: str | None = None,
                  request_fingerprint: str = "", change_source: str = "API") -> tuple[int, Any, bool]:
        """Apply ``fn`` atomically; returns ``(status, body, replayed)``.

        A known ``idempotency_key`` with the same request fingerprint returns the stored response
        (``replayed``) without running ``fn``; with another fingerprint it is a 422.
        """
        with self.lock:
            if idempotency_key:
                hit = self.state.idempotency.get(idempotency_key)
                if hit is not None:
                    if hit.fingerprint == request_fingerprint:
                        return hit.status, hit.body, True
                    raise ApiError(422, f"Idempotency-Key {idempotency_key!r} was already used for a different "
                                        "request; use a new key per distinct write", "IDEMPOTENCY_KEY_REUSED")
            tx = Tx(self.state, now_ms(), change_source)
            try:
                status, body = fn(tx)
            except ApiError as exc:
                tx.rollback()
                status, body = exc.status, exc.body
            except RecordError as exc:
                tx.rollback()
                status, body = exc.status, exc.to_single()
            except Exception:
                tx.rollback()
                raise
            if idempotency_key:
                entry = IdempotencyEntry(idempotency_key, request_fingerprint, status, body, tx.now)
                self.state.idempotency[idempotency_key] = entry
                tx.changes.idempotency.append(entry)
            try:
                self.backend.save(self.state, tx.changes)
            except Exception:
                if not isinstance(self.backend, MemoryBackend):
                    self.state = self.backend.load()  # back to the last persisted state
                raise
        if self.webhooks is not None and self.webhooks.enabled and tx.events:
            self.webhooks.enqueue([
                self.webhooks.make_event(SINGULAR[o], kind, rid, tx.now, name, value, tx.change_source)
                for (o, kind, rid, name, value) in tx.events])
        return status, body, False

    # ------------------------------------------------------------------------------------------ reads
    def list_objects(self, object_type: str, *, limit: int = 10, after: str | None = None,
                     properties: list[str] | None = None, associations: list[str] | None = None,
                     archived: bool = False, link: Callable[[str], str] | None = None) -> Response:
        self.check_object(object_type)
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ApiError(400, f"limit must be between 1 and {MAX_LIST_LIMIT}, got {limit}")
        start = 0
        if after not in (None, ""):
            try:
                start = int(after)
            except ValueError:
                raise ApiError(400, f"invalid 'after' cursor {after!r}; pass paging.next.after back as is") from None
        with self.lock:
            ids = sorted(i for i, r in self.state.records[object_type].items() if r.archived == archived and i >= start)
            page = ids[:limit]
            results = [self.render(self.state.records[object_type][i], properties, associations) for i in page]
        body: dict[str, Any] = {"results": results}
        if len(ids) > limit:
            nxt = str(page[-1] + 1)
            body["paging"] = {"next": {"after": nxt, "link": link(nxt) if link else None}}
        return 200, body

    def get_object(self, object_type: str, ident: str, *, properties: list[str] | None = None,
                   associations: list[str] | None = None, archived: bool = False,
                   id_property: str | None = None) -> Response:
        self.check_object(object_type)
        with self.lock:
            rec = self._find(object_type, ident, id_property, archived)
            if rec is None:
                raise ApiError(404, f"Object not found. objectId are usually numeric. ({object_type} {ident})",
                               "OBJECT_NOT_FOUND")
            return 200, self.render(rec, properties, associations)

    def batch_read(self, object_type: str, body: dict[str, Any], archived: bool = False) -> Response:
        self.check_object(object_type)
        inputs = self._inputs(body)
        started = now_ms()
        id_property = body.get("idProperty")
        results, missing = [], []
        with self.lock:
            seen: set[int] = set()
            for item in inputs:
                ident = item.get("id") if isinstance(item, dict) else None
                rec = self._find(object_type, ident, id_property, archived)
                if rec is None:
                    missing.append(str(ident))
                elif rec.id not in seen:
                    seen.add(rec.id)
                    results.append(self.render(rec, body.get("properties")))
        out = self._batch_body(results, [], started)
        if missing:
            out["numErrors"] = 1
            out["errors"] = [wire.standard_error(
                "OBJECT_NOT_FOUND", f"Could not get some {SINGULAR[object_type].upper()} objects, they may be "
                                    "deleted or not exist. Check that ids are valid.", context={"ids": missing})]
            return 207, out
        return 200, out

    # ------------------------------------------------------------------------------------------ search
    def search(self, object_type: str, body: dict[str, Any]) -> Response:
        self.check_object(object_type)
        if not isinstance(body, dict):
            raise ApiError(400, "search body must be a JSON object")
        limit = body.get("limit", 10)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_SEARCH_LIMIT:
            raise ApiError(400, f"limit must be an integer between 1 and {MAX_SEARCH_LIMIT}, got {limit!r}")
        try:
            after = int(body.get("after") or 0)
        except (TypeError, ValueError):
            raise ApiError(400, f"invalid 'after' {body.get('after')!r}; pass paging.next.after back as is") from None
        if after + limit > MAX_SEARCH_RESULTS:
            raise ApiError(400, f"search paging is capped at {MAX_SEARCH_RESULTS} results (after={after}); narrow "
                                "the search, e.g. by a lastmodifieddate window")
        groups = body.get("filterGroups") or []
        known = self._props(object_type)
        if len(groups) > 5 or sum(len(g.get("filters") or []) for g in groups) > 18:
            raise ApiError(400, "at most 5 filterGroups and 18 filters in total are allowed")
        for g in groups:
            if len(g.get("filters") or []) > 6:
                raise ApiError(400, "at most 6 filters per filterGroup are allowed")
            for f in g.get("filters") or []:
                if f.get("propertyName") not in known:
                    raise ApiError(400, f"Property \"{f.get('propertyName')}\" does not exist on {object_type}",
                                   "VALIDATION_ERROR", subCategory="PROPERTY_DOESNT_EXIST")
                if f.get("operator") not in OPERATORS:
                    raise ApiError(400, f"unknown filter operator {f.get('operator')!r}; use one of "
                                        f"{sorted(OPERATORS)}")
        sorts = [parse_sort(s) for s in body.get("sorts") or []]
        query = str(body.get("query") or "").strip().lower()
        with self.lock:
            recs = [r for r in self.state.records[object_type].values() if not r.archived]
            if groups:
                recs = [r for r in recs if any(all(matches(known[f["propertyName"]], r, f) for f in g.get("filters")
                                                      or []) for g in groups)]
            if query:
                fields = DEFAULT_PROPERTIES[object_type] + ["phone", "company", "name", "domain"]
                recs = [r for r in recs if any(query in (r.properties.get(p) or "").lower() for p in fields)]
            recs.sort(key=lambda r: r.id)
            for name, descending in reversed(sorts):
                prop = known.get(name)
                if prop is None:
                    raise ApiError(400, f"cannot sort by unknown property {name!r}")
                present = [r for r in recs if r.properties.get(name) is not None]
                absent = [r for r in recs if r.properties.get(name) is None]
                present.sort(key=lambda r, p=prop: comparable(p, r.properties[p.name]), reverse=descending)
                recs = present + absent
            total = len(recs)
            page = recs[after:after + limit]
            results = [self.render(r, body.get("properties")) for r in page]
        out: dict[str, Any] = {"total": total, "results": results}
        if after + limit < total and after + limit < MAX_SEARCH_RESULTS:
            out["paging"] = {"next": {"after": str(after + limit)}}
        return 200, out

    # ------------------------------------------------------------------------------------------ batch writes
    @staticmethod
    def _inputs(body: Any) -> list[Any]:
        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            raise ApiError(400, "request body must be an object with an 'inputs' array")
        inputs = body["inputs"]
        if len(inputs) > MAX_BATCH:
            raise ApiError(400, f"Batch input too large: {len(inputs)} inputs, the limit is {MAX_BATCH} per request",
                           "VALIDATION_ERROR", subCategory="BATCH_INPUT_TOO_LARGE")
        return inputs

    @staticmethod
    def _batch_body(results: list[Any], errors: list[dict[str, Any]], started: int) -> dict[str, Any]:
        out: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": ms_to_iso(started),
                               "completedAt": ms_to_iso(now_ms())}
        if errors:
            out["numErrors"] = len(errors)
            out["errors"] = errors
        return out

    def _batch(self, tx: Tx, inputs: list[Any], one: Callable[[int, Any], dict[str, Any]], ok_status: int,
               id_of: Callable[[Any], str | None] = lambda item: None) -> Response:
        results, errors = [], []
        for i, item in enumerate(inputs):
            try:
                if not isinstance(item, dict):
                    raise RecordError(400, "VALIDATION_ERROR", "each input must be an object")
                results.append(one(i, item))
            except RecordError as exc:
                errors.append(exc.to_batch(i, id_of(item)))
        return (207 if errors else ok_status), self._batch_body(results, errors, tx.now)

    def batch_create(self, tx: Tx, object_type: str, body: Any) -> Response:
        self.check_object(object_type)
        inputs = self._inputs(body)

        def one(_: int, item: dict[str, Any]) -> dict[str, Any]:
            rec = self._create_with_associations(tx, object_type, item)
            return self.render(rec, _written(item.get("properties")))

        return self._batch(tx, inputs, one, 201)

    def _association_targets(self, object_type: str, associations: Any) -> list[tuple[str, int]]:
        """Check inline v3 ``associations`` of a create before anything is written."""
        targets = []
        for assoc in associations or []:
            try:
                to_id = int((assoc.get("to") or {}).get("id"))
                types = assoc.get("types") or [{}]
                pair = _TYPE_PAIR.get(int(types[0].get("associationTypeId", 0) or 0))
            except (AttributeError, TypeError, ValueError):
                pair = None
            target = pair[1] if pair is not None and pair[0] == object_type else None
            if target is None:
                raise RecordError(400, "VALIDATION_ERROR", "associations need to.id and a supported associationTypeId "
                                                           f"from {object_type} ({_type_list(object_type)})")
            if self._find(target, to_id) is None:
                raise RecordError(404, "OBJECT_NOT_FOUND", f"association target {target} {to_id} does not exist",
                                  context={"ids": [str(to_id)]})
            targets.append((target, to_id))
        return targets

    def _create_with_associations(self, tx: Tx, object_type: str, item: dict[str, Any]) -> Record:
        targets = self._association_targets(object_type, item.get("associations"))
        rec = self._create(tx, object_type, item.get("properties") or {})
        for target, to_id in targets:
            self._link(tx, object_type, rec.id, target, to_id)
        return tx.state.records[object_type][rec.id]

    def batch_update(self, tx: Tx, object_type: str, body: Any) -> Response:
        self.check_object(object_type)
        inputs = self._inputs(body)
        _reject_duplicates(inputs)

        def one(_: int, item: dict[str, Any]) -> dict[str, Any]:
            rec = self._find(object_type, item.get("id"), item.get("idProperty") or body.get("idProperty"))
            if rec is None:
                raise RecordError(404, "OBJECT_NOT_FOUND", f"{object_type} {item.get('id')} does not exist")
            rec = self._update(tx, rec, item.get("properties") or {})
            return self.render(rec, _written(item.get("properties")))

        return self._batch(tx, inputs, one, 200, lambda item: str(item.get("id")) if isinstance(item, dict) else None)

    def batch_upsert(self, tx: Tx, object_type: str, body: Any) -> Response:
        self.check_object(object_type)
        inputs = self._inputs(body)
        _reject_duplicates(inputs)
        known = self._props(object_type)
        for item in inputs:
            id_property = (item.get("idProperty") if isinstance(item, dict) else None) or body.get("idProperty")
            prop = known.get(id_property or "")
            if prop is None or not prop.unique:
                raise ApiError(400, f"upsert needs 'idProperty' naming a unique property of {object_type} "
                                    f"(got {id_property!r}; unique: "
                                    f"{sorted(p.name for p in known.values() if p.unique)})")

        def one(_: int, item: dict[str, Any]) -> dict[str, Any]:
            id_property = item.get("idProperty") or body.get("idProperty")
            ident = item.get("id")
            if ident in (None, ""):
                raise RecordError(400, "VALIDATION_ERROR", f"upsert input needs 'id' (the {id_property} value)")
            props = dict(item.get("properties") or {})
            rec = self._find(object_type, ident, id_property)
            if rec is None:
                props.setdefault(id_property, ident)
                rec = self._create(tx, object_type, props)
                new = True
            else:
                rec = self._update(tx, rec, props)
                new = False
            return {**self.render(rec, _written(props)), "new": new}

        return self._batch(tx, inputs, one, 200, lambda item: str(item.get("id")) if isinstance(item, dict) else None)

    def batch_archive(self, tx: Tx, object_type: str, body: Any) -> Response:
        self.check_object(object_type)
        for item in self._inputs(body):
            rec = self._find(object_type, item.get("id") if isinstance(item, dict) else None)
            if rec is not None:
                self._archive(tx, rec)
        return 204, None

    # ------------------------------------------------------------------------------------------ single writes
    def create_one(self, tx: Tx, object_type: str, body: Any) -> Response:
        self.check_object(object_type)
        if not isinstance(body, dict):
            raise ApiError(400, "request body must be an object with 'properties'")
        rec = self._create_with_associations(tx, object_type, body)
        return 201, self.render(rec, _written(body.get("properties")))

    def update_one(self, tx: Tx, object_type: str, ident: str, body: Any, id_property: str | None) -> Response:
        self.check_object(object_type)
        rec = self._find(object_type, ident, id_property)
        if rec is None:
            raise ApiError(404, f"Object not found ({object_type} {ident})", "OBJECT_NOT_FOUND")
        props = body.get("properties") if isinstance(body, dict) else None
        if not isinstance(props, dict):
            raise ApiError(400, "request body must be an object with 'properties'")
        return 200, self.render(self._update(tx, rec, props), _written(props))

    def archive_one(self, tx: Tx, object_type: str, ident: str) -> Response:
        self.check_object(object_type)
        rec = self._find(object_type, ident)
        if rec is not None:
            self._archive(tx, rec)
        return 204, None

    # ------------------------------------------------------------------------------------------ associations (v4)
    def associate(self, tx: Tx, from_type: str, from_id: str, to_type: str, to_id: str) -> Response:
        self.check_object(from_type)
        self.check_object(to_type)
        try:
            fid, tid = int(from_id), int(to_id)
        except ValueError:
            raise ApiError(400, "object ids must be numeric") from None
        self._link(tx, from_type, fid, to_type, tid)
        return 200, self._assoc_result([(fid, tid)], from_type, to_type, tx.now)

    def disassociate(self, tx: Tx, from_type: str, from_id: str, to_type: str, to_id: str) -> Response:
        self.check_object(from_type)
        self.check_object(to_type)
        try:
            self._unlink(tx, from_type, int(from_id), to_type, int(to_id))
        except ValueError:
            raise ApiError(400, "object ids must be numeric") from None
        return 204, None

    def batch_associate(self, tx: Tx, from_type: str, to_type: str, body: Any) -> Response:
        self.check_object(from_type)
        self.check_object(to_type)
        pairs, errors = [], []
        for i, item in enumerate(self._inputs(body)):
            try:
                fid, tid = int(item["from"]["id"]), int(item["to"]["id"])
                self._link(tx, from_type, fid, to_type, tid)
                pairs.append((fid, tid))
            except (KeyError, TypeError, ValueError):
                errors.append(RecordError(400, "VALIDATION_ERROR", "input needs from.id and to.id").to_batch(i))
            except RecordError as exc:
                errors.append(exc.to_batch(i))
        out = self._assoc_result(pairs, from_type, to_type, tx.now)
        if errors:
            out["numErrors"], out["errors"] = len(errors), errors
            return 207, out
        return 200, out

    def _assoc_result(self, pairs: list[tuple[int, int]], from_type: str, to_type: str, started: int) -> dict:
        spec = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": ASSOC_TYPE[(from_type, to_type)]}
        return self._batch_body([{"from": {"id": str(f)}, "to": {"id": str(t)}, "associationSpec": spec}
                                 for f, t in pairs], [], started)

    def batch_read_associations(self, from_type: str, to_type: str, body: Any) -> Response:
        """v4 ``batch/read``: each input's associated ids with their type; an input without any association (or an
        unknown record) is an error entry of a 207, as HubSpot answers (``NO_ASSOCIATIONS_FOUND``)."""
        self.check_object(from_type)
        self.check_object(to_type)
        if (from_type, to_type) not in ASSOC_TYPE:
            raise ApiError(400, f"association {from_type} -> {to_type} is not supported")
        started = now_ms()
        type_id = ASSOC_TYPE[(from_type, to_type)]
        results, errors = [], []
        with self.lock:
            for i, item in enumerate(self._inputs(body)):
                try:
                    fid = int(item["id"])
                except (KeyError, TypeError, ValueError):
                    errors.append(RecordError(400, "VALIDATION_ERROR", "input needs an id").to_batch(i))
                    continue
                ids = self.state.associated(from_type, fid, to_type) if self._find(from_type, fid) else []
                if not ids:
                    errors.append(RecordError(404, "OBJECT_NOT_FOUND",
                                              f"No {SINGULAR[to_type]} is associated with {SINGULAR[from_type]} {fid}.",
                                              context={"fromObjectId": [str(fid)]}).to_batch(i))
                    errors[-1]["subCategory"] = "crm.associations.NO_ASSOCIATIONS_FOUND"
                    continue
                results.append({"from": {"id": str(fid)}, "to": [
                    {"toObjectId": t, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id,
                                                            "label": None}]} for t in ids]})
        return (207 if errors else 200), self._batch_body(results, errors, started)

    def list_associations(self, from_type: str, from_id: str, to_type: str) -> Response:
        self.check_object(from_type)
        self.check_object(to_type)
        if (from_type, to_type) not in ASSOC_TYPE:
            raise ApiError(400, f"association {from_type} -> {to_type} is not supported")
        try:
            fid = int(from_id)
        except ValueError:
            raise ApiError(400, "object ids must be numeric") from None
        with self.lock:
            ids = self.state.associated(from_type, fid, to_type)
        type_id = ASSOC_TYPE[(from_type, to_type)]
        return 200, {"results": [{"toObjectId": i, "associationTypes": [
            {"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": None}]} for i in ids]}

    # ------------------------------------------------------------------------------------------ properties
    def list_properties(self, object_type: str) -> Response:
        self.check_object(object_type)
        with self.lock:
            return 200, {"results": [p.to_api(object_type) for p in self._props(object_type).values()]}

    def get_property(self, object_type: str, name: str) -> Response:
        self.check_object(object_type)
        prop = self._props(object_type).get(name)
        if prop is None:
            raise ApiError(404, f'Property "{name}" does not exist', "OBJECT_NOT_FOUND")
        return 200, prop.to_api(object_type)

    def create_property(self, tx: Tx, object_type: str, body: Any) -> Response:
        self.check_object(object_type)
        try:
            prop = PropertyDef.from_api(body if isinstance(body, dict) else {})
        except (ValueError, KeyError, TypeError) as exc:
            raise ApiError(400, f"invalid property definition: {exc}") from None
        if prop.name in self._props(object_type):
            raise ApiError(409, f"A property named '{prop.name}' already exists.", "OBJECT_ALREADY_EXISTS")
        tx.state.custom_props[object_type][prop.name] = prop
        tx.changes.properties.append((object_type, prop))
        return 201, prop.to_api(object_type)

    # ------------------------------------------------------------------------------------------ admin
    def reset(self, tx: Tx) -> Response:
        fresh = State()
        self.state.__dict__.update(fresh.__dict__)
        tx.changes.reset = True
        return 200, {"status": "reset"}

    def load_seed(self, tx: Tx, data: dict[str, Any]) -> Response:
        """Load records as they are (no read-only/unique checks; unknown properties become string properties).

        ``data``: ``{"contacts": [{"id"?, "properties": {...}, "createdAt"?, "updatedAt"?, "archived"?}],
        "companies": [...], "associations": [{"from_object", "from_id", "to_object", "to_id"}]}``. A
        ``associatedcompanyid`` contact property links the contact to that company.
        """
        loaded: dict[str, int] = {}
        links: list[tuple[str, int, str, int]] = []
        for object_type in OBJECTS:
            items = data.get(object_type) or []
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    raise ApiError(400, f"{object_type}[{i}]: each record must be an object")
                props = item.get("properties") if "properties" in item else {
                    k: v for k, v in item.items() if k not in ("id", "createdAt", "updatedAt", "archived")}
                props = {k: v for k, v in (props or {}).items() if v not in (None, "")}
                modified = next((props.pop(k) for k in _MODIFIED if k in props), None)  # a time, not a property
                known = self._props(object_type)
                for name in props:
                    if name not in known:
                        prop = PropertyDef(name=name, description="created by a seed load")
                        tx.state.custom_props[object_type][name] = prop
                        tx.changes.properties.append((object_type, prop))
                company = props.pop("associatedcompanyid", None) if object_type == "contacts" else None
                raw = {k: str(v) if not isinstance(v, bool) else ("true" if v else "false") for k, v in props.items()}
                rid = item.get("id")
                try:
                    rid = int(rid) if rid not in (None, "") else None
                except ValueError:
                    raise ApiError(400, f"{object_type}[{i}]: id {rid!r} must be numeric (HubSpot ids are)") from None
                values = self._seed_values(object_type, raw)
                rec = self._create(tx, object_type, values, strict=False, record_id=rid,
                                   created_at=parse_time_ms(item.get("createdAt")),
                                   updated_at=parse_time_ms(item.get("updatedAt")) or parse_time_ms(modified),
                                   archived=bool(item.get("archived")))
                if company:
                    links.append(("contacts", rec.id, "companies", int(str(company))))
            loaded[object_type] = len(items)
        for a in data.get("associations") or []:
            links.append((a["from_object"], int(a["from_id"]), a["to_object"], int(a["to_id"])))
        for link in links:
            try:
                self._link(tx, *link)
            except RecordError as exc:
                raise ApiError(400, f"seed association {link}: {exc.message}") from None
        tx.events.clear()  # a seed load is an import, not a change to notify about
        loaded["associations"] = len(links)
        return 200, {"loaded": loaded}

    def _seed_values(self, object_type: str, raw: dict[str, str]) -> dict[str, Any]:
        """Keep seed values whose type fits; store the others as given (dirty CRM data exists)."""
        known = self._props(object_type)
        out: dict[str, Any] = {}
        for name, value in raw.items():
            try:
                out[name] = normalize_value(known[name], value)
            except PropertyError:
                out[name] = value
        return out

    def counts(self) -> dict[str, Any]:
        with self.lock:
            out: dict[str, Any] = {}
            for o in OBJECTS:
                recs = self.state.records[o].values()
                archived = sum(1 for r in recs if r.archived)
                out[o] = {"total": len(recs), "active": len(recs) - archived, "archived": archived}
            out["associations"] = len(self.state.assocs) // 2
            out["idempotency_keys"] = len(self.state.idempotency)
            return out

    def export(self) -> dict[str, Any]:
        """All records and associations, in the seed format (so an export can be loaded again)."""
        with self.lock:
            out: dict[str, Any] = {o: [{"id": str(r.id), "properties": dict(r.properties),
                                        "createdAt": ms_to_iso(r.created_at), "updatedAt": ms_to_iso(r.updated_at),
                                        "archived": r.archived}
                                       for _, r in sorted(self.state.records[o].items())] for o in OBJECTS}
            out["associations"] = [{"from_object": a[0], "from_id": str(a[1]), "to_object": a[2], "to_id": str(a[3])}
                                   for a in sorted(self.state.assocs)
                                   if a[0] == "contacts" or (a[0], a[2]) == ("deals", "companies")]
            for c in out["contacts"]:
                c["properties"].pop("associatedcompanyid", None)
            return out


_MODIFIED = ("lastmodifieddate", "hs_lastmodifieddate")


def _type_list(object_type: str) -> str:
    return ", ".join(f"{t} {SINGULAR[a]}->{SINGULAR[b]}" for (a, b), t in ASSOC_TYPE.items() if a == object_type)


def _stamp(object_type: str, props: dict[str, Any], ms: int) -> None:
    """Set the object's last-modified properties (which ones depends on the object, as in HubSpot)."""
    for name in MODIFIED_PROPERTIES[object_type]:
        props[name] = ms_to_iso(ms)


def _written(props: Any) -> list[str]:
    """Properties echoed by write responses: the ones written plus the system timestamps, as HubSpot does."""
    keys = list(props.keys()) if isinstance(props, dict) else []
    return keys + ["createdate", *_MODIFIED, "hs_object_id"]


def _reject_duplicates(inputs: list[Any]) -> None:
    ids = [str(i.get("id")).lower() for i in inputs if isinstance(i, dict) and i.get("id") is not None]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ApiError(400, f"Duplicate IDs found in batch input: {dupes}. Each id may appear once per request.")
