"""Review queue: proposed matches side by side with their evidence; approve / split / reject with the keyboard."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from crmhub.security.access_log import record_access
from crmhub_console.auth import Actor, Reader
from crmhub_console.render import as_json, done, form_text, page
from crmhub_console.review_source import BANDS, review_source, unmasked_fields
from crmhub_console.warehouse import warehouse

router = APIRouter()


def review_data(band: str | None = None, source: str | None = None, owner: str | None = None, *,
                who: str = "console") -> dict:
    src = review_source()
    with warehouse() as conn:
        items = src.items(conn, band=band, source=source, owner=owner)
        record_access(conn, who=who, table="review_clusters", fields=unmasked_fields(items), via="console",
                      rows=sum(len(i["members"]) for i in items), reason="console review queue")
        today = src.decisions_today(conn)
        held = src.held(conn)
        pending = src.pending(conn)
    return {"unit": src.unit, "queue": items, "pending": pending, "decisions_today": today, "held": held,
            "filters": {"band": band, "source": source, "owner": owner}, "bands": [b[0] for b in BANDS]}


@router.get("/api/review")
def review_json(who: Reader, band: str | None = None, source: str | None = None, owner: str | None = None):
    return as_json(review_data(band, source, owner, who=who.name))


@router.get("/review")
def review_page(request: Request, who: Reader, band: str | None = None, source: str | None = None, owner: str | None = None):
    return page(request, who, "review.html", "review", data=review_data(band or None, source or None, owner or None,
                                                                         who=who.name))


def _decide(item_id: int, decision: str, by: str, note: str | None, leaving: list[str]) -> dict:
    with warehouse() as conn:
        result = review_source().decide(conn, item_id, decision, by=by, note=note, leaving=leaving)
        conn.commit()
    return result


async def _leaving(request: Request) -> list[str]:
    """The records that leave a split: repeated ``leaving`` form fields, or a JSON list."""
    if request.headers.get("content-type", "").startswith("application/json"):
        value = (await request.json()).get("leaving") or []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return [str(v) for v in (await request.form()).getlist("leaving")]


@router.post("/review/{item_id}/{decision}")
async def decide(request: Request, item_id: int, decision: str, who: Actor):
    """``approve`` / ``split`` / ``reject`` one item (the same core calls as ``crmhub review ...``)."""
    src = review_source()
    if decision not in src.decisions:
        raise HTTPException(404, f"unknown decision {decision!r}")
    result = await run_in_threadpool(_decide, item_id, decision, who.name, await form_text(request, "note"),
                                     await _leaving(request))
    return done(request, "review", result, f"{src.unit} {item_id}: {decision} by {who.name}")
