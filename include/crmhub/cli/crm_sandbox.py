"""``crmhub crm-sandbox``: run the local CRM sandbox, a separate package (``crm_sandbox``, docs/crm_sandbox.md).

The sandbox is a test and demo tool: it is imported only when this command runs, never by the rest of
crmhub. Its options are the ``crm-sandbox`` command's (``crmhub crm-sandbox --help``).
"""

from __future__ import annotations

import argparse
import importlib


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "crm-sandbox", help="run the local CRM sandbox (HubSpot CRM v3 wire format; test/demo tool)",
        add_help=False, prefix_chars="\0")  # every argument, --help included, goes to the sandbox's own parser
    p.add_argument("argv", nargs=argparse.REMAINDER)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    sandbox_cli = importlib.import_module("crm_sandbox.cli")
    return int(sandbox_cli.main(list(args.argv) + (["--verbose"] if args.verbose else []), prog="crmhub crm-sandbox"))
