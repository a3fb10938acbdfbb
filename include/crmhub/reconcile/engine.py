"""Daily reconciliation run: per rule totals on both sides, delta %, record-level differences, incidents.

Delta % per measure (the rule's delta is the largest of its measures):

* ``count``: ``|L - R| / L``.
* ``sum`` (by groups, e.g. fund and LP): ``sum over groups |L_g - R_g| / |sum L|`` (differences in two groups
  never cancel out). A group's dimension value comes from the left record, else the right one, else
  ``(none)``.
* ``count_by`` (e.g. stage): ``sum over values |L_v - R_v| / L``.
* ``equal`` (field-level equality of mapped fields): (records with at least one differing field + records
  missing on one side) / records on either side. Its totals are: records on either side (left) and
  records equal on both sides (right). Numbers compare to the cent; text exactly (after trimming).

All as per cent of the left (system of truth) side; ``L = 0`` gives 0 % when ``R = 0`` too, else 100 %.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg

from crmhub import clock
from crmhub.config import load_integration_map
from crmhub.config.integration_map import IntegrationMap
from crmhub.reconcile.rules import DEFAULT_TOP, Measure, Rule, load_rules, section
from crmhub.reconcile.sides import read_side
from crmhub.warehouse.connection import committing

log = logging.getLogger(__name__)
NONE_LABEL = "(none)"


def as_date(value: date | datetime | str | None) -> date:
    """A logical date from a date, an aware/naive datetime (its UTC date) or ``YYYY-MM-DD`` text."""
    if value is None:
        return clock.now().date()
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def cutoff_for(day: date) -> datetime:
    """End of the logical date (exclusive), UTC: everything strictly before it belongs to the date."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def _pct(delta: float, base: float) -> float:
    if base == 0:
        return 0.0 if delta == 0 else 100.0
    return round(abs(delta) / abs(base) * 100.0, 4)


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _money(value: float) -> float:
    return float(round(value, 2))


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip()


def compare(rule: Rule, left: pd.DataFrame, right: pd.DataFrame) -> dict:
    """Compare two side frames (``key``, ``ref``, mapped fields) under ``rule``; pure, deterministic."""
    merged = left.merge(right, on="key", how="outer", suffixes=("_l", "_r"), indicator=True, sort=True)
    both = merged[merged["_merge"] == "both"]
    diffs: list[dict] = []
    for key, ref in merged.loc[merged["_merge"] == "left_only", ["key", "ref_l"]].itertuples(index=False):
        diffs.append({"crmhub_id": key, "kind": "missing_right", "field": None, "left_value": None,
                      "right_value": None, "left_ref": ref, "right_ref": None})
    for key, ref in merged.loc[merged["_merge"] == "right_only", ["key", "ref_r"]].itertuples(index=False):
        diffs.append({"crmhub_id": key, "kind": "missing_left", "field": None, "left_value": None,
                      "right_value": None, "left_ref": None, "right_ref": ref})

    def col(name: str, side: str) -> pd.Series:
        mapped = rule.left.fields if side == "l" else rule.right.fields
        if name not in mapped:
            return pd.Series([None] * len(merged), index=merged.index, dtype=object)
        other = rule.right.fields if side == "l" else rule.left.fields
        return merged[f"{name}_{side}"] if name in other else merged[name]

    measures = []
    for m in rule.measures:
        measures.append(_measure(m, rule, merged, both, col, diffs))
    delta = max((m["delta_pct"] for m in measures), default=0.0)
    head = next((m for m in measures if m["kind"] == "sum"), measures[0])
    return {
        "measures": measures, "diffs": diffs, "delta_pct": delta,
        "left_total": head["left_total"], "right_total": head["right_total"],
        "left_records": int(len(left)), "right_records": int(len(right)),
    }


def _measure(m: Measure, rule: Rule, merged: pd.DataFrame, both: pd.DataFrame, col, diffs: list[dict]) -> dict:
    out: dict[str, Any] = {"kind": m.kind, "label": m.label}
    in_left = merged["_merge"].isin(["both", "left_only"])
    in_right = merged["_merge"].isin(["both", "right_only"])
    if m.kind == "count":
        lt, rt = int(in_left.sum()), int(in_right.sum())
        out.update(left_total=lt, right_total=rt, delta_pct=_pct(lt - rt, lt))
        return out
    if m.kind in ("sum", "count_by"):
        dims = list(m.by) if m.kind == "sum" else [m.field]
        labels = []
        for d in dims:
            lv, rv = col(d, "l"), col(d, "r")
            value = lv.where(lv.notna() & in_left, rv).fillna(NONE_LABEL).astype(str)
            labels.append(value if m.kind == "count_by" else d + "=" + value)
        if not labels:
            group = pd.Series(["(all)"] * len(merged), index=merged.index, dtype=object)
        elif len(labels) == 1:
            group = labels[0]
        else:
            group = labels[0].str.cat(labels[1:], sep=" | ")
        if m.kind == "sum":
            lvals = _num(col(m.field, "l")).where(in_left, 0).fillna(0)
            rvals = _num(col(m.field, "r")).where(in_right, 0).fillna(0)
        else:
            lvals = in_left.astype(int)
            rvals = in_right.astype(int)
            # a record's stage on each side is its own value, not the shared label
            lgroup = col(m.field, "l").fillna(NONE_LABEL).astype(str)
            rgroup = col(m.field, "r").fillna(NONE_LABEL).astype(str)
        if m.kind == "sum":
            frame = pd.DataFrame({"g": group, "l": lvals, "r": rvals}).groupby("g", sort=True).sum()
        else:
            lcount = pd.Series(lvals.values, index=lgroup.values).groupby(level=0).sum()
            rcount = pd.Series(rvals.values, index=rgroup.values).groupby(level=0).sum()
            frame = pd.DataFrame({"l": lcount, "r": rcount}).fillna(0).sort_index()
            frame = frame[(frame["l"] != 0) | (frame["r"] != 0)]
        groups = []
        for g, row in frame.iterrows():
            lv = _money(row["l"]) if m.kind == "sum" else int(row["l"])
            rv = _money(row["r"]) if m.kind == "sum" else int(row["r"])
            groups.append({"group": str(g), "left": lv, "right": rv, "delta": _money(rv - lv)})
            if abs(rv - lv) >= 0.005:
                diffs.append({"crmhub_id": None, "kind": "group", "field": f"{m.label}: {g}", "left_value": str(lv),
                              "right_value": str(rv), "left_ref": None, "right_ref": None})
        lt = float(frame["l"].sum())
        rt = float(frame["r"].sum())
        abs_delta = float((frame["r"] - frame["l"]).abs().sum())
        if m.kind == "sum":
            out.update(left_total=_money(lt), right_total=_money(rt), delta_pct=_pct(abs_delta, lt), groups=groups)
        else:
            out.update(left_total=int(lt), right_total=int(rt), delta_pct=_pct(abs_delta, lt), groups=groups)
        return out
    # equal (vectorised: numbers to the cent, text exactly after trimming, null equals only null)
    bad_keys: set[str] = set()
    for name in m.fields:
        lname = f"{name}_l" if name in rule.right.fields else name
        rname = f"{name}_r" if name in rule.left.fields else name
        lt = both[lname].astype(object).where(both[lname].notna(), None).map(_text)
        rt = both[rname].astype(object).where(both[rname].notna(), None).map(_text)
        ln, rn = _num(lt), _num(rt)
        numeric = ln.notna() & rn.notna()
        same = ((ln - rn).abs() < 0.005) & numeric
        same |= ~numeric & ((lt == rt) | (lt.isna() & rt.isna()))
        for row in both.loc[~same, ["key", "ref_l", "ref_r"]].assign(lv=lt[~same], rv=rt[~same]).itertuples():
            bad_keys.add(row.key)
            # _text again: pandas' map turns the None of a missing value back into NaN
            diffs.append({"crmhub_id": row.key, "kind": "mismatch", "field": name, "left_value": _text(row.lv),
                          "right_value": _text(row.rv), "left_ref": row.ref_l, "right_ref": row.ref_r})
    n = int(len(merged))
    missing = n - int(len(both))
    out.update(left_total=n, right_total=n - len(bad_keys) - missing, mismatched=len(bad_keys), missing=missing,
               delta_pct=_pct(len(bad_keys) + missing, n))
    return out


def _incident_target(rule: Rule, imap: IntegrationMap) -> str:
    """Incidents are filed against the right side's connector (the system to fix), else the left one's."""
    return rule.right.connector or rule.left.connector or "warehouse"


def report_dir_for(imap: IntegrationMap, report_dir: str | Path | None = None) -> Path:
    from crmhub import settings

    if report_dir:
        return Path(report_dir)
    configured = section(imap).get("report_dir")
    return Path(configured) if configured else settings.home() / "reports" / "reconciliation"


def run_reconciliation(warehouse_url: str | psycopg.Connection, logical_date: date | datetime | str,
                       imap: IntegrationMap | None = None, *, rules: list[str] | None = None,
                       report_dir: str | Path | None = None) -> dict:
    """Run every reconciliation rule for ``logical_date`` (as of its end, UTC) and store the results.

    Writes ``ops.reconciliation_runs`` (one row per rule and date, replaced by a rerun) and
    ``ops.reconciliation_diffs``, the CSV/HTML report of the date (the proof artifact), and opens one
    ``reconciliation`` incident per breached rule's connector (a rerun counts a repeat, never a second one).

    Args:
        warehouse_url: warehouse URL or open connection (committed here).
        logical_date: the date reconciled; only data known before its end counts (see ``sides``).
        imap: integration map (default: the configured one).
        rules: only these rule names (default: all).
        report_dir: where the report files go (default: map ``reconciliation.report_dir`` or
            ``$CRMHUB_HOME/reports/reconciliation``).

    Returns:
        ``{"logical_date", "cutoff", "rules": [per rule: rule, owner, left, right, left_total, right_total,
        left_records, right_records, delta_pct, threshold_pct, breached, diff_count, measures, run_id,
        incident_id], "breached": [rule names], "notifications": [Slack-compatible payloads, one per
        breached rule, ``crmhub.values.report`` = HTML path], "report": {"csv", "html"}}``. Identical for
        a rerun of the same date (only loads/changes before the cutoff count).
    """
    from crmhub.health.alerts import build_payload
    from crmhub.health.incidents import mark_recovered, open_incident
    from crmhub.reconcile.report import write_report

    imap = imap or load_integration_map()
    day = as_date(logical_date)
    cutoff = cutoff_for(day)
    top = int(section(imap).get("top_differences", DEFAULT_TOP))
    results = []
    with committing(warehouse_url) as conn:
        for rule in load_rules(imap, rules):
            left = read_side(conn, imap, rule.left, cutoff)
            right = read_side(conn, imap, rule.right, cutoff)
            res = compare(rule, left, right)
            breached = res["delta_pct"] > rule.threshold_pct
            run_id = _store(conn, rule, day, cutoff, res, breached)
            results.append({
                "rule": rule.name, "owner": rule.owner, "left": rule.left.label, "right": rule.right.label,
                "left_total": res["left_total"], "right_total": res["right_total"],
                "left_records": res["left_records"], "right_records": res["right_records"],
                "delta_pct": res["delta_pct"], "threshold_pct": rule.threshold_pct, "breached": breached,
                "diff_count": len(res["diffs"]), "measures": res["measures"], "run_id": run_id,
                "incident_id": None,
            })
        paths = write_report(conn, day, report_dir_for(imap, report_dir), top=top)
        conn.execute("UPDATE ops.reconciliation_runs SET report_path = %s WHERE logical_date = %s",
                     (str(paths["html"]), day))
        notifications = []
        by_rule = {r.name: r for r in load_rules(imap, rules)}
        breached_targets = {_incident_target(by_rule[r["rule"]], imap) for r in results if r["breached"]}
        for r in results:
            rule = by_rule[r["rule"]]
            target = _incident_target(rule, imap)
            if not r["breached"]:
                if target not in breached_targets:
                    mark_recovered(conn, target, "reconciliation")
                continue
            values = {"rule": r["rule"], "logical_date": day.isoformat(), "delta_pct": r["delta_pct"],
                      "threshold_pct": r["threshold_pct"], "left": r["left"], "right": r["right"],
                      "left_total": r["left_total"], "right_total": r["right_total"],
                      "differences": r["diff_count"], "report": str(paths["html"])}
            incident = open_incident(conn, target, "reconciliation", values, proof_hint=str(paths["html"]),
                                     imap=imap, owner=rule.owner)
            r["incident_id"] = incident.incident_id
            conn.execute("UPDATE ops.reconciliation_runs SET incident_id = %s WHERE run_id = %s",
                         (incident.incident_id, r["run_id"]))
            owner = imap.people.get(rule.owner, rule.owner)
            notifications.append(build_payload(
                error=(f"reconciliation {rule.name} for {day}: delta {r['delta_pct']:.2f} % exceeds "
                       f"{rule.threshold_pct:.2f} % ({r['left']} vs {r['right']}, {r['diff_count']} differences)"),
                values=values, owner=owner, runbook_url=incident.runbook_url, incident_id=incident.incident_id,
                connector=target, trigger="reconciliation", severity=incident.severity,
            ))
    return {
        "logical_date": day.isoformat(), "cutoff": cutoff.isoformat(), "rules": results,
        "breached": [r["rule"] for r in results if r["breached"]], "notifications": notifications,
        "report": {"csv": str(paths["csv"]), "html": str(paths["html"])},
    }


def reconcile_records(warehouse_url: str | psycopg.Connection, logical_date: date | datetime | str,
                      keys: list[str], imap: IntegrationMap | None = None, *,
                      rules: list[str] | None = None) -> list[dict]:
    """The rules over only the records whose crmhub id is in ``keys`` (e.g. the outreach control list's
    contacts and their commitments): compared like :func:`run_reconciliation`, nothing stored, no incident.

    Returns one dict per rule: rule, left_records, right_records, delta_pct, threshold_pct, breached,
    diff_count and the differences (crmhub id, kind, field; values left out: they may be LP data).
    """
    imap = imap or load_integration_map()
    cutoff = cutoff_for(as_date(logical_date))
    wanted = set(keys)
    out = []
    with committing(warehouse_url) as conn:
        for rule in load_rules(imap, rules):
            left, right = (read_side(conn, imap, side, cutoff) for side in (rule.left, rule.right))
            res = compare(rule, left[left["key"].isin(wanted)], right[right["key"].isin(wanted)])
            out.append({
                "rule": rule.name, "left_records": res["left_records"], "right_records": res["right_records"],
                "delta_pct": res["delta_pct"], "threshold_pct": rule.threshold_pct,
                "breached": res["delta_pct"] > rule.threshold_pct, "diff_count": len(res["diffs"]),
                "differences": [{"crmhub_id": d["crmhub_id"], "kind": d["kind"], "field": d["field"]}
                                for d in res["diffs"]],
            })
    return out


def _store(conn: psycopg.Connection, rule: Rule, day: date, cutoff: datetime, res: dict, breached: bool) -> int:
    run_id = conn.execute(
        """INSERT INTO ops.reconciliation_runs AS r (rule, logical_date, cutoff, left_system, right_system,
                  left_total, right_total, delta_pct, threshold_pct, breached, measures, diff_count)
           VALUES (%(rule)s, %(day)s, %(cutoff)s, %(left)s, %(right)s, %(lt)s, %(rt)s, %(delta)s, %(thr)s,
                   %(breached)s, %(measures)s, %(n)s)
           ON CONFLICT (rule, logical_date) DO UPDATE SET cutoff = EXCLUDED.cutoff,
                  left_system = EXCLUDED.left_system, right_system = EXCLUDED.right_system,
                  left_total = EXCLUDED.left_total, right_total = EXCLUDED.right_total,
                  delta_pct = EXCLUDED.delta_pct, threshold_pct = EXCLUDED.threshold_pct,
                  breached = EXCLUDED.breached, measures = EXCLUDED.measures, diff_count = EXCLUDED.diff_count,
                  created_at = now()
           RETURNING run_id""",
        {"rule": rule.name, "day": day, "cutoff": cutoff, "left": rule.left.label, "right": rule.right.label,
         "lt": res["left_total"], "rt": res["right_total"], "delta": res["delta_pct"], "thr": rule.threshold_pct,
         "breached": breached, "measures": json.dumps(res["measures"]), "n": len(res["diffs"])},
    ).fetchone()[0]
    conn.execute("DELETE FROM ops.reconciliation_diffs WHERE run_id = %s", (run_id,))
    with conn.cursor().copy(
        "COPY ops.reconciliation_diffs (run_id, rule, logical_date, crmhub_id, kind, field, left_value, "
        "right_value, left_ref, right_ref) FROM STDIN"
    ) as copy:
        for d in res["diffs"]:
            copy.write_row((run_id, rule.name, day, d["crmhub_id"], d["kind"], d["field"], d["left_value"],
                            d["right_value"], d["left_ref"], d["right_ref"]))
    return run_id
