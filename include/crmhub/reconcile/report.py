"""Reconciliation report of a logical date: text for the shell, CSV and HTML proof artifacts.

The HTML escapes every value (rule names, ids and values come from source systems); the CSV goes
through :func:`crmhub.contracts.formula.neutralise_formula` so a spreadsheet never executes a cell.
"""

from __future__ import annotations

import csv
import html
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg.rows import dict_row

from crmhub.contracts.formula import neutralise_formula

SPARK = "▁▂▃▄▅▆▇█"
TREND_DAYS = 30


def load_runs(conn: psycopg.Connection, day: date, *, top: int = 20) -> list[dict]:
    """Stored runs of ``day`` with their top differences (largest numeric gap first) and 30-day trend."""
    cur = conn.cursor(row_factory=dict_row)
    runs = cur.execute(
        "SELECT * FROM ops.reconciliation_runs WHERE logical_date = %s ORDER BY rule", (day,)
    ).fetchall()
    for run in runs:
        run["top"] = cur.execute(
            """SELECT kind, field, crmhub_id, left_ref, right_ref, left_value, right_value
                 FROM ops.reconciliation_diffs WHERE run_id = %s
                ORDER BY CASE kind WHEN 'group' THEN 0 WHEN 'mismatch' THEN 1 ELSE 2 END,
                         abs(CASE WHEN left_value ~ '^-?[0-9]+(\\.[0-9]+)?$' AND right_value ~ '^-?[0-9]+(\\.[0-9]+)?$'
                                  THEN right_value::numeric - left_value::numeric END) DESC NULLS LAST,
                         field NULLS FIRST, crmhub_id, id
                LIMIT %s""",
            (run["run_id"], top),
        ).fetchall()
        run["trend"] = cur.execute(
            """SELECT logical_date, delta_pct FROM ops.reconciliation_runs
                WHERE rule = %s AND logical_date > %s AND logical_date <= %s ORDER BY logical_date""",
            (run["rule"], day - timedelta(days=TREND_DAYS), day),
        ).fetchall()
    return runs


def sparkline(values: list[float]) -> str:
    """One character per value, scaled to the largest (all zero -> lowest bar)."""
    if not values:
        return ""
    peak = max(values)
    if peak <= 0:
        return SPARK[0] * len(values)
    return "".join(SPARK[min(len(SPARK) - 1, int(v / peak * (len(SPARK) - 1) + 0.5))] for v in values)


def render_text(day: date, runs: list[dict], paths: dict | None = None) -> str:
    lines = [f"reconciliation {day.isoformat()}"]
    if not runs:
        lines.append(f"  no runs for this date; run `crmhub reconcile run --date {day.isoformat()}` first")
    for run in runs:
        flag = "BREACH" if run["breached"] else "ok"
        lines.append(f"\n{run['rule']}: {run['left_system']} vs {run['right_system']}  [{flag}]")
        lines.append(f"  totals: left {run['left_total']}  right {run['right_total']}  "
                     f"delta {float(run['delta_pct']):.4f} % (threshold {float(run['threshold_pct']):.2f} %)  "
                     f"differences {run['diff_count']}")
        for m in run["measures"]:
            lines.append(f"  - {m['label']}: left {m['left_total']}  right {m['right_total']}  "
                         f"delta {m['delta_pct']:.4f} %")
        trend = [float(t["delta_pct"]) for t in run["trend"]]
        lines.append(f"  trend {len(trend)}d: {sparkline(trend)}  (max {max(trend, default=0):.4f} %)")
        for d in run["top"]:
            lines.append(f"    {d['kind']:<13} {d['field'] or '':<24} {d['crmhub_id'] or '':<36} "
                         f"left={d['left_value']} right={d['right_value']} "
                         f"refs={d['left_ref'] or '-'}/{d['right_ref'] or '-'}")
    if paths:
        lines.append(f"\nreport: {paths['html']}\ncsv: {paths['csv']}")
    return "\n".join(lines)


def _html(day: date, runs: list[dict]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
        f"<title>crmhub reconciliation {e(day.isoformat())}</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:2px 6px}.breach{color:#b00}</style></head><body>",
        f"<h1>Reconciliation {e(day.isoformat())}</h1>",
        "<table><tr><th>rule</th><th>left</th><th>right</th><th>left total</th><th>right total</th>"
        "<th>delta %</th><th>threshold %</th><th>status</th><th>differences</th><th>30-day trend</th></tr>",
    ]
    for run in runs:
        trend = [float(t["delta_pct"]) for t in run["trend"]]
        status = "BREACH" if run["breached"] else "ok"
        parts.append(
            f"<tr class=\"{'breach' if run['breached'] else ''}\"><td>{e(run['rule'])}</td>"
            f"<td>{e(run['left_system'])}</td><td>{e(run['right_system'])}</td><td>{e(str(run['left_total']))}</td>"
            f"<td>{e(str(run['right_total']))}</td><td>{float(run['delta_pct']):.4f}</td>"
            f"<td>{float(run['threshold_pct']):.2f}</td><td>{status}</td><td>{run['diff_count']}</td>"
            f"<td>{e(sparkline(trend))}</td></tr>"
        )
    parts.append("</table>")
    for run in runs:
        parts.append(f"<h2>{e(run['rule'])}</h2><table><tr><th>measure</th><th>left</th><th>right</th>"
                     "<th>delta %</th></tr>")
        for m in run["measures"]:
            parts.append(f"<tr><td>{e(m['label'])}</td><td>{e(str(m['left_total']))}</td>"
                         f"<td>{e(str(m['right_total']))}</td><td>{m['delta_pct']:.4f}</td></tr>")
        parts.append("</table><h3>Top differences</h3><table><tr><th>kind</th><th>field</th><th>crmhub id</th>"
                     "<th>left ref</th><th>right ref</th><th>left value</th><th>right value</th></tr>")
        for d in run["top"]:
            parts.append("<tr>" + "".join(f"<td>{e(str(d[k]) if d[k] is not None else '')}</td>" for k in
                                          ("kind", "field", "crmhub_id", "left_ref", "right_ref", "left_value",
                                           "right_value")) + "</tr>")
        parts.append("</table><h3>Trend (delta % per day)</h3><table><tr><th>date</th><th>delta %</th></tr>")
        for t in run["trend"]:
            parts.append(f"<tr><td>{e(t['logical_date'].isoformat())}</td><td>{float(t['delta_pct']):.4f}</td></tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(conn: psycopg.Connection, day: date, out_dir: str | Path, *, top: int = 20) -> dict:
    """Write ``reconciliation_<date>.csv`` (every difference of the date) and ``.html``; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    runs = load_runs(conn, day, top=top)
    csv_path = out / f"reconciliation_{day.isoformat()}.csv"
    html_path = out / f"reconciliation_{day.isoformat()}.html"
    rows = conn.execute(
        """SELECT r.rule, r.logical_date, r.delta_pct, r.threshold_pct, r.breached, d.kind, d.field, d.crmhub_id,
                  d.left_ref, d.right_ref, d.left_value, d.right_value
             FROM ops.reconciliation_runs r LEFT JOIN ops.reconciliation_diffs d ON d.run_id = r.run_id
            WHERE r.logical_date = %s ORDER BY r.rule, d.id""",
        (day,),
    ).fetchall()
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["rule", "logical_date", "delta_pct", "threshold_pct", "breached", "kind", "field",
                         "crmhub_id", "left_ref", "right_ref", "left_value", "right_value"])
        for row in rows:
            writer.writerow([neutralise_formula("" if v is None else str(v)) for v in row])
    html_path.write_text(_html(day, runs), encoding="utf-8")
    return {"csv": csv_path, "html": html_path}
