"""The KPI report: one HTML page plus PNG charts, every figure read from the warehouse.

Charts are drawn with matplotlib's object API on the Agg canvas (``Figure`` + ``FigureCanvasAgg``, never
``pyplot``): no display, no GUI backend, no global figure state, no JavaScript or network in the page, so the
report renders the same in a headless DAG task, in CI and in a browser opened from a file. The page is plain
HTML next to a ``<stem>_charts/`` folder of PNGs.

Stages: :func:`collect` (queries → :class:`ReportData`), :func:`draw_charts` (data → PNG files),
:func:`render_html` (data + chart names → page), :func:`write_report` (all three).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import psycopg
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, DayLocator
from matplotlib.figure import Figure

from crmhub import clock
from crmhub.health.score import BLOCK_BELOW, connector_targets, integration_health, latest_snapshots
from crmhub.health.segments import ALL_FIELDS, MIN_CHANGES_FOR_DELTA
from crmhub.kpi import metrics
from crmhub.kpi.targets import KPIS, Kpi

# The rollout's own targets for one connector (seed: 0.3 % errors; 2.0 s of a 2.5 s latency target; 6 of 20 min).
ROLLOUT_POINT = {"error_rate_pct": 0.3, "avg_latency_s": 2.0, "sync_lag_min": 6.0}
SEED_TARGETS = {"target_latency_s": 2.5, "target_lag_min": 20.0}
SEGMENT_ROWS_SHOWN = 30  # the segment table lists the largest (segment, field) rows of the latest week


@dataclass
class ReportData:
    title: str
    start: date
    end: date
    generated_at: datetime
    series: dict[str, dict[date, float | None]]
    sla_fields: list[tuple] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)
    incidents_per_day: list[tuple] = field(default_factory=list)
    review_queue: list[tuple] = field(default_factory=list)
    outreach_sends: list[tuple] = field(default_factory=list)
    outreach_decisions: list[tuple] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    health: list[dict] = field(default_factory=list)
    health_at_targets: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def days(self) -> list[date]:
        return metrics.days(self.start, self.end)


def collect(conn: psycopg.Connection, start: date, end: date, imap, *, title: str) -> ReportData:
    conn.execute("SET TIME ZONE 'UTC'")
    data = ReportData(title=title, start=start, end=end, generated_at=datetime.now().astimezone(),  # real time: when it was written
                      series=metrics.kpi_series(conn, start, end, imap))
    data.sla_fields = metrics.sla_met_by_field(conn, start, end, imap)
    data.incidents = metrics.incidents_in_range(conn, start, end)
    data.incidents_per_day = metrics.incidents_per_day(conn, start, end)
    data.review_queue = metrics.review_queue_per_day(conn, start, end)
    data.outreach_sends = metrics.outreach_sends_per_day(conn, start, end)
    data.outreach_decisions = metrics.outreach_decisions_per_day(conn, start, end)
    data.segments = metrics.segment_latency_rows(conn, end)
    data.health = latest_snapshots(conn)
    data.health_at_targets = health_at_rollout_targets(imap)
    return data


def health_at_rollout_targets(imap) -> list[dict]:
    """Integration_Health, formula unchanged, for a connector exactly at the rollout's targets.

    First row: the seed's own targets (2.5 s, 20 min) → 57.5, *blocked*. Then every connector of the map with
    its own ``sla`` targets: the per-connector targets are the lever, not the formula.
    """
    rows = [{"connector": "(seed example: 2.5 s / 20 min targets)", **SEED_TARGETS}]
    rows += [{"connector": name, **t} for name, t in connector_targets(imap).items()]
    out = []
    for row in rows:
        result = integration_health(ROLLOUT_POINT["error_rate_pct"], ROLLOUT_POINT["avg_latency_s"],
                                    row["target_latency_s"], ROLLOUT_POINT["sync_lag_min"], row["target_lag_min"])
        out.append({**row, "score": result.score, "status": result.status, "error_penalty": result.error_penalty,
                    "latency_penalty": result.latency_penalty, "lag_penalty": result.lag_penalty,
                    "lever": lever(result)})
    return out


def lever(result) -> str:
    """Which map target, changed alone, lifts this connector to the block line (70) at the same measurements.

    At 0.3 % errors the error term costs 15 points, so latency and lag together may cost at most 15; "healthy"
    (>= 90) is out of reach at that error rate whatever the targets (100 - 15 = 85).
    """
    if result.status != "blocked":
        return "not blocked at these targets"
    budget = 100.0 - BLOCK_BELOW - result.error_penalty  # points latency + lag may cost
    options = []
    if budget - result.lag_penalty > 0:
        options.append(f"target_latency_s ≥ {result.avg_latency_s * 25 / (budget - result.lag_penalty):.2f}")
    if budget - result.latency_penalty > 0:
        options.append(f"target_lag_min ≥ {result.sync_lag_min * 25 / (budget - result.latency_penalty):.1f}")
    return " or ".join(options) or "both targets must move (either alone is not enough)"


# --- charts ------------------------------------------------------------------------------------------------

def _figure(width: float = 5.4, height: float = 2.7) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def _save(fig: Figure, path: Path) -> str:
    for ax in fig.axes:  # one tick per day at most, labelled by day (never hours)
        low, high = ax.get_xlim()  # matplotlib date numbers are days
        ax.xaxis.set_major_locator(DayLocator(interval=max(1, round((high - low) / 7))))
        ax.xaxis.set_major_formatter(DateFormatter("%m-%d"))
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path.name


def _kpi_chart(kpi: Kpi, series: dict[date, float | None], path: Path) -> str:
    fig, ax = _figure()
    xs = [d for d, v in series.items() if v is not None]
    ys = [series[d] for d in xs]
    ax.plot(xs, ys, marker="o", color="#1f5f99", label="measured")
    ax.axhline(kpi.target, color="#2e7d32", linestyle="--", label=f"target {kpi.target_text}")
    if kpi.baseline is not None:
        ax.axhline(kpi.baseline, color="#c62828", linestyle=":", label=f"baseline {kpi.baseline:g}{kpi.unit}")
    if not xs:
        ax.text(0.5, 0.5, "no data in this range", transform=ax.transAxes, ha="center", va="center", color="#777")
    ax.set_xlim(min(series) - timedelta(hours=12), max(series) + timedelta(hours=12))
    ax.set_ylim(bottom=0)
    ax.set_title(kpi.label, fontsize=10)
    ax.set_ylabel(kpi.unit.strip() or "count")
    ax.legend(fontsize=7, loc="best")
    return _save(fig, path)


def _bars_chart(title: str, days: list[date], stacks: dict[str, list[float]], path: Path,
                line: tuple[str, list[float]] | None = None, *, side_by_side: bool = False) -> str:
    fig, ax = _figure()
    bottom = [0.0] * len(days)
    width = 0.8 / max(1, len(stacks)) if side_by_side else 0.8
    for i, (label, values) in enumerate(stacks.items()):
        if side_by_side:  # counts that do not add up (opened vs closed): one bar each
            shift = timedelta(days=(i - (len(stacks) - 1) / 2) * width)
            ax.bar([d + shift for d in days], values, label=label, width=width)
            continue
        ax.bar(days, values, bottom=bottom, label=label, width=0.8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if line is not None:
        ax.plot(days, line[1], color="black", marker=".", label=line[0])
    if not stacks and line is None:
        ax.text(0.5, 0.5, "no data in this range", transform=ax.transAxes, ha="center", va="center", color="#777")
    ax.set_title(title, fontsize=10)
    if stacks or line:
        ax.legend(fontsize=7, loc="best")
    return _save(fig, path)


def draw_charts(data: ReportData, chart_dir: Path) -> dict[str, str]:
    """Write every chart as PNG into ``chart_dir``; returns ``{chart key: file name}``."""
    chart_dir.mkdir(parents=True, exist_ok=True)
    out = {k.key: _kpi_chart(k, data.series[k.key], chart_dir / f"kpi_{k.key}.png") for k in KPIS}
    days = data.days
    opened = [float(o) for _d, o, _c in data.incidents_per_day]
    closed = [float(c) for _d, _o, c in data.incidents_per_day]
    out["incidents"] = _bars_chart("Incidents opened / closed with proof per day", days,
                                   {"opened": opened, "closed with proof": closed}, chart_dir / "incidents.png",
                                   side_by_side=True)
    pending = [float(row[1]) for row in data.review_queue]
    out["review_queue"] = _bars_chart(
        "Review queue (clusters): decisions per day (bars), pending at day end (line)", days,
        {label: [float(row[i]) for row in data.review_queue]
         for i, label in ((2, "approved"), (3, "split"), (4, "rejected"))},
        chart_dir / "review_queue.png", line=("pending", pending))
    flags = sorted({f for _d, f, _n in data.outreach_sends})
    sends = {f: [float(sum(n for d2, f2, n in data.outreach_sends if d2 == d and f2 == f)) for d in days]
             for f in flags}
    out["outreach"] = _bars_chart("Outreach emails sent per day, by flag", days, sends, chart_dir / "outreach.png")
    return out


# --- page --------------------------------------------------------------------------------------------------

def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return html.escape(str(value))


def _table(headers: list[str], rows: list[list], table_id: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    if not rows:
        body = f'<tr><td colspan="{len(headers)}" class="empty">no rows in this range</td></tr>'
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def last_value(series: dict[date, float | None]) -> tuple[date | None, float | None]:
    for day in sorted(series, reverse=True):
        if series[day] is not None:
            return day, series[day]
    return None, None


def _worst_sla_field(data: ReportData) -> str | None:
    last = max((r[0] for r in data.sla_fields), default=None)
    rows = [r for r in data.sla_fields if r[0] == last]
    if not rows:
        return None
    _, system, fld, changes, pct = min(rows, key=lambda r: float(r[4]))
    return f"{system} {fld}: {float(pct):.1f} % of {changes} changes within the SLA"


def _worst_segment(data: ReportData) -> str | None:
    rows = [r for r in data.segments if r["field"] == ALL_FIELDS and r["freshness_delta_pct"] is not None]
    if not rows:
        return None
    r = max(rows, key=lambda r: abs(float(r["freshness_delta_pct"])))
    return (f"{r['entity_type']}/{r['country']}/{r['source_system']}: median lag {float(r['median_lag_min']):.1f} min "
            f"against {float(r['prev_median_lag_min']):.1f} min the week before ({r['changes']} changes), "
            f"a {float(r['freshness_delta_pct']):.1f} % swing")


#: The KPIs that are "the worst of" something the report lists: which one, on the last day (the verdict's "why").
WORST_OF = {"sla_met": _worst_sla_field, "segment_delta": _worst_segment}


def verdict_rows(data: ReportData) -> list[dict]:
    """``KPI | baseline | last day | target | met | worst`` (baseline: the seed's; first measured day next to it;
    worst: for a "worst of" KPI, which field or segment sets the last day's value, from the tables below)."""
    out = []
    for kpi in KPIS:
        series = data.series[kpi.key]
        first = next((series[d] for d in sorted(series) if series[d] is not None), None)
        day, value = last_value(series)
        worst = WORST_OF[kpi.key](data) if kpi.key in WORST_OF else None
        out.append({"key": kpi.key, "kpi": kpi.label, "baseline": kpi.baseline, "first": first, "last_day": day,
                    "last": value, "target": kpi.target_text, "met": kpi.met(value), "worst": worst})
    return out


_CSS = """body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:.85em;text-align:left}
th{background:#f3f3f3}.met{color:#2e7d32;font-weight:bold}.missed{color:#c62828;font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}figcaption{font-size:.75em;color:#555;max-width:540px}
.empty{color:#777}"""


def _met(value: bool | None) -> str:
    if value is None:
        return '<span class="empty">not measured</span>'
    return '<span class="met">met</span>' if value else '<span class="missed">missed</span>'


def render_html(data: ReportData, charts: dict[str, str], chart_dir_name: str) -> str:
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(data.title)}</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(data.title)}</h1>",
             f"<p>{data.start} – {data.end} (UTC days); generated {data.generated_at:%Y-%m-%d %H:%M %Z}. "
             "Every figure is read from the warehouse's <code>ops</code>/<code>core</code> tables.</p>"]
    for note in data.notes:
        parts.append(f"<p>{html.escape(note)}</p>")
    rows = [[html.escape(v["kpi"]), _fmt(v["baseline"]), _fmt(v["first"]),
             _fmt(v["last"]) + (f" <small>({v['last_day']})</small>" if v["last_day"] else ""),
             html.escape(v["target"]), _met(v["met"]), _fmt(v["worst"])] for v in verdict_rows(data)]
    parts += ["<h2>Verdict</h2>",
              _table(["KPI", "baseline (seed)", "first day", "last day", "target", "met", "set by (last day)"], rows,
                     "verdict")]
    parts.append('<h2>KPIs per day against target</h2><div class="charts">')
    for kpi in KPIS:
        parts.append(f'<figure id="chart-{kpi.key}"><img src="{chart_dir_name}/{charts[kpi.key]}" '
                     f'alt="{html.escape(kpi.label)} per day" width=540>'
                     f"<figcaption>{html.escape(kpi.label)} — from {html.escape(kpi.source)}</figcaption></figure>")
    parts.append("</div>")
    parts += _incident_part(data, charts, chart_dir_name)
    parts += _sla_and_segment_part(data)
    parts += _review_and_outreach_part(data, charts, chart_dir_name)
    parts += _health_part(data)
    parts.append("</body></html>")
    return "\n".join(parts)


def _img(key: str, charts: dict[str, str], chart_dir_name: str, alt: str) -> str:
    return f'<figure id="chart-{key}"><img src="{chart_dir_name}/{charts[key]}" alt="{html.escape(alt)}" width=540></figure>'


def _incident_part(data: ReportData, charts: dict[str, str], chart_dir_name: str) -> list[str]:
    rows = [[f"#{i['incident_id']}", _fmt(i["connector"]), _fmt(i["trigger"]), _fmt(i["severity"]), _fmt(i["owner"]),
             f"{i['opened_at']:%Y-%m-%d %H:%M}",
             f"{i['recovered_at']:%Y-%m-%d %H:%M}" if i["recovered_at"] else "",
             f"{i['resolved_at']:%Y-%m-%d %H:%M}" if i["resolved_at"] else "open",
             _fmt(i["resolved_by"]), _fmt(i["proof"])] for i in data.incidents]
    return ["<h2>Incidents opened and closed, with their proof</h2>",
            _img("incidents", charts, chart_dir_name, "incidents opened and closed per day"),
            "<p>MTTR is the time to fix: opened → recovered (crmhub saw the trigger stop and stay stopped), else "
            "opened → resolved; a person resolves each incident with proof.</p>",
            _table(["incident", "connector", "trigger", "severity", "owner", "opened", "recovered", "resolved", "by",
                    "proof"], rows, "incidents")]


def _sla_and_segment_part(data: ReportData) -> list[str]:
    last = max((r[0] for r in data.sla_fields), default=None)
    sla_rows = [[_fmt(s), _fmt(f), str(n), _fmt(float(p), 1), _met(float(p) >= 95.0)]
                for d, s, f, n, p in data.sla_fields if d == last]
    seg_rows = [[str(r["week_start"]), _fmt(r["entity_type"]), _fmt(r["country"]), _fmt(r["source_system"]),
                 "(all fields)" if r["field"] == ALL_FIELDS else _fmt(r["field"]), str(r["changes"]), _fmt(r["median_lag_min"], 1), _fmt(r["sla"]),
                 _fmt(r["sla_met_pct"], 1), _fmt(r["prev_median_lag_min"], 1), _fmt(r["freshness_delta_pct"], 1),
                 _fmt(r["action"])] for r in data.segments[:SEGMENT_ROWS_SHOWN]]
    if len(data.segments) > SEGMENT_ROWS_SHOWN:
        seg_rows.append([f"… {len(data.segments) - SEGMENT_ROWS_SHOWN} more rows in ops.segment_latency"]
                        + [""] * 11)
    window = f"the {metrics.SLA_WINDOW_DAYS} days to {last}" if last else "no changes"
    return [f"<h2>SLA met rate by field ({window})</h2>",
            _table(["source system", "field", "changes", "SLA met %", "≥ 95 %"], sla_rows, "sla-by-field"),
            "<h2>Segment latency (latest audited week)</h2>",
            f"<p>Top segments by changes; a segment's own row (all fields) carries the KPI's delta. A delta needs "
            f"≥ {MIN_CHANGES_FOR_DELTA} changes in both weeks.</p>",
            _table(["week", "entity type", "country", "source", "field", "changes", "median lag min", "SLA",
                    "SLA met %", "prev. median", "delta %", "action"], seg_rows, "segments")]


def _review_and_outreach_part(data: ReportData, charts: dict[str, str], chart_dir_name: str) -> list[str]:
    review_rows = [[str(v) for v in row] for row in data.review_queue]
    by_day: dict[date, dict[str, int]] = {}
    for d, decision, n in data.outreach_decisions:
        by_day.setdefault(d, {})[decision] = n
    decisions = sorted({k for v in by_day.values() for k in v})
    outreach_rows = [[str(d)] + [str(by_day[d].get(k, 0)) for k in decisions] for d in sorted(by_day)]
    return ["<h2>Identity review queue</h2>",
            _img("review_queue", charts, chart_dir_name, "review queue size and decisions per day"),
            _table(["day", "clusters pending at day end", "approved", "split", "rejected"], review_rows,
                   "review-queue"),
            "<h2>Outreach</h2>", _img("outreach", charts, chart_dir_name, "outreach sends per day by flag"),
            _table(["day"] + decisions, outreach_rows, "outreach-decisions")]


def _health_part(data: ReportData) -> list[str]:
    live = [[_fmt(s["connector"]), _fmt(s["score"], 1), _fmt(s["status"]), _fmt(s["error_penalty"], 1),
             _fmt(s["latency_penalty"], 1), _fmt(s["lag_penalty"], 1)] for s in data.health]
    at_targets = [[_fmt(r["connector"]), _fmt(r["target_latency_s"]), _fmt(r["target_lag_min"]),
                   _fmt(r["error_penalty"], 1), _fmt(r["latency_penalty"], 1), _fmt(r["lag_penalty"], 1),
                   _fmt(r["score"], 1), _fmt(r["status"]), _fmt(r["lever"])] for r in data.health_at_targets]
    return ["<h2>Integration_Health: where it blocks and why</h2>",
            "<p>The formula is kept exactly as the seed writes it: <code>max(0, 100 − Error_Rate_pct×50 − "
            "(Avg_Latency_s / Target_Latency_s)×25 − (Sync_Lag_min / Target_Lag_min)×25)</code>, blocked under 70. "
            "A connector exactly at the rollout's own targets (0.3 % errors, 2.0 s of a 2.5 s latency target, "
            "6 of 20 min lag) scores 100 − 15 − 20 − 7.5 = <b>57.5: blocked</b>. The error term alone costs 15 "
            "points at the target error rate, so a connector only passes when latency and lag together cost "
            "≤ 15 points, and none can be healthy (≥ 90) at that error rate. The lever is each connector's <code>sla.target_latency_s</code> / "
            "<code>sla.target_lag_min</code> in the integration map, never a change of the formula.</p>",
            _table(["connector", "target latency s", "target lag min", "error pen.", "latency pen.", "lag pen.",
                    "score at rollout targets", "status", "lever (one map target, alone, to reach 70)"],
                   at_targets, "health-at-targets"),
            "<h3>Latest measured snapshot per connector</h3>",
            _table(["connector", "score", "status", "error pen.", "latency pen.", "lag pen."], live, "health-live")]


def write_report(conn: psycopg.Connection, out: Path, start: date, end: date, imap, *, title: str,
                 notes: list[str] | None = None) -> ReportData:
    """Collect, chart and write ``out`` (HTML) with its PNGs in ``<out stem>_charts/``; returns the data."""
    out = Path(out)
    data = collect(conn, start, end, imap, title=title)
    data.notes = list(notes or [])
    chart_dir = out.parent / f"{out.stem}_charts"
    charts = draw_charts(data, chart_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data, charts, chart_dir.name), encoding="utf-8")
    return data


def weekly_report(url: str, out: Path, imap, *, today: date | None = None) -> ReportData:
    """The weekly RevOps data-health dashboard: the last 7 full UTC days before ``today``."""
    end = (today or clock.now().date()) - timedelta(days=1)
    start = end - timedelta(days=6)
    with psycopg.connect(url) as conn:
        return write_report(conn, out, start, end, imap, title=f"crmhub weekly data-health report {start} – {end}")
