"""``crmhub profile PATH``: per column null rate, formats found, distinct count; duplicate keys."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("profile", help="profile a delimited file (nulls, formats, distinct, duplicate keys)")
    parser.add_argument("path", type=Path)
    parser.add_argument("--key", help="key column for duplicate detection (default: the first column)")
    parser.add_argument("--delimiter", default=",")
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(func=_profile)


def _profile(args: argparse.Namespace) -> int:
    from crmhub.ingest.profile import profile_file

    result = profile_file(args.path, key=args.key, delimiter=args.delimiter, encoding=args.encoding)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['file']}: {result['rows']} rows, encoding {result['encoding']}")
    print(f"{'column':24} {'null rate':>9} {'distinct':>9}  formats")
    for col in result["columns"]:
        formats = ", ".join(f"{k}: {v}" for k, v in col["formats"].items()) or "-"
        print(f"{col['column']:24} {col['null_rate']:>9.2%} {col['distinct']!s:>9}  {formats}")
    print(f"duplicate keys ({result['key']}): {result['duplicate_keys']}"
          + (f"  e.g. {result['examples']}" if result["examples"] else ""))
    return 0
