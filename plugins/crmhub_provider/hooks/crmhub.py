"""The warehouse hook (PostgreSQL, also PostgreSQL sources) and how a worker reaches each connector's source.

The HTTP systems (CRM, alert webhook) are in ``hooks/http.py``, SMTP in ``hooks/smtp.py``: each on its Airflow
provider's hook, imported only where a task uses it (the providers cost DAG parse time).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, urlencode

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import BaseHook

from crmhub_provider.hooks import WAREHOUSE_CONN_ID


class CrmHubWarehouseHook(PostgresHook):
    """Connection to the crmhub warehouse; hands the core a libpq URL for psycopg 3.

    The connection is a plain Postgres connection. Its host may be a socket directory (the
    embedded PostgreSQL that ``make demo`` starts), which libpq accepts as ``?host=/dir``.
    Its login is the app role (``security.roles.app``, default ``crmhub_app``), never a superuser: every task
    and the console use it; ``crmhub security audit`` reports a superuser login (docs/security.md, roles).

    :param crmhub_conn_id: Airflow connection id of the warehouse (default ``crmhub_warehouse``).
    """

    conn_name_attr = "crmhub_conn_id"
    default_conn_name = WAREHOUSE_CONN_ID
    conn_type = "postgres"
    hook_name = "crmhub warehouse"

    def __init__(self, *args, crmhub_conn_id: str = default_conn_name, **kwargs) -> None:
        kwargs.setdefault("postgres_conn_id", crmhub_conn_id)
        super().__init__(*args, **kwargs)
        self.crmhub_conn_id = crmhub_conn_id

    def warehouse_url(self) -> str:
        """libpq URL of the warehouse, e.g. ``postgresql://user:pw@host:5432/db`` or ``...?host=/socket/dir``."""
        return connection_url(self.get_connection(self.crmhub_conn_id))

    async def awarehouse_url(self) -> str:
        """:meth:`warehouse_url` for async code (triggers): resolves the connection without blocking the loop."""
        return connection_url(await self.aget_connection(self.crmhub_conn_id))

    def test_connection(self) -> tuple[bool, str]:
        import psycopg

        try:
            with psycopg.connect(self.warehouse_url(), connect_timeout=5) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # report, don't raise: this feeds the UI's "Test" button
            return False, str(exc)
        return True, "Connection successfully tested"


#: libpq connection parameters an Airflow Postgres connection's ``extra`` may carry; they pass through to the
#: URL the core connects with (SSL, timeouts, keepalives...). Other keys (PostgresHook's ``cursor``, ``iam``,
#: ``sqlalchemy_*``...) are the hook's own and are not libpq's.
LIBPQ_EXTRAS = frozenset({
    "sslmode", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslcrl", "sslcrldir", "sslsni",
    "sslcertmode", "sslnegotiation", "ssl_min_protocol_version", "ssl_max_protocol_version", "requirepeer",
    "gssencmode", "krbsrvname", "channel_binding", "require_auth", "connect_timeout", "options",
    "application_name", "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval",
    "keepalives_count", "tcp_user_timeout", "target_session_attrs", "load_balance_hosts", "client_encoding",
    "hostaddr", "passfile", "service",
})


def connection_url(conn) -> str:
    """libpq URL for an Airflow postgres connection (``schema`` is the database, default ``crmhub``).

    libpq parameters in ``extra`` (:data:`LIBPQ_EXTRAS`: ``sslmode``, ``sslrootcert``, ``connect_timeout``,
    ``options``...) become query parameters, so SSL and timeouts reach psycopg unchanged.
    """
    user = quote(conn.login or "", safe="")
    password = quote(conn.password or "", safe="")
    creds = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    database = conn.schema or "crmhub"
    host = conn.host or "localhost"
    params = {k: str(v) for k, v in sorted((conn.extra_dejson or {}).items()) if k in LIBPQ_EXTRAS}
    if host.startswith("/"):
        params = {"host": host, **({"port": str(conn.port)} if conn.port else {}), **params}
        return f"postgresql://{creds}/{database}" + (f"?{urlencode(params, safe='/')}" if params else "")
    port = f":{conn.port}" if conn.port else ""
    return f"postgresql://{creds}{host}{port}/{database}" + (f"?{urlencode(params, safe='/')}" if params else "")


def data_dir() -> Path:
    """Folder the file connectors read (``$CRMHUB_DATA_DIR``, else ``.crmhub/demo-data``)."""
    from crmhub import settings

    return Path(os.environ.get("CRMHUB_DATA_DIR") or settings.demo_data_dir())


def source_access(connector):
    """How the worker reaches ``connector``'s source, resolved from its Airflow connection."""
    from crmhub.ingest.tasks import SourceAccess

    kind = connector.source["kind"]
    conn_id = connector.source.get("connection")
    if kind == "csv":
        return SourceAccess(data_dir=data_dir())
    if kind == "rest":
        from crmhub_provider.hooks.http import CrmHubCrmHook

        hook = CrmHubCrmHook(conn_id)
        return SourceAccess(base_url=hook.api_base_url(), token=hook.token(), timeout=hook.timeout, verify=hook.verify)
    if kind == "postgres":
        return SourceAccess(url=connection_url(BaseHook.get_connection(conn_id)))
    raise ValueError(f"connector {connector.name}: unknown source kind {kind!r}; valid: csv, rest, postgres")


def smtp_settings(conn_id: str = "crmhub_smtp"):
    """SMTP settings for the outreach outbox from an Airflow SMTP connection (host, port, login, password;
    extra ``from_email``, ``starttls``, ``use_ssl``, ``ca_file`` - a private CA to verify the server against)."""
    from crmhub.outreach.smtp import SmtpSettings

    conn = BaseHook.get_connection(conn_id)
    extra = conn.extra_dejson or {}
    return SmtpSettings(host=conn.host or "localhost", port=int(conn.port or 25),
                        from_addr=extra.get("from_email", "crmhub@localhost"), username=conn.login or None,
                        password=conn.password or None, starttls=bool(extra.get("starttls", False)),
                        use_ssl=bool(extra.get("use_ssl", False)), ca_file=extra.get("ca_file") or None)


def unleash_access(conn_id: str = "crmhub_unleash"):
    """The Unleash server of ``conn_id``, or the offline bootstrap (:meth:`CrmHubUnleashHook.access`)."""
    from crmhub_provider.hooks.http import CrmHubUnleashHook

    return CrmHubUnleashHook(conn_id).access()
