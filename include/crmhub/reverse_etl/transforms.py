"""Field transforms for reverse ETL payloads and the canonical wire form of a value.

A sync's field mapping turns one model column into one destination property through a list of
transforms (applied left to right). The CRM stores every value as a string, so the payload holds
the canonical string form of each value (:func:`wire`), which also makes the payload hash stable:
``Decimal("72.50")``, ``72.5`` and ``"72.5"`` all become ``"72.5"``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

#: Transforms without arguments.
SIMPLE = ("none", "trim", "lower", "upper", "title", "string", "bool", "date", "datetime")
#: Transforms written as a one-key mapping, e.g. ``{round: 1}``.
PARAMETRIC = ("round", "enum_map", "default", "scale", "truncate", "bucket")


def wire(value: Any) -> str | None:
    """Canonical string form sent to the destination; None stays None (clears the property)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        d = decimal.Decimal(str(value)) if isinstance(value, float) else value
        if d.is_nan() or d.is_infinite():
            return None
        text = format(d.normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def same(a: Any, b: Any) -> bool:
    """Two property values are the same on the wire (``""`` and None both mean empty)."""
    return _norm(a) == _norm(b)


def _norm(value: Any) -> str | None:
    text = wire(value)
    if text is None:
        return None
    try:  # "72.50" vs "72.5", "3" vs "3.0"
        return wire(decimal.Decimal(text)) if text.strip() and _numeric(text) else text
    except decimal.InvalidOperation:
        return text


def _numeric(text: str) -> bool:
    t = text.strip().lstrip("+-")
    return t.replace(".", "", 1).isdigit()


def _step(value: Any, spec: Any) -> Any:
    if isinstance(spec, str):
        name, arg = spec, None
    elif isinstance(spec, dict) and len(spec) == 1:
        name, arg = next(iter(spec.items()))
    else:
        raise ValueError(f"transform {spec!r} must be a name or a one-key mapping")
    if name == "default":
        return arg if value is None or value == "" else value
    if value is None:
        return None
    if name == "none":
        return value
    if name in ("trim", "lower", "upper", "title"):
        text = str(value).strip()
        return {"trim": text, "lower": text.lower(), "upper": text.upper(), "title": text.title()}[name]
    if name == "string":
        return wire(value)
    if name == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "t", "yes", "y", "1"):
            return True
        if text in ("false", "f", "no", "n", "0"):
            return False
        raise ValueError(f"{value!r} is not a boolean")
    if name == "date":
        return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value)[:10])
    if name == "datetime":
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if name == "round":
        places = int(arg or 0)
        try:
            d = decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            raise ValueError(f"{value!r} is not a number (transform round)") from None
        d = d.quantize(decimal.Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
        return int(d) if places <= 0 else d
    if name == "enum_map":
        key = str(value).strip().lower()
        mapping = {str(k).lower(): v for k, v in (arg or {}).items()}
        return mapping.get(key, value)
    if name == "scale":
        lo, hi = float(arg["from_min"]), float(arg["from_max"])
        to_lo, to_hi = float(arg.get("to_min", 0)), float(arg.get("to_max", 100))
        return to_lo + (float(value) - lo) * (to_hi - to_lo) / (hi - lo)
    if name == "truncate":
        return str(value)[: int(arg)]
    if name == "bucket":  # {bucket: [[50000000, anchor], [10000000, core], [0, emerging]]}: first lower bound met
        number = float(value)
        for bound, label in arg:
            if number >= float(bound):
                return label
        return None
    raise ValueError(f"unknown transform {name!r}; use one of {SIMPLE + PARAMETRIC}")


def apply(value: Any, transforms: Iterable[Any]) -> str | None:
    """Run ``transforms`` over ``value`` and return the wire form.

    Raises:
        ValueError: a transform cannot handle the value (the record fails, the run goes on).
    """
    for spec in transforms:
        value = _step(value, spec)
    return wire(value)
