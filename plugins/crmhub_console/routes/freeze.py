"""Freeze everything / thaw everything: the go-live day's global switch (``crmhub ops freeze|thaw --all``).

Mounted only when the core has :mod:`crmhub.safety.freeze` (see :func:`crmhub_console.app.create_app`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from crmhub.exceptions import CrmHubError
from crmhub.safety import freeze
from crmhub_console.auth import Actor, Reader
from crmhub_console.render import as_json, done, form_text
from crmhub_console.warehouse import warehouse

router = APIRouter()


def freeze_data() -> dict:
    with warehouse() as conn:
        return {"state": freeze.freeze_state(conn).as_dict(), "history": freeze.freeze_history(conn, limit=10)}


@router.get("/api/freeze")
def freeze_json(_: Reader):
    return as_json(freeze_data())


def _switch(on: bool, reason: str | None, by: str) -> dict:
    with warehouse() as conn:
        state = freeze.freeze_all(conn, reason, by) if on else freeze.thaw_all(conn, reason or "thawed", by)
    return state.as_dict()


@router.post("/freeze/all")
async def freeze_everything(request: Request, who: Actor):
    """Same call as ``crmhub ops freeze --all --reason WHY --by WHO`` (the reason is required)."""
    reason = await form_text(request, "reason")
    if not reason:
        raise CrmHubError("freezing everything needs a reason (it is logged with who and when)")
    state = await run_in_threadpool(_switch, True, reason, who.name)
    return done(request, "health", state, f"everything frozen by {who.name}: {reason}")


@router.post("/thaw/all")
async def thaw_everything(request: Request, who: Actor):
    """Same call as ``crmhub ops thaw --all [--reason WHY] --by WHO``."""
    state = await run_in_threadpool(_switch, False, await form_text(request, "reason"), who.name)
    return done(request, "health", state, f"everything thawed by {who.name}")
