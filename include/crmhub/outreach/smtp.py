"""SMTP delivery with ``smtplib``: one connection per send batch (fast path), one message per outbox row.

Host, port, login, password and From come from the caller (the Airflow glue passes an SMTP connection).

Transport security: TLS (``starttls`` or implicit ``use_ssl``) is always *verified* with
``ssl.create_default_context()`` (system CAs, or ``ca_file`` for a private CA), hostname included. A
login is refused unless the connection is TLS: settings with a username and neither ``starttls`` nor
``use_ssl`` raise :class:`SmtpSecurityError` when built, and the session checks the socket again
before ``AUTH``.

Headers: every header value is stripped of CR/LF (:func:`header_safe`), and a recipient that is not
one plain address is refused per message (``refused: invalid recipient address``), so one bad row
never stops the rest of its batch.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from crmhub.exceptions import CrmHubError
from crmhub.outreach.masking import mask_email

log = logging.getLogger(__name__)

MESSAGE_ID_DOMAIN = "outreach.crmhub"
_LINE_BREAKS = re.compile(r"[\r\n]+")
#: One plain addr-spec: no spaces, control characters, commas or angle brackets; one ``@``.
_PLAIN_ADDRESS = re.compile(r"[^\s@,<>;\x00-\x1f\x7f]+@[^\s@,<>;\x00-\x1f\x7f]+")


class SmtpSecurityError(CrmHubError):
    """The SMTP settings would send a password over a connection without TLS."""


def header_safe(value: str) -> str:
    """A header value with every CR/LF run replaced by one space (no header injection)."""
    return _LINE_BREAKS.sub(" ", value).strip()


def valid_recipient(address: str) -> bool:
    """True for one plain address (``local@domain``), nothing else on the line."""
    return bool(_PLAIN_ADDRESS.fullmatch(address or ""))


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
    ca_file: str | None = None     # a private CA to verify the server against (default: the system CAs)

    def __post_init__(self) -> None:
        if self.username and not (self.starttls or self.use_ssl):
            raise SmtpSecurityError(
                f"SMTP {self.host}:{self.port}: a login is configured but the connection has no TLS; set starttls "
                "(port 587) or use_ssl (port 465) on the SMTP connection, or drop the login"
            )

    def tls_context(self) -> ssl.SSLContext:
        """Verified TLS: certificate chain and host name (``ssl.create_default_context``)."""
        return ssl.create_default_context(cafile=self.ca_file)

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
    email["From"] = header_safe(settings.from_addr)
    email["To"] = header_safe(msg.recipient)
    email["Subject"] = header_safe(msg.subject)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = header_safe(msg.message_id)
    email["X-Crmhub-Idempotency-Key"] = header_safe(msg.idempotency_key)
    if msg.reply_to:
        email["Reply-To"] = header_safe(msg.reply_to)
    email.set_content(msg.body_text)
    email.add_alternative(msg.body_html, subtype="html")
    return email


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                context=settings.tls_context())
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls and not settings.use_ssl:
            server.starttls(context=settings.tls_context())
        if settings.username:
            if not isinstance(server.sock, ssl.SSLSocket):  # never AUTH in clear text, whatever the settings said
                raise SmtpSecurityError(f"SMTP {settings.host}:{settings.port}: refusing to log in without TLS")
            server.login(settings.username, settings.password or "")
    except BaseException:
        server.close()
        raise
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
            if not valid_recipient(msg.recipient):
                results[msg.outbox_id] = "refused: invalid recipient address (not one plain address)"
                continue
            try:
                email = build_message(settings, msg)
            except (ValueError, TypeError, LookupError) as exc:   # a message that cannot be built: only this one
                results[msg.outbox_id] = f"refused: message cannot be built: {exc}"
                continue
            try:
                server.send_message(email, from_addr=settings.from_addr, to_addrs=[msg.recipient])
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
