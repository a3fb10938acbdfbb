"""Pause switch, suppression list and bulk-load registry (all in the ``ops`` schema).

``'*'`` in ``ops.outreach_state`` pauses every automation at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg

ALL = "*"


@dataclass(frozen=True)
class PauseState:
    automation: str
    paused: bool
    paused_by: str | None
    reason: str | None
    at: datetime | None


def pause(conn: psycopg.Connection, automation: str, by: str, reason: str = "manual pause") -> None:
    """Pause one automation (or every one with ``"*"``); committed at once so running senders see it."""
    conn.execute(
        """INSERT INTO ops.outreach_state (automation, paused, paused_by, reason, at)
           VALUES (%s, true, %s, %s, now())
           ON CONFLICT (automation) DO UPDATE SET paused = true, paused_by = EXCLUDED.paused_by,
               reason = EXCLUDED.reason, at = now()""",
        (automation, by, reason),
    )
    conn.commit()


def resume(conn: psycopg.Connection, automation: str, by: str) -> None:
    """Resume one automation; ``"*"`` clears the global pause and every per-automation pause."""
    if automation == ALL:
        conn.execute(
            "UPDATE ops.outreach_state SET paused = false, paused_by = %s, reason = 'resumed', at = now()"
            " WHERE paused",
            (by,),
        )
    else:
        conn.execute(
            """INSERT INTO ops.outreach_state (automation, paused, paused_by, reason, at)
               VALUES (%s, false, %s, 'resumed', now())
               ON CONFLICT (automation) DO UPDATE SET paused = false, paused_by = EXCLUDED.paused_by,
                   reason = 'resumed', at = now()""",
            (automation, by),
        )
    conn.commit()


def pause_state(conn: psycopg.Connection, automation: str) -> PauseState:
    """The effective state: paused if the automation or ``'*'`` is paused (the global pause wins)."""
    rows = conn.execute(
        "SELECT automation, paused, paused_by, reason, at FROM ops.outreach_state"
        " WHERE automation IN (%s, %s) AND paused ORDER BY automation = %s DESC",
        (automation, ALL, ALL),
    ).fetchall()
    if rows:
        return PauseState(*rows[0])
    return PauseState(automation, False, None, None, None)


def list_states(conn: psycopg.Connection) -> list[PauseState]:
    return [PauseState(*r) for r in conn.execute(
        "SELECT automation, paused, paused_by, reason, at FROM ops.outreach_state ORDER BY automation"
    )]


def suppress(conn: psycopg.Connection, email: str, reason: str, by: str = "crmhub") -> None:
    """Add an address to the suppression list (opt-out, bounce, complaint)."""
    conn.execute(
        "INSERT INTO ops.suppression_list (email, reason, added_by) VALUES (lower(%s), %s, %s)"
        " ON CONFLICT (email) DO UPDATE SET reason = EXCLUDED.reason",
        (email.strip(), reason, by),
    )
    conn.commit()


def flag_bulk_load(conn: psycopg.Connection, load_id: str, reason: str, by: str = "crmhub") -> None:
    """Mark a load as a bulk import: none of its changes will ever trigger outreach."""
    conn.execute(
        "INSERT INTO ops.bulk_loads (load_id, reason, flagged_by) VALUES (%s, %s, %s)"
        " ON CONFLICT (load_id) DO UPDATE SET reason = EXCLUDED.reason",
        (load_id, reason, by),
    )
    conn.commit()
