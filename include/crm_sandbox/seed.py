"""Seed files for the sandbox: a JSON export or one CSV per object.

JSON: ``{"contacts": [{"id"?, "properties": {...}, "createdAt"?, "updatedAt"?, "archived"?}],
"companies": [...], "associations"?: [{"from_object", "from_id", "to_object", "to_id"}]}`` (a record
may also be a flat ``{property: value}`` object). CSV: a header of property names, ``id`` optional,
one file per object; the object comes from ``contacts=path.csv`` or from the file name
(``contacts.csv``, ``crm_companies.csv``...). A contact's ``associatedcompanyid`` links it to a company.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from crm_sandbox.schema import OBJECTS
from crmhub.exceptions import RejectedFileError


def _object_from_name(stem: str) -> str | None:
    low = stem.lower()
    if "contact" in low:
        return "contacts"
    if "compan" in low:
        return "companies"
    if "deal" in low:
        return "deals"
    return None


def load_seed_file(spec: str | Path) -> dict[str, Any]:
    """Read one seed file; ``spec`` is ``PATH`` or ``OBJECT=PATH`` (for CSVs named otherwise)."""
    text = str(spec)
    object_type = None
    if "=" in text and text.split("=", 1)[0] in OBJECTS:
        object_type, text = text.split("=", 1)
    path = Path(text)
    if not path.exists():
        raise RejectedFileError(str(path), "seed file not found")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise RejectedFileError(str(path), f"not valid JSON ({exc})") from exc
        if isinstance(data, list) and object_type:
            data = {object_type: data}
        if not isinstance(data, dict) or not any(k in data for k in (*OBJECTS, "associations")):
            raise RejectedFileError(str(path), 'JSON seed must be {"contacts": [...], "companies": [...]}')
        unknown = set(data) - {*OBJECTS, "associations"}
        if unknown:
            raise RejectedFileError(str(path), f"unknown top-level key(s) {sorted(unknown)}; "
                                               f"use {list(OBJECTS)} and 'associations'")
        return data
    if path.suffix.lower() == ".csv":
        object_type = object_type or _object_from_name(path.stem)
        if object_type is None:
            raise RejectedFileError(str(path), "cannot tell the object from the file name; pass "
                                               "contacts=PATH or companies=PATH")
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames:
                raise RejectedFileError(str(path), "empty CSV: a header of property names is required", line=1)
            records = []
            for row in reader:
                if None in row:
                    raise RejectedFileError(str(path), "more values than header columns", line=reader.line_num)
                rid = (row.pop("id", None) or row.pop("hs_object_id", None) or "").strip()
                props = {k.strip(): v for k, v in row.items() if k and v not in (None, "")}
                records.append({"id": rid or None, "properties": props})
        return {object_type: records}
    raise RejectedFileError(str(path), "seed files must be .json or .csv")


def merge_seeds(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Concatenate several seed documents (companies before contacts is handled by the loader)."""
    out: dict[str, list[Any]] = {}
    for part in parts:
        for key, items in part.items():
            out.setdefault(key, []).extend(items or [])
    return out
