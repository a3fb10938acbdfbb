"""Health: Integration_Health per connector (three penalties, status, 7-day chart), SLA, freshness, sensor blocks."""

from __future__ import annotations

from fastapi import APIRouter, Request

from crmhub.health.overview import health_overview
from crmhub.identity.store import list_holds
from crmhub_console.auth import Reader
from crmhub_console.features import has_freeze_all
from crmhub_console.render import as_json, page
from crmhub_console.warehouse import warehouse

router = APIRouter()


def health_data() -> dict:
    with warehouse() as conn:
        data = health_overview(conn)
        data["identity_holds_open"] = len(list_holds(conn))
    if has_freeze_all():
        from crmhub_console.routes.freeze import freeze_data

        data["freeze"] = freeze_data()
    return data


@router.get("/api/health")
def health_json(_: Reader):
    return as_json(health_data())


@router.get("/health")
def health_page(request: Request, who: Reader):
    return page(request, who, "health.html", "health", data=health_data())
