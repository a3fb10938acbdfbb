"""Open connections to the warehouse, falling back to the embedded PostgreSQL when no URL is set."""

from __future__ import annotations

import re
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


_KV_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#\s]*", re.IGNORECASE)


def redact(url: str) -> str:
    """Hide every password of a libpq URL or key=value DSN.

    ``postgresql://user:secret@host/db`` -> ``user:***@``; ``...?password=secret`` -> ``password=***``;
    ``host=h password='s e' user=u`` -> ``password=***``.
    """
    text = _QUERY_PASSWORD.sub(r"\1***", url)
    text = _KV_PASSWORD.sub(r"\1***", text) if "://" not in text else text
    if "://" not in text or "@" not in text:
        return text
    scheme, rest = text.split("://", 1)
    creds, host = rest.rsplit("@", 1) if "/" not in rest.split("@", 1)[0] else (None, rest)
    if creds is None:
        return text
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else text


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
