"""CRM search filters and sorts as HubSpot's search API reads them (operators, typed comparison)."""

from __future__ import annotations

import fnmatch
from typing import Any

from crm_sandbox.errors import ApiError
from crm_sandbox.schema import PropertyDef, parse_time_ms
from crm_sandbox.store import Record

OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY",
              "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}


def comparable(prop: PropertyDef, value: Any) -> Any:
    """``value`` as the property's type compares it: epoch ms, float, or trimmed lower-case text."""
    if value is None:
        return None
    if prop.type in ("datetime", "date"):
        return parse_time_ms(value)
    if prop.type == "number":
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip().lower()


def matches(prop: PropertyDef, rec: Record, f: dict[str, Any]) -> bool:
    """Whether ``rec`` passes one search filter ``f`` (``operator``, ``value``/``values``/``highValue``)."""
    op = f["operator"]
    raw = rec.properties.get(prop.name)
    if op == "HAS_PROPERTY":
        return raw is not None
    if op == "NOT_HAS_PROPERTY":
        return raw is None
    have = comparable(prop, raw)
    if op in ("IN", "NOT_IN"):
        wanted = {comparable(prop, v) for v in f.get("values") or []}
        return (have in wanted) == (op == "IN") if have is not None else op == "NOT_IN"
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = str(f.get("value", "")).lower()
        text = str(raw or "").lower()
        hit = fnmatch.fnmatch(text, pattern) if "*" in pattern else pattern in text.replace("@", " ").split() \
            or pattern == text
        return hit == (op == "CONTAINS_TOKEN")
    want = comparable(prop, f.get("value"))
    if op == "NEQ":
        return have != want
    if have is None or want is None:
        return False
    try:
        if op == "EQ":
            return have == want
        if op == "LT":
            return have < want
        if op == "LTE":
            return have <= want
        if op == "GT":
            return have > want
        if op == "GTE":
            return have >= want
        if op == "BETWEEN":
            high = comparable(prop, f.get("highValue"))
            return high is not None and want <= have <= high
    except TypeError:
        return False
    return False


def parse_sort(s: Any) -> tuple[str, bool]:
    """``(property, descending)`` of a sort given as ``"prop"``, ``"-prop"`` or ``{propertyName, direction}``."""
    if isinstance(s, str):
        return (s[1:], True) if s.startswith("-") else (s, False)
    if isinstance(s, dict) and s.get("propertyName"):
        return s["propertyName"], str(s.get("direction", "ASCENDING")).upper().startswith("DESC")
    raise ApiError(400, "each sort must be 'property', '-property' or {propertyName, direction}")
