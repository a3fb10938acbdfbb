"""``crmhub rev-etl``: run, inspect and roll back reverse ETL syncs.

    crmhub rev-etl syncs                          the syncs defined in the integration map
    crmhub rev-etl runs [--sync NAME] [--limit N]
    crmhub rev-etl show RUN [--records N]         run summary + per-record log (before/after, status, attempts)
    crmhub rev-etl run NAME [--dry-run] [--full-resync]
    crmhub rev-etl rollback RUN

The CRM is ``--crm-url``/``$CRMHUB_CRM_URL`` with token ``--crm-token``/``$CRMHUB_CRM_TOKEN``; the
warehouse is ``--url``/``$CRMHUB_WAREHOUSE_URL`` (else the embedded PostgreSQL).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import psycopg

from crmhub.cli._options import add_url_option
from crmhub.config.integration_map import load_integration_map
from crmhub.exceptions import CrmHubError
from crmhub.warehouse import open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("rev-etl", help="reverse ETL: push warehouse traits to the CRM; runs, rollback")
    sub = parser.add_subparsers(dest="rev_etl_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser, crm: bool = False) -> None:
        add_url_option(p)
        p.add_argument("--map", type=Path, help="integration map (default: $CRMHUB_INTEGRATION_MAP)")
        if crm:
            p.add_argument("--crm-url", default=os.environ.get("CRMHUB_CRM_URL"),
                           help="CRM API base URL (default $CRMHUB_CRM_URL)")
            p.add_argument("--crm-token", default=os.environ.get("CRMHUB_CRM_TOKEN")
                           or os.environ.get("CRMHUB_CRM_SANDBOX_TOKEN"),
                           help="CRM bearer token (default $CRMHUB_CRM_TOKEN)")

    p = sub.add_parser("syncs", help="list the syncs of the integration map")
    common(p)
    p.set_defaults(func=_syncs)
    p = sub.add_parser("runs", help="recent runs")
    common(p)
    p.add_argument("--sync", help="only this sync")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=_runs)
    p = sub.add_parser("show", help="one run with its per-record log")
    common(p)
    p.add_argument("run_id", type=int, metavar="RUN")
    p.add_argument("--records", type=int, default=50, help="log rows to print (default 50)")
    p.set_defaults(func=_show)
    p = sub.add_parser("run", help="run a sync now")
    common(p, crm=True)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--dry-run", action="store_true", help="print the diff that would be sent; write nothing")
    p.add_argument("--full-resync", action="store_true", help="send every record, not only changed ones")
    p.add_argument("--json", action="store_true", help="print the result (and dry-run diff) as JSON")
    p.set_defaults(func=_run)
    p = sub.add_parser("rollback", help="restore the fields a run changed (where still unchanged since)")
    common(p, crm=True)
    p.add_argument("run_id", type=int, metavar="RUN")
    p.set_defaults(func=_rollback)


def _imap(args: argparse.Namespace):
    return load_integration_map(args.map) if args.map else load_integration_map()


def _syncs(args: argparse.Namespace) -> int:
    from crmhub.reverse_etl import load_syncs

    for s in load_syncs(_imap(args)).values():
        print(f"{s.name:24} {s.mode:7} -> {s.destination:28} connector={s.connector:16} owner={s.owner} "
              f"schedule={s.schedule!r} fields={','.join(s.properties)}")
    return 0


def _runs(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT run_id, sync_name, kind, rollback_of, status, started_at, records_changed, records_held, "
            "records_sent, records_ok, records_failed, records_created, records_archived, conflicts, api_calls "
            "FROM ops.reverse_etl_runs WHERE %(s)s::text IS NULL OR sync_name = %(s)s "
            "ORDER BY run_id DESC LIMIT %(n)s", {"s": args.sync, "n": args.limit}).fetchall()
    print(f"{'run':>5} {'sync':22} {'kind':9} {'status':8} {'started':19} {'chg':>6} {'held':>5} {'sent':>6} "
          f"{'ok':>6} {'fail':>5} {'new':>5} {'arch':>5} {'confl':>5} {'calls':>6}")
    for r in rows:
        kind = r[2] if r[3] is None else f"rb:{r[3]}"
        print(f"{r[0]:>5} {r[1]:22} {kind:9} {r[4]:8} {r[5]:%Y-%m-%d %H:%M:%S} {r[6]:>6} {r[7]:>5} {r[8]:>6} "
              f"{r[9]:>6} {r[10]:>5} {r[11]:>5} {r[12]:>5} {r[13]:>5} {r[14]:>6}")
    if not rows:
        print("(no runs)")
    return 0


def _show(args: argparse.Namespace) -> int:
    from crmhub.reverse_etl.store import run_row

    with open_warehouse(args.url) as url, psycopg.connect(url) as conn:
        run = run_row(conn, args.run_id)
        if run is None:
            raise CrmHubError(f"no reverse ETL run {args.run_id}; list them with `crmhub rev-etl runs`")
        for key, value in run.items():
            if value not in (None, {}, 0) or key in ("status", "records_sent"):
                print(f"{key:16} {json.dumps(value, default=str) if isinstance(value, dict) else value}")
        by = conn.execute("SELECT status, action, count(*) FROM ops.reverse_etl_log WHERE run_id = %s "
                          "GROUP BY 1, 2 ORDER BY 1, 2", (args.run_id,)).fetchall()
        print("log: " + (", ".join(f"{s}/{a}={n}" for s, a, n in by) or "empty"))
        rows = conn.execute(
            "SELECT crmhub_id, destination_id, action, status, before, after, http_status, attempts, error "
            "FROM ops.reverse_etl_log WHERE run_id = %s ORDER BY (status = 'ok'), log_id LIMIT %s",
            (args.run_id, args.records)).fetchall()
    for cid, dest, action, status, before, after, http, attempts, error in rows:
        line = f"  {status:8} {action:8} {cid} crm={dest or '-'} http={http or '-'} attempts={attempts}"
        if after:
            changes = ", ".join(f"{k}: {((before or {}).get(k) if before is not None else '?')!r} -> {v!r}"
                                for k, v in sorted(after.items()))
            line += f"  {changes}"
        if error:
            line += f"  [{error}]"
        print(line)
    return 0


def _run(args: argparse.Namespace) -> int:
    from crmhub.reverse_etl import run_sync

    imap = _imap(args)
    from crmhub.progress import progress_for

    with open_warehouse(args.url) as url, progress_for("rev-etl run", json_output=args.json).phase(
            f"sync {args.name}") as bar:
        result = run_sync(args.name, url, args.crm_url, args.crm_token, dry_run=args.dry_run,
                          full_resync=args.full_resync, imap=imap)
        bar.advance(sum(v for v in result.counts.values() if isinstance(v, int)))
    if args.json:
        print(json.dumps({"sync": result.sync, "run_id": result.run_id, "status": result.status,
                          "dry_run": result.dry_run, "counts": result.counts, "held": result.held,
                          "failed": result.failed, "error": result.error,
                          "changes": [c.to_dict() for c in result.changes] if result.dry_run else None},
                         indent=2, default=str))
    else:
        print(result.summary())
        if result.dry_run:
            for c in result.changes:
                target = c.destination_id or (f"{c.upsert[0]}={c.upsert[1]}" if c.upsert else "-")
                diff = ", ".join(f"{k}: {((c.before or {}).get(k) if c.before is not None else '?')!r} -> {v!r}"
                                 for k, v in sorted(c.after.items()))
                print(f"  {c.action:7} {c.crmhub_id} {target}  {diff}")
            for cid, reason in sorted(result.held.items()):
                print(f"  held    {cid}  {reason}")
        for cid, reason in sorted(result.failed.items())[:20]:
            print(f"  failed  {cid}  {reason}")
    return 0 if result.status in ("success", "dry_run", "skipped") else 1


def _rollback(args: argparse.Namespace) -> int:
    from crmhub.reverse_etl import rollback_run

    imap = _imap(args)
    with open_warehouse(args.url) as url:
        result = rollback_run(args.run_id, url, args.crm_url, args.crm_token, imap=imap)
    print(result.summary())
    for c in result.conflicts[:50]:
        print(f"  conflict {c['crmhub_id']} crm={c['destination_id']}: {c['reason']}")
    return 0 if result.status == "success" else 1
