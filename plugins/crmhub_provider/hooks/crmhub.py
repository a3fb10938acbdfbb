"""Hooks for crmhub: the PostgreSQL warehouse and the CRM (HubSpot v3 API); source access for connectors."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from airflow.providers.postgres.hooks.postgres import PostgresHook
from airflow.sdk import BaseHook


class CrmHubWarehouseHook(PostgresHook):
    """Connection to the crmhub warehouse; hands the core a libpq URL for psycopg 3.

    The connection is a plain Postgres connection. Its host may be a socket directory (the
    embedded PostgreSQL that ``make demo`` starts), which libpq accepts as ``?host=/dir``.

    :param crmhub_conn_id: Airflow connection id of the warehouse (default ``crmhub_warehouse``).
    """

    conn_name_attr = "crmhub_conn_id"
    default_conn_name = "crmhub_warehouse"
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


def connection_url(conn) -> str:
    """libpq URL for an Airflow postgres connection (``schema`` is the database, default ``crmhub``)."""
    user = quote(conn.login or "", safe="")
    password = quote(conn.password or "", safe="")
    creds = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    database = conn.schema or "crmhub"
    host = conn.host or "localhost"
    if host.startswith("/"):
        return f"postgresql://{creds}/{database}?host={host}" + (f"&port={conn.port}" if conn.port else "")
    port = f":{conn.port}" if conn.port else ""
    return f"postgresql://{creds}{host}{port}/{database}"


class CrmHubCrmHook(BaseHook):
    """The CRM's API (HubSpot CRM v3 wire format): base URL from host/port/schema, bearer token from password.

    :param crm_conn_id: Airflow connection id of the CRM (default ``crmhub_crm``), type ``http``; ``schema`` is
        the URL scheme (``https`` when empty).
    """

    conn_name_attr = "crm_conn_id"
    default_conn_name = "crmhub_crm"
    conn_type = "http"
    hook_name = "crmhub CRM (HubSpot v3)"

    def __init__(self, crm_conn_id: str = default_conn_name, **kwargs) -> None:
        super().__init__(**kwargs)
        self.crm_conn_id = crm_conn_id

    def base_url(self) -> str:
        conn = self.get_connection(self.crm_conn_id)
        scheme = conn.schema or "https"
        port = f":{conn.port}" if conn.port else ""
        return f"{scheme}://{conn.host}{port}"

    def token(self) -> str | None:
        return self.get_connection(self.crm_conn_id).password or None

    def test_connection(self) -> tuple[bool, str]:
        import httpx

        try:
            resp = httpx.get(f"{self.base_url()}/crm/v3/objects/contacts", params={"limit": 1}, timeout=10,
                             headers={"Authorization": f"Bearer {self.token()}"} if self.token() else {})
        except httpx.HTTPError as exc:
            return False, str(exc)
        return resp.status_code == 200, f"HTTP {resp.status_code}"


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
        hook = CrmHubCrmHook(conn_id)
        return SourceAccess(base_url=hook.base_url(), token=hook.token())
    if kind == "postgres":
        return SourceAccess(url=connection_url(BaseHook.get_connection(conn_id)))
    raise ValueError(f"connector {connector.name}: unknown source kind {kind!r}; valid: csv, rest, postgres")


def smtp_settings(conn_id: str = "crmhub_smtp"):
    """SMTP settings for the outreach outbox from an Airflow SMTP connection (host, port, login, password;
    extra ``from_email``, ``starttls``)."""
    from crmhub.outreach.smtp import SmtpSettings

    conn = BaseHook.get_connection(conn_id)
    extra = conn.extra_dejson or {}
    return SmtpSettings(host=conn.host or "localhost", port=int(conn.port or 25),
                        from_addr=extra.get("from_email", "crmhub@localhost"), username=conn.login or None,
                        password=conn.password or None, starttls=bool(extra.get("starttls", False)))


def unleash_access(conn_id: str = "crmhub_unleash"):
    """The Unleash server from an HTTP connection (``schema``/``host``/``port``; backend token in ``password``;
    extra ``environment``), or the offline bootstrap file in the repo when the connection does not exist."""
    from crmhub.outreach.tasks import UnleashAccess

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:  # not configured: offline bootstrap (fails closed for unknown flags)
        bootstrap = os.environ.get("CRMHUB_UNLEASH_BOOTSTRAP")
        return UnleashAccess(bootstrap=Path(bootstrap) if bootstrap else None)
    port = f":{conn.port}" if conn.port else ""
    return UnleashAccess(url=f"{conn.schema or 'http'}://{conn.host}{port}/api", token=conn.password or None,
                         environment=(conn.extra_dejson or {}).get("environment", "development"))
