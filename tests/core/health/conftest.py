from health_receivers import smtp_sink, webhook_server  # noqa: F401  (fixtures for the alert tests)

