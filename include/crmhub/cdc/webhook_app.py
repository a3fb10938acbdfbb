"""HTTP endpoint for CRM webhooks (FastAPI): served by ``crmhub webhooks serve`` and by crmhub's Airflow plugin."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from crmhub.cdc.webhooks import receive_webhook
from crmhub.warehouse import connect


def create_webhook_app(warehouse_url: str, secret: str, *, source: str = "crm", public_url: str | None = None) -> FastAPI:
    """An app with ``POST /webhooks/crm`` storing verified notifications in ``ops.webhook_events``.

    Args:
        warehouse_url: libpq URL of the warehouse.
        secret: the CRM app's client secret (signature v3 key).
        source: name recorded with each event.
        public_url: the URL the CRM posts to, if a proxy rewrites it (the signature covers the full URL).
    """
    app = FastAPI(title="crmhub webhooks")

    @app.post("/webhooks/crm")
    async def crm_webhook(request: Request) -> JSONResponse:
        body = await request.body()
        uri = public_url or str(request.url)
        with connect(warehouse_url) as conn:
            result = receive_webhook(conn, source=source, secret=secret, method=request.method, uri=uri, body=body,
                                     headers=dict(request.headers))
        if result.status != 200:
            return JSONResponse({"error": result.reason}, status_code=result.status)
        return JSONResponse({"accepted": result.accepted, "duplicates": result.duplicates})

    @app.get("/webhooks/health")
    async def health() -> dict:
        return {"status": "ok"}

    return app
