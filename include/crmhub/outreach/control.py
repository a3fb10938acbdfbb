"""Control mode: a new or changed automation mails only the control list until a human promotes it.

The integration map's ``outreach.control_list`` names internal staff and friendly LPs who agreed to
receive tests (by address). An automation's *version* is a hash of what decides who gets what (trigger,
audience, flag, subject and template texts). A version without a row in ``ops.outreach_promotions`` runs
in ``control`` mode: the engine mails only contacts whose address is on the control list (the flag
rollout is not asked) and every other event is skipped for good (``control_mode``: no backlog bursts out
at promotion). :func:`control_report` lists what each control LP received for the current version;
:func:`promote` records a human's confirmation (``crmhub outreach promote NAME --by WHO`` or the DAG's
approval step) and refuses while no control message of this version has been sent.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import psycopg

from crmhub.exceptions import CrmHubError
from crmhub.outreach.masking import mask_email
from crmhub.outreach.rules import Automation


class ControlError(CrmHubError):
    """An automation cannot be promoted (no confirmed control send of its current version)."""


def fingerprint(auto: Automation) -> str:
    """The automation's version: sha256 over trigger, audience, flag, subject and both template texts."""
    spec = {
        "trigger": [auto.trigger.core_table, auto.trigger.field, auto.trigger.condition],
        "audience": [[a.field, a.op, a.value, list(a.values)] for a in auto.audience],
        "flag": auto.flag,
        "subject": auto.subject_template,
        "html": auto.html_path.read_text(encoding="utf-8") if auto.html_path.is_file() else str(auto.html_path),
        "text": auto.text_path.read_text(encoding="utf-8") if auto.text_path.is_file() else str(auto.text_path),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode("utf-8")).hexdigest()[:16]


def control_list(imap) -> list[dict]:
    """The map's control list members ``[{email, name, kind}]`` (``outreach.control_list``; empty when absent)."""
    return list(((imap.raw.get("outreach") or {}).get("control_list") or {}).get("members") or [])


def control_emails(imap) -> list[str]:
    return [m["email"].strip().lower() for m in control_list(imap)]


def control_contact_ids(conn: psycopg.Connection, emails: list[str]) -> list[str]:
    """crmhub ids of the live contacts whose address is on the control list (for reports and reconciliation)."""
    return [r[0] for r in conn.execute(
        "SELECT crmhub_id::text FROM core.contact WHERE deleted_at IS NULL AND lower(trim(email)) = ANY(%s)"
        " ORDER BY crmhub_id", ([e.strip().lower() for e in emails],))]


def control_record_ids(conn: psycopg.Connection, emails: list[str]) -> list[str]:
    """The control list's contacts and their commitments: the keys a control-list reconciliation keeps."""
    contacts = control_contact_ids(conn, emails)
    commitments = [r[0] for r in conn.execute(
        "SELECT crmhub_id::text FROM core.commitment WHERE contact_id = ANY(%s::uuid[])", (contacts,))]
    return contacts + commitments


def mode(conn: psycopg.Connection, auto: Automation) -> str:
    """``rollout`` when a human promoted this exact version, else ``control``."""
    row = conn.execute("SELECT 1 FROM ops.outreach_promotions WHERE automation = %s AND version = %s",
                       (auto.name, fingerprint(auto))).fetchone()
    return "rollout" if row else "control"


@dataclass(frozen=True)
class ControlDelivery:
    """One control message of the current version: who, what, and its outbox status."""

    recipient: str
    contact_id: str
    subject: str
    status: str
    sent_at: datetime | None
    message_id: str
    run_id: int | None


def control_report(conn: psycopg.Connection, auto: Automation, *, unmask: bool = False) -> list[ControlDelivery]:
    """What each control LP received from the automation's current version (masked unless ``unmask``)."""
    rows = conn.execute(
        """SELECT o.recipient, o.contact_id::text, o.subject, o.status, o.sent_at, o.message_id, o.run_id
           FROM ops.outbox o JOIN ops.outreach_runs r ON r.run_id = o.run_id
           WHERE o.automation = %s AND o.mode = 'control' AND r.version = %s
           ORDER BY o.recipient, o.outbox_id""",
        (auto.name, fingerprint(auto)),
    ).fetchall()
    return [ControlDelivery(r[0] if unmask else mask_email(r[0]), *r[1:]) for r in rows]


def promote(conn: psycopg.Connection, auto: Automation, by: str, *, note: str | None = None) -> int:
    """Record that ``by`` confirmed the control sends of the current version; returns how many were sent.

    Raises:
        ControlError: no control message of this version has been sent yet, or ``by`` is empty.
    """
    if not (by or "").strip():
        raise ControlError("promote needs --by: the person who checked the control sends")
    sent = sum(1 for d in control_report(conn, auto) if d.status == "sent")
    if sent == 0:
        raise ControlError(
            f"automation {auto.name!r} (version {fingerprint(auto)}) has sent nothing to the control list yet; "
            "trigger it for a control LP, check what they received (`crmhub outreach control-report`), then promote"
        )
    conn.execute(
        """INSERT INTO ops.outreach_promotions (automation, version, promoted_by, control_sends, note)
           VALUES (%s, %s, %s, %s, %s) ON CONFLICT (automation, version) DO NOTHING""",
        (auto.name, fingerprint(auto), by.strip(), sent, note),
    )
    conn.commit()
    return sent
