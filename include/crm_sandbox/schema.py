"""Property schema of the sandbox CRM objects and HubSpot-style value validation.

Every object (``contacts``, ``companies``) has a fixed set of properties modelled on HubSpot's
defaults plus the custom properties crmhub writes (``crmhub_id``, ``lp_segment``, ``icp_fit``...).
More can be created at runtime with ``POST /crm/v3/properties/{object}``. Values are stored and
returned as strings, as HubSpot does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from crmhub import clock
from crmhub.hubspot import wire

OBJECTS = ("contacts", "companies", "deals")

#: HubSpot's singular names, used in webhook subscription types (``contact.propertyChange``).
SINGULAR = {o: wire.SINGULAR[o] for o in OBJECTS}

#: The server-maintained last-modified properties of each object: HubSpot contacts carry
#: ``lastmodifieddate`` (and ``hs_lastmodifieddate``), companies only ``hs_lastmodifieddate``.
MODIFIED_PROPERTIES = {"contacts": ("lastmodifieddate", "hs_lastmodifieddate"), "companies": ("hs_lastmodifieddate",),
                       "deals": ("hs_lastmodifieddate",)}

#: Properties HubSpot returns when the request does not name any.
DEFAULT_PROPERTIES = {
    "contacts": ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
    "companies": ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
    "deals": ["amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id",
              "pipeline"],
}

#: Properties the server maintains; API writes to them are rejected with READ_ONLY_VALUE.
READ_ONLY = {"hs_object_id", "lastmodifieddate", "hs_lastmodifieddate", "associatedcompanyid"}

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PropertyDef:
    """One property definition (the fields of HubSpot's property API that matter here)."""

    name: str
    type: str = "string"  # string | number | bool | enumeration | datetime | date
    field_type: str = "text"
    label: str = ""
    options: tuple[str, ...] = ()
    unique: bool = False
    read_only: bool = False
    group: str = "crmhub"
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_api(self, object_type: str) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label or self.name.replace("_", " ").title(),
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group,
            "description": self.description,
            "options": [
                {"label": o.replace("_", " ").title(), "value": o, "displayOrder": i, "hidden": False}
                for i, o in enumerate(self.options)
            ],
            "hasUniqueValue": self.unique,
            "calculated": False,
            "externalOptions": False,
            "hidden": False,
            "formField": not self.read_only,
            "modificationMetadata": {
                "archivable": not self.read_only,
                "readOnlyDefinition": self.read_only,
                "readOnlyValue": self.read_only,
            },
            "createdAt": "2024-01-01T00:00:00.000Z",
            "updatedAt": "2024-01-01T00:00:00.000Z",
            "archived": False,
        }

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> PropertyDef:
        """Build from a ``POST /crm/v3/properties/{object}`` body; raises ValueError naming the problem."""
        name = body.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError("'name' must be lower case letters, digits and underscores, starting with a letter")
        ptype = body.get("type", "string")
        if ptype not in ("string", "number", "bool", "enumeration", "datetime", "date"):
            raise ValueError(f"unsupported property type {ptype!r}")
        options = tuple(str(o["value"]) if isinstance(o, dict) else str(o) for o in body.get("options") or [])
        if ptype == "enumeration" and not options:
            raise ValueError("an enumeration property needs 'options'")
        return cls(
            name=name,
            type=ptype,
            field_type=str(body.get("fieldType", "text")),
            label=str(body.get("label", "")),
            options=options,
            unique=bool(body.get("hasUniqueValue", False)),
            group=str(body.get("groupName", "crmhub")),
            description=str(body.get("description", "")),
        )


def _p(name: str, ptype: str = "string", **kw: Any) -> PropertyDef:
    field_type = {"number": "number", "bool": "booleancheckbox", "enumeration": "select",
                  "datetime": "date", "date": "date"}.get(ptype, "text")
    return PropertyDef(name=name, type=ptype, field_type=field_type, read_only=name in READ_ONLY, **kw)


#: HubSpot's record owner: the numeric id of one of the portal's owners (``GET /crm/v3/owners``, field ``id``).
OWNER_PROPERTY = "hubspot_owner_id"
_OWNER_ID_RE = re.compile(r"^[0-9]+$")

_COMMON = [
    _p("hs_object_id", "number", group="system"),
    _p("createdate", "datetime", group="system"),
    _p("hs_lastmodifieddate", "datetime", group="system"),
    _p(wire.CRMHUB_ID_PROPERTY, unique=True, description="crmhub canonical id (unique)"),
]

BUILTIN: dict[str, list[PropertyDef]] = {
    "contacts": _COMMON
    + [
        _p("lastmodifieddate", "datetime", group="system"),
        _p("email", unique=True, group="contactinformation"),
        _p("firstname", group="contactinformation"),
        _p("lastname", group="contactinformation"),
        _p("phone", group="contactinformation"),
        _p("company", group="contactinformation"),
        _p("jobtitle", group="contactinformation"),
        _p("country", group="contactinformation"),
        _p("city", group="contactinformation"),
        _p("associatedcompanyid", "number", group="contactinformation",
           description="primary associated company, maintained from associations"),
        _p("hs_email_verified", "bool"),
        _p(OWNER_PROPERTY, group="contactinformation", label="Contact owner",
           description="the contact owner's HubSpot owner id (numeric)"),
        _p("lp_stage", "enumeration",
           options=("prospect", "contacted", "interested", "due_diligence", "soft_circle", "accepted", "closed")),
        _p("interested", "bool"),
        _p("intent_score", "number"),
        _p("lp_commitment_amount", "number"),
        _p("lp_segment"),
        _p("identity_confidence", "number"),
        _p("external_id"),
    ],
    "companies": _COMMON
    + [
        _p("name", group="companyinformation"),
        _p("domain", group="companyinformation",
           description="not unique (as in HubSpot): an upsert by domain is refused"),
        _p("entity_type", "enumeration", options=("lp", "gp", "portfolio_company", "advisor")),
        _p("tax_id"),
        _p("city", group="companyinformation"),
        _p("country", group="companyinformation"),
        _p("industry", group="companyinformation"),
        _p("icp_fit"),
        _p("invoice_status", "enumeration", options=("draft", "sent", "paid", "overdue", "void")),
        _p("external_id"),
    ],
    # HubSpot deals: name, pipeline stage, amount, close date; the sandbox's one pipeline ("default") uses
    # the fundraising stages as stage ids (a real portal maps its stage ids in the integration map).
    "deals": _COMMON
    + [
        _p("dealname"),
        _p("pipeline"),
        _p("dealstage"),
        _p("amount", "number"),
        _p("deal_currency_code"),
        _p("closedate", "datetime"),
        _p(OWNER_PROPERTY, label="Deal owner", description="the deal owner's HubSpot owner id (numeric)"),
        _p("external_id"),
    ],
}


class PropertyError(Exception):
    """One rejected property value; ``code`` is HubSpot's error code (PROPERTY_DOESNT_EXIST, INVALID_OPTION...)."""

    def __init__(self, name: str, code: str, message: str):
        super().__init__(message)
        self.name = name
        self.code = code
        self.message = message

    def to_api(self) -> dict[str, Any]:
        return {"isValid": False, "message": self.message, "error": self.code, "name": self.name,
                "localizedErrorMessage": self.message}


# ---------------------------------------------------------------------------------------------- time helpers

def now_ms() -> int:
    return int(clock.now().timestamp() * 1000)


def ms_to_iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time_ms(value: Any) -> int | None:
    """Epoch milliseconds from epoch ms (int or digits) or an ISO date/datetime; None if unparseable."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() * 1000)
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


# ---------------------------------------------------------------------------------------------- validation

def normalize_value(prop: PropertyDef, value: Any) -> str | None:
    """Validate one value for ``prop`` and return its stored (string) form; ``""``/None clears it.

    Raises:
        PropertyError: with HubSpot's error code when the value is invalid for the property type.
    """
    if value is None:
        return None
    if isinstance(value, dict | list):
        raise PropertyError(prop.name, "INVALID_VALUE", f"{value!r} is not a valid value for property {prop.name!r}")
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if text == "":
        return None
    if prop.type == "number":
        try:
            float(text)
        except ValueError:
            raise PropertyError(prop.name, "INVALID_FLOAT",
                                f"{text!r} is not a valid number for property {prop.name!r}") from None
        return text
    if prop.type == "bool":
        low = text.strip().lower()
        if low not in ("true", "false"):
            raise PropertyError(prop.name, "INVALID_BOOLEAN",
                                f"{text!r} is not a valid boolean for property {prop.name!r} (use true/false)")
        return low
    if prop.type == "enumeration":
        if text not in prop.options:
            raise PropertyError(
                prop.name, "INVALID_OPTION",
                f"{text!r} was not one of the allowed options: [{', '.join(prop.options)}]")
        return text
    if prop.type in ("datetime", "date"):
        ms = parse_time_ms(text)
        if ms is None:
            raise PropertyError(prop.name, "INVALID_DATE",
                                f"{text!r} is not a valid {prop.type} for property {prop.name!r} (ISO 8601 or epoch ms)")
        return ms_to_iso(ms) if prop.type == "datetime" else ms_to_iso(ms)[:10]
    if prop.name == OWNER_PROPERTY and not _OWNER_ID_RE.match(text.strip()):
        raise PropertyError(prop.name, "INVALID_OWNER_ID",
                            f"{text!r} is not a valid owner id (a HubSpot owner's numeric id, e.g. '48210017')")
    if prop.name == "email" and not _EMAIL_RE.match(text.strip()):
        raise PropertyError(prop.name, "INVALID_EMAIL", f"Email address {text} is invalid")
    return text


def unique_key(prop: PropertyDef, value: str) -> str:
    """Index form of a unique value (emails and domains compare case-insensitively)."""
    return value.strip().lower()
