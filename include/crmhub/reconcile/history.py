"""Read model of reconciliation for people: the newest run of every rule with its trend, and its diffs as CSV.

Used by the operations console. Differences are masked (values are LP amounts, emails, tax ids) and the CSV goes
through :func:`crmhub.contracts.formula.neutralise_formula`, so a spreadsheet never executes a cell.
"""

from __future__ import annotations

import csv
import io

import psycopg
from psycopg.rows import dict_row

from crmhub.contracts.formula import neutralise_formula
from crmhub.contracts.masking import mask_value
from crmhub.reconcile.report import load_runs

DIFF_COLUMNS = ("rule", "logical_date", "kind", "field", "crmhub_id", "left_ref", "right_ref", "left_value",
                "right_value")


def latest_runs(conn: psycopg.Connection, *, top: int = 20) -> list[dict]:
    """The newest run of every rule (totals, delta %, threshold, breach, top diffs, 30-day trend)."""
    latest = conn.execute(
        "SELECT rule, max(logical_date) FROM ops.reconciliation_runs GROUP BY rule ORDER BY rule").fetchall()
    by_day: dict = {}
    for _rule, day in latest:
        if day not in by_day:
            by_day[day] = {r["rule"]: r for r in load_runs(conn, day, top=top)}
    runs = [by_day[day][rule] for rule, day in latest]
    for run in runs:
        for diff in run["top"]:
            diff["left_value"], diff["right_value"] = mask_value(diff["left_value"]), mask_value(diff["right_value"])
    return runs


def run_diffs(conn: psycopg.Connection, run_id: int) -> list[dict]:
    """Every difference of one run, values masked."""
    rows = conn.cursor(row_factory=dict_row).execute(
        f"SELECT {', '.join(DIFF_COLUMNS)} FROM ops.reconciliation_diffs WHERE run_id = %s ORDER BY id", (run_id,)
    ).fetchall()
    for r in rows:
        r["left_value"], r["right_value"] = mask_value(r["left_value"]), mask_value(r["right_value"])
    return rows


def diffs_csv(rows: list[dict]) -> str:
    """CSV text of :func:`run_diffs` rows, every cell neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(DIFF_COLUMNS)
    for r in rows:
        writer.writerow([neutralise_formula("" if r[c] is None else str(r[c])) for c in DIFF_COLUMNS])
    return out.getvalue()
