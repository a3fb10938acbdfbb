"""Incidents: open / acknowledged / resolved, acknowledge, resolve with a proof (link or file), MTTR per owner."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from crmhub.exceptions import CrmHubError
from crmhub.health import incidents, proofs
from crmhub_console.auth import Actor, Reader
from crmhub_console.render import as_json, done, page
from crmhub_console.warehouse import warehouse

router = APIRouter()
STATES = ("open", "acknowledged", "resolved")


def state_of(row: dict) -> str:
    """``resolved``, ``acknowledged`` or ``open`` (a recovered incident stays open until resolved with proof)."""
    return "resolved" if row["resolved_at"] else "acknowledged" if row["acknowledged_at"] else "open"


def incidents_data() -> dict:
    with warehouse() as conn:
        rows = incidents.list_incidents(conn, include_resolved=True)
        mttr = incidents.mttr(conn)
    for row in rows:
        row["state"] = state_of(row)
        row["proof_artifact"] = proofs.artifact_id_of(row["proof"])
    return {"incidents": rows, "mttr": mttr,
            "counts": {s: sum(1 for r in rows if r["state"] == s) for s in STATES}}


@router.get("/api/incidents")
def incidents_json(_: Reader):
    return as_json(incidents_data())


@router.get("/incidents")
def incidents_page(request: Request, who: Reader):
    return page(request, who, "incidents.html", "incidents", data=incidents_data())


@router.post("/incidents/{incident_id}/ack")
def acknowledge(request: Request, incident_id: int, who: Actor):
    with warehouse() as conn:
        row = incidents.acknowledge(conn, incident_id, who.name)
        conn.commit()
    return done(request, "incidents", row, f"incident {incident_id} acknowledged by {who.name}")


@router.post("/incidents/{incident_id}/resolve")
async def resolve(request: Request, incident_id: int, who: Actor):
    form = await request.form()
    link = str(form.get("proof_url") or "").strip()
    upload = form.get("proof_file")
    data = await upload.read() if isinstance(upload, UploadFile) else b""
    if not link and not data:
        raise CrmHubError(f"incident {incident_id}: resolving needs a proof: a link or a file")
    filename = (upload.filename or "proof") if data else None
    ctype = upload.content_type if data else None
    row = await run_in_threadpool(_resolve, incident_id, link, filename, data, ctype, who.name)
    return done(request, "incidents", row, f"incident {incident_id} resolved by {who.name}")


def _resolve(incident_id: int, link: str, filename: str | None, data: bytes, ctype: str | None, by: str) -> dict:
    with warehouse() as conn:
        if data:
            row = proofs.resolve_with_file(conn, incident_id, filename, data, by=by, content_type=ctype)
        else:
            row = incidents.resolve(conn, incident_id, link, by)
        conn.commit()
    return row


@router.get("/incidents/proof/{artifact_id}")
def proof(artifact_id: int, _: Reader):
    try:
        with warehouse() as conn:
            row = proofs.get_proof(conn, artifact_id)
    except CrmHubError as exc:
        raise HTTPException(404, str(exc)) from exc
    # served as a download, never rendered in the console's origin
    return Response(row["content"], media_type="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="proof-{artifact_id}-{row["sha256"][:12]}"',
        "X-Proof-Filename": "".join(ch if " " <= ch < "\x7f" else "?" for ch in row["filename"])})
