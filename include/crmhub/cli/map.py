"""``crmhub map validate [PATH]``: check the integration map and print contract coverage."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crmhub import settings
from crmhub.config.integration_map import contract_coverage, load_integration_map
from crmhub.exceptions import ConfigError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("map", help="the integration map (systems, owners, contracts, SLAs)")
    sub = parser.add_subparsers(dest="map_command", metavar="ACTION", required=True)
    val = sub.add_parser("validate", help="validate the map; exit 2 naming each problem's YAML path")
    val.add_argument("path", nargs="?", type=Path, help="default: $CRMHUB_INTEGRATION_MAP or config/integration_map.yaml")
    val.set_defaults(func=_validate)


def _validate(args: argparse.Namespace) -> int:
    path = args.path or settings.integration_map_path()
    try:
        imap = load_integration_map(path)
    except ConfigError as exc:
        print(f"INVALID {exc}", file=sys.stderr)
        return 2
    covered, total = contract_coverage(imap)
    pct = 100.0 * covered / total if total else 100.0
    print(f"OK {path}")
    print(f"  people: {len(imap.people)}  systems: {len(imap.systems)}  connectors: {len(imap.connectors)}  "
          f"contracted fields: {sum(len(c.fields) for c in imap.connectors)}  field-map entries: {len(imap.field_map)}")
    print(f"  contract coverage: {covered}/{total} synced fields = {pct:.1f} %")
    if covered < total:
        print("  contract coverage must be 100 %", file=sys.stderr)
        return 2
    return 0

