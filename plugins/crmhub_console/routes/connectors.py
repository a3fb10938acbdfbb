"""Connectors: status, last load counts, quarantine reasons (masked samples), frozen ones with the parked diff."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from crmhub.exceptions import CrmHubError
from crmhub.ingest.overview import connector_overview
from crmhub.ingest.state import unfreeze
from crmhub_console.auth import Actor, Reader
from crmhub_console.render import as_json, done, form_text, page
from crmhub_console.warehouse import integration_map, warehouse

router = APIRouter()


def connectors_data() -> dict:
    imap = integration_map()
    owners = {c.name: c.owner for c in imap.connectors}
    with warehouse() as conn:
        rows = connector_overview(conn, list(owners))
    for row in rows:
        row["owner"] = owners.get(row["connector"])
    return {"connectors": rows, "frozen": [r["connector"] for r in rows if r["frozen"]]}


@router.get("/api/connectors")
def connectors_json(_: Reader):
    return as_json(connectors_data())


@router.get("/connectors")
def connectors_page(request: Request, who: Reader):
    return page(request, who, "connectors.html", "connectors", data=connectors_data())


def _release(name: str, by: str, reason: str | None) -> None:
    with warehouse() as conn:
        released = unfreeze(conn, name, by=by, reason=reason)
        conn.commit()
    if not released:
        raise CrmHubError(f"connector {name!r} is not frozen")


@router.post("/connectors/{name}/release")
async def release(request: Request, name: str, who: Actor):
    """Same call as ``crmhub connector unfreeze NAME --by WHO [--reason ...]``."""
    await run_in_threadpool(_release, name, who.name, await form_text(request, "reason"))
    return done(request, "connectors", {"connector": name, "released_by": who.name},
                f"connector {name} released by {who.name}")
