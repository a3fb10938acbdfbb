"""Authentication and authorisation from Airflow, and CSRF protection for actions.

* **Who**: :func:`airflow.api_fastapi.core_api.security.get_user` reads ``Authorization: Bearer`` or the UI's
  ``_token`` cookie and asks the configured auth manager to decode it (401 without a token, 403 on a bad one).
* **Read**: the auth manager must allow ``GET`` on the custom view :data:`RESOURCE`.
* **Act**: ``POST`` on :data:`RESOURCE` *and* editing pools, the operator-level permission every auth manager
  knows (SimpleAuthManager grants it to ``op`` and ``admin``; ``viewer`` and ``user`` may only read — its custom
  view check ignores the method, hence the second question).
* **CSRF**: a browser sends the session cookie by itself, so a cookie-authenticated POST must carry
  ``csrf_token`` (form field or ``X-CSRF-Token`` header) = HMAC of the session token, and an ``Origin`` (when
  sent) of this host. Bearer-authenticated calls (scripts) are not exposed to CSRF and need no token.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlparse

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.base_auth_manager import COOKIE_NAME_JWT_TOKEN
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.configuration import conf
from fastapi import Depends, HTTPException, Request, status

RESOURCE = "CRM Hub"


@dataclass(frozen=True)
class Principal:
    """The authenticated Airflow user as the console sees it."""

    name: str
    may_act: bool
    csrf_token: str = field(repr=False)  # a per-session secret: never in a log line
    via_bearer: bool


def _csrf_key() -> bytes:
    return b"crmhub-console-csrf\0" + conf.get("api_auth", "jwt_secret", fallback="").encode()


def csrf_token_for(session_token: str) -> str:
    """The CSRF token bound to one session token (unguessable without the cookie, which scripts cannot read)."""
    return hmac.new(_csrf_key(), session_token.encode(), hashlib.sha256).hexdigest()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def may_act(user) -> bool:
    """Whether the auth manager lets ``user`` take actions in the console."""
    manager = get_auth_manager()
    return bool(manager.is_authorized_custom_view(method="POST", resource_name=RESOURCE, user=user)
                and manager.is_authorized_pool(method="PUT", user=user))


async def reader(request: Request, user: GetUserDep) -> Principal:
    """Dependency of every route: an authenticated user allowed to read the console."""
    if not get_auth_manager().is_authorized_custom_view(method="GET", resource_name=RESOURCE, user=user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{user.get_name()} may not read {RESOURCE}")
    bearer = _bearer(request)
    session = bearer or request.cookies.get(COOKIE_NAME_JWT_TOKEN, "")
    return Principal(name=user.get_name(), may_act=may_act(user), csrf_token=csrf_token_for(session),
                     via_bearer=bearer is not None)


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return origin != "null"
    return urlparse(origin).netloc == request.headers.get("host", request.url.netloc)


async def actor(request: Request, who: Annotated[Principal, Depends(reader)]) -> Principal:
    """Dependency of every action: may act, and (cookie sessions) a valid CSRF token from this origin."""
    if not who.may_act:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"{who.name} may read but not act in {RESOURCE} (needs the op or admin role)")
    if who.via_bearer:
        return who
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, who.csrf_token) or not _same_origin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token; reload the page and retry")
    return who


def login_url(next_url: str) -> str:
    """Airflow's login page, coming back to ``next_url`` afterwards."""
    return get_auth_manager().get_url_login(next_url=next_url)


Reader = Annotated[Principal, Depends(reader)]
Actor = Annotated[Principal, Depends(actor)]
