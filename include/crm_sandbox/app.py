"""HTTP layer: HubSpot CRM v3/v4 routes, ``/_sandbox`` admin routes, and the ASGI fault/auth wrapper.

:func:`create_app` returns an ASGI application (a :class:`SandboxASGI` around a FastAPI app). The
wrapper runs before FastAPI for every request: bearer-token check, rate limit and fault decision,
request log. Dropping a connection aborts the client socket through uvicorn's transport, so the
client sees a connection error and no HTTP response at all.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from crm_sandbox.errors import ApiError, error_body
from crm_sandbox.faults import Decision, FaultInjector
from crm_sandbox.service import Sandbox, Tx, fingerprint

log = logging.getLogger(__name__)
_ID_RE = re.compile(r"/\d+(?=/|$)")


class RequestLog:
    """Counts of answered API requests per status (``dropped``/``dropped_after_commit`` for drops)."""

    def __init__(self, keep: int = 500):
        self._lock = threading.Lock()
        self.by_status: Counter[str] = Counter()
        self.by_route: Counter[str] = Counter()
        self.recent: deque[dict[str, Any]] = deque(maxlen=keep)

    def record(self, method: str, path: str, outcome: str, fault: str | None) -> None:
        route = method + " " + _ID_RE.sub("/{id}", path)
        with self._lock:
            self.by_status[outcome] += 1
            self.by_route[route] += 1
            self.recent.append({"method": method, "path": path, "outcome": outcome, "fault": fault})

    def reset(self) -> None:
        with self._lock:
            self.by_status.clear()
            self.by_route.clear()
            self.recent.clear()

    def to_api(self, recent: int = 50) -> dict[str, Any]:
        with self._lock:
            return {"total": sum(self.by_status.values()), "by_status": dict(self.by_status),
                    "by_route": dict(self.by_route), "recent": list(self.recent)[-recent:]}


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if status == 204 or body is None:
        return Response(status_code=status, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


def _list_param(request: Request, name: str) -> list[str] | None:
    values = [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v.strip()]
    return [v.strip() for v in values] or None


def _bool_param(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


async def _body(request: Request) -> tuple[bytes, Any]:
    try:
        raw = await request.body()
    except ClientDisconnect:  # the client went away mid-body (timeouts, drop tests): nothing applied, no traceback
        raise ApiError(499, "client closed the request before its body arrived") from None
    if not raw.strip():
        return raw, {}
    try:
        return raw, json.loads(raw)
    except ValueError:
        raise ApiError(400, "Invalid input JSON: the request body is not valid JSON") from None


def build_fastapi(sandbox: Sandbox, injector: FaultInjector, request_log: RequestLog) -> FastAPI:
    """The routes; see docs/crm_sandbox.md for the list and formats."""
    app = FastAPI(title="crmhub CRM sandbox (HubSpot CRM v3 wire format)", version="1")

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> Response:
        return JSONResponse(exc.body, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        category = "OBJECT_NOT_FOUND" if exc.status_code == 404 else "VALIDATION_ERROR"
        return JSONResponse(error_body(f"{exc.detail}: {request.method} {request.url.path}", category),
                            status_code=exc.status_code)

    async def write(request: Request, fn: Callable[[Tx, Any], tuple[int, Any]]) -> Response:
        raw, body = await _body(request)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        status, out, replayed = await run_in_threadpool(
            sandbox.run_write, lambda tx: fn(tx, body),
            idempotency_key=request.headers.get("idempotency-key") or None,
            request_fingerprint=fingerprint(request.method, path, raw),
            change_source=request.headers.get("x-sandbox-change-source", "API"))
        return _json_response(status, out, {"Idempotent-Replayed": "true"} if replayed else None)

    async def read(fn: Callable[[], tuple[int, Any]]) -> Response:
        status, out = await run_in_threadpool(fn)
        return _json_response(status, out)

    # ---------------------------------------------------------------------------------- objects (v3)
    @app.get("/crm/v3/objects/{object_type}")
    async def list_objects(object_type: str, request: Request) -> Response:
        try:
            limit = int(request.query_params.get("limit", "10"))
        except ValueError:
            raise ApiError(400, "limit must be an integer") from None
        return await read(lambda: sandbox.list_objects(
            object_type, limit=limit, after=request.query_params.get("after"),
            properties=_list_param(request, "properties"), associations=_list_param(request, "associations"),
            archived=_bool_param(request, "archived"),
            link=lambda nxt: str(request.url.include_query_params(after=nxt))))

    @app.post("/crm/v3/objects/{object_type}")
    async def create_object(object_type: str, request: Request) -> Response:
        return await write(request, lambda tx, body: sandbox.create_one(tx, object_type, body))

    @app.post("/crm/v3/objects/{object_type}/search")
    async def search(object_type: str, request: Request) -> Response:
        _, body = await _body(request)
        return await read(lambda: sandbox.search(object_type, body))

    @app.post("/crm/v3/objects/{object_type}/batch/{action}")
    async def batch(object_type: str, action: str, request: Request) -> Response:
        if action == "read":
            _, body = await _body(request)
            return await read(lambda: sandbox.batch_read(object_type, body, _bool_param(request, "archived")))
        handlers = {"create": sandbox.batch_create, "update": sandbox.batch_update,
                    "upsert": sandbox.batch_upsert, "archive": sandbox.batch_archive}
        if action not in handlers:
            raise ApiError(404, f"unknown batch action {action!r}; use read, create, update, upsert or archive",
                           "OBJECT_NOT_FOUND")
        handler = handlers[action]
        return await write(request, lambda tx, body: handler(tx, object_type, body))

    @app.get("/crm/v3/objects/{object_type}/{object_id}")
    async def get_object(object_type: str, object_id: str, request: Request) -> Response:
        return await read(lambda: sandbox.get_object(
            object_type, object_id, properties=_list_param(request, "properties"),
            associations=_list_param(request, "associations"), archived=_bool_param(request, "archived"),
            id_property=request.query_params.get("idProperty")))

    @app.patch("/crm/v3/objects/{object_type}/{object_id}")
    async def update_object(object_type: str, object_id: str, request: Request) -> Response:
        id_property = request.query_params.get("idProperty")
        return await write(request, lambda tx, body: sandbox.update_one(tx, object_type, object_id, body,
                                                                        id_property))

    @app.delete("/crm/v3/objects/{object_type}/{object_id}")
    async def archive_object(object_type: str, object_id: str, request: Request) -> Response:
        return await write(request, lambda tx, _: sandbox.archive_one(tx, object_type, object_id))

    # ---------------------------------------------------------------------------------- properties
    @app.get("/crm/v3/properties/{object_type}")
    async def list_properties(object_type: str) -> Response:
        return await read(lambda: sandbox.list_properties(object_type))

    @app.post("/crm/v3/properties/{object_type}")
    async def create_property(object_type: str, request: Request) -> Response:
        return await write(request, lambda tx, body: sandbox.create_property(tx, object_type, body))

    @app.get("/crm/v3/properties/{object_type}/{name}")
    async def get_property(object_type: str, name: str) -> Response:
        return await read(lambda: sandbox.get_property(object_type, name))

    # ---------------------------------------------------------------------------------- associations (v4)
    @app.put("/crm/v4/objects/{from_type}/{from_id}/associations/default/{to_type}/{to_id}")
    async def associate(from_type: str, from_id: str, to_type: str, to_id: str, request: Request) -> Response:
        return await write(request, lambda tx, _: sandbox.associate(tx, from_type, from_id, to_type, to_id))

    @app.get("/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}")
    async def list_associations(from_type: str, from_id: str, to_type: str) -> Response:
        return await read(lambda: sandbox.list_associations(from_type, from_id, to_type))

    @app.delete("/crm/v4/objects/{from_type}/{from_id}/associations/{to_type}/{to_id}")
    async def disassociate(from_type: str, from_id: str, to_type: str, to_id: str, request: Request) -> Response:
        return await write(request, lambda tx, _: sandbox.disassociate(tx, from_type, from_id, to_type, to_id))

    @app.post("/crm/v4/associations/{from_type}/{to_type}/batch/associate/default")
    async def batch_associate(from_type: str, to_type: str, request: Request) -> Response:
        return await write(request, lambda tx, body: sandbox.batch_associate(tx, from_type, to_type, body))

    @app.post("/crm/v4/associations/{from_type}/{to_type}/batch/read")
    async def batch_read_associations(from_type: str, to_type: str, request: Request) -> Response:
        _, body = await _body(request)
        return await read(lambda: sandbox.batch_read_associations(from_type, to_type, body))

    # ---------------------------------------------------------------------------------- admin
    @app.get("/_sandbox/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "state": sandbox.backend.description}

    @app.post("/_sandbox/reset")
    async def reset(request: Request) -> Response:
        request_log.reset()
        return await write(request, lambda tx, _: sandbox.reset(tx))

    @app.post("/_sandbox/seed")
    async def seed(request: Request) -> Response:
        return await write(request, lambda tx, body: sandbox.load_seed(tx, body))

    @app.get("/_sandbox/counts")
    async def counts() -> Response:
        return await read(lambda: (200, sandbox.counts()))

    @app.get("/_sandbox/export")
    async def export() -> Response:
        return await read(lambda: (200, sandbox.export()))

    @app.get("/_sandbox/requests")
    async def requests_log() -> dict[str, Any]:
        return request_log.to_api()

    @app.delete("/_sandbox/requests")
    async def requests_reset() -> Response:
        request_log.reset()
        return Response(status_code=204)

    @app.get("/_sandbox/faults")
    async def get_faults() -> dict[str, Any]:
        return injector.config.to_api()

    @app.post("/_sandbox/faults")
    async def set_faults(request: Request) -> dict[str, Any]:
        _, body = await _body(request)
        if not isinstance(body, dict):
            raise ApiError(400, "faults body must be an object")
        try:
            injector.configure(body)
        except (ValueError, TypeError) as exc:
            raise ApiError(400, f"invalid faults: {exc}") from None
        return injector.config.to_api()

    @app.delete("/_sandbox/faults")
    async def clear_faults() -> dict[str, Any]:
        injector.configure(None)
        return injector.config.to_api()

    @app.get("/_sandbox/webhooks")
    async def get_webhooks(request: Request) -> dict[str, Any]:
        hooks = sandbox.webhooks
        if hooks is None:
            return {"enabled": False}
        wait = float(request.query_params.get("wait", "0") or 0)
        idle = await run_in_threadpool(hooks.wait_idle, wait) if wait > 0 else hooks.pending() == 0
        return {"enabled": hooks.enabled, "url": hooks.url, "pending": hooks.pending(), "idle": idle,
                "retry_delays": list(hooks.retry_delays), **hooks.stats}

    @app.post("/_sandbox/webhooks")
    async def set_webhooks(request: Request) -> dict[str, Any]:
        _, body = await _body(request)
        if sandbox.webhooks is None or not isinstance(body, dict):
            raise ApiError(400, "webhooks body must be an object {url, secret, retry_delays?}")
        sandbox.webhooks.configure(body.get("url"), body.get("secret"))
        if "retry_delays" in body:
            sandbox.webhooks.retry_delays = tuple(float(x) for x in body["retry_delays"])
        return {"enabled": sandbox.webhooks.enabled, "url": sandbox.webhooks.url}

    return app


class SandboxASGI:
    """Auth, rate limit, faults and request log around the FastAPI app."""

    def __init__(self, app: Any, sandbox: Sandbox, injector: FaultInjector, request_log: RequestLog,
                 token: str | None = None):
        self.app = app
        self.sandbox = sandbox
        self.injector = injector
        self.request_log = request_log
        self.token = token
        #: Set when the server stops: a slow-response fault then answers 503 at once instead of sleeping on
        #: until the server's graceful-shutdown timeout cancels it (and uvicorn prints the cancellation).
        self.stopping = threading.Event()

    async def _pause(self, seconds: float) -> bool:
        """Sleep ``seconds`` (a slow-response fault); False, early, if the server starts stopping."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while (left := deadline - loop.time()) > 0:
            if self.stopping.is_set():
                return False
            await asyncio.sleep(min(left, 0.05))
        return not self.stopping.is_set()

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if path == "/_sandbox/health":
            await self.app(scope, receive, send)
            return
        if self.token is not None:
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization", b"").decode("latin-1").strip() != f"Bearer {self.token}":
                await self._respond(send, 401, error_body(
                    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
                    "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                    "INVALID_AUTHENTICATION"))
                self._log(method, path, "401", None, scope)
                return
        if path.startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        decision = self.injector.decide(method)
        if decision.kind == "rate_limit":
            body = error_body("You have reached your ten_secondly_rolling limit.", "RATE_LIMITS",
                              errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")
            await self._respond(send, 429, body, {**decision.rate_headers, "Retry-After": str(decision.retry_after),
                                                  "X-Sandbox-Fault": "rate_limit"})
            self._log(method, path, "429", "rate_limit", scope)
            return
        if decision.kind == "drop":
            self._log(method, path, "dropped", "drop", scope)
            self._drop(send)
            return
        if decision.kind == "error":
            status = decision.status or 503
            text = "Bad Gateway" if status == 502 else "Service Unavailable"
            await self._respond(send, status, error_body(f"{text} (sandbox fault injection)", "INTERNAL_ERROR"),
                                {**decision.rate_headers, "X-Sandbox-Fault": "error"})
            self._log(method, path, str(status), "error", scope)
            return
        if decision.kind == "slow" and not await self._pause(decision.slow_seconds):
            await self._respond(send, 503, error_body("Service Unavailable (sandbox stopping)", "INTERNAL_ERROR"),
                                {"X-Sandbox-Fault": "slow"})
            self._log(method, path, "503", "stopping", scope)
            return
        if decision.kind == "drop_after_commit":
            async def swallow(message: dict[str, Any]) -> None:
                return None

            await self.app(scope, receive, swallow)
            self._log(method, path, "dropped_after_commit", "drop_after_commit", scope)
            self._drop(send)
            return
        await self._serve(scope, receive, send, decision)

    async def _serve(self, scope: dict[str, Any], receive: Callable, send: Callable, decision: Decision) -> None:
        extra = [(k.lower().encode(), v.encode()) for k, v in decision.rate_headers.items()]
        if decision.kind == "slow":
            extra.append((b"x-sandbox-fault", b"slow"))
        status_seen: list[int] = []

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(message["status"])
                message = {**message, "headers": list(message.get("headers") or []) + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
        self._log(scope["method"], scope["path"], str(status_seen[0] if status_seen else 500), decision.kind, scope)

    def _log(self, method: str, path: str, outcome: str, fault: str | None, scope: dict[str, Any]) -> None:
        if not path.startswith("/_sandbox"):
            self.request_log.record(method, path, outcome, fault)

    @staticmethod
    def _drop(send: Callable) -> None:
        """Close the client socket without any response (uvicorn: abort the cycle's transport)."""
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is None:
            raise RuntimeError("sandbox drop fault: server does not expose its transport (run under uvicorn)")
        cycle.disconnected = True  # so uvicorn does not try to send its own 500
        transport.abort()

    @staticmethod
    async def _respond(send: Callable, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": hdrs})
        await send({"type": "http.response.body", "body": payload})


def create_app(sandbox: Sandbox, injector: FaultInjector | None = None, token: str | None = None,
               request_log: RequestLog | None = None) -> SandboxASGI:
    """The sandbox as an ASGI app (serve it with uvicorn so that drop faults work)."""
    injector = injector or FaultInjector()
    request_log = request_log or RequestLog()
    return SandboxASGI(build_fastapi(sandbox, injector, request_log), sandbox, injector, request_log, token)
