"""The reconciliation read model: newest run per rule, masked differences, CSV safe for spreadsheets."""

from __future__ import annotations

import csv
import io

import psycopg
from console_support import _reconciliation

from crmhub.reconcile.history import diffs_csv, latest_runs, run_diffs


def test_latest_run_per_rule_with_trend_and_masked_values(db):
    with psycopg.connect(db) as conn:
        _reconciliation(conn)
        conn.commit()
        runs = latest_runs(conn)
        assert [r["rule"] for r in runs] == ["fund_admin_commitments"]
        run = runs[0]
        assert run["breached"] and len(run["trend"]) == 30
        values = {d["left_value"] for d in run["top"]} | {d["right_value"] for d in run["top"]}
        assert "2500000.00" not in values and "=1+1" not in values
        rows = run_diffs(conn, run["run_id"])
    text = diffs_csv(rows)
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "2500000.00" not in text


def test_formula_cells_are_neutralised():
    rows = [{"rule": "=HYPERLINK(\"http://x\")", "logical_date": "2026-12-01", "kind": "mismatch", "field": "+cmd",
             "crmhub_id": "@SUM(A1)", "left_ref": "-2+3", "right_ref": None, "left_value": "***", "right_value": None}]
    parsed = list(csv.reader(io.StringIO(diffs_csv(rows))))
    assert parsed[1][:5] == ["'=HYPERLINK(\"http://x\")", "2026-12-01", "mismatch", "'+cmd", "'@SUM(A1)"]
    assert parsed[1][5] == "'-2+3"
