"""Options shared by several sub-commands."""

from __future__ import annotations

import argparse

URL_HELP = "warehouse URL (default: $CRMHUB_WAREHOUSE_URL, else the embedded server)"


def add_url_option(parser: argparse.ArgumentParser) -> None:
    """``--url``: the warehouse, resolved later by :func:`crmhub.warehouse.open_warehouse`."""
    parser.add_argument("--url", help=URL_HELP)
