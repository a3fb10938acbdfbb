"""Webhook receiver: verify, store exactly once, replay. Webhooks are notifications, not truth.

A delivery is accepted only with a valid HubSpot v3 signature and a fresh timestamp; a signed
delivery presented a second time (same signature) is a replay and is refused. Each event is stored
once in ``ops.webhook_events`` (idempotent on the sender's ``eventId``) as ``pending``; the CDC sync
then re-reads the referenced records from the CRM (the truth) and marks the events ``synced``.
Periodic batch CDC still runs and reconciles whatever webhooks missed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg
from psycopg.types.json import Jsonb

from crmhub.hubspot.signatures import verify_signature_v3

SIGNATURE_HEADER = "x-hubspot-signature-v3"
TIMESTAMP_HEADER = "x-hubspot-request-timestamp"


@dataclass
class WebhookResult:
    """What the receiver did with one delivery; ``status`` is the HTTP status to answer."""

    status: int
    accepted: int = 0
    duplicates: int = 0
    reason: str = ""
    object_ids: dict[str, set[str]] = field(default_factory=dict)


def _reject(conn: psycopg.Connection, source: str, reason: str, headers: dict, body: bytes, status: int) -> WebhookResult:
    record_rejection(conn, source, reason, headers, hashlib.sha256(body).hexdigest())
    return WebhookResult(status=status, reason=reason)


def record_rejection(conn: psycopg.Connection, source: str, reason: str, headers: dict, body_sha256: str) -> None:
    """Store one rejected delivery (only the signature/timestamp/content-type headers and the body's hash). Commits."""
    safe_headers = {k: v for k, v in headers.items() if k.lower() in (SIGNATURE_HEADER, TIMESTAMP_HEADER, "content-type")}
    conn.execute(
        "INSERT INTO ops.webhook_rejections (source, reason, headers, body_sha256) VALUES (%s, %s, %s, %s)",
        (source, reason, Jsonb(safe_headers), body_sha256),
    )
    conn.commit()


BAD_SIGNATURE = "bad or expired signature"
BAD_BODY = "body is not a JSON array of events with eventId"


def verify_delivery(secret: str, method: str, uri: str, body: bytes, headers: dict[str, str], *,
                    max_age_s: float = 300, now: float | None = None) -> bool:
    """The v3 signature and timestamp check, with no database: anything unverifiable is simply False."""
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        return verify_signature_v3(secret, method, uri, body, lower.get(TIMESTAMP_HEADER), lower.get(SIGNATURE_HEADER),
                                   max_age_s=max_age_s, now=now)
    except (UnicodeDecodeError, ValueError, TypeError):
        return False


def parse_events(body: bytes) -> list[dict] | None:
    """The events of a verified body, or None when any event is malformed (a 400, never a 500)."""
    try:
        events = json.loads(body)
        if isinstance(events, dict):
            events = [events]
        if not isinstance(events, list) or not events:
            return None
        for event in events:
            if not isinstance(event, dict) or event.get("eventId") in (None, "") or isinstance(event["eventId"], (dict, list)):
                return None
            occurred = event.get("occurredAt")
            if occurred is not None:
                datetime.fromtimestamp(int(occurred) / 1000, UTC)
            for key in ("subscriptionType", "propertyName"):
                if event.get(key) is not None and not isinstance(event[key], str):
                    return None
    except (ValueError, TypeError, OverflowError, OSError, RecursionError):
        return None
    return events


def store_delivery(conn: psycopg.Connection, *, source: str, signature: str, timestamp: str,
                   events: list[dict]) -> WebhookResult:
    """Store a verified, parsed delivery exactly once (409 on a replayed signature). Commits."""
    sig_hash = hashlib.sha256(signature.encode()).hexdigest()
    request_ts = datetime.fromtimestamp(int(timestamp) / 1000, UTC)
    first = conn.execute(
        """INSERT INTO ops.webhook_deliveries (signature_sha256, source, request_ts, events) VALUES (%s, %s, %s, %s)
           ON CONFLICT DO NOTHING RETURNING 1""",
        (sig_hash, source, request_ts, len(events)),
    ).fetchone()
    if not first:
        conn.rollback()
        return WebhookResult(status=409, reason=REPLAYED)

    result = WebhookResult(status=200)
    with conn.cursor() as cur:
        for event in events:
            occurred = event.get("occurredAt")
            cur.execute(
                """INSERT INTO ops.webhook_events (event_id, source, subscription_type, object_id, property_name,
                       property_value, occurred_at, payload)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING RETURNING 1""",
                (str(event["eventId"]), source, event.get("subscriptionType"), _str(event.get("objectId")),
                 event.get("propertyName"), _str(event.get("propertyValue")),
                 datetime.fromtimestamp(int(occurred) / 1000, UTC) if occurred is not None else None, Jsonb(event)),
            )
            if cur.fetchone():
                result.accepted += 1
                obj = (event.get("subscriptionType") or "unknown.").split(".", 1)[0]
                result.object_ids.setdefault(obj, set()).add(_str(event.get("objectId")))
            else:
                result.duplicates += 1
    conn.commit()
    return result


REPLAYED = "replayed delivery (signature already used)"


def receive_webhook(
    conn: psycopg.Connection,
    *,
    source: str,
    secret: str,
    method: str,
    uri: str,
    body: bytes,
    headers: dict[str, str],
    max_age_s: float = 300,
    now: float | None = None,
) -> WebhookResult:
    """Verify and store one delivery (a JSON array of HubSpot webhook events). Commits.

    The signature is checked before the database is touched; the HTTP receiver (``webhook_app``) uses the
    same three steps but keeps unsigned floods away from the database (bounded rejection log).
    """
    if not verify_delivery(secret, method, uri, body, headers, max_age_s=max_age_s, now=now):
        return _reject(conn, source, BAD_SIGNATURE, headers, body, 401)
    events = parse_events(body)
    if events is None:
        return _reject(conn, source, BAD_BODY, headers, body, 400)
    lower = {k.lower(): v for k, v in headers.items()}
    result = store_delivery(conn, source=source, signature=lower[SIGNATURE_HEADER], timestamp=lower[TIMESTAMP_HEADER],
                            events=events)
    if result.status == 409:
        return _reject(conn, source, REPLAYED, headers, body, 409)
    return result


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def pending_object_ids(conn: psycopg.Connection, source: str, limit: int = 10_000) -> dict[str, list[str]]:
    """Object ids referenced by pending events, per object type (``contact``, ``company``)."""
    rows = conn.execute(
        """SELECT split_part(subscription_type, '.', 1), object_id FROM ops.webhook_events
           WHERE source = %s AND sync_status = 'pending' AND object_id IS NOT NULL
           GROUP BY 1, 2 ORDER BY 1, 2 LIMIT %s""",
        (source, limit),
    ).fetchall()
    out: dict[str, list[str]] = {}
    for obj, object_id in rows:
        out.setdefault(obj, []).append(object_id)
    return out


def mark_synced(conn: psycopg.Connection, source: str, obj: str, object_ids: list[str]) -> int:
    """Mark the pending events of these objects synced (in the caller's transaction)."""
    cur = conn.execute(
        """UPDATE ops.webhook_events SET sync_status = 'synced', synced_at = now()
           WHERE source = %s AND sync_status = 'pending' AND split_part(subscription_type, '.', 1) = %s
             AND object_id = ANY(%s)""",
        (source, obj, object_ids),
    )
    return cur.rowcount


def replay(
    conn: psycopg.Connection,
    *,
    event_ids: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Put stored events back to ``pending`` (by id or received-time range) so the next sync re-reads them."""
    if not event_ids and since is None and until is None:
        raise ValueError("replay needs event ids or a time range")
    cur = conn.execute(
        """UPDATE ops.webhook_events SET sync_status = 'pending', replay_count = replay_count + 1
           WHERE (%(ids)s::text[] IS NULL OR event_id = ANY(%(ids)s))
             AND (%(since)s::timestamptz IS NULL OR received_at >= %(since)s)
             AND (%(until)s::timestamptz IS NULL OR received_at < %(until)s)""",
        {"ids": event_ids, "since": since, "until": until},
    )
    conn.commit()
    return cur.rowcount
