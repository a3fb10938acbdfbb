"""``crmhub webhooks serve|replay``: receive CRM webhooks; put stored notifications back for re-sync."""

from __future__ import annotations

import argparse
import os
from datetime import datetime

from crmhub import settings
from crmhub.cdc.webhooks import replay
from crmhub.exceptions import CrmHubError
from crmhub.warehouse import connect


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("webhooks", help="CRM webhook receiver (notifications, not truth)")
    sub = parser.add_subparsers(dest="webhooks_command", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help="serve POST /webhooks/crm (secret from $CRMHUB_WEBHOOK_SECRET)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8091)
    serve.add_argument("--url", help="warehouse URL (default $CRMHUB_WAREHOUSE_URL)")
    serve.add_argument("--public-url", help="the URL the CRM posts to, when a TLS proxy in front rewrites it "
                                            "(signatures cover the full URL), e.g. https://hooks.firm.example/webhooks/crm")
    serve.add_argument("--max-body-bytes", type=int, default=1_000_000, help="larger deliveries get 413 unread")
    serve.set_defaults(func=_serve)
    rep = sub.add_parser("replay", help="mark stored events pending again so the next CDC run re-reads them")
    rep.add_argument("--event-id", action="append", dest="event_ids")
    rep.add_argument("--since", type=datetime.fromisoformat)
    rep.add_argument("--until", type=datetime.fromisoformat)
    rep.add_argument("--url")
    rep.set_defaults(func=_replay)


def _url(args: argparse.Namespace) -> str:
    url = args.url or settings.warehouse_url()
    if not url:
        raise CrmHubError("set CRMHUB_WAREHOUSE_URL or pass --url")
    return url


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from crmhub.cdc.webhook_app import create_webhook_app

    secret = os.environ.get("CRMHUB_WEBHOOK_SECRET")
    if not secret:
        raise CrmHubError("set CRMHUB_WEBHOOK_SECRET (the CRM app's client secret)")
    app = create_webhook_app(_url(args), secret, public_url=args.public_url, max_body_bytes=args.max_body_bytes)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _replay(args: argparse.Namespace) -> int:
    with connect(_url(args)) as conn:
        count = replay(conn, event_ids=args.event_ids, since=args.since, until=args.until)
    print(f"{count} event(s) marked pending for re-sync")
    return 0
