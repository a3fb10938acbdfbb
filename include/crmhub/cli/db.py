"""``crmhub db upgrade|status|start|stop``: warehouse migrations and the embedded server."""

from __future__ import annotations

import argparse

from crmhub import settings
from crmhub.cli._options import add_url_option
from crmhub.warehouse import applied_versions, connect, open_warehouse, upgrade
from crmhub.warehouse.embedded import EmbeddedPostgres, stop_embedded
from crmhub.warehouse.migrate import discover


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="warehouse migrations and the embedded PostgreSQL")
    sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = sub.add_parser("upgrade", help="apply pending migrations, then roles, grants and masked views (idempotent)")
    add_url_option(up)
    up.add_argument("--no-security", action="store_true",
                    help="migrations only: skip roles/grants/masked views (e.g. an admin without CREATEROLE)")
    up.set_defaults(func=_upgrade)
    st = sub.add_parser("status", help="list migrations and whether each is applied")
    add_url_option(st)
    st.set_defaults(func=_status)
    start = sub.add_parser("start", help="start the embedded PostgreSQL and leave it running; prints its URL")
    start.set_defaults(func=_start)
    stop = sub.add_parser("stop", help="stop the embedded PostgreSQL")
    stop.set_defaults(func=_stop)


def _upgrade(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url:
        applied = upgrade(url)
        print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "; up to date"))
        if not args.no_security:
            from crmhub.security.provision import provision

            print(provision(url).summary())
    return 0


def _status(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        done = applied_versions(conn)
    for mig in discover():
        print(f"{'applied' if mig.version in done else 'pending':8} {mig.path.name}")
    return 0


def _start(args: argparse.Namespace) -> int:
    print(EmbeddedPostgres(keep_running=True).start())
    return 0


def _stop(args: argparse.Namespace) -> int:
    stopped = stop_embedded()
    print("stopped" if stopped else f"no embedded server running in {settings.home() / 'pg'}")
    return 0
