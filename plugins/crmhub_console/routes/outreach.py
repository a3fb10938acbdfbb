"""Outreach: automations with flag state and rollout, sends today, cap, approvals, pause/resume, tear-down."""

from __future__ import annotations

import os
from functools import lru_cache

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from crmhub.exceptions import CrmHubError
from crmhub.outreach import load_automations
from crmhub.outreach.overview import flag_states, outreach_overview
from crmhub.outreach.state import ALL, pause, resume
from crmhub_console.auth import Actor, Reader
from crmhub_console.render import as_json, done, form_text, page
from crmhub_console.warehouse import integration_map, warehouse

router = APIRouter()
#: Airflow's own human-in-the-loop page for the DAG's ApprovalOperator (relative to the Airflow UI).
APPROVALS_URL = "/dags/crmhub_outreach/required_actions"


@lru_cache(maxsize=1)
def automations() -> dict:
    return load_automations(integration_map())


def _unleash() -> dict:
    """Where flags are read: ``$CRMHUB_UNLEASH_URL``, the ``crmhub_unleash`` connection, or the bootstrap file."""
    if os.environ.get("CRMHUB_UNLEASH_URL"):
        return {"url": os.environ["CRMHUB_UNLEASH_URL"], "token": os.environ.get("CRMHUB_UNLEASH_TOKEN")}
    try:
        from airflow.models.connection import Connection

        conn = Connection.get_connection_from_secrets("crmhub_unleash")
        port = f":{conn.port}" if conn.port else ""
        return {"url": f"{conn.schema or 'http'}://{conn.host}{port}/api", "token": conn.password or None}
    except Exception:  # noqa: BLE001 - not configured: the offline bootstrap, as the DAG does
        return {"bootstrap": os.environ.get("CRMHUB_UNLEASH_BOOTSTRAP")}


def outreach_data() -> dict:
    flags = flag_states(**_unleash())
    with warehouse() as conn:
        data = outreach_overview(conn, automations(), flags)
    data["approvals_url"] = APPROVALS_URL
    return data


@router.get("/api/outreach")
def outreach_json(_: Reader):
    return as_json(outreach_data())


@router.get("/outreach")
def outreach_page(request: Request, who: Reader):
    return page(request, who, "outreach.html", "outreach", data=outreach_data())


def _target(name: str) -> str:
    if name == "all":
        return ALL
    if name not in automations():
        known = ", ".join(sorted(automations())) or "(none configured)"
        raise CrmHubError(f"unknown automation {name!r}; configured in integration_map.yaml: {known}")
    return name


def _set(name: str, paused: bool, by: str, reason: str | None) -> None:
    with warehouse() as conn:
        if paused:
            pause(conn, name, by=by, reason=reason or "manual pause")
        else:
            resume(conn, name, by=by)


@router.post("/outreach/{name}/pause")
async def pause_automation(request: Request, name: str, who: Actor):
    """Same call as ``crmhub outreach pause NAME|--all --by WHO [--reason ...]`` (``all`` = every automation)."""
    target = _target(name)
    await run_in_threadpool(_set, target, True, who.name, await form_text(request, "reason"))
    label = "every automation" if target == ALL else target
    return done(request, "outreach", {"automation": target, "paused_by": who.name},
                f"paused {label} (by {who.name}); running senders stop before their next batch")


@router.post("/outreach/{name}/resume")
async def resume_automation(request: Request, name: str, who: Actor):
    target = _target(name)
    await run_in_threadpool(_set, target, False, who.name, None)
    label = "every automation" if target == ALL else target
    return done(request, "outreach", {"automation": target, "resumed_by": who.name}, f"resumed {label} (by {who.name})")
