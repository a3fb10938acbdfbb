"""Schema drift: a batch whose columns (or column types) no longer match the contract is parked.

Drift, as a machine-readable diff ``{"added": [...], "missing": [...], "retyped": [...]}``:

* ``added`` / ``missing``: source columns not in the contract / contracted fields not in the source header.
* ``retyped`` (text sources carry no types): a field whose values stop parsing as the declared type en
  masse - in a batch with at least ``RETYPE_MIN_VALUES`` non-null values, more than ``RETYPE_SHARE`` of
  them fail the *type* rule (``allowed``/``range`` failures do not count: the type is still right).
  Each entry: ``{"field", "declared", "illegal", "non_null"}``.

Parking (see ``park``): the whole load is rolled back (nothing lands), the diff and a masked sample are
stored in ``ops.parked_events``, and the connector is frozen in ``ops.connector_state``; nothing loads
from it (``ConnectorFrozenError``) until ``crmhub connector unfreeze NAME --by WHO``.
"""

from __future__ import annotations

import psycopg
from psycopg.types.json import Jsonb

from crmhub.config.integration_map import Connector
from crmhub.contracts.check import FieldStats, _type_for
from crmhub.ingest.state import freeze

RETYPE_MIN_VALUES = 20
RETYPE_SHARE = 0.5

#: Columns a source may always add next to the contracted fields (REST metadata).
IGNORED_EXTRA = {"createdAt", "updatedAt", "archivedAt"}


def header_diff(connector: Connector, header: list[str]) -> dict:
    """Added / missing columns of ``header`` against the contract (``retyped`` empty)."""
    fields = list(connector.field_names)
    seen = set(header)
    return {
        "added": [c for c in header if c not in set(fields) and c not in IGNORED_EXTRA],
        "missing": [f for f in fields if f not in seen],
        "retyped": [],
    }


def retyped_fields(connector: Connector, stats: dict[str, FieldStats]) -> list[dict]:
    """Fields whose values stopped parsing as the declared type in this batch (see module doc)."""
    out = []
    for contract in connector.fields:
        st = stats.get(contract.name)
        if st is None or st.non_null < RETYPE_MIN_VALUES:
            continue
        if st.illegal_type > RETYPE_SHARE * st.non_null:
            out.append(
                {"field": contract.name, "declared": _type_for(contract), "illegal": st.illegal_type,
                 "non_null": st.non_null}
            )
    return out


def has_drift(diff: dict) -> bool:
    return bool(diff["added"] or diff["missing"] or diff["retyped"])


def describe(diff: dict) -> str:
    parts = []
    if diff["added"]:
        parts.append("added " + ", ".join(diff["added"]))
    if diff["missing"]:
        parts.append("missing " + ", ".join(diff["missing"]))
    if diff["retyped"]:
        parts.append("retyped " + ", ".join(f"{r['field']} (not {r['declared']})" for r in diff["retyped"]))
    return "schema drift: " + "; ".join(parts)


def park(
    conn: psycopg.Connection,
    connector: Connector,
    *,
    load_id: str,
    origin: str,
    checksum: str | None,
    diff: dict,
    rows: int,
    sample: list[dict] | None = None,
) -> int:
    """Store the parked batch and freeze the connector (caller commits); returns the parked event id."""
    event_id = conn.execute(
        "INSERT INTO ops.parked_events (connector, load_id, origin, checksum, diff, rows, sample) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (connector.name, load_id, origin, checksum, Jsonb(diff), rows, Jsonb(sample or [])),
    ).fetchone()[0]
    freeze(conn, connector.name, describe(diff), by="crmhub.drift", details={"parked_event": event_id, **diff})
    return event_id
