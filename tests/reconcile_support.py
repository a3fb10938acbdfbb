"""Helpers for the reconciliation tests (tests/core/reconcile)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

FA_HEADER = "external_id,first_name,last_name,email,company,amount,updated_at\n"


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def fund_admin_rows(n: int, *, amounts: dict[int, str] | None = None, ts: str = "2026-10-01T10:00:00Z",
                    company: str | None = None, company_row: int = 1) -> list[str]:
    """``n`` LP contact rows FA-000001.. with amount 1,000,000 + i * 10,000 (overrides by index)."""
    amounts = amounts or {}
    rows = []
    for i in range(1, n + 1):
        amount = amounts.get(i, f"{1_000_000 + i * 10_000}.00")
        name = company if company and i == company_row else f"LP {i} Capital"
        rows.append(f"FA-{i:06d},Ann,Lee{i},ann{i}@lp{i}.com,{name},{amount},{ts}\n")
    return rows


def write_csv(folder: Path, name: str, header: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def shift_history(url: str, days: int) -> None:
    """Move everything already loaded ``days`` into the past (loads, crosswalk, change log), as if it were."""
    delta = timedelta(days=days)
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE ops.loads SET started_at = started_at - %s, finished_at = finished_at - %s",
                     (delta, delta))
        conn.execute("UPDATE core.external_id SET first_seen_at = first_seen_at - %s", (delta,))
        conn.execute("UPDATE core.change_log SET changed_at = changed_at - %s", (delta,))
