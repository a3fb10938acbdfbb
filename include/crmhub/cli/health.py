"""``crmhub health [table|score|cycle|sla|segments|missing-fields]``: integration health, SLAs, the segment audit
and the SLAs' missing-fields alerts."""

from __future__ import annotations

import argparse
import json

from crmhub.cli._options import add_url_option
from crmhub.config import load_integration_map
from crmhub.health import missing_fields
from crmhub.health import score as health_score
from crmhub.health.cycle import run_health_cycle
from crmhub.health.segments import audit_segments
from crmhub.health.sla import compute_sla_results
from crmhub.warehouse import connect, open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("health", help="integration health per connector (default: print the table)")
    add_url_option(parser)
    parser.add_argument("--live", action="store_true", help="compute from ops.sync_runs now instead of the snapshots")
    parser.set_defaults(func=_table)
    sub = parser.add_subparsers(dest="health_command", metavar="ACTION")
    sc = sub.add_parser("score", help="compute one Integration_Health score from its five inputs")
    sc.add_argument("--error-rate-pct", type=float, required=True, help="failed operations, percent (0.6 = 0.6 %%)")
    sc.add_argument("--avg-latency-s", type=float, required=True)
    sc.add_argument("--target-latency-s", type=float, required=True)
    sc.add_argument("--sync-lag-min", type=float, required=True)
    sc.add_argument("--target-lag-min", type=float, required=True)
    sc.add_argument("--json", action="store_true", help="print the result as JSON")
    sc.set_defaults(func=_score)
    cy = sub.add_parser("cycle", help="run one health cycle (snapshots, incidents, auto-actions; no paging)")
    add_url_option(cy)
    cy.set_defaults(func=_cycle)
    sl = sub.add_parser("sla", help="compute this week's SLA met rate per field (ops.sla_results)")
    add_url_option(sl)
    sl.set_defaults(func=_sla)
    sg = sub.add_parser("segments", help="weekly segment latency audit (ops.segment_latency)")
    add_url_option(sg)
    sg.add_argument("--top", type=int, default=5)
    sg.set_defaults(func=_segments)
    mf = sub.add_parser("missing-fields", help="share of CRM deals lacking a field an SLA's flow writes, now "
                                               "(the map's slas[].missing_fields)")
    add_url_option(mf)
    mf.set_defaults(func=_missing_fields)


def _fmt(value, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def _table(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        if args.live:
            imap = load_integration_map()
            rows = [health_score.connector_health(conn, name, **t, **health_score.webhook_backlog_of(imap, name)).as_dict()
                    for name, t in health_score.connector_targets(imap).items()]
        else:
            rows = health_score.latest_snapshots(conn)
    if not rows:
        print("no health snapshots yet; run `crmhub health cycle` (or `crmhub health --live`)")
        return 0
    print(f"{'connector':24} {'score':>6} {'status':9} {'error %':>8} {'latency s':>10} {'lag min':>12}  pulled down by")
    for r in rows:
        terms = [("error", r["error_penalty"]), ("latency", r["latency_penalty"]), ("lag", r["lag_penalty"])]
        pulled = ", ".join(f"{n} -{p:.1f}" for n, p in sorted(terms, key=lambda t: -t[1]) if p > 0) or "-"
        print(f"{r['connector']:24} {_fmt(r['score']):>6} {r['status']:9} {r['error_rate_pct']:>8.2f} "
              f"{r['avg_latency_s']:>5.2f}/{r['target_latency_s']:<4g} {r['sync_lag_min']:>6.1f}/{r['target_lag_min']:<5g}  "
              f"{pulled}")
    return 0


def _score(args: argparse.Namespace) -> int:
    try:
        result = health_score.integration_health(
            args.error_rate_pct, args.avg_latency_s, args.target_latency_s, args.sync_lag_min, args.target_lag_min
        )
    except ValueError as exc:
        print(f"crmhub: {exc}")
        return 2
    if args.json:
        print(json.dumps(result.as_dict()))
    else:
        print(f"Integration_Health = {result.score:g} ({result.status})")
        print(f"  error   -{result.error_penalty:g}  ({result.error_rate_pct:g} % x 50)")
        print(f"  latency -{result.latency_penalty:g}  ({result.avg_latency_s:g} s / {result.target_latency_s:g} s x 25)")
        print(f"  lag     -{result.lag_penalty:g}  ({result.sync_lag_min:g} min / {result.target_lag_min:g} min x 25)")
    return 0 if result.status == "healthy" else 1


def _cycle(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url:
        summary = run_health_cycle(url, load_integration_map())
    print(json.dumps({k: v for k, v in summary.items() if k != "connectors"}, default=str))
    for name, data in summary["connectors"].items():
        print(f"  {name}: {data['explain']}")
    return 0


def _sla(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = compute_sla_results(conn, load_integration_map())
    if not rows:
        print("no sync runs this week")
    for r in rows:
        print(f"{r['week_start']} {r['sla']:18} {r['connector']}.{r['field']:<20} {r['met_rate_pct']:6.1f} % "
              f"({r['runs_met']}/{r['runs']}) {'met' if r['met'] else 'MISSED'}")
    return 0


def _segments(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = audit_segments(conn, load_integration_map(), top_n=args.top)
    if not rows:
        print("no changes with source timestamps this week")
    for r in rows:
        print(f"{r['entity_type']}/{r['country']}/{r['source_system']:10} {r['field']:28} median {r['median_lag_min']:8.1f} min "
              f"SLA met {_fmt(r['sla_met_pct'])} %  delta {_fmt(r['freshness_delta_pct'])} %  -> {r['action']}")
    return 0


def _missing_fields(args: argparse.Namespace) -> int:
    """Exit 1 when a rule is over its limit (what the health cycle opens a ``missing_fields`` incident for)."""
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = missing_fields.measure_all(conn, load_integration_map())
    if not rows:
        print("no SLA of the map has missing_fields")
    for m in rows:
        print(missing_fields.describe(m))
    return 1 if any(m["breached"] for m in rows) else 0
