"""``crmhub ingest-file --source NAME PATH``, ``crmhub ingest-folder --source NAME DIR``, ``crmhub load revert ID``.

Both run the loader's code path (the same one the Airflow DAG uses) and print a JSON summary:
``{"rows_read", "loaded", "quarantined", "rejected", "reasons", ...}`` (reasons: count per rule).
Exit 0 when loaded (or already loaded), 2 when the file is rejected, 1 when parked by schema drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crmhub.cli._options import add_url_option
from crmhub.config import load_integration_map
from crmhub.exceptions import RejectedFileError
from crmhub.progress import progress_for
from crmhub.warehouse import open_warehouse, upgrade


def register(subparsers: argparse._SubParsersAction) -> None:
    one = subparsers.add_parser("ingest-file", help="load one file through a connector's contract; prints a JSON summary")
    one.add_argument("--source", required=True, help="connector name from the integration map")
    one.add_argument("path", type=Path)
    add_url_option(one)
    one.add_argument("--load-id", help="idempotency key (default: a new id)")
    one.add_argument("--map", type=Path, help="integration map (default: config/integration_map.yaml)")
    one.set_defaults(func=_ingest_file)
    many = subparsers.add_parser("ingest-folder", help="load every new file of a drop folder (idempotent)")
    many.add_argument("--source", required=True)
    many.add_argument("folder", type=Path)
    many.add_argument("--pattern", default="*.csv")
    add_url_option(many)
    many.add_argument("--map", type=Path)
    many.set_defaults(func=_ingest_folder)
    load = subparsers.add_parser("load", help="operate on one load: revert")
    load_cmds = load.add_subparsers(dest="load_command", metavar="ACTION", required=True)
    revert = load_cmds.add_parser("revert", help="restore the core rows a load changed (later changes are conflicts)")
    revert.add_argument("load_id")
    revert.add_argument("--by", required=True, help="who reverts the load (recorded)")
    add_url_option(revert)
    revert.set_defaults(func=_revert_load)


def _public(summary) -> dict:
    d = summary.as_dict()
    keys = ["rows_read", "loaded", "quarantined", "rejected", "reasons", "status", "load_id", "connector",
            "origin", "checksum", "skipped", "error"]
    return {k: d[k] for k in keys}


def _ingest_file(args: argparse.Namespace) -> int:
    from crmhub.ingest.loader import ingest_file

    connector = load_integration_map(args.map).connector(args.source)
    with open_warehouse(args.url) as url:
        upgrade(url)
        try:
            summary = ingest_file(url, connector, args.path, load_id=args.load_id,
                                  progress=progress_for(f"ingest-file {args.path.name}"))
        except RejectedFileError as exc:
            print(json.dumps(_public(exc.summary)))  # type: ignore[attr-defined]
            print(f"crmhub: {exc}", file=sys.stderr)
            return 2
    print(json.dumps(_public(summary)))
    return 1 if summary.status == "parked" else 0


def _ingest_folder(args: argparse.Namespace) -> int:
    from crmhub.ingest.loader import ingest_folder

    connector = load_integration_map(args.map).connector(args.source)
    with open_warehouse(args.url) as url:
        upgrade(url)
        summaries = ingest_folder(url, connector, args.folder, pattern=args.pattern,
                                  progress=progress_for(f"ingest-folder {args.folder.name}"))
    print(json.dumps([_public(s) for s in summaries]))
    return 0 if all(s.status == "loaded" for s in summaries) else 1


def _revert_load(args: argparse.Namespace) -> int:
    from crmhub.ingest.revert import revert_load
    from crmhub.warehouse import connect

    with open_warehouse(args.url) as url:
        upgrade(url)
        with connect(url) as conn:
            result = revert_load(conn, args.load_id, by=args.by)
            conn.commit()
    print(json.dumps(result.as_dict()))
    return 0
