"""``crmhub simulate``: the 21-day rollout through the DAGs' task functions, then the KPI report with charts."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from crmhub import settings


def register(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser(
        "simulate", help="play the 21-day rollout day by day through the DAGs' tasks and write the KPI report")
    sim.add_argument("--days", type=int, default=21, help="simulated days (default 21)")
    sim.add_argument("--seed", type=int, default=42, help="seed of the demo data and the world (default 42)")
    sim.add_argument("--scale", type=int, default=1, help="size multiplier of the demo data and the world")
    sim.add_argument("--api-error-rate", type=float, metavar="SHARE",
                     help="the CRM sandbox's injected 5xx share (default 0.014, the seed's baseline 1.4 %%)")
    sim.add_argument("--out", type=Path, help="HTML report (default <CRMHUB_HOME>/reports/simulation-<seed>.html; "
                                              "PNG charts next to it)")
    sim.set_defaults(func=run_simulate)


def run_simulate(args: argparse.Namespace) -> int:
    from crmhub.simulate import simulate
    from crmhub.warehouse.embedded import EmbeddedPostgres

    out = args.out or settings.home() / "reports" / f"simulation-{args.seed}.html"
    work = settings.home() / f"simulate-{args.seed}"
    url, server = settings.warehouse_url(), None
    if not url:   # a fresh embedded database: the simulation owns its warehouse
        server = EmbeddedPostgres()
        url = server.recreate("crmhub_simulate")
    t0 = time.monotonic()
    try:
        result = simulate(url, days=args.days, seed=args.seed, scale=args.scale, out=out, work_dir=work,
                          api_error_rate=args.api_error_rate)
    finally:
        if server is not None:
            server.stop()
    print(f"simulated {len(result.days)} day(s) in {time.monotonic() - t0:.0f}s "
          f"({result.seconds_per_day:.1f}s per simulated day); report: {result.report}")
    return 0
