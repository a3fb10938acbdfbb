"""Connector freeze state and its audit log (``ops.connector_state``, ``ops.connector_events``)."""

from __future__ import annotations

import logging

import psycopg
from psycopg.types.json import Jsonb

from crmhub.exceptions import ConnectorFrozenError, CrmHubError

log = logging.getLogger(__name__)

#: A drop-folder file whose same bytes failed this many times (``ops.drop_file_failures``) is skipped until
#: it changes (the folder source) and opens a ``drop_file_failure`` incident (the health cycle).
DROP_FILE_MAX_FAILURES = 3


def frozen_reason(conn: psycopg.Connection, connector: str) -> str | None:
    """The freeze reason when ``connector`` is frozen, else None."""
    row = conn.execute(
        "SELECT reason FROM ops.connector_state WHERE connector = %s AND frozen", (connector,)
    ).fetchone()
    return (row[0] or "frozen") if row else None


def released_since(conn: psycopg.Connection, connector: str, since) -> bool:
    """True when a person released ``connector`` after ``since`` (and it is not frozen again)."""
    row = conn.execute(
        "SELECT released_at > %s FROM ops.connector_state WHERE connector = %s AND NOT frozen", (since, connector)
    ).fetchone()
    return bool(row and row[0])


def ensure_not_frozen(conn: psycopg.Connection, connector: str) -> None:
    """Raise ConnectorFrozenError when the connector is frozen."""
    reason = frozen_reason(conn, connector)
    if reason is not None:
        raise ConnectorFrozenError(connector, reason)


def freeze(conn: psycopg.Connection, connector: str, reason: str, *, by: str = "crmhub", details: dict | None = None) -> bool:
    """Freeze ``connector`` and log who/why, in the caller's transaction.

    Returns True when it was not frozen before; an already frozen connector keeps its first reason.
    """
    row = conn.execute(
        """
        INSERT INTO ops.connector_state AS s (connector, frozen, reason, frozen_at, frozen_by, updated_at)
        VALUES (%s, true, %s, now(), %s, now())
        ON CONFLICT (connector) DO UPDATE
           SET frozen = true, reason = EXCLUDED.reason, frozen_at = now(), frozen_by = EXCLUDED.frozen_by,
               released_at = NULL, released_by = NULL, updated_at = now()
           WHERE NOT s.frozen
        RETURNING connector
        """,
        (connector, reason, by),
    ).fetchone()
    if row is None:
        return False
    conn.execute(
        "INSERT INTO ops.connector_events (connector, event, actor, reason, details) VALUES (%s, 'freeze', %s, %s, %s)",
        (connector, by, reason, Jsonb(details or {})),
    )
    log.warning("connector %s frozen: %s", connector, reason)
    return True


def unfreeze(conn: psycopg.Connection, connector: str, *, by: str, reason: str | None = None) -> bool:
    """Release a frozen connector, logging who/when; returns False when it was not frozen."""
    if not by or not by.strip():
        raise CrmHubError("unfreeze needs --by WHO (the person releasing the connector)")
    row = conn.execute(
        "UPDATE ops.connector_state SET frozen = false, released_at = now(), released_by = %s, updated_at = now() "
        "WHERE connector = %s AND frozen RETURNING reason",
        (by, connector),
    ).fetchone()
    if row is None:
        return False
    conn.execute(
        "INSERT INTO ops.connector_events (connector, event, actor, reason, details) VALUES (%s, 'unfreeze', %s, %s, %s)",
        (connector, by, reason or f"released after: {row[0]}", Jsonb({})),
    )
    conn.execute(
        "UPDATE ops.parked_events SET released_at = now() WHERE connector = %s AND released_at IS NULL", (connector,)
    )
    log.warning("connector %s unfrozen by %s", connector, by)
    return True
