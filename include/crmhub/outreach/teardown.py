"""Tear-down report: who received what from an automation in a time window (for apologies / corrections).

Lists ``sent`` messages and ``unknown`` ones (a sender died after claiming: maybe delivered). Addresses are
masked unless ``unmask=True``.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import psycopg

from crmhub.outreach.masking import mask_email


@dataclass(frozen=True)
class Delivery:
    sent_at: datetime | None
    status: str
    recipient: str
    contact_id: str
    owner: str
    subject: str
    message_id: str
    change_id: int
    load_id: str | None


def deliveries(conn: psycopg.Connection, automation: str, since: datetime, until: datetime,
               *, unmask: bool = False, recipients: list[str] | None = None) -> list[Delivery]:
    """Sent and ``unknown`` messages of the automation in ``[since, until)`` (corrections not included);
    ``recipients`` limits it to those addresses (e.g. the control list)."""
    rows = conn.execute(
        """SELECT coalesce(o.sent_at, o.claimed_at), o.status, o.recipient, o.contact_id::text, o.owner, o.subject,
                  o.message_id, o.change_id, cl.load_id
           FROM ops.outbox o LEFT JOIN core.change_log cl ON cl.change_id = o.change_id
           WHERE o.automation = %s AND o.status IN ('sent', 'unknown') AND o.mode <> 'correction'
             AND coalesce(o.sent_at, o.claimed_at) >= %s AND coalesce(o.sent_at, o.claimed_at) < %s
             AND (%s::text[] IS NULL OR lower(trim(o.recipient)) = ANY(%s::text[]))
           ORDER BY 1, o.outbox_id""",
        (automation, since, until, recipients, recipients),
    ).fetchall()
    out = []
    for sent_at, status, recipient, *rest in rows:
        out.append(Delivery(sent_at, status, recipient if unmask else mask_email(recipient), *rest))
    return out


def write_csv(rows: list[Delivery], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(Delivery.__dataclass_fields__))
        writer.writeheader()
        for row in rows:
            data = asdict(row)
            data["sent_at"] = row.sent_at.isoformat() if row.sent_at else ""
            writer.writerow(data)
    return path
