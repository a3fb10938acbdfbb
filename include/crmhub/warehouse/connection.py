"""Open connections to the warehouse, falling back to the embedded PostgreSQL when no URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from crmhub import settings
from crmhub.exceptions import WarehouseError


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """Open a psycopg 3 connection; the error names the URL without its password."""
    try:
        return psycopg.connect(url, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise WarehouseError(f"cannot connect to warehouse {redact(url)}: {exc}") from exc


def redact(url: str) -> str:
    """Hide the password of a libpq URL (``postgresql://user:secret@host/db`` -> ``user:***@``)."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.split("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else url


@contextmanager
def open_warehouse(url: str | None = None) -> Iterator[str]:
    """Yield a usable warehouse URL: ``url``, ``$CRMHUB_WAREHOUSE_URL``, or a started embedded server.

    The embedded server started here is stopped again when the block exits.
    """
    resolved = url or settings.warehouse_url()
    if resolved:
        yield resolved
        return
    from crmhub.warehouse.embedded import EmbeddedPostgres

    server = EmbeddedPostgres()
    try:
        yield server.start()
    finally:
        server.stop()


@contextmanager
def borrowed(target: str | psycopg.Connection) -> Iterator[psycopg.Connection]:
    """A connection from a URL (opened here, closed on exit) or the caller's connection (left open)."""
    if not isinstance(target, str):
        yield target
        return
    with connect(target) as conn:
        yield conn


@contextmanager
def committing(target: str | psycopg.Connection) -> Iterator[psycopg.Connection]:
    """One unit of work on :func:`borrowed`: commit on success, roll back on any error."""
    with borrowed(target) as conn:
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
