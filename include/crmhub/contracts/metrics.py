"""Acceptance windows: daily contract metrics per connector and field, 14-day rolling breaches.

* ``ops.contract_metrics`` holds, per connector + field + day (UTC load day), the rows graded and how
  many were illegal (type/allowed/range) or null.
* Over a rolling ``WINDOW_DAYS`` window, a field whose illegal share is >= ``ILLEGAL_LIMIT`` % or whose
  null share is >= ``NULL_LIMIT`` % breaches its contract. The null limit only applies to fields whose
  contract does *not* say ``null_handling: allow`` (an allowed-null enrichment field is not in breach
  for being sparse).
* A breach opens one row in ``ops.contract_breaches`` (a partial unique index keeps one open breach per
  field: no alert storms) and logs a warning; it is closed when the window is back under the limits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import psycopg

from crmhub import clock
from crmhub.config.integration_map import Connector, IntegrationMap
from crmhub.contracts.check import FieldStats

log = logging.getLogger(__name__)

WINDOW_DAYS = 14
ILLEGAL_LIMIT = 1.0
NULL_LIMIT = 2.0


def record_metrics(
    conn: psycopg.Connection, connector: str, stats: dict[str, FieldStats], day: dt.date | None = None
) -> None:
    """Add one load's per-field counts to ``ops.contract_metrics`` for ``day`` (default: today, UTC)."""
    day = day or clock.now().date()
    rows = [(connector, name, day, st.rows, st.illegal, st.nulls) for name, st in stats.items()]
    if not rows:
        return
    with conn.cursor() as cur:
        cur.executemany(
            """
            INSERT INTO ops.contract_metrics (connector, field, day, rows, illegal, nulls)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (connector, field, day) DO UPDATE
               SET rows = ops.contract_metrics.rows + EXCLUDED.rows,
                   illegal = ops.contract_metrics.illegal + EXCLUDED.illegal,
                   nulls = ops.contract_metrics.nulls + EXCLUDED.nulls
            """,
            rows,
        )


@dataclass(frozen=True)
class FieldWindow:
    """One field's rolling window."""

    connector: str
    field: str
    owner: str
    rows: int
    illegal: int
    nulls: int
    null_limited: bool

    @property
    def illegal_pct(self) -> float:
        return 100.0 * self.illegal / self.rows if self.rows else 0.0

    @property
    def null_pct(self) -> float:
        return 100.0 * self.nulls / self.rows if self.rows else 0.0

    @property
    def failing(self) -> list[str]:
        out = []
        if self.illegal_pct >= ILLEGAL_LIMIT:
            out.append(f"illegal {self.illegal_pct:.2f} % >= {ILLEGAL_LIMIT} %")
        if self.null_limited and self.null_pct >= NULL_LIMIT:
            out.append(f"null {self.null_pct:.2f} % >= {NULL_LIMIT} %")
        return out

    @property
    def passed(self) -> bool:
        return not self.failing


def windows(
    conn: psycopg.Connection, connector: Connector, *, days: int = WINDOW_DAYS, today: dt.date | None = None
) -> list[FieldWindow]:
    """Every contracted field's counts over the last ``days`` days (fields never seen have 0 rows)."""
    today = today or clock.now().date()
    since = today - dt.timedelta(days=days - 1)
    found = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT field, sum(rows), sum(illegal), sum(nulls) FROM ops.contract_metrics "
            "WHERE connector = %s AND day BETWEEN %s AND %s GROUP BY field",
            (connector.name, since, today),
        ).fetchall()
    }
    out = []
    for contract in connector.fields:
        rows, illegal, nulls = found.get(contract.name, (0, 0, 0))
        out.append(
            FieldWindow(connector.name, contract.name, contract.owner, int(rows), int(illegal), int(nulls),
                        contract.null_handling != "allow")
        )
    return out


def evaluate_breaches(
    conn: psycopg.Connection, connector: Connector, *, today: dt.date | None = None
) -> list[FieldWindow]:
    """Open a breach for each failing field without an open one, close recovered ones; returns newly opened."""
    opened = []
    for win in windows(conn, connector, today=today):
        if win.rows == 0:
            continue
        if win.failing:
            row = conn.execute(
                """
                INSERT INTO ops.contract_breaches (connector, field, owner, window_days, rows, illegal_pct, null_pct, reason)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (connector, field) WHERE closed_at IS NULL DO NOTHING
                RETURNING id
                """,
                (win.connector, win.field, win.owner, WINDOW_DAYS, win.rows, round(win.illegal_pct, 3),
                 round(win.null_pct, 3), "; ".join(win.failing)),
            ).fetchone()
            if row is not None:
                opened.append(win)
                log.warning(
                    "contract breach %s.%s (owner %s): %s over %s days",
                    win.connector, win.field, win.owner, "; ".join(win.failing), WINDOW_DAYS,
                )
        else:
            conn.execute(
                "UPDATE ops.contract_breaches SET closed_at = now() WHERE connector = %s AND field = %s "
                "AND closed_at IS NULL",
                (win.connector, win.field),
            )
    return opened


def report(
    conn: psycopg.Connection, imap: IntegrationMap, *, connector: str | None = None, days: int = WINDOW_DAYS
) -> list[FieldWindow]:
    """Windows of every (or one) connector's fields, for ``crmhub contracts report``."""
    conns = [imap.connector(connector)] if connector else list(imap.connectors)
    out: list[FieldWindow] = []
    for conn_cfg in conns:
        out.extend(windows(conn, conn_cfg, days=days))
    return out
