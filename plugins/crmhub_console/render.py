"""HTML rendering (Jinja2, autoescaped) and JSON/HTML answers for the same data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from crmhub_console.auth import Principal
from crmhub_console.charts import line_chart

TEMPLATES = Path(__file__).with_name("templates")
PAGES = (("health", "Health"), ("incidents", "Incidents"), ("review", "Review queue"), ("connectors", "Connectors"),
         ("outreach", "Outreach"), ("reconciliation", "Reconciliation"))


def _age(value: datetime | None) -> str:
    if value is None:
        return "-"
    seconds = (datetime.now(UTC) - value).total_seconds()
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _num(value, spec: str = ".1f") -> str:
    return "-" if value is None else format(float(value), spec)


env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html",), default=True),
                  trim_blocks=True, lstrip_blocks=True)
def _href(value: str | None) -> str:
    """Links from data: http(s) or site-relative only (anything else, e.g. ``javascript:``, becomes ``#``)."""
    text = (value or "").strip()
    return text if text.startswith(("https://", "http://", "/")) and not text.startswith("//") else "#"


def _penalty(value) -> str:
    """Points a penalty takes off the score: ``−22.5``, or ``0`` when it takes nothing."""
    return "-" if value is None else (f"−{float(value):.1f}" if float(value) > 0 else "0")


env.filters.update(age=_age, when=_when, num=_num, href=_href, penalty=_penalty)
env.globals.update(line_chart=line_chart, PAGES=PAGES,
                   points=lambda rows, x, y: [(str(r[x]), None if r[y] is None else float(r[y])) for r in rows])


def base(request: Request) -> str:
    """The console's own URL prefix (``/crmhub`` when mounted by the plugin)."""
    return request.scope.get("root_path", "").rstrip("/")


def wants_json(request: Request) -> bool:
    """JSON for ``/api/...``, bearer callers and clients that ask for it; HTML for browsers."""
    if request.url.path.startswith(base(request) + "/api/"):
        return True
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def page(request: Request, who: Principal, template: str, active: str, **data) -> HTMLResponse:
    html = env.get_template(template).render(
        base=base(request), who=who, active=active, msg=request.query_params.get("msg"),
        error=request.query_params.get("error"), **data)
    return HTMLResponse(html)


def as_json(data) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data))


def done(request: Request, back: str, result: dict, message: str) -> JSONResponse | RedirectResponse:
    """Answer an action: JSON for scripts, a 303 back to the page (with a message) for the browser."""
    if wants_json(request):
        return as_json({"ok": True, "message": message, "result": result})
    return RedirectResponse(f"{base(request)}/{back}?{urlencode({'msg': message})}", status_code=303)


async def form_text(request: Request, key: str) -> str | None:
    """A form field (or JSON body key for scripts), stripped; None when absent or blank."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.json()
        value = body.get(key) if isinstance(body, dict) else None
    else:
        value = (await request.form()).get(key)
    return value.strip() or None if isinstance(value, str) else None
