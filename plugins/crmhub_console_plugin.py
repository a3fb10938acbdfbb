"""Airflow plugin: the crmhub operations console inside Airflow's UI ("CRM Hub" in the navigation bar).

Registers the console's FastAPI app (mounted by the API server at ``/crmhub``) and a top-level navigation entry
that shows it inside Airflow's UI (``external_views`` with ``url_route``: an iframe on Airflow's own page, so the
console is one click from the DAG list and shares Airflow's login). The app authenticates every request with
Airflow's auth manager itself: plugin apps are not protected by Airflow automatically. See docs/console.md.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

URL_PREFIX = "/crmhub"


class LazyConsoleApp:
    """An ASGI app that builds the console on its first request.

    Every Airflow process loads plugins (scheduler, dag-processor, triggerer, workers); only the API server
    serves the console. Building it at import would cost those processes the console's imports (~3 s on
    this machine); this keeps the plugin's import to Airflow's own.
    """

    def __init__(self) -> None:
        self._app = None

    async def __call__(self, scope, receive, send) -> None:
        if self._app is None:
            from crmhub_console.app import create_app

            self._app = create_app()
        await self._app(scope, receive, send)


class CrmHubConsolePlugin(AirflowPlugin):
    """The operations console: health, incidents, review queue, connectors, outreach, reconciliation."""

    name = "crmhub_console"
    fastapi_apps = [{"app": LazyConsoleApp(), "url_prefix": URL_PREFIX, "name": "crmhub operations console"}]
    external_views = [
        {
            "name": "CRM Hub",
            "href": f"{URL_PREFIX}/health",
            "url_route": "crmhub",
            "destination": "nav",
            "nav_top_level": True,
            "icon": f"{URL_PREFIX}/static/icon.svg",
        }
    ]
