"""Airflow plugin: the crmhub operations console inside Airflow's UI ("CRM Hub" in the navigation bar).

Registers the console's FastAPI app (mounted by the API server at ``/crmhub``) and a top-level navigation entry
that shows it inside Airflow's UI (``external_views`` with ``url_route``: an iframe on Airflow's own page, so the
console is one click from the DAG list and shares Airflow's login). The app authenticates every request with
Airflow's auth manager itself: plugin apps are not protected by Airflow automatically. See docs/console.md.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from crmhub_console.app import create_app

URL_PREFIX = "/crmhub"


class CrmHubConsolePlugin(AirflowPlugin):
    """The operations console: health, incidents, review queue, connectors, outreach, reconciliation."""

    name = "crmhub_console"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "crmhub operations console"}]
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
