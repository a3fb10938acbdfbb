"""``crmhub incidents list|ack|resolve|mttr``: the incident lifecycle (resolve needs a proof artifact)."""

from __future__ import annotations

import argparse
from pathlib import Path

from crmhub.cli._options import add_url_option
from crmhub.health import incidents, proofs
from crmhub.warehouse import connect, open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("incidents", help="integration incidents: list, acknowledge, resolve with proof")
    sub = parser.add_subparsers(dest="incidents_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="open incidents (--all includes resolved ones)")
    ls.add_argument("--all", action="store_true")
    ls.add_argument("--owner")
    add_url_option(ls)
    ls.set_defaults(func=_list)
    ack = sub.add_parser("ack", help="acknowledge an incident")
    ack.add_argument("incident_id", type=int)
    ack.add_argument("--by", required=True, help="who takes it")
    add_url_option(ack)
    ack.set_defaults(func=_ack)
    res = sub.add_parser("resolve", help="resolve an incident; a proof artifact (URL or path) is required")
    res.add_argument("incident_id", type=int)
    res.add_argument("--proof", help="URL or path of the proof: lag chart, PR, reconciliation report")
    res.add_argument("--proof-file", type=Path, help="a proof file to store in the warehouse (ops.proof_artifacts)")
    res.add_argument("--by", required=True)
    add_url_option(res)
    res.set_defaults(func=_resolve)
    mt = sub.add_parser("mttr", help="mean time to resolve per owner and overall (target < 6 h)")
    add_url_option(mt)
    mt.set_defaults(func=_mttr)


def _list(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = incidents.list_incidents(conn, include_resolved=args.all, owner=args.owner)
    if not rows:
        print("no incidents" if args.all else "no open incidents")
        return 0
    print(f"{'id':>5} {'state':12} {'severity':8} {'connector':24} {'trigger':16} {'owner':12} {'seen':>4} opened            runbook")
    for r in rows:
        state = ("resolved" if r["resolved_at"] else "recovered" if r["recovered_at"]
                 else "acknowledged" if r["acknowledged_at"] else "open")
        print(f"{r['incident_id']:>5} {state:12} {r['severity']:8} {r['connector']:24} {r['trigger']:16} {r['owner']:12} "
              f"{r['occurrences']:>4} {r['opened_at']:%Y-%m-%d %H:%M}  {r['runbook_url']}")
    return 0


def _ack(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        row = incidents.acknowledge(conn, args.incident_id, args.by)
        conn.commit()
    print(f"incident {row['incident_id']} acknowledged by {row['acknowledged_by']} at {row['acknowledged_at']:%Y-%m-%d %H:%M}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        if args.proof_file is not None:
            row = proofs.resolve_with_file(conn, args.incident_id, args.proof_file.name, args.proof_file.read_bytes(),
                                           by=args.by)
        else:
            row = incidents.resolve(conn, args.incident_id, args.proof, args.by)
        conn.commit()
    hours = (row["resolved_at"] - row["opened_at"]).total_seconds() / 3600
    print(f"incident {row['incident_id']} resolved by {row['resolved_by']} after {hours:.2f} h; proof: {row['proof']}")
    return 0


def _mttr(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        data = incidents.mttr(conn)
    if not data["resolved"]:
        print("no resolved incidents yet")
        return 0
    print(f"overall MTTR (time to fix) {data['overall_h']:.2f} h over {data['resolved']} incident(s) "
          f"(target < {data['target_h']:g} h: {'met' if data['met'] else 'MISSED'}); "
          f"time to close {data['close_h']:.2f} h")
    for owner, d in data["per_owner"].items():
        print(f"  {owner:14} {d['mttr_h']:.2f} h ({d['resolved']}) {'met' if d['met'] else 'MISSED'}; "
              f"close {d['close_h']:.2f} h")
    return 0
