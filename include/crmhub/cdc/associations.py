"""Deal associations: which CRM companies and contacts each deal is associated with (issue 18.2).

HubSpot's search API (the incremental read) returns no associations, so after every load of the CRM's deals
(full ingest, CDC, webhook re-read, backfill chunk) the deals of that load are asked for their associations
through the v4 API (``POST /crm/v4/associations/deals/{companies|contacts}/batch/read``, 100 ids a request).
An input without any association is an error entry of a 207 (``NO_ASSOCIATIONS_FOUND``): it means "none".

Each deal's rows in ``core.deal_association`` are then replaced as a set (the CRM is the truth: an association
removed in the CRM disappears here). A CRM id resolves to its core record through ``core.external_id`` (system
``crm``; after an identity merge the crosswalk points at the survivor); an id not loaded yet is kept with
``crmhub_id`` NULL and resolved by the next read.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg
from psycopg import sql

from crmhub.config.integration_map import Connector
from crmhub.exceptions import CrmHubError
from crmhub.hubspot import wire
from crmhub.hubspot.connection import tls_verify

#: (v4 object, crosswalk object, core table) of what a deal is associated with.
ASSOCIATED = (("companies", "company", "entity"), ("contacts", "contact", "contact"))
USER_AGENT = "crmhub-cdc-associations/1.0"
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_ATTEMPTS = 5

Found = dict[str, dict[str, list[tuple[str, int | None]]]]   # to_object -> deal CRM id -> [(CRM id, type id)]


def is_deal_connector(connector: Connector) -> bool:
    return connector.system == "crm" and connector.object == "deal" and connector.kind == "rest"


def loaded_ids(conn: psycopg.Connection, connector: Connector, run_id: int) -> list[str]:
    """CRM ids of the records the sync run ``run_id`` staged (its ``detail->'loads'``)."""
    row = conn.execute("SELECT detail -> 'loads' FROM ops.sync_runs WHERE run_id = %s", (run_id,)).fetchone()
    loads = list((row and row[0]) or [])
    if not loads:
        return []
    query = sql.SQL("SELECT DISTINCT {pk}::text FROM {table} WHERE load_id = ANY(%s) AND {pk} IS NOT NULL").format(
        pk=sql.Identifier(connector.primary_key), table=sql.Identifier("staging", connector.name))
    return sorted(r[0] for r in conn.execute(query, (loads,)).fetchall())


def _post(client: httpx.Client, path: str, body: dict) -> dict[str, Any]:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            resp = client.post(path, json=body)
        except httpx.TransportError:
            if attempt == MAX_ATTEMPTS:
                raise
            time.sleep(min(8.0, 0.2 * 2 ** attempt))
            continue
        if resp.status_code in RETRY_STATUSES and attempt < MAX_ATTEMPTS:
            wait = resp.headers.get("Retry-After")
            time.sleep(float(wait) if wait and wait.replace(".", "", 1).isdigit() else min(8.0, 0.2 * 2 ** attempt))
            continue
        if resp.status_code not in (200, 207):
            raise CrmHubError(f"POST {path}: HTTP {resp.status_code}: {resp.text[:300]}")
        return resp.json()
    raise CrmHubError(f"POST {path}: no answer after {MAX_ATTEMPTS} attempts")  # pragma: no cover


def read_associations(base_url: str, token: str | None, deal_ids: list[str], *, timeout: float | None = None,
                      verify: bool | str = True) -> Found:
    """Companies and contacts associated with each deal in ``deal_ids`` (CRM ids), from the v4 batch read."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json", "Content-Type": "application/json",
               **({"Authorization": f"Bearer {token}"} if token else {})}
    found: Found = {obj: {} for obj, _, _ in ASSOCIATED}
    with httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout or 30.0,
                      verify=tls_verify(verify)) as client:
        for to_object, _, _ in ASSOCIATED:
            for start in range(0, len(deal_ids), wire.MAX_BATCH_INPUTS):
                chunk = deal_ids[start:start + wire.MAX_BATCH_INPUTS]
                page = _post(client, f"/crm/v4/associations/deals/{to_object}/batch/read",
                             wire.association_read_body(chunk))
                failed = [e for e in page.get("errors") or [] if not wire.no_associations(e)]
                if failed:
                    raise CrmHubError(f"associations deals -> {to_object}: {failed[0].get('message')} "
                                      f"({len(failed)} error(s))")
                for result in page.get("results") or []:
                    found[to_object][str(result["from"]["id"])] = [
                        (str(t["toObjectId"]), (t.get("associationTypes") or [{}])[0].get("typeId"))
                        for t in result.get("to") or []]
    return found


def store_associations(conn: psycopg.Connection, deal_ids: list[str], found: Found) -> dict[str, int]:
    """Replace the association rows of ``deal_ids`` (CRM ids of deals in core) with ``found``; commit."""
    deals = dict(conn.execute("SELECT external_id, crmhub_id FROM core.external_id WHERE system = 'crm' "
                              "AND object = 'deal' AND external_id = ANY(%s)", (deal_ids,)).fetchall())
    rows = []
    for to_object, crm_object, core_table in ASSOCIATED:
        targets = sorted({t for d in deals for t, _ in found[to_object].get(d, [])})
        mapped = dict(conn.execute("SELECT external_id, crmhub_id FROM core.external_id WHERE system = 'crm' "
                                   "AND object = %s AND external_id = ANY(%s)", (crm_object, targets)).fetchall())
        rows += [(deals[d], core_table, crm_object, t, mapped.get(t), type_id)
                 for d in deals for t, type_id in found[to_object].get(d, [])]
    with conn.cursor() as cur:
        cur.execute("DELETE FROM core.deal_association WHERE deal_id = ANY(%s)", (list(deals.values()),))
        cur.executemany("INSERT INTO core.deal_association (deal_id, core_table, crm_object, crm_id, crmhub_id, "
                        "type_id) VALUES (%s, %s, %s, %s, %s, %s)", rows)
    conn.commit()
    return {"deals": len(deals), "associations": len(rows), "unresolved": sum(1 for r in rows if r[4] is None)}


def sync_deal_associations(conn: psycopg.Connection, deal_ids: list[str], base_url: str | None, token: str | None,
                           *, timeout: float | None = None, verify: bool | str = True) -> dict[str, int]:
    """Read and store the associations of ``deal_ids``; ``{"deals", "associations", "unresolved"}``."""
    if not deal_ids:
        return {"deals": 0, "associations": 0, "unresolved": 0}
    if not base_url:
        raise CrmHubError("deal associations: no CRM base URL (the crmhub_crm connection)")
    found = read_associations(base_url, token, deal_ids, timeout=timeout, verify=verify)
    return store_associations(conn, deal_ids, found)
