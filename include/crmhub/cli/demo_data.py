"""``crmhub demo-data --seed N --scale K [--out DIR]``: write the messy demo data and its ground truth."""

from __future__ import annotations

import argparse
from pathlib import Path

from crmhub import settings
from crmhub.demo_data import generate


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo-data", help="write deterministic, realistically messy PE demo data")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--scale", type=int, default=1, help="size multiplier, ~200 people per unit (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default $CRMHUB_DATA_DIR or .crmhub/demo-data)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    dataset = generate(args.out or settings.demo_data_dir(), seed=args.seed, scale=args.scale)
    print(f"wrote demo data to {dataset.root}")
    for key, count in dataset.manifest["counts"].items():
        print(f"  {dataset.manifest['files'][key]:36} {count:>8} rows")
    print("  planted: " + ", ".join(f"{k}={v}" for k, v in dataset.manifest["planted"].items()))
    return 0
