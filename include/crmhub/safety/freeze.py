"""Freeze everything: one switch that stops every connector, reverse-ETL sync and outreach automation.

Scopes of "stop" in crmhub, narrowest first, each with one owner of its rule:

* one connector - :func:`crmhub.ingest.state.freeze` (schema drift, a severe incident; released by the
  connector's owner with ``crmhub connector unfreeze``); ingestion and reverse ETL refuse to start it.
* one outreach automation, or all of them - :func:`crmhub.outreach.state.pause` (the blast-radius cap,
  a person); the sender re-reads it before each batch.
* **everything** - this module (``crmhub ops freeze --all``). It does not write the narrower switches, so
  ``crmhub ops thaw --all`` can never release a connector drift froze or an automation a person paused.

The global switch is an append-only log (``ops.freeze_all_log``); its newest row is the state. Work
checks it at each batch boundary with :func:`assert_not_frozen` (ingest before each source batch, reverse
ETL after each answered batch, outreach before each send batch), so work in flight stops within one
batch: an ingest load rolls back whole (one transaction), a push commits the batches the CRM answered
and sends no more, the outbox keeps unsent messages ``pending``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb

from crmhub.exceptions import CrmHubError, FrozenError

log = logging.getLogger(__name__)

#: What a freeze or a go-live window can stop: ingest connectors, reverse-ETL syncs, outreach automations.
KINDS = ("connector", "sync", "automation")


@dataclass(frozen=True)
class FreezeState:
    """The newest ``ops.freeze_all_log`` row (``frozen`` False after a thaw or when never frozen)."""

    frozen: bool
    reason: str | None = None
    actor: str | None = None
    at: datetime | None = None
    event_id: int | None = None

    def as_dict(self) -> dict:
        return {"frozen": self.frozen, "reason": self.reason, "by": self.actor,
                "at": self.at.isoformat() if self.at else None, "event_id": self.event_id}


def _need(value: str | None, what: str) -> str:
    if value is None or not str(value).strip():
        raise CrmHubError(f"{what} is required (every human action is recorded with who and why)")
    return str(value).strip()


def freeze_state(conn: psycopg.Connection) -> FreezeState:
    """The current global freeze state."""
    row = conn.execute(
        "SELECT action, reason, actor, at, event_id FROM ops.freeze_all_log ORDER BY event_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return FreezeState(False)
    action, reason, actor, at, event_id = row
    return FreezeState(action == "freeze", reason, actor, at, event_id)


def _log(conn: psycopg.Connection, action: str, reason: str, by: str, details: dict | None) -> FreezeState:
    reason, by = _need(reason, "--reason"), _need(by, "--by")
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('crmhub.safety.freeze_all'))")
    current = freeze_state(conn)
    if current.frozen == (action == "freeze"):
        return current
    conn.execute(
        "INSERT INTO ops.freeze_all_log (action, actor, reason, details) VALUES (%s, %s, %s, %s)",
        (action, by, reason, Jsonb(details or {})),
    )
    state = freeze_state(conn)
    log.warning("everything %s by %s: %s", "frozen" if action == "freeze" else "thawed", by, reason)
    return state


def freeze_all(conn: psycopg.Connection, reason: str, by: str, *, details: dict | None = None) -> FreezeState:
    """Freeze everything and commit at once (running work must see it). Idempotent: a second freeze keeps
    the first one's reason and is not logged again."""
    state = _log(conn, "freeze", reason, by, details)
    conn.commit()
    return state


def thaw_all(conn: psycopg.Connection, reason: str, by: str) -> FreezeState:
    """Lift the global freeze and commit. Per-connector freezes and outreach pauses stay as they are."""
    state = _log(conn, "thaw", reason, by, None)
    conn.commit()
    return state


def frozen_reason(conn: psycopg.Connection, kind: str, name: str) -> str | None:
    """Why ``kind``/``name`` must not run because everything is frozen, or None."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    state = freeze_state(conn)
    if not state.frozen:
        return None
    return f"frozen by {state.actor} at {state.at:%Y-%m-%d %H:%M:%S %Z}: {state.reason}"


def assert_not_frozen(
    conn: psycopg.Connection, kind: str, name: str, *, on_stop: Callable[[], object] | None = None
) -> None:
    """The batch-boundary check: raise :class:`~crmhub.exceptions.FrozenError` when everything is frozen.

    Args:
        conn: the work's own warehouse connection (a read in its transaction sees committed freezes).
        kind: one of :data:`KINDS`.
        name: the connector, sync or automation name (for the message and the log).
        on_stop: called before raising, e.g. to commit the batches already answered.
    """
    reason = frozen_reason(conn, kind, name)
    if reason is None:
        return
    log.warning("%s %s stops at a batch boundary: %s", kind, name, reason)
    if on_stop is not None:
        on_stop()
    raise FrozenError(kind, name, reason)


def freeze_history(conn: psycopg.Connection, limit: int = 20) -> list[dict]:
    """The newest freeze/thaw events (who, why, when)."""
    cur = conn.execute(
        "SELECT event_id, action, actor, reason, details, at FROM ops.freeze_all_log ORDER BY event_id DESC LIMIT %s",
        (limit,),
    )
    cols = [c.name for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
