"""Hook for crmhub's PostgreSQL warehouse."""

from __future__ import annotations

from urllib.parse import quote

from airflow.providers.postgres.hooks.postgres import PostgresHook


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
