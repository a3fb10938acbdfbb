"""The ``crmhub`` command line.

Every module in this package that defines ``register(subparsers)`` adds its sub-commands; each
sub-command sets ``func(args) -> int`` as its handler. Errors from crmhub print as one clear message
and exit 2 (config/input) or 1 (anything else raised on purpose).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from crmhub import __version__
from crmhub.exceptions import ConfigError, CrmHubError, RejectedFileError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crmhub",
        description="Keep a private-equity firm's CRM data trustworthy: ingest, resolve, reconcile, push, alert.",
    )
    parser.add_argument("--version", action="version", version=f"crmhub {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ConfigError, RejectedFileError) as exc:
        print(f"crmhub: {exc}", file=sys.stderr)
        return 2
    except CrmHubError as exc:
        print(f"crmhub: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
