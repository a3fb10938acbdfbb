"""The map's "Missing fields > 5 % opps" alert: the share of the CRM's deals that lack a field an integration writes.

The seed's alerting table gives Billing -> CRM the condition "Missing fields > 5% opps", owner FinanceOps. In the
map it is the SLA's ``missing_fields`` (``billing_to_crm``: ``{of: deal, from_stage: accepted, max_pct: 5}``):

* **the records counted** are the opportunities: live ``core.deal`` rows with a crosswalk id in the SLA's target
  system (the CRM's deals), at ``from_stage`` or a later stage of ``stages.fundraising`` (``accepted``,
  ``closed``: the LP committed, so billing invoices it; a prospect has nothing to bill). Without ``from_stage``
  every live deal counts;
* **the fields** are the properties the SLA's ``field_map`` entries write to the target system through their
  reverse-ETL sync (``crmhub.config.integration_map.missing_field_targets``; ``billing_to_crm``:
  ``crm.company.invoice_status``, sync ``company_invoice_status``);
* a deal **has** a field when a CRM record that carries it for the deal holds a value there: the deal itself
  for a ``deal`` property, an associated company or contact (``core.deal_association``) for a ``company`` or
  ``contact`` property; "holds" = the sync's last payload the CRM acknowledged (``ops.reverse_etl_state``,
  status ``synced``) has a non-empty value for the property. A deal **misses** the fields when it lacks any;
  ``without_record`` counts the deals with no associated record of the field's object at all (a CRM
  association to fix, not a push).

``missing_pct = 100 * missing / deals`` above ``max_pct`` is a breach: the health cycle's ``missing_fields`` cause
(``crmhub.health.causes``) opens or repeats one incident on the SLA for its owner, and marks it recovered when
the share is back at or under ``max_pct``; the owner resolves it with the measurement as proof
(``crmhub.ops.closeout``). No counted deal is no measurement (nothing fires, nothing proves).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from crmhub.config.integration_map import missing_field_targets


@dataclass(frozen=True)
class Field:
    """One property of the target system an SLA's flow writes: ``object.property`` by the reverse-ETL ``sync``."""

    object: str
    property: str
    sync: str

    @property
    def label(self) -> str:
        return f"{self.object}.{self.property}"


@dataclass(frozen=True)
class Rule:
    """The ``missing_fields`` alert of one SLA."""

    sla: str
    owner: str
    system: str
    stages: tuple[str, ...] | None
    max_pct: float
    fields: tuple[Field, ...]


def rules(imap) -> list[Rule]:
    """The ``missing_fields`` rule of every SLA of the map that has one."""
    out = []
    fundraising = list(imap.stages["fundraising"])
    for sla in imap.slas.values():
        spec = sla.get("missing_fields")
        if not spec:
            continue
        start = spec.get("from_stage")
        out.append(Rule(
            sla=sla["name"], owner=sla["owner"], system=sla["to"],
            stages=tuple(fundraising[fundraising.index(start):]) if start else None,
            max_pct=float(spec["max_pct"]),
            fields=tuple(Field(*target) for target in missing_field_targets(imap.raw, sla)),
        ))
    return out


_DEALS = sql.SQL("""
WITH deals AS (
    SELECT d.crmhub_id FROM core.deal d
     WHERE d.deleted_at IS NULL AND ({stages}::text[] IS NULL OR d.stage = ANY({stages}::text[]))
       AND EXISTS (SELECT 1 FROM core.external_id x
                    WHERE x.crmhub_id = d.crmhub_id AND x.system = {system} AND x.core_table = 'deal')
), carriers AS (   -- the target system's records that carry a deal's properties: itself, its companies, contacts
    SELECT x.crmhub_id AS deal_id, 'deal'::text AS object, x.external_id AS record_id
      FROM core.external_id x WHERE x.system = {system} AND x.core_table = 'deal'
    UNION ALL
    SELECT a.deal_id, a.crm_object, a.crm_id FROM core.deal_association a WHERE a.source_system = {system}
), per_deal AS (
    SELECT d.crmhub_id, {per_field}
      FROM deals d LEFT JOIN carriers c ON c.deal_id = d.crmhub_id {held}
     GROUP BY d.crmhub_id
)
SELECT count(*) AS deals, count(*) FILTER (WHERE NOT ({has_all})) AS missing, {counts} FROM per_deal
""")
#: The sync's last payload the target acknowledged for a carrier holds a value for the property.
_HELD = sql.SQL("""LEFT JOIN ops.reverse_etl_state {s} ON c.object = {object} AND {s}.destination_id = c.record_id
        AND {s}.sync_name = {sync} AND {s}.status = 'synced' AND nullif({s}.payload ->> {property}, '') IS NOT NULL""")


def _query(rule: Rule) -> sql.Composed:
    """One pass over the deals (hash joins, no per-deal subquery): per field ``i``, ``carried_i`` (a record of the
    field's object is associated) and ``has_i`` (one of them holds a value)."""
    per_field, held, counts = [], [], []
    for i, f in enumerate(rule.fields):
        state, carried, has = (sql.Identifier(f"{name}_{i}") for name in ("s", "carried", "has"))
        per_field += [sql.SQL("coalesce(bool_or(c.object = {}), false) AS {}").format(sql.Literal(f.object), carried),
                      sql.SQL("coalesce(bool_or({}.sync_name IS NOT NULL), false) AS {}").format(state, has)]
        held.append(_HELD.format(s=state, object=sql.Literal(f.object), sync=sql.Literal(f.sync),
                                 property=sql.Literal(f.property)))
        counts += [sql.SQL("count(*) FILTER (WHERE NOT {}) AS {}").format(has, sql.Identifier(f"missing_{i}")),
                   sql.SQL("count(*) FILTER (WHERE NOT {}) AS {}").format(carried, sql.Identifier(f"without_record_{i}"))]
    return _DEALS.format(
        stages=sql.Literal(list(rule.stages) if rule.stages else None), system=sql.Literal(rule.system),
        per_field=sql.SQL(", ").join(per_field), held=sql.SQL(" ").join(held),
        has_all=sql.SQL(" AND ").join(sql.Identifier(f"has_{i}") for i in range(len(rule.fields))),
        counts=sql.SQL(", ").join(counts))


def measure(conn: psycopg.Connection, rule: Rule) -> dict:
    """The rule measured now: ``{sla, owner, deals, missing, missing_pct, max_pct, breached, stages,
    fields: {label: {missing, without_record}}}`` (``missing_pct`` None and not breached without deals)."""
    row = conn.cursor(row_factory=dict_row).execute(_query(rule)).fetchone()
    deals, missing = row["deals"], row["missing"]
    pct = round(100.0 * missing / deals, 3) if deals else None
    return {
        "sla": rule.sla, "owner": rule.owner, "deals": deals, "missing": missing, "missing_pct": pct,
        "max_pct": rule.max_pct, "breached": pct is not None and 100.0 * missing / deals > rule.max_pct,
        "stages": list(rule.stages) if rule.stages else None,
        "fields": {f.label: {"missing": row[f"missing_{i}"], "without_record": row[f"without_record_{i}"]}
                   for i, f in enumerate(rule.fields)},
    }


def measure_all(conn: psycopg.Connection, imap) -> list[dict]:
    """:func:`measure` for every rule of the map."""
    return [measure(conn, rule) for rule in rules(imap)]


def describe(m: dict) -> str:
    """One line: the share, the threshold and where the missing deals' fields are."""
    if m["deals"] == 0:
        return f"{m['sla']}: no deals to measure" + (f" (stages {', '.join(m['stages'])})" if m["stages"] else "")
    fields = "; ".join(f"{label} missing on {c['missing']} ({c['without_record']} without any {label.split('.')[0]})"
                       for label, c in m["fields"].items())
    verdict = "over" if m["breached"] else "within"
    return (f"{m['sla']}: {m['missing']} of {m['deals']} deals ({m['missing_pct']:.2f} %) lack a field it writes, "
            f"{verdict} the {m['max_pct']:g} % limit; {fields}")
