"""The console's FastAPI app factory (mounted at ``/crmhub`` by ``crmhub_console_plugin.py``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from crmhub.exceptions import CrmHubError
from crmhub_console.auth import Reader, login_url
from crmhub_console.features import has_freeze_all
from crmhub_console.render import base, wants_json
from crmhub_console.routes import connectors, health, incidents, outreach, reconciliation, review

STATIC = Path(__file__).with_name("static")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; object-src 'none'; frame-ancestors 'self'")


def create_app() -> FastAPI:
    """A new console app; every route depends on :func:`crmhub_console.auth.reader` (actions on ``actor``)."""
    app = FastAPI(title="crmhub operations console", docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        unauthenticated = exc.status_code == 401 or (exc.status_code == 403 and exc.detail in (
            "Invalid JWT token", "Token Expired"))
        if unauthenticated and request.method == "GET" and not wants_json(request):
            target = f"{base(request)}{request.url.path.removeprefix(base(request))}"
            return RedirectResponse(login_url(target), status_code=303)
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(CrmHubError)
    async def crmhub_error(request: Request, exc: CrmHubError):
        if wants_json(request) or request.method != "POST":
            return JSONResponse({"error": str(exc)}, status_code=409)
        back = request.headers.get("x-crmhub-back") or request.url.path.removeprefix(base(request)).split("/")[1]
        return RedirectResponse(f"{base(request)}/{back}?{urlencode({'error': str(exc)})}", status_code=303)

    @app.get("/", include_in_schema=False)
    def index(request: Request, _: Reader):
        return RedirectResponse(f"{base(request)}/health", status_code=303)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str, _: Reader):
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise HTTPException(404, "no such file")
        response = FileResponse(path)
        response.headers["Cache-Control"] = "private, max-age=300"
        return response

    for module in (health, incidents, review, connectors, outreach, reconciliation):
        app.include_router(module.router)
    if has_freeze_all():
        from crmhub_console.routes import freeze

        app.include_router(freeze.router)
    return app

