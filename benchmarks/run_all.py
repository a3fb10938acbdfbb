"""Run every ``benchmarks/bench_*.py`` (``make bench``); each writes benchmarks/results/*.json.

    python benchmarks/run_all.py [--full] [NAME ...]     # e.g. ingest  (default: all)

Benchmarks run one after another (the machine has 2 cores: never in parallel). Exit status 1 if any failed.
A benchmark listed in ``QUICK_ARGS`` runs at that smaller size unless ``--full`` is given (then with its
own defaults, the issue's scale).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Arguments for ``make bench``: the issue's scale takes ~10 min for CDC (a 10,000-change run paced by the
#: 1-minute sync interval, then a 1,000,000-row backfill); this size keeps the 1-minute cadence.
QUICK_ARGS = {
    "cdc": ["--changes", "2000", "--contacts", "1000", "--interval", "60", "--spread", "60",
            "--backfill-rows", "200000"],
}


def main(argv: list[str] | None = None) -> int:
    args = list(argv if argv is not None else sys.argv[1:])
    full = "--full" in args
    names = {a for a in args if a != "--full"}
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if names and script.stem.removeprefix("bench_") not in names:
            continue
        print(f"== {script.name}", flush=True)
        name = script.stem.removeprefix("bench_")
        extra = [] if full else QUICK_ARGS.get(name, [])
        if subprocess.run([sys.executable, str(script), *extra], check=False).returncode != 0:
            failed.append(script.name)
    from summary import write_summary  # benchmarks/ is on sys.path when run as a script

    print(f"wrote {write_summary()}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
