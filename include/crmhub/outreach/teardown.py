"""Tear-down report: who received what from an automation in a time window, and the correction step.

:func:`deliveries` lists ``sent`` messages and ``unknown`` ones (a sender died after claiming: maybe
delivered); addresses are masked unless ``unmask=True``. :func:`queue_correction` fixes exactly those
messages as the recipients of a correction (``ops.outreach_corrections`` / ``_items``, with who asked);
the engine then sends it like any run — health gate, pause switch, suppression list, the same cap,
budget and approval, the same outbox (mode ``correction``, one per misfire message, never twice):
``OutreachEngine.run(name, correction_id=ID)`` / ``crmhub outreach run --automation NAME --correction ID``.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import psycopg

from crmhub.exceptions import CrmHubError
from crmhub.outreach.masking import mask_email
from crmhub.outreach.rules import Automation


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
    outbox_id: int


def deliveries(conn: psycopg.Connection, automation: str, since: datetime, until: datetime,
               *, unmask: bool = False, recipients: list[str] | None = None) -> list[Delivery]:
    """Sent and ``unknown`` messages of the automation in ``[since, until)`` (corrections not included);
    ``recipients`` limits it to those addresses (e.g. the control list)."""
    rows = conn.execute(
        """SELECT coalesce(o.sent_at, o.claimed_at), o.status, o.recipient, o.contact_id::text, o.owner, o.subject,
                  o.message_id, o.change_id, cl.load_id, o.outbox_id
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


@dataclass(frozen=True)
class Correction:
    correction_id: int
    automation: str
    recipients: int


def queue_correction(conn: psycopg.Connection, auto: Automation, since: datetime, until: datetime, *, by: str,
                     reason: str | None = None) -> Correction:
    """Queue a correction of the misfire in ``[since, until)`` to exactly its recipients; commits.

    Raises:
        CrmHubError: no ``correction`` template in the map for the automation, no ``by``, or no misfire
            message in the window.
    """
    if auto.correction is None:
        raise CrmHubError(f"automation {auto.name!r} has no correction template; add `correction: "
                          "{subject, html, text}` to it in config/integration_map.yaml")
    if not (by or "").strip():
        raise CrmHubError("a correction needs --by: who asked for it")
    misfire = deliveries(conn, auto.name, since, until, unmask=True)
    if not misfire:
        raise CrmHubError(f"automation {auto.name!r} sent nothing between {since.isoformat()} and "
                          f"{until.isoformat()}: no recipient to correct")
    correction_id = conn.execute(
        """INSERT INTO ops.outreach_corrections (automation, since, until, requested_by, reason, recipients)
           VALUES (%s, %s, %s, %s, %s, %s) RETURNING correction_id""",
        (auto.name, since, until, by.strip(), reason, len(misfire)),
    ).fetchone()[0]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO ops.outreach_correction_items (correction_id, outbox_id) VALUES (%s, %s)",
                        [(correction_id, d.outbox_id) for d in misfire])
    conn.commit()
    return Correction(correction_id, auto.name, len(misfire))


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
