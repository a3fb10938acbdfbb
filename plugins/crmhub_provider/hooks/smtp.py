"""crmhub's SMTP hook on the SMTP provider's ``SmtpHook`` (alert email; outreach reads the same connection)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from airflow.providers.smtp.hooks.smtp import SmtpHook

if TYPE_CHECKING:
    from airflow.sdk import Connection


class CrmHubSmtpHook(SmtpHook):
    """Mail for alerts and outreach, on the SMTP provider's hook (its retries, timeout, verified TLS).

    ``extra`` as the SMTP provider reads it (``from_email``, ``timeout``, ``retry_limit``, ``disable_ssl``,
    ``disable_tls``), plus crmhub's own keys which win when present: ``use_ssl`` (implicit TLS) and
    ``starttls``; without either, a crmhub connection is plain SMTP (the local relay / test sink), while the
    provider alone would default to implicit TLS. ``to`` (list or comma-separated) overrides the recipients.

    :param smtp_conn_id: Airflow connection id (default ``crmhub_smtp``).
    """

    default_conn_name = "crmhub_smtp"
    hook_name = "crmhub SMTP"

    def __init__(self, smtp_conn_id: str = default_conn_name, **kwargs) -> None:
        super().__init__(smtp_conn_id=smtp_conn_id, **kwargs)

    @cached_property
    def conn(self) -> Connection:
        """The connection, loaded on first use (the provider's hook needs ``get_conn()`` first)."""
        if not self.smtp_connection:
            self.smtp_connection = self.get_connection(self.smtp_conn_id)
        return self.smtp_connection

    @property
    def use_ssl(self) -> bool:
        extra = self.conn.extra_dejson or {}
        if "use_ssl" in extra:
            return bool(extra["use_ssl"])
        return "disable_ssl" in extra and not extra["disable_ssl"]

    @property
    def smtp_starttls(self) -> bool:
        extra = self.conn.extra_dejson or {}
        if "starttls" in extra:
            return bool(extra["starttls"])
        return "disable_tls" in extra and not extra["disable_tls"]

    def recipients(self, default: list[str]) -> list[str]:
        to = (self.conn.extra_dejson or {}).get("to") or default
        return [a.strip() for a in to.split(",") if a.strip()] if isinstance(to, str) else list(to)

    def send_message(self, message) -> None:
        """Send a ready ``email.message.EmailMessage`` (the client from :meth:`get_conn`, which logs in)."""
        with self as hook:
            hook._smtp_client.send_message(message)  # the provider keeps its client private
