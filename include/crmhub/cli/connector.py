"""``crmhub connector status|unfreeze``: connector freeze state (schema drift parks and freezes)."""

from __future__ import annotations

import argparse

from crmhub.cli._options import add_url_option
from crmhub.exceptions import CrmHubError
from crmhub.ingest.state import unfreeze
from crmhub.warehouse import connect, open_warehouse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("connector", help="connector state: frozen by schema drift, release")
    sub = parser.add_subparsers(dest="connector_command", metavar="ACTION", required=True)
    st = sub.add_parser("status", help="list connectors with state and last freeze reason")
    add_url_option(st)
    st.set_defaults(func=_status)
    un = sub.add_parser("unfreeze", help="release a frozen connector (logged with who/when)")
    un.add_argument("name")
    un.add_argument("--by", required=True, help="who releases it (a person id from the integration map)")
    un.add_argument("--reason", help="why it is safe to release")
    add_url_option(un)
    un.set_defaults(func=_unfreeze)


def _status(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        rows = conn.execute(
            "SELECT connector, frozen, reason, frozen_at FROM ops.connector_state ORDER BY connector"
        ).fetchall()
    if not rows:
        print("no connector has ever been frozen")
    for name, frozen, reason, at in rows:
        print(f"{name:28} {'FROZEN' if frozen else 'ok':7} {at:%Y-%m-%d %H:%M} {reason or ''}")
    return 0


def _unfreeze(args: argparse.Namespace) -> int:
    with open_warehouse(args.url) as url, connect(url) as conn:
        released = unfreeze(conn, args.name, by=args.by, reason=args.reason)
        conn.commit()
    if not released:
        raise CrmHubError(f"connector {args.name!r} is not frozen")
    print(f"connector {args.name} unfrozen by {args.by}")
    return 0
