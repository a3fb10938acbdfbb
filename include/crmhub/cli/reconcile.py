"""``crmhub reconcile run|report|parallel|legacy-export`` and ``crmhub amend``: reconciliation from the shell."""

from __future__ import annotations

import argparse
import json

from crmhub.cli._options import add_url_option
from crmhub.warehouse import connect, open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("reconcile", help="daily reconciliation between systems and the parallel run")
    sub = parser.add_subparsers(dest="reconcile_command", metavar="ACTION", required=True)
    run = sub.add_parser("run", help="run every rule for a logical date (default: today, UTC)")
    run.add_argument("--date", help="logical date YYYY-MM-DD (as of its end, UTC)")
    run.add_argument("--rule", action="append", help="only this rule (repeatable)")
    run.add_argument("--report-dir", help="where the CSV/HTML report goes")
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.add_argument("--control-list", action="store_true",
                     help="only the outreach control list's contacts and commitments (printed, not stored)")
    add_url_option(run)
    run.set_defaults(func=_run)
    rep = sub.add_parser("report", help="totals, delta %%, top differences and 30-day trend; writes CSV + HTML")
    rep.add_argument("--date", help="logical date YYYY-MM-DD (default: today, UTC)")
    rep.add_argument("--top", type=int, default=20)
    rep.add_argument("--report-dir", help="where the CSV/HTML report goes")
    add_url_option(rep)
    rep.set_defaults(func=_report)
    par = sub.add_parser("parallel", help="compare a legacy CRM export folder with the new stack for a period")
    par.add_argument("export_dir", help="folder with investors.csv, pipeline.csv, cash_calls.csv")
    par.add_argument("--start", required=True, help="period start YYYY-MM-DD")
    par.add_argument("--end", required=True, help="period end YYYY-MM-DD")
    par.add_argument("--report-dir")
    add_url_option(par)
    par.set_defaults(func=_parallel)
    leg = sub.add_parser("legacy-export", help="derive a legacy export (with planted differences) from the warehouse")
    leg.add_argument("out_dir")
    leg.add_argument("--start", required=True)
    leg.add_argument("--end", required=True)
    leg.add_argument("--no-plant", action="store_true", help="an exact copy (no planted differences)")
    add_url_option(leg)
    leg.set_defaults(func=_legacy)

    amend = subparsers.add_parser(
        "amend", help="frozen critical fields: approved amendment, or list/approve/reject recorded deltas")
    amend.add_argument("action", nargs="?", choices=["list", "approve", "reject"],
                       help="omit to amend with --table/--id/--field/--value")
    amend.add_argument("delta_id", nargs="?", type=int, help="delta id for approve/reject")
    amend.add_argument("--table", choices=["commitment", "deal"])
    amend.add_argument("--id", dest="crmhub_id", help="crmhub id of the row")
    amend.add_argument("--field", default="amount")
    amend.add_argument("--value")
    amend.add_argument("--by", help="who decides (required to amend/approve/reject)")
    amend.add_argument("--reason", help="why (required to amend/approve)")
    amend.add_argument("--all", action="store_true", help="list: every delta, not only pending ones")
    add_url_option(amend)
    amend.set_defaults(func=_amend)


def _run(args: argparse.Namespace) -> int:
    from crmhub.reconcile.engine import run_reconciliation

    if args.control_list:
        return _run_control_list(args)
    with open_warehouse(args.url) as url:
        result = run_reconciliation(url, args.date, rules=args.rule, report_dir=args.report_dir)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return 0
    for r in result["rules"]:
        flag = f"BREACH -> incident {r['incident_id']}" if r["breached"] else "ok"
        print(f"{r['rule']:<32} delta {r['delta_pct']:>9.4f} % (threshold {r['threshold_pct']:.2f} %)  "
              f"left {r['left_total']}  right {r['right_total']}  differences {r['diff_count']}  {flag}")
    print(f"report: {result['report']['html']}\ncsv: {result['report']['csv']}")
    return 0


def _run_control_list(args: argparse.Namespace) -> int:
    from crmhub.config import load_integration_map
    from crmhub.outreach.control import control_emails, control_record_ids
    from crmhub.reconcile.engine import reconcile_records

    imap = load_integration_map()
    with open_warehouse(args.url) as url:
        with connect(url) as conn:
            keys = control_record_ids(conn, control_emails(imap))
        results = reconcile_records(url, args.date, keys, imap, rules=args.rule)
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return 0
    print(f"control list only ({len(keys)} record(s)); not stored, no incident")
    for r in results:
        print(f"{r['rule']:<32} delta {r['delta_pct']:>9.4f} %  left {r['left_records']}  right {r['right_records']}"
              f"  differences {r['diff_count']}{'  BREACH' if r['breached'] else ''}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from crmhub.config import load_integration_map
    from crmhub.reconcile.engine import as_date, report_dir_for
    from crmhub.reconcile.report import load_runs, render_text, write_report

    day = as_date(args.date)
    out = report_dir_for(load_integration_map(), args.report_dir)
    with open_warehouse(args.url) as url, connect(url) as conn:
        paths = write_report(conn, day, out, top=args.top)
        runs = load_runs(conn, day, top=args.top)
    print(render_text(day, runs, paths))
    return 0


def _parallel(args: argparse.Namespace) -> int:
    from crmhub.reconcile.parallel import run_parallel

    with open_warehouse(args.url) as url:
        result = run_parallel(url, args.export_dir, args.start, args.end, report_dir=args.report_dir)
    for name, data in result["datasets"].items():
        print(f"{name:<12} delta {data['delta_pct']:>9.4f} %  legacy {data['legacy_records']}  "
              f"new {data['new_records']}  differences {len(data['differences'])}")
    print(f"parallel run delta {result['delta_pct']:.4f} % (rollback threshold {result['rollback_threshold_pct']:.2f} %)"
          f"  rollback_recommended={str(result['rollback_recommended']).lower()}"
          + (f"  incident {result['incident_id']}" if result["incident_id"] else ""))
    print(f"report: {result['report']['html']}")
    return 3 if result["rollback_recommended"] else 0


def _legacy(args: argparse.Namespace) -> int:
    from crmhub.reconcile.parallel import write_legacy_export

    with open_warehouse(args.url) as url:
        out = write_legacy_export(url, args.out_dir, args.start, args.end, plant=not args.no_plant)
    print(json.dumps(out, indent=2))
    return 0


def _amend(args: argparse.Namespace) -> int:
    from crmhub.reconcile import amend as am

    with open_warehouse(args.url) as url, connect(url) as conn:
        if args.action == "list":
            rows = am.list_deltas(conn, status=None if args.all else "pending", table=args.table,
                                  crmhub_id=args.crmhub_id)
            if not rows:
                print("no deltas" if args.all else "no pending deltas")
            for r in rows:
                print(f"{r['delta_id']:>5} {r['status']:9} {r['core_table']}.{r['field']} {r['crmhub_id']} "
                      f"{r['old_value']} -> {r['new_value']}  from {r['source']} at {r['created_at']:%Y-%m-%d %H:%M}"
                      + (f"  decided by {r['decided_by']}" if r["decided_by"] else ""))
            return 0
        if args.action in ("approve", "reject"):
            if args.delta_id is None:
                raise am.AmendmentError(f"amend {args.action} needs DELTA_ID (see `crmhub amend list`)")
            if args.action == "approve":
                row = am.approve(conn, args.delta_id, by=args.by, reason=args.reason)
            else:
                row = am.reject(conn, args.delta_id, by=args.by, reason=args.reason)
        else:
            missing = [f"--{n}" for n, v in (("table", args.table), ("id", args.crmhub_id), ("value", args.value))
                       if not v]
            if missing:
                raise am.AmendmentError(f"amend needs {', '.join(missing)} (or: amend list|approve|reject DELTA_ID)")
            row = am.amend(conn, args.table, args.crmhub_id, args.field, args.value, by=args.by, reason=args.reason)
        conn.commit()
    print(f"delta {row['delta_id']} {row['status']}: {row['core_table']}.{row['field']} {row['crmhub_id']} "
          f"{row['old_value']} -> {row['new_value']} by {row['decided_by']}")
    return 0
