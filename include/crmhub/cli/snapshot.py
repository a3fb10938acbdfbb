"""``crmhub snapshot create|list|restore``: a way back before risky work (docs/runbooks/emergency-rollback.md)."""

from __future__ import annotations

import argparse

from crmhub.cli._options import add_url_option
from crmhub.safety import snapshot
from crmhub.warehouse import connect, open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("snapshot", help="snapshots of core + watermarks, crosswalk, review decisions")
    sub = parser.add_subparsers(dest="snapshot_command", metavar="ACTION", required=True)
    cr = sub.add_parser("create", help="snapshot now (before a backfill, a cutover, a map change)")
    cr.add_argument("--label", help="what it is before, e.g. 'before cutover'")
    cr.add_argument("--by", default="crmhub", help="who takes it")
    add_url_option(cr)
    cr.set_defaults(func=_create)
    ls = sub.add_parser("list", help="ready snapshots, newest first (--all includes expired ones)")
    ls.add_argument("--all", action="store_true")
    add_url_option(ls)
    ls.set_defaults(func=_list)
    rs = sub.add_parser("restore", help="freeze everything, then restore core and its state to snapshot ID")
    rs.add_argument("snapshot_id", type=int)
    rs.add_argument("--by", required=True, help="who restores")
    add_url_option(rs)
    rs.set_defaults(func=_restore)


def _create(args: argparse.Namespace) -> int:
    from crmhub.config import load_integration_map

    with open_warehouse(args.url) as url, connect(url) as conn:
        row = snapshot.create_snapshot(conn, by=args.by, label=args.label,
                                       retention=snapshot.Retention.from_map(load_integration_map()))
    rows = sum(t["rows"] for t in row["tables"].values())
    print(f"snapshot {row['snapshot_id']} ({row['label'] or row['reason']}): {len(row['tables'])} tables, {rows} rows, "
          f"{row['bytes'] / 1e6:.1f} MB in {row['seconds']:.2f} s")
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = snapshot.list_snapshots(conn, include_expired=args.all)
    if not rows:
        print("no snapshots")
        return 0
    print(f"{'id':>5} {'status':8} {'created':16} {'by':14} {'rows':>9} {'MB':>8}  label / reason")
    for r in rows:
        n = sum(t["rows"] for t in r["tables"].values())
        restored = f"  (restored {r['last_restored_at']:%Y-%m-%d %H:%M} by {r['last_restored_by']})" \
            if r["last_restored_at"] else ""
        print(f"{r['snapshot_id']:>5} {r['status']:8} {r['created_at']:%Y-%m-%d %H:%M} {r['created_by']:14} {n:>9} "
              f"{(r['bytes'] or 0) / 1e6:>8.1f}  {r['label'] or r['reason']}{restored}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        result = snapshot.restore_snapshot(conn, args.snapshot_id, by=args.by)
    print(f"snapshot {result['snapshot_id']} restored in {result['seconds']:.2f} s; checksums "
          + ("match the snapshot" if result["matches"] else f"DIFFER in {', '.join(result['mismatched'])}"))
    print("everything is still frozen: check core, then `crmhub ops thaw --all --reason ... --by WHO`")
    return 0 if result["matches"] else 1
