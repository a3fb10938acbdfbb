"""HubSpot-format webhook notifications: v3 signatures and asynchronous delivery with retry.

Payload: a JSON array of up to 100 events, each
``{eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, attemptNumber, objectId,
propertyName, propertyValue, changeSource, sourceId}`` (``propertyName``/``propertyValue`` only for
``*.propertyChange``). Headers: ``X-HubSpot-Signature-v3`` = base64(HMAC-SHA256(secret,
method + uri + body + timestamp)) and ``X-HubSpot-Request-Timestamp`` (epoch ms), as HubSpot documents.

Delivery runs on a background thread: writes only enqueue. A request that fails with a connection
error, a timeout or a 5xx (or 429) is retried after ``retry_delays`` with ``attemptNumber`` increased
and a fresh timestamp/signature; a 4xx is not retried (HubSpot behaves the same).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from crmhub.hubspot.signatures import sign_v3

log = logging.getLogger(__name__)

@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    events: list[dict[str, Any]] = field(compare=False)
    attempt: int = field(compare=False, default=1)


class WebhookDispatcher:
    """Background delivery of events to one URL, batched (<= 100 per request) and retried."""

    def __init__(
        self,
        url: str | None = None,
        secret: str | None = None,
        *,
        retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0),
        timeout_s: float = 5.0,
        batch_size: int = 100,
        portal_id: int = 12345678,
        app_id: int = 1000001,
    ):
        self.url = url
        self.secret = secret
        self.retry_delays = retry_delays
        self.timeout_s = timeout_s
        self.batch_size = batch_size
        self.portal_id = portal_id
        self.app_id = app_id
        self._heap: list[_Pending] = []
        self._seq = itertools.count()
        # HubSpot event ids are unique for good; start from the clock so a restarted sandbox never
        # reuses an id a receiver has already stored (receivers dedupe on eventId).
        self._event_ids = itertools.count(time.time_ns() // 1000)
        self._cond = threading.Condition()
        self._stop = False
        self._inflight = 0
        self.stats = {"events_enqueued": 0, "events_delivered": 0, "events_failed": 0, "requests": 0,
                      "requests_failed": 0, "last_error": None}
        self._thread = threading.Thread(target=self._run, name="crm-sandbox-webhooks", daemon=True)
        self._thread.start()

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.secret)

    def configure(self, url: str | None, secret: str | None) -> None:
        with self._cond:
            self.url, self.secret = url, secret

    def make_event(self, object_type: str, kind: str, object_id: int, occurred_at: int,
                   property_name: str | None = None, property_value: str | None = None,
                   change_source: str = "API") -> dict[str, Any]:
        """One HubSpot webhook event; ``kind`` is creation | propertyChange | deletion."""
        sub_type = f"{object_type}.{kind}"
        event: dict[str, Any] = {
            "eventId": next(self._event_ids),
            "subscriptionId": 1000 + int(hashlib.sha1(sub_type.encode()).hexdigest()[:6], 16) % 100000,
            "portalId": self.portal_id,
            "appId": self.app_id,
            "occurredAt": occurred_at,
            "subscriptionType": sub_type,
            "attemptNumber": 0,
            "objectId": object_id,
            "changeFlag": {"creation": "CREATED", "deletion": "DELETED"}.get(kind, "PROPERTY_CHANGE"),
            "changeSource": change_source,
            "sourceId": "crm-sandbox",
        }
        if kind == "propertyChange":
            event["propertyName"] = property_name
            event["propertyValue"] = "" if property_value is None else property_value
        return event

    def enqueue(self, events: list[dict[str, Any]]) -> None:
        if not events or not self.enabled:
            return
        with self._cond:
            for i in range(0, len(events), self.batch_size):
                heapq.heappush(self._heap, _Pending(time.monotonic(), next(self._seq), events[i:i + self.batch_size]))
            self.stats["events_enqueued"] += len(events)
            self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return sum(len(p.events) for p in self._heap) + self._inflight

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is queued or in flight (True) or ``timeout`` passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pending() == 0:
                return True
            time.sleep(0.02)
        return self.pending() == 0

    def stop(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as client:
            while True:
                with self._cond:
                    while not self._stop and (not self._heap or self._heap[0].due > time.monotonic()):
                        wait = self._heap[0].due - time.monotonic() if self._heap else None
                        self._cond.wait(wait)
                    if self._stop:
                        return
                    item = heapq.heappop(self._heap)
                    self._inflight += len(item.events)
                    url, secret = self.url, self.secret
                try:
                    self._deliver(client, item, url, secret)
                finally:
                    with self._cond:
                        self._inflight -= len(item.events)

    def _deliver(self, client: httpx.Client, item: _Pending, url: str | None, secret: str | None) -> None:
        if not url or not secret:
            with self._cond:
                self.stats["events_failed"] += len(item.events)
            return
        events = [dict(e, attemptNumber=item.attempt - 1) for e in item.events]
        body = json.dumps(events, separators=(",", ":"))
        ts = str(int(time.time() * 1000))
        headers = {"Content-Type": "application/json", "X-HubSpot-Request-Timestamp": ts,
                   "X-HubSpot-Signature-v3": sign_v3(secret, "POST", url, body, ts),
                   "User-Agent": "HubSpot Connect 2.0 (crm-sandbox)"}
        error: str | None = None
        retry = False
        try:
            resp = client.post(url, content=body.encode("utf-8"), headers=headers)
            if resp.status_code >= 500 or resp.status_code == 429:
                error, retry = f"HTTP {resp.status_code}", True
            elif resp.status_code >= 400:
                error = f"HTTP {resp.status_code} (not retried)"
        except httpx.HTTPError as exc:
            error, retry = f"{type(exc).__name__}: {exc}", True
        with self._cond:
            self.stats["requests"] += 1
            if error is None:
                self.stats["events_delivered"] += len(events)
                return
            self.stats["requests_failed"] += 1
            self.stats["last_error"] = error
            if retry and item.attempt <= len(self.retry_delays) and not self._stop:
                delay = self.retry_delays[item.attempt - 1]
                heapq.heappush(self._heap, _Pending(time.monotonic() + delay, next(self._seq), item.events,
                                                    item.attempt + 1))
                self._cond.notify()
            else:
                self.stats["events_failed"] += len(events)
                log.warning("webhook delivery to %s failed for good after %s attempt(s): %s",
                            urlsplit(url).netloc, item.attempt, error)
