"""Real local alert receivers for these tests (HTTP webhook sink, aiosmtpd SMTP sink)."""

from health_receivers import channels, smtp_conn_id, smtp_sink, webhook_server  # noqa: F401  (fixtures)
