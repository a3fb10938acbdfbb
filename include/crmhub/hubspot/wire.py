"""HubSpot CRM v3 wire format: limits, batch and search bodies, property values, paging, errors.

One description of the wire format, used by crmhub's clients (reverse ETL, REST source) to build
requests and by the CRM sandbox to check and answer them. The shapes follow HubSpot's CRM v3 API
reference (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/...):

* batch update: ``{"inputs": [{"id", "properties", "idProperty"?}]}`` (``batch/update-companies``);
* batch upsert: ``{"inputs": [{"id", "idProperty", "properties"}]}``, ``idProperty`` naming a property
  "whose values are unique for the object" (``batch/upsert-companies``);
* batch read: ``{"inputs": [{"id"}], "properties": [...], "idProperty"?}``;
* batch archive: ``{"inputs": [{"id"}]}``;
* ``properties`` is a map of property name to **string**; ``""`` clears a property (``null`` is not a
  string and is refused);
* a 207 answer lists ``errors`` as StandardError objects: ``status, category, message, context,
  errors, links`` (all required by the reference).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

MAX_BATCH_INPUTS = 100       # inputs per batch request
MAX_PAGE_LIMIT = 100         # ``limit`` of a list (GET) page
MAX_SEARCH_LIMIT = 200       # ``limit`` of a search page
MAX_SEARCH_RESULTS = 10_000  # a search pages through at most this many results

#: crmhub's own unique custom property on every object it writes (created with ``hasUniqueValue``).
CRMHUB_ID_PROPERTY = "crmhub_id"

#: Properties HubSpot itself declares unique per object (besides custom ``hasUniqueValue`` ones).
#: Company ``domain`` is NOT unique in HubSpot: several companies may share a domain.
BUILTIN_UNIQUE: dict[str, tuple[str, ...]] = {
    "contacts": ("hs_object_id", "email"),
    "companies": ("hs_object_id",),
    "deals": ("hs_object_id",),
}

#: The property carrying an object's last-modified time (search filters and sorts for incremental reads).
LAST_MODIFIED: dict[str, str] = {
    "contacts": "lastmodifieddate",
    "companies": "hs_lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}

#: Properties a new record must carry to be identifiable by people and by crmhub's own CDC contracts:
#: crmhub never creates a record without them (a nameless company is quarantined by the next CDC run).
IDENTITY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("email",),
    "companies": ("name",),
    "deals": ("dealname",),
}

SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal"}


def unique_properties(object_type: str, custom: Iterable[str] = (CRMHUB_ID_PROPERTY,)) -> tuple[str, ...]:
    """Properties an upsert may use as ``idProperty`` for ``object_type`` (HubSpot's plus ``custom``)."""
    return BUILTIN_UNIQUE.get(object_type, ("hs_object_id",)) + tuple(custom)


def property_value(value: Any) -> str:
    """One property value on the wire: always a string, ``""`` for empty (HubSpot's way to clear)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def wire_properties(props: Mapping[str, Any]) -> dict[str, str]:
    """A ``properties`` map with every value a string (None -> ``""``)."""
    return {name: property_value(v) for name, v in props.items()}


def property_problems(props: Any) -> list[tuple[str, str]]:
    """``(property, problem)`` for every value that is not a string (what HubSpot's model refuses)."""
    if not isinstance(props, Mapping):
        return [("properties", "must be an object of property name -> string value")]
    return [(str(name), f"value {v!r} is {type(v).__name__}, not a string (send \"\" to clear a property)")
            for name, v in props.items() if not isinstance(v, str)]


def missing_identity(object_type: str, props: Mapping[str, Any]) -> list[str]:
    """The identity properties of ``object_type`` that ``props`` lacks (empty or absent)."""
    return [p for p in IDENTITY_PROPERTIES.get(object_type, ()) if not str(props.get(p) or "").strip()]


# ------------------------------------------------------------------------------------------ batch bodies
def update_input(record_id: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """One ``batch/update`` input: by HubSpot record id."""
    return {"id": str(record_id), "properties": wire_properties(props)}


def upsert_input(value: str, id_property: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """One ``batch/upsert`` input: by the unique ``id_property`` (its value also set on the record)."""
    return {"id": str(value), "idProperty": id_property,
            "properties": wire_properties({**props, id_property: value})}


def batch_body(inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """``{"inputs": [...]}``; raises ValueError above :data:`MAX_BATCH_INPUTS`."""
    if len(inputs) > MAX_BATCH_INPUTS:
        raise ValueError(f"batch of {len(inputs)} inputs; the API takes at most {MAX_BATCH_INPUTS}")
    return {"inputs": inputs}


def read_body(ids: list[str], properties: list[str], id_property: str | None = None) -> dict[str, Any]:
    """``batch/read`` body: ids (record ids, or values of the unique ``id_property``) and properties."""
    body: dict[str, Any] = {**batch_body([{"id": str(i)} for i in ids]), "properties": list(properties)}
    if id_property:
        body["idProperty"] = id_property
    return body


def association_read_body(ids: list[str]) -> dict[str, Any]:
    """v4 ``/crm/v4/associations/{from}/{to}/batch/read`` body: the ``from`` record ids."""
    return batch_body([{"id": str(i)} for i in ids])


def no_associations(error: Mapping[str, Any]) -> bool:
    """A v4 batch-read error entry that only says the input has no association of that type (not a failure)."""
    return str(error.get("subCategory", "")).endswith("NO_ASSOCIATIONS_FOUND")


def archive_body(ids: list[str]) -> dict[str, Any]:
    return batch_body([{"id": str(i)} for i in ids])


# ------------------------------------------------------------------------------------------ search / paging
def modified_window_search(prop: str, since_ms: int, until_ms: int | None, properties: list[str], limit: int,
                           after: str | None = None) -> dict[str, Any]:
    """Search body for records modified in ``[since_ms, until_ms)``, oldest first (incremental reads)."""
    filters = [{"propertyName": prop, "operator": "GTE", "value": str(since_ms)}]
    if until_ms is not None:
        filters.append({"propertyName": prop, "operator": "LT", "value": str(until_ms)})
    body: dict[str, Any] = {"filterGroups": [{"filters": filters}],
                            "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                            "properties": list(properties), "limit": limit}
    if after:
        body["after"] = str(after)
    return body


def next_after(page: Any) -> str | None:
    """The ``paging.next.after`` cursor of a list/search page (None on the last page)."""
    if not isinstance(page, Mapping):
        return None
    nxt = (page.get("paging") or {}).get("next") or {}
    after = nxt.get("after")
    return str(after) if after not in (None, "") else None


def paging(after: str | None, link: str | None = None) -> dict[str, Any] | None:
    """The ``paging`` member of a page whose next page starts at ``after`` (None: last page)."""
    if after is None:
        return None
    nxt: dict[str, Any] = {"after": str(after)}
    if link is not None:
        nxt["link"] = link
    return {"next": nxt}


# ------------------------------------------------------------------------------------------ errors
def standard_error(category: str, message: str, *, context: Mapping[str, list[str]] | None = None,
                   errors: list[dict[str, Any]] | None = None, sub_category: str | None = None,
                   links: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One entry of a 207's ``errors`` (HubSpot's StandardError; every required member present)."""
    out: dict[str, Any] = {"status": "error", "category": category, "message": message,
                           "context": dict(context or {}), "errors": list(errors or []), "links": dict(links or {})}
    if sub_category:
        out["subCategory"] = sub_category
    return out
