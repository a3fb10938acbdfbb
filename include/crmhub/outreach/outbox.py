"""The outbox (``ops.outbox``): write first, then claim, send and mark.

Life of a row: ``pending`` (written with a unique idempotency key ``automation:contact:change_id`` and a
unique ``transition_key``: the same state transition of a contact is never mailed twice, however many
change-log rows announced it)
-> ``sending`` (claimed with ``FOR UPDATE SKIP LOCKED`` and committed *before* SMTP) -> ``sent`` |
``failed`` (refused by the server) | ``cancelled`` (flag off / paused / opted out at send time).

Delivery is **at-most-once**: a crash after the claim leaves the row in ``sending``; no retry ever picks
it up again. :func:`recover_stuck` turns such rows into ``unknown`` for a human to check against the
mail server's log, where the deterministic Message-ID (derived from the idempotency key) identifies the
message. For investor mail a missed thank-you is cheaper than a duplicate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import psycopg
from psycopg.rows import dict_row

from crmhub.outreach.smtp import message_id_for


def idempotency_key(automation: str, contact_id: str, change_id: int) -> str:
    return f"{automation}:{contact_id}:{change_id}"


@dataclass(frozen=True)
class NewMessage:
    run_id: int | None
    automation: str
    contact_id: str
    change_id: int
    owner: str
    flag: str
    flag_context: dict
    recipient: str
    subject: str
    body_text: str
    body_html: str
    transition_key: str | None = None
    mode: str = "rollout"          # rollout | control | correction

    @property
    def key(self) -> str:
        """``automation:contact:change_id``; a correction answers a sent message, so its key adds the transition."""
        base = idempotency_key(self.automation, self.contact_id, self.change_id)
        return f"{base}:{self.transition_key}" if self.mode == "correction" else base


def enqueue(conn: psycopg.Connection, messages: list[NewMessage]) -> dict[str, int | None]:
    """Insert messages; ``{key: outbox_id}`` for new rows, ``{key: None}`` when the key already existed."""
    out: dict[str, int | None] = {m.key: None for m in messages}
    if not messages:
        return out
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO ops.outbox (idempotency_key, message_id, run_id, automation, contact_id, change_id,
                   owner, flag, flag_context, recipient, subject, body_text, body_html, transition_key, mode)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT DO NOTHING
               RETURNING idempotency_key, outbox_id""",
            [
                (m.key, message_id_for(m.key), m.run_id, m.automation, m.contact_id, m.change_id, m.owner, m.flag,
                 json.dumps(m.flag_context), m.recipient, m.subject, m.body_text, m.body_html, m.transition_key,
                 m.mode)
                for m in messages
            ],
            returning=True,
        )
        while True:
            for key, outbox_id in cur.fetchall():
                out[key] = outbox_id
            if not cur.nextset():
                break
    return out


def claim_batch(conn: psycopg.Connection, automation: str, size: int, worker: str) -> list[dict]:
    """Move up to ``size`` pending rows to ``sending`` and commit; concurrent senders never share a row."""
    rows = conn.execute(
        """UPDATE ops.outbox o SET status = 'sending', claimed_at = now(), claimed_by = %s, attempts = o.attempts + 1
           WHERE o.outbox_id IN (
               SELECT outbox_id FROM ops.outbox WHERE automation = %s AND status = 'pending'
               ORDER BY outbox_id LIMIT %s FOR UPDATE SKIP LOCKED)
           RETURNING o.outbox_id, o.idempotency_key, o.message_id, o.run_id, o.change_id, o.contact_id::text AS contact_id,
                     o.owner, o.flag, o.flag_context, o.recipient, o.subject, o.body_text, o.body_html, o.mode""",
        (worker, automation, size),
    )
    cols = [c.name for c in rows.description] if rows.description else []
    claimed = [dict(zip(cols, r, strict=True)) for r in rows.fetchall()]
    conn.commit()
    claimed.sort(key=lambda r: r["outbox_id"])
    return claimed


def mark(conn: psycopg.Connection, outbox_ids: list[int], status: str, error: str | None = None) -> None:
    if not outbox_ids:
        return
    conn.execute(
        """UPDATE ops.outbox SET status = %s, error = %s,
               sent_at = CASE WHEN %s = 'sent' THEN now() ELSE sent_at END
           WHERE outbox_id = ANY(%s)""",
        (status, error, status, outbox_ids),
    )


def release(conn: psycopg.Connection, outbox_ids: list[int], error: str) -> None:
    """Put claimed rows that were certainly not handed to SMTP back to ``pending``."""
    if outbox_ids:
        conn.execute(
            "UPDATE ops.outbox SET status = 'pending', claimed_at = NULL, claimed_by = NULL, error = %s"
            " WHERE outbox_id = ANY(%s) AND status = 'sending'",
            (error, outbox_ids),
        )


def recover_stuck(conn: psycopg.Connection, older_than_s: float = 900) -> int:
    """Rows left in ``sending`` longer than ``older_than_s`` (a crashed sender) become ``unknown``; never re-sent."""
    cur = conn.execute(
        "UPDATE ops.outbox SET status = 'unknown', error = 'sender died after claiming; check the mail log by Message-ID'"
        " WHERE status = 'sending' AND claimed_at < now() - make_interval(secs => %s)",
        (older_than_s,),
    )
    conn.commit()
    return cur.rowcount


def counts(conn: psycopg.Connection, automation: str | None = None, *,
           recipients: list[str] | None = None) -> dict[str, int]:
    """``{status: n}`` for one automation (or all); ``recipients`` limits it to those addresses (control list)."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT status, count(*) AS n FROM ops.outbox WHERE (%s::text IS NULL OR automation = %s)"
            " AND (%s::text[] IS NULL OR lower(trim(recipient)) = ANY(%s::text[])) GROUP BY status",
            (automation, automation, recipients, recipients),
        )
        return {r["status"]: r["n"] for r in cur.fetchall()}
