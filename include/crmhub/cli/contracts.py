"""``crmhub contracts report``: per field rows, illegal %, null %, pass/fail and owner over 14 days."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from crmhub.cli._options import add_url_option
from crmhub.config import load_integration_map
from crmhub.warehouse import connect, open_warehouse

WINDOW_DAYS = 14  # = crmhub.contracts.metrics.WINDOW_DAYS (not imported here: it pulls in pandas)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("contracts", help="field contract acceptance (metrics, breaches)")
    sub = parser.add_subparsers(dest="contracts_command", metavar="ACTION", required=True)
    rep = sub.add_parser("report", help=f"per field: rows, illegal %%, null %%, pass/fail, owner ({WINDOW_DAYS}-day window)")
    rep.add_argument("--connector", help="one connector (default: all)")
    rep.add_argument("--days", type=int, default=WINDOW_DAYS)
    rep.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_url_option(rep)
    rep.add_argument("--map", type=Path)
    rep.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from crmhub.contracts.metrics import ILLEGAL_LIMIT, NULL_LIMIT, report

    imap = load_integration_map(args.map)
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = report(conn, imap, connector=args.connector, days=args.days)
    if args.json:
        print(json.dumps([
            {"connector": r.connector, "field": r.field, "rows": r.rows, "illegal_pct": round(r.illegal_pct, 3),
             "null_pct": round(r.null_pct, 3), "pass": r.passed, "owner": r.owner} for r in rows
        ]))
        return 0
    print(f"limits: illegal < {ILLEGAL_LIMIT} %, null < {NULL_LIMIT} % (null limit not applied to allow-null fields); "
          f"window {args.days} days")
    header = f"{'connector':24} {'field':20} {'rows':>9} {'illegal %':>9} {'null %':>7}  {'result':6} owner"
    print(header)
    print("-" * len(header))
    for r in rows:
        result = "-" if r.rows == 0 else ("pass" if r.passed else "FAIL")
        print(f"{r.connector:24} {r.field:20} {r.rows:>9} {r.illegal_pct:>9.2f} {r.null_pct:>7.2f}  {result:6} {r.owner}")
    return 0
