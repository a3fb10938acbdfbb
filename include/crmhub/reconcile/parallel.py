"""Parallel run before cutover: the legacy CRM's export against the new stack for a period.

Legacy export format (a folder of UTF-8 CSV files with a header row; amounts plain decimals ``1250000.00``):

* ``investors.csv``: ``investor_id,name,email,committed_amount`` — one row per investor (contact) with
  the total committed amount. Joined to the new CRM by lower-cased email.
* ``pipeline.csv``: ``stage,records`` — number of fundraising records per stage at the period end.
* ``cash_calls.csv``: ``call_id,fund,lp_ref,amount,call_date`` (``call_date`` ``YYYY-MM-DD``) — cash calls
  issued in the period. Joined by ``call_id`` (the billing system's invoice id).

The new side: investors = core contacts with at least one live commitment with an amount (sum per
lower-cased email); pipeline = live core commitments with a stage, counted per stage (both as the core
holds them at run time); cash calls = the billing connector's staged invoices issued within the period,
latest version per invoice as known at run time (``as_of``, default now: same as-of rule as the daily
reconciliation, so a run with a fixed ``as_of`` is repeatable).

Measures (legacy = left, new = right) reuse :func:`crmhub.reconcile.engine.compare`; the run's delta % is the
largest one. Above ``reconciliation.parallel_run.rollback_threshold_pct`` the result says
``rollback_recommended: true`` and crmhub acts (:func:`crmhub.ops.rollback.act_on_rollback`): the reverse-ETL
syncs to the configured system are frozen and a ``rollback`` incident with the comparison is opened.
"""

from __future__ import annotations

import csv
import html
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import psycopg

from crmhub import clock
from crmhub.config import load_integration_map
from crmhub.config.integration_map import IntegrationMap
from crmhub.contracts.formula import neutralise_formula
from crmhub.exceptions import CrmHubError
from crmhub.reconcile.engine import as_date, compare, report_dir_for
from crmhub.reconcile.rules import Measure, Rule, Side, section
from crmhub.reconcile.sides import read_side
from crmhub.warehouse.connection import borrowed, committing

FILES = {
    "investors": ("investors.csv", ["investor_id", "name", "email", "committed_amount"]),
    "pipeline": ("pipeline.csv", ["stage", "records"]),
    "cash_calls": ("cash_calls.csv", ["call_id", "fund", "lp_ref", "amount", "call_date"]),
}


class ParallelRunError(CrmHubError):
    """The legacy export is missing a file or a column."""


def _rule(name: str, fields: list[str], measures: list[Measure]) -> Rule:
    mapping = {f: f for f in fields}
    return Rule(name=name, owner="-", left=Side(None, None, "legacy", mapping), right=Side(None, None, "new", mapping),
                measures=tuple(measures))


RULES = {
    "investors": _rule("investors", ["committed"], [Measure("count"), Measure("sum", "committed"),
                                                    Measure("equal", fields=("committed",))]),
    "pipeline": _rule("pipeline", ["records"], [Measure("sum", "records", by=()), Measure("equal", fields=("records",))]),
    "cash_calls": _rule("cash_calls", ["amount", "fund"], [Measure("count"), Measure("sum", "amount", by=("fund",)),
                                                          Measure("equal", fields=("amount",))]),
}


def _investors_new(conn) -> pd.DataFrame:
    rows = conn.execute(
        """SELECT lower(k.email) AS key, min(k.crmhub_id::text) AS ref, sum(c.amount)::text AS committed
             FROM core.commitment c JOIN core.contact k ON k.crmhub_id = c.contact_id
            WHERE c.deleted_at IS NULL AND k.deleted_at IS NULL AND c.amount IS NOT NULL AND k.email IS NOT NULL
            GROUP BY lower(k.email) ORDER BY 1"""
    ).fetchall()
    return pd.DataFrame(rows, columns=["key", "ref", "committed"], dtype=object)


def _pipeline_new(conn) -> pd.DataFrame:
    rows = conn.execute(
        """SELECT stage AS key, stage AS ref, count(*)::text AS records FROM core.commitment
            WHERE deleted_at IS NULL AND stage IS NOT NULL GROUP BY stage ORDER BY stage"""
    ).fetchall()
    return pd.DataFrame(rows, columns=["key", "ref", "records"], dtype=object)


def _cash_calls_new(conn, imap: IntegrationMap, start: date, end: date, as_of: datetime | None = None) -> pd.DataFrame:
    par = section(imap).get("parallel_run") or {}
    name = par.get("cash_calls_connector", "billing_invoices")
    side = Side(connector=name, core=None, object=imap.connector(name).object,
                fields={"amount": "amount", "fund": "fund_name", "call_date": "issued_on", "lp_ref": "lp_external_id"})
    frame = read_side(conn, imap, side, as_of or clock.now())
    if frame.empty:
        return pd.DataFrame(columns=["key", "ref", "amount", "fund", "call_date"], dtype=object)
    days = pd.to_datetime(frame["call_date"], errors="coerce").dt.date
    frame = frame[(days >= start) & (days <= end)].copy()
    frame["key"] = frame["ref"]
    return frame[["key", "ref", "amount", "fund", "call_date"]].sort_values("key").reset_index(drop=True)


def read_export(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The three legacy files as frames keyed like the new side (``key``, ``ref``, fields)."""
    root = Path(folder)
    frames = {}
    for kind, (fname, header) in FILES.items():
        path = root / fname
        if not path.exists():
            raise ParallelRunError(f"legacy export {root}: missing {fname} (columns: {', '.join(header)})")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in header if c not in frame.columns]
        if missing:
            raise ParallelRunError(f"{path}: missing column(s) {missing}; expected {', '.join(header)}")
        frames[kind] = frame.replace({"": None})
    inv = frames["investors"]
    pipe = frames["pipeline"]
    calls = frames["cash_calls"]
    return {
        "investors": pd.DataFrame({"key": inv["email"].str.strip().str.lower(), "ref": inv["investor_id"],
                                   "committed": inv["committed_amount"]}),
        "pipeline": pd.DataFrame({"key": pipe["stage"].str.strip(), "ref": pipe["stage"], "records": pipe["records"]}),
        "cash_calls": pd.DataFrame({"key": calls["call_id"], "ref": calls["call_id"], "amount": calls["amount"],
                                    "fund": calls["fund"], "call_date": calls["call_date"]}),
    }


def run_parallel(warehouse_url: str | psycopg.Connection, export_dir: str | Path, period_start, period_end,
                 imap: IntegrationMap | None = None, *, report_dir: str | Path | None = None,
                 as_of: datetime | None = None) -> dict:
    """Compare the legacy export with the new stack for ``[period_start, period_end]`` and store the result.

    Returns:
        ``{"period", "export", "datasets": {investors|pipeline|cash_calls: {measures, delta_pct, differences}},
        "delta_pct", "threshold_pct", "rollback_threshold_pct", "rollback_recommended", "incident_id",
        "run_id", "report": {"csv", "html"}}``.
    """
    from crmhub.ops.rollback import act_on_rollback

    imap = imap or load_integration_map()
    par = section(imap).get("parallel_run") or {}
    rollback = float(par.get("rollback_threshold_pct", 2.0))
    threshold = float(par.get("threshold_pct", section(imap).get("default_threshold_pct", 0.6)))
    start, end = as_date(period_start), as_date(period_end)
    legacy = read_export(export_dir)
    calls = legacy["cash_calls"]
    days = pd.to_datetime(calls["call_date"], errors="coerce").dt.date
    legacy["cash_calls"] = calls[(days >= start) & (days <= end)].drop(columns=["call_date"])
    with committing(warehouse_url) as conn:
        new = {"investors": _investors_new(conn), "pipeline": _pipeline_new(conn),
               "cash_calls": _cash_calls_new(conn, imap, start, end, as_of).drop(columns=["call_date"])}
        datasets = {}
        for kind, rule in RULES.items():
            res = compare(rule, legacy[kind].sort_values("key").reset_index(drop=True), new[kind])
            datasets[kind] = {"delta_pct": res["delta_pct"], "measures": res["measures"], "differences": res["diffs"],
                              "legacy_records": res["left_records"], "new_records": res["right_records"]}
        delta = max(d["delta_pct"] for d in datasets.values())
        result = {
            "period": {"start": start.isoformat(), "end": end.isoformat()}, "export": str(export_dir),
            "datasets": datasets, "delta_pct": delta, "threshold_pct": threshold,
            "rollback_threshold_pct": rollback, "within_threshold": delta <= threshold,
            "rollback_recommended": delta > rollback, "incident_id": None,
        }
        paths = _write_report(result, report_dir_for(imap, report_dir), start, end)
        result["report"] = {"csv": str(paths["csv"]), "html": str(paths["html"])}
        if result["rollback_recommended"]:   # an action: freeze the syncs, open the rollback incident
            action = act_on_rollback(conn, imap, result, system=par.get("system", "crm"), owner=par.get("owner"),
                                     report=str(paths["html"]))
            result["incident_id"], result["frozen_syncs"] = action["incident_id"], action["syncs"]
        result["run_id"] = conn.execute(
            """INSERT INTO ops.parallel_runs (export_path, period_start, period_end, delta_pct, rollback_threshold_pct,
                      rollback_recommended, result, incident_id, report_path)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING run_id""",
            (str(export_dir), start, end, delta, rollback, result["rollback_recommended"],
             json.dumps(result, default=str), result["incident_id"], str(paths["html"])),
        ).fetchone()[0]
    return result


def _write_report(result: dict, out_dir: Path, start: date, end: date) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"parallel_run_{start.isoformat()}_{end.isoformat()}"
    csv_path, html_path = out_dir / f"{stem}.csv", out_dir / f"{stem}.html"
    cols = ["kind", "field", "crmhub_id", "left_ref", "right_ref", "left_value", "right_value"]
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["dataset", *[c.replace("left", "legacy").replace("right", "new") for c in cols]])
        for name, data in result["datasets"].items():
            for d in data["differences"]:
                writer.writerow([name, *[neutralise_formula("" if d[c] is None else str(d[c])) for c in cols]])
    e = html.escape
    parts = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\">",
             f"<title>crmhub parallel run {e(start.isoformat())}..{e(end.isoformat())}</title></head><body>",
             f"<h1>Parallel run {e(start.isoformat())} .. {e(end.isoformat())}</h1>",
             f"<p>export: {e(result['export'])}; delta {result['delta_pct']:.4f} %; rollback threshold "
             f"{result['rollback_threshold_pct']:.2f} %; rollback recommended: "
             f"<b>{'YES' if result['rollback_recommended'] else 'no'}</b></p>"]
    for name, data in result["datasets"].items():
        parts.append(f"<h2>{e(name)} (delta {data['delta_pct']:.4f} %)</h2><table border=\"1\"><tr><th>measure</th>"
                     "<th>legacy</th><th>new</th><th>delta %</th></tr>")
        for m in data["measures"]:
            parts.append(f"<tr><td>{e(m['label'])}</td><td>{e(str(m['left_total']))}</td>"
                         f"<td>{e(str(m['right_total']))}</td><td>{m['delta_pct']:.4f}</td></tr>")
        parts.append("</table><table border=\"1\"><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
        for d in data["differences"]:
            parts.append("<tr>" + "".join(f"<td>{e('' if d[c] is None else str(d[c]))}</td>" for c in cols) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    html_path.write_text("\n".join(parts), encoding="utf-8")
    return {"csv": csv_path, "html": html_path}


def write_legacy_export(warehouse_url: str | psycopg.Connection, out_dir: str | Path, period_start, period_end,
                        imap: IntegrationMap | None = None, *, plant: bool = True) -> dict:
    """Derive a legacy CRM export from the loaded demo data (the warehouse), with planted differences.

    Planted (when ``plant``): one investor missing in the legacy list, one investor's commitment 2.5 % higher,
    two pipeline records moved from the first stage to the second, one cash call 10 % higher and one
    legacy-only cash call. ``crmhub demo-data`` is unchanged; this is for tests and the demo.

    Returns:
        ``{"folder", "planted": {...exact keys and values...}}``.
    """
    imap = imap or load_integration_map()
    start, end = as_date(period_start), as_date(period_end)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with borrowed(warehouse_url) as conn:
        inv = _investors_new(conn)
        pipe = _pipeline_new(conn)
        calls = _cash_calls_new(conn, imap, start, end)
    planted: dict = {}
    inv_rows = [[f"LEG-{i + 1:06d}", f"Investor {i + 1}", r.key, r.committed] for i, r in enumerate(inv.itertuples())]
    pipe_rows = [[r.key, int(r.records)] for r in pipe.itertuples()]
    call_rows = []
    call_rows = [[r.key, r.fund, "", r.amount, r.call_date] for r in calls.itertuples()]
    if plant:
        if len(inv_rows) >= 2:
            dropped = inv_rows.pop()
            planted["investor_missing_in_legacy"] = dropped[2]
            row = inv_rows[0]
            new_value = (Decimal(row[3]) * Decimal("1.025")).quantize(Decimal("0.01"))
            planted["investor_amount_changed"] = {"email": row[2], "new": str(row[3]), "legacy": str(new_value)}
            row[3] = str(new_value)
        if len(pipe_rows) >= 2 and pipe_rows[0][1] >= 2:
            pipe_rows[0][1] -= 2
            pipe_rows[1][1] += 2
            planted["pipeline_moved"] = {"from": pipe_rows[0][0], "to": pipe_rows[1][0], "records": 2}
        if call_rows:
            row = call_rows[0]
            new_value = (Decimal(row[3]) * Decimal("1.10")).quantize(Decimal("0.01"))
            planted["cash_call_amount_changed"] = {"call_id": row[0], "new": str(row[3]), "legacy": str(new_value)}
            row[3] = str(new_value)
            extra = ["LEG-CALL-000001", row[1], "", "250000.00", end.isoformat()]
            call_rows.append(extra)
            planted["cash_call_only_in_legacy"] = extra[0]
    for kind, rows in (("investors", inv_rows), ("pipeline", pipe_rows), ("cash_calls", call_rows)):
        fname, header = FILES[kind]
        with (out / fname).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return {"folder": str(out), "planted": planted}


__all__ = ["FILES", "ParallelRunError", "read_export", "run_parallel", "write_legacy_export"]
