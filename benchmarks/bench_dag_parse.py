"""Benchmark: how long Airflow takes to parse the eight crmhub DAG files (the dag processor's cost).

Two measurements, each in a fresh interpreter that has already imported Airflow (the dag processor has it
loaded; its import, ~3 s, is not the DAG files' cost and is reported apart):

* ``together``: one ``DagBag`` over ``dags/`` (shared imports such as ``crmhub_provider`` paid once), wall
  time and Airflow's own per-file durations (``DagBag.dagbag_stats``). The issue's target: under 1 s.
* ``isolated``: each file alone in its own fresh interpreter, as the dag processor parses a file in a
  fresh child process: the worst case for a file that pulls heavy imports.

``--repeat`` runs (default 3) of each; the JSON has every run and the median. ``--peer DIR`` also parses
another tree (``dags/``, ``plugins/``, ``include/``, ``config/``, e.g. ``git archive`` of an older commit),
interleaved run by run with this one, so both see the same load. Writes ``benchmarks/results/dag_parse.json``
with the machine's load before and after.

    python benchmarks/bench_dag_parse.py [--repeat 3] [--no-isolated] [--peer DIR [--peer-label TEXT]]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
RESULTS = Path(__file__).resolve().parent / "results" / "dag_parse.json"

# Runs in the child: import Airflow (timed apart), then parse ``target`` (a folder or one file) with DagBag.
_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import airflow.sdk  # noqa: F401
from airflow.dag_processing.dagbag import DagBag
t1 = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({
    "airflow_import_s": round(t1 - t0, 3),
    "parse_s": round(t2 - t1, 3),
    "dags": sorted(bag.dags),
    "import_errors": {k: v[:300] for k, v in bag.import_errors.items()},
    "files": {Path(s.file).name: round(s.duration.total_seconds(), 3) for s in bag.dagbag_stats},
}))
"""


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _env(home: Path, root: Path = ROOT) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the dag processor runs with bytecode (platform-facts.md)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "CRMHUB_INTEGRATION_MAP": str(root / "config" / "integration_map.yaml"),
        "PYTHONPATH": os.pathsep.join([str(root / "plugins"), str(root / "include"), env.get("PYTHONPATH", "")]),
    })
    return env


def parse(target: Path, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", "from pathlib import Path\n" + _CHILD, str(target)], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-isolated", action="store_true", help="skip the one-file-per-process runs")
    ap.add_argument("--peer", type=Path, help="another source tree to parse side by side (e.g. the previous commit)")
    ap.add_argument("--peer-label", default="peer")
    args = ap.parse_args(argv)
    files = sorted(p for p in DAGS.glob("*.py") if not p.name.startswith("_"))
    result: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "loadavg_start": loadavg(), "target_s": 1.0, "files": [p.name for p in files],
    }
    with tempfile.TemporaryDirectory(prefix="crmhub-parse-") as tmp:
        env = _env(Path(tmp))
        peer_env = _env(Path(tmp), args.peer.resolve()) if args.peer else None
        parse(DAGS, env)  # warm-up: bytecode compiled, page cache filled; not counted
        if peer_env:
            parse(args.peer.resolve() / "dags", peer_env)
        together, peer = [], []
        for _ in range(args.repeat):  # interleaved: both trees see the same load
            together.append(parse(DAGS, env))
            if peer_env:
                peer.append(parse(args.peer.resolve() / "dags", peer_env))
        errors = together[-1]["import_errors"]
        if peer:
            result["peer"] = {"label": args.peer_label, "runs_s": [r["parse_s"] for r in peer],
                              "median_s": statistics.median(r["parse_s"] for r in peer),
                              "per_file_median_s": {name: statistics.median(r["files"].get(name, 0.0) for r in peer)
                                                    for name in peer[-1]["files"]},
                              "import_errors": peer[-1]["import_errors"]}
        result["together"] = {
            "runs_s": [r["parse_s"] for r in together],
            "median_s": statistics.median(r["parse_s"] for r in together),
            "airflow_import_median_s": statistics.median(r["airflow_import_s"] for r in together),
            "per_file_median_s": {name: statistics.median(r["files"].get(name, 0.0) for r in together)
                                  for name in together[-1]["files"]},
            "dags": together[-1]["dags"], "import_errors": errors,
        }
        if not args.no_isolated:
            isolated = {p.name: statistics.median(parse(p, env)["parse_s"] for _ in range(args.repeat)) for p in files}
            result["isolated"] = {"median_s": isolated, "max_s": max(isolated.values()),
                                  "sum_s": round(sum(isolated.values()), 3)}
    result["loadavg_end"] = loadavg()
    result["met"] = result["together"]["median_s"] < result["target_s"] and not errors
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("loadavg_start", "together", "peer", "loadavg_end", "met")
                      if k in result}, indent=2))
    if "isolated" in result:
        print(json.dumps(result["isolated"], indent=2))
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
