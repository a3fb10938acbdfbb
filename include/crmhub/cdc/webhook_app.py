"""HTTP endpoint for CRM webhooks (FastAPI): served by ``crmhub webhooks serve`` and by crmhub's Airflow plugin.

Internet-facing, so every delivery is judged before it costs anything: the declared body size is checked
before reading, the body is read only up to the cap, the signature is verified before the database is
touched, and database work runs in a worker thread (never on the event loop). Rejections go to a bounded,
expiring in-memory log; only a limited number per minute are written to ``ops.webhook_rejections``, so a
flood of unsigned requests neither fills the database nor delays valid deliveries. Connect it with the
``crmhub_webhook`` role (INSERT into the webhook tables only; docs/security.md).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from crmhub.cdc.webhooks import (
    BAD_BODY,
    BAD_SIGNATURE,
    REPLAYED,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    parse_events,
    record_rejection,
    store_delivery,
    verify_delivery,
)
from crmhub.warehouse import connect

_log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1_000_000  # HubSpot batches up to 100 events per request; far below 1 MB


@dataclass(frozen=True)
class Rejection:
    at: float
    reason: str
    body_sha256: str


class RejectionLog:
    """The receiver's recent rejections: at most ``max_entries``, each kept ``ttl_s``; counts per reason.

    :meth:`add` answers whether this rejection may also be written to the database: at most
    ``db_writes_per_minute`` are (the rest are only counted), so a flood costs no database work.
    """

    def __init__(self, max_entries: int = 1000, ttl_s: float = 3600, db_writes_per_minute: int = 30):
        self.entries: deque[Rejection] = deque(maxlen=max_entries)
        self.ttl_s = ttl_s
        self.db_writes_per_minute = db_writes_per_minute
        self._writes: deque[float] = deque()
        self.counts: Counter[str] = Counter()
        self.not_persisted = 0
        self._lock = threading.Lock()

    def add(self, reason: str, body_sha256: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._expire(now)
            self.entries.append(Rejection(now, reason, body_sha256))
            self.counts[reason] += 1
            while self._writes and self._writes[0] <= now - 60:
                self._writes.popleft()
            if len(self._writes) < self.db_writes_per_minute:
                self._writes.append(now)
                return True
            self.not_persisted += 1
            return False

    def recent(self, now: float | None = None) -> list[Rejection]:
        with self._lock:
            self._expire(time.monotonic() if now is None else now)
            return list(self.entries)

    def _expire(self, now: float) -> None:
        while self.entries and self.entries[0].at <= now - self.ttl_s:
            self.entries.popleft()


class BodyTooLarge(Exception):
    pass


async def read_capped(request: Request, cap: int) -> bytes:
    """The body, refusing (before reading) a declared length above ``cap`` and stopping once ``cap`` is passed."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > cap):
        raise BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_webhook_app(warehouse_url: str, secret: str, *, source: str = "crm", public_url: str | None = None,
                       max_body_bytes: int = MAX_BODY_BYTES, rejections: RejectionLog | None = None) -> FastAPI:
    """An app with ``POST /webhooks/crm`` storing verified notifications in ``ops.webhook_events``.

    Args:
        warehouse_url: libpq URL of the warehouse (the ``crmhub_webhook`` role's).
        secret: the CRM app's client secret (signature v3 key).
        source: name recorded with each event.
        public_url: the URL the CRM posts to when a TLS proxy rewrites it (the signature covers the full URL);
            the request's query string is appended.
        max_body_bytes: larger deliveries are refused with 413 without being read.
        rejections: the bounded rejection log (a fresh one by default; exposed as ``app.state.rejections``).
    """
    app = FastAPI(title="crmhub webhooks")
    log = rejections or RejectionLog()
    app.state.rejections = log

    def persist(reason: str, headers: dict, body_sha256: str) -> None:
        try:
            with connect(warehouse_url) as conn:
                record_rejection(conn, source, reason, headers, body_sha256)
        except Exception as exc:  # noqa: BLE001 - the audit copy must never turn a 401 into a 500
            _log.warning("webhook rejection not stored (%s); kept in memory only", type(exc).__name__)

    async def reject(reason: str, status: int, headers: dict, body: bytes) -> JSONResponse:
        digest = hashlib.sha256(body).hexdigest()
        if log.add(reason, digest):
            await run_in_threadpool(persist, reason, headers, digest)
        return JSONResponse({"error": reason}, status_code=status)

    def store(signature: str, timestamp: str, events: list[dict]):
        with connect(warehouse_url) as conn:
            return store_delivery(conn, source=source, signature=signature, timestamp=timestamp, events=events)

    @app.post("/webhooks/crm")
    async def crm_webhook(request: Request) -> JSONResponse:
        headers = dict(request.headers)
        try:
            body = await read_capped(request, max_body_bytes)
        except BodyTooLarge:
            return await reject(f"body larger than {max_body_bytes} bytes", 413, headers, b"")
        uri = _signed_uri(request, public_url)
        if not verify_delivery(secret, request.method, uri, body, headers):
            return await reject(BAD_SIGNATURE, 401, headers, body)
        events = parse_events(body)
        if events is None:
            return await reject(BAD_BODY, 400, headers, body)
        result = await run_in_threadpool(store, headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER], events)
        if result.status == 409:
            return await reject(REPLAYED, 409, headers, body)
        return JSONResponse({"accepted": result.accepted, "duplicates": result.duplicates})

    @app.get("/webhooks/health")
    async def health() -> dict:
        return {"status": "ok", "rejections": dict(log.counts), "rejections_not_persisted": log.not_persisted}

    return app


def _signed_uri(request: Request, public_url: str | None) -> str:
    if not public_url:
        return str(request.url)
    query = request.url.query
    return public_url + (("&" if "?" in public_url else "?") + query if query else "")
