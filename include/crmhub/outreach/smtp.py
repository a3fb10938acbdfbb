"""SMTP delivery with ``smtplib``: one connection per send batch (fast path), one message per outbox row.

Host, port, login, password and From come from the caller (the Airflow glue passes an SMTP connection).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from crmhub.outreach.masking import mask_email

log = logging.getLogger(__name__)

MESSAGE_ID_DOMAIN = "outreach.crmhub"


def message_id_for(idempotency_key: str) -> str:
    """Deterministic RFC 5322 Message-ID: the same outbox key always gives the same id (duplicates are detectable)."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40]
    return f"<{digest}@{MESSAGE_ID_DOMAIN}>"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    from_addr: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    use_ssl: bool = False
    timeout: float = 30.0

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, from_addr={self.from_addr!r}, user={self.username!r})"


@dataclass(frozen=True)
class OutgoingMessage:
    outbox_id: int
    recipient: str
    subject: str
    body_text: str
    body_html: str
    message_id: str
    idempotency_key: str
    reply_to: str | None = None


def build_message(settings: SmtpSettings, msg: OutgoingMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.from_addr
    email["To"] = msg.recipient
    email["Subject"] = msg.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = msg.message_id
    email["X-Crmhub-Idempotency-Key"] = msg.idempotency_key
    if msg.reply_to:
        email["Reply-To"] = msg.reply_to
    email.set_content(msg.body_text)
    email.add_alternative(msg.body_html, subtype="html")
    return email


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.starttls:
            server.starttls()
    if settings.username:
        server.login(settings.username, settings.password or "")
    return server


def send_batch(settings: SmtpSettings, messages: list[OutgoingMessage]) -> dict[int, str | None]:
    """Send over one SMTP session; returns ``{outbox_id: None (accepted) | error text}``.

    A connection failure before a message is handed over marks the remaining messages with the error
    (they were certainly not sent); a failure in the middle of a DATA exchange is reported as an error
    too, and its outbox row stays in ``unknown`` (see outbox.py).
    """
    results: dict[int, str | None] = {}
    if not messages:
        return results
    try:
        server = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        return {m.outbox_id: f"connect: {exc}" for m in messages}
    try:
        for msg in messages:
            try:
                server.send_message(build_message(settings, msg), from_addr=settings.from_addr, to_addrs=[msg.recipient])
                results[msg.outbox_id] = None
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                log.warning("SMTP refused message to %s: %s", mask_email(msg.recipient), exc)
                results[msg.outbox_id] = f"refused: {exc}"
            except (OSError, smtplib.SMTPException) as exc:
                results[msg.outbox_id] = f"unknown: {exc}"
                for rest in messages:
                    results.setdefault(rest.outbox_id, f"not attempted: {exc}")
                break
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return results
