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
    safe_headers = {k: v for k, v in headers.items() if k.lower() in (SIGNATURE_HEADER, TIMESTAMP_HEADER, "content-type")}
    conn.execute(
        "INSERT INTO ops.webhook_rejections (source, reason, headers, body_sha256) VALUES (%s, %s, %s, %s)",
        (source, reason, Jsonb(safe_headers), hashlib.sha256(body).hexdigest()),
    )
    conn.commit()
    return WebhookResult(status=status, reason=reason)


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
    """Verify and store one delivery (a JSON array of HubSpot webhook events). Commits."""
    lower = {k.lower(): v for k, v in headers.items()}
    signature, timestamp = lower.get(SIGNATURE_HEADER), lower.get(TIMESTAMP_HEADER)
    if not verify_signature_v3(secret, method, uri, body, timestamp, signature, max_age_s=max_age_s, now=now):
        return _reject(conn, source, "bad or expired signature", headers, body, 401)
    try:
        events = json.loads(body)
        if isinstance(events, dict):
            events = [events]
        ids = [str(e["eventId"]) for e in events]
    except (ValueError, KeyError, TypeError):
        return _reject(conn, source, "body is not a JSON array of events with eventId", headers, body, 400)

    sig_hash = hashlib.sha256(signature.encode()).hexdigest()
    request_ts = datetime.fromtimestamp(int(timestamp) / 1000, UTC)
    first = conn.execute(
        """INSERT INTO ops.webhook_deliveries (signature_sha256, source, request_ts, events) VALUES (%s, %s, %s, %s)
           ON CONFLICT DO NOTHING RETURNING 1""",
        (sig_hash, source, request_ts, len(events)),
    ).fetchone()
    if not first:
        conn.rollback()
        return _reject(conn, source, "replayed delivery (signature already used)", headers, body, 409)

    result = WebhookResult(status=200)
    with conn.cursor() as cur:
        for event, event_id in zip(events, ids, strict=True):
            occurred = event.get("occurredAt")
            cur.execute(
                """INSERT INTO ops.webhook_events (event_id, source, subscription_type, object_id, property_name,
                       property_value, occurred_at, payload)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING RETURNING 1""",
                (event_id, source, event.get("subscriptionType"), _str(event.get("objectId")),
                 event.get("propertyName"), _str(event.get("propertyValue")),
                 datetime.fromtimestamp(int(occurred) / 1000, UTC) if occurred else None, Jsonb(event)),
            )
            if cur.fetchone():
                result.accepted += 1
                obj = (event.get("subscriptionType") or "unknown.").split(".", 1)[0]
                result.object_ids.setdefault(obj, set()).add(_str(event.get("objectId")))
            else:
                result.duplicates += 1
    conn.commit()
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
