"""``crmhub cdc sync NAME|--due``, ``crmhub cdc slots`` and ``crmhub backfill``: incremental syncs and date-range backfills from the shell.

Source access comes from the environment: ``CRMHUB_CRM_URL`` / ``CRMHUB_CRM_TOKEN`` for the CRM API,
``CRMHUB_SOURCE_URL_<CONNECTOR>`` (upper case) for a PostgreSQL source, ``CRMHUB_DATA_DIR`` for files.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crmhub import settings
from crmhub.config import load_integration_map
from crmhub.exceptions import CrmHubError
from crmhub.ingest.tasks import SourceAccess


def register(subparsers: argparse._SubParsersAction) -> None:
    cdc = subparsers.add_parser("cdc", help="incremental syncs (watermark + lookback, logical decoding, webhooks)")
    sub = cdc.add_subparsers(dest="cdc_command", metavar="ACTION", required=True)
    sync = sub.add_parser("sync", help="one incremental sync of a connector (or every due one with --due)")
    sync.add_argument("name", nargs="?")
    sync.add_argument("--due", action="store_true", help="every REST/PostgreSQL connector whose schedule is due")
    sync.add_argument("--url", help="warehouse URL (default $CRMHUB_WAREHOUSE_URL)")
    sync.set_defaults(func=_sync)
    slots = sub.add_parser("slots", help="the crmhub replication slots on each PostgreSQL source and the WAL they hold")
    slots.add_argument("--url", help="warehouse URL (default $CRMHUB_WAREHOUSE_URL): marks this warehouse's slots")
    slots.add_argument("--drop-own", action="store_true",
                       help="drop this warehouse's slots and publications (retiring the warehouse or a connector)")
    slots.set_defaults(func=_slots)
    hooks = sub.add_parser("webhooks", help="re-read the CRM records referenced by pending webhook events")
    hooks.add_argument("--url")
    hooks.set_defaults(func=_webhooks)

    bf = subparsers.add_parser("backfill", help="load a date range of a connector in resumable chunks")
    bf.add_argument("--source", required=True, help="connector name")
    bf.add_argument("--start", required=True, type=_aware, help="ISO date/time (UTC if no offset)")
    bf.add_argument("--end", required=True, type=_aware)
    bf.add_argument("--chunk-hours", type=float, default=24.0)
    bf.add_argument("--dry-run", action="store_true", help="count what would be loaded, write nothing to core")
    bf.add_argument("--url")
    bf.set_defaults(func=_backfill)


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _url(args: argparse.Namespace) -> str:
    url = args.url or settings.warehouse_url()
    if not url:
        raise CrmHubError("set CRMHUB_WAREHOUSE_URL or pass --url")
    return url


def access_from_env(connector) -> SourceAccess:
    """Source access for the shell, from environment variables (the DAGs use Airflow connections instead)."""
    return SourceAccess(
        data_dir=Path(os.environ.get("CRMHUB_DATA_DIR") or settings.demo_data_dir()),
        base_url=os.environ.get("CRMHUB_CRM_URL"),
        token=os.environ.get("CRMHUB_CRM_TOKEN"),
        url=os.environ.get(f"CRMHUB_SOURCE_URL_{connector.name.upper()}"),
    )


def _sync(args: argparse.Namespace) -> int:
    from crmhub.cdc.tasks import cdc_sync, due_connectors

    url, imap = _url(args), load_integration_map()
    if not args.name and not args.due:
        raise CrmHubError("name a connector or pass --due")
    names = due_connectors(url, imap=imap) if args.due else [args.name]
    for name in names:
        print(json.dumps(cdc_sync(url, name, access_from_env(imap.connector(name)), imap=imap)))
    return 0


def _slots(args: argparse.Namespace) -> int:
    from crmhub.ingest.sources.logical_slot import list_slots
    from crmhub.ingest.tasks import drop_slot, slot_name

    url, imap = _url(args), load_integration_map()
    for connector in (c for c in imap.connectors if c.kind == "postgres"):
        source_url = access_from_env(connector).url
        if not source_url:
            print(f"{connector.name}: no source URL (set CRMHUB_SOURCE_URL_{connector.name.upper()})")
            continue
        own = slot_name(connector, url)
        for slot in list_slots(source_url):
            mine = " (this warehouse)" if slot.slot == own else ""
            print(f"{connector.name}: {slot.slot}{mine} database={slot.database} active={slot.active} "
                  f"wal_status={slot.wal_status} retained_mb={slot.retained_bytes / 2**20:.1f} "
                  f"unread_mb={slot.lag_bytes / 2**20:.1f}")
        if args.drop_own:
            print(f"{connector.name}: dropped {drop_slot(url, connector, source_url)}")
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    from crmhub.cdc.tasks import webhook_sync

    imap = load_integration_map()
    crm = next(c for c in imap.connectors if c.system == "crm" and c.kind == "rest")
    print(json.dumps(webhook_sync(_url(args), access_from_env(crm), imap=imap)))
    return 0


def _backfill(args: argparse.Namespace) -> int:
    from crmhub.cdc.tasks import backfill
    from crmhub.progress import progress_for

    imap = load_integration_map()
    out = backfill(_url(args), args.source, access_from_env(imap.connector(args.source)), args.start, args.end,
                   chunk=timedelta(hours=args.chunk_hours), dry_run=args.dry_run, imap=imap,
                   progress=progress_for(f"backfill {args.source}"))
    print(json.dumps(out))
    return 0
