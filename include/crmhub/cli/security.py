"""``crmhub security audit|access-log|unmask|retention``: permissions audit, who read what, logged reads, purges."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

from crmhub import clock
from crmhub.cli._options import add_url_option
from crmhub.config.integration_map import duration_seconds
from crmhub.warehouse import open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    sec = subparsers.add_parser("security", help="permissions audit, access log, logged unmasked reads, retention")
    sub = sec.add_subparsers(dest="security_command", metavar="ACTION", required=True)

    au = sub.add_parser("audit", help="compare the catalog's roles and grants with the map's policy; exit 1 on any finding")
    add_url_option(au)
    au.add_argument("--connection", action="append", default=[], metavar="NAME=URL",
                    help="an application connection to check for superuser use (repeatable; default: "
                         "$CRMHUB_WAREHOUSE_URL and $AIRFLOW_CONN_CRMHUB_WAREHOUSE*)")
    au.add_argument("--record", action="store_true",
                    help="also store findings in ops.security_findings and open an incident on a new one")
    au.set_defaults(func=_audit)

    log = sub.add_parser("access-log", help="who read unmasked pii/financial values, newest first")
    add_url_option(log)
    log.add_argument("--who", help="only this person / role")
    log.add_argument("--since", help="only reads in this window, e.g. 7d, 24h")
    log.add_argument("--limit", type=int, default=100)
    log.add_argument("--json", action="store_true", help="one JSON object per line")
    log.set_defaults(func=_access_log)

    um = sub.add_parser("unmask", help="read unmasked values of a core table (role-checked, written to the access log)")
    add_url_option(um)
    um.add_argument("table", help="core table, e.g. commitment")
    um.add_argument("columns", help="comma-separated columns, e.g. amount")
    um.add_argument("--reason", required=True, help="why you read them (stored in the access log)")
    um.add_argument("--who", required=True, help="your person id from the integration map")
    um.add_argument("--key", action="append", help="only these rows (primary key values; repeatable)")
    um.add_argument("--limit", type=int, default=100)
    um.set_defaults(func=_unmask)

    rt = sub.add_parser("retention", help="purge copies of values past the map's retention (counts and hashes kept)")
    add_url_option(rt)
    rt.add_argument("--dry-run", action="store_true", help="count what would be purged, purge nothing")
    rt.add_argument("--who", default="crmhub-cli", help="recorded as the actor of the purge")
    rt.set_defaults(func=_retention)


def _audit(args: argparse.Namespace) -> int:
    from crmhub.security.audit import audit, parse_connection, record_findings

    connections = dict(parse_connection(c) for c in args.connection) if args.connection else None
    with open_warehouse(args.url) as url:
        findings = audit(url, connections=connections)
        if args.record:
            print(json.dumps(record_findings(url, connections=connections)))
    for f in findings:
        print(f.render())
    print(f"{len(findings)} finding(s)" if findings else "security audit: clean")
    return 1 if findings else 0


def _access_log(args: argparse.Namespace) -> int:
    from crmhub.security.access_log import list_access

    since = clock.now() - timedelta(seconds=duration_seconds(args.since)) if args.since else None
    with open_warehouse(args.url) as url:
        rows = list_access(url, who=args.who, since=since, limit=args.limit)
    for r in rows:
        if args.json:
            print(json.dumps({**r.__dict__, "read_at": r.read_at.isoformat()}))
        else:
            print(f"{r.read_at:%Y-%m-%d %H:%M:%S} {r.who:16} {r.db_role:16} {r.via:5} {r.table_name}"
                  f"({','.join(r.fields)}) rows={r.row_count} [{','.join(sorted(set(r.classes)))}] why: {r.reason}")
    if not rows and not args.json:
        print("no unmasked reads recorded")
    return 0


def _unmask(args: argparse.Namespace) -> int:
    from crmhub.security.access_log import read_unmasked

    with open_warehouse(args.url) as url:
        rows = read_unmasked(url, args.table, [c.strip() for c in args.columns.split(",") if c.strip()], args.reason,
                             who=args.who, via="cli", keys=args.key, limit=args.limit)
    for row in rows:
        print(json.dumps(row, default=str))
    return 0


def _retention(args: argparse.Namespace) -> int:
    from crmhub.security.retention import purge

    with open_warehouse(args.url) as url:
        result = purge(url, actor=args.who, dry_run=args.dry_run)
    print(result.render())
    return 0
