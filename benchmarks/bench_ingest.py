"""Ingestion throughput, the user's path: to ``staging`` and to ``core``, beside dlt and a bare COPY, in one run.

    python benchmarks/bench_ingest.py [--rows 1000000] [--snapshot-rows 100000] [--no-dlt] [--backfill-rows 1000000]

Generates an N-row fund-admin contacts CSV (header external_id,first_name,last_name,email,company,amount,
updated_at; amounts like "$1,200.50", ISO timestamps, ~1 % empty emails) and, for the snapshot case, the same
file "the next day" with 1 % of its rows changed (new email, later ``updated_at``). Then, one after the other on
the same PostgreSQL, each crmhub case in a throw-away database of its own:

* **initial** (``--rows``): ``copy`` = bare ``COPY`` of the file into 7 text columns (the physical limit);
  ``crmhub_to_staging`` = ``ingest_file(..., to_core=False)`` (parse, contracts, raw landing, staging,
  quarantine, metrics); ``crmhub_to_core`` = ``ingest_file(...)`` into an empty core (what ``crmhub
  ingest-file`` runs: landing + merge into contact, commitment, entity, crosswalk, change log);
  ``core_copy_floor`` = the rows that load left in core (entity, contact, commitment, crosswalk, change log)
  COPYed in binary into the same tables of a fresh crmhub database (same indexes, constraints, foreign keys):
  the physical limit of writing what crmhub writes; ``dlt_merge`` / ``dlt_append`` = dlt (pandas chunks ->
  arrow -> postgres) with ``write_disposition`` merge on ``external_id`` / append.
* **snapshot** (``--snapshot-rows``): day 1 loaded by crmhub (to core) and by dlt merge (both timed as the
  initial load of that size), then the day-2 file: ``crmhub_to_core`` (the merge), ``crmhub_to_staging``
  (landing it into a fresh database), ``dlt_merge``, ``copy``.

``--backfill-rows N``: a backfill of N rows from a PostgreSQL table in 1-day chunks (``bench_cdc.bench_backfill``:
what ``crmhub backfill`` runs, each chunk one load through the same merge).

Each entry: seconds, rows_per_s; crmhub entries add phases_s (seconds per load phase), cpu_s (this process and
its PostgreSQL backend) and peak_rss_mb. The load average is recorded before and after. Writes
``benchmarks/results/ingest.json``. Targets (issue 22): initial to core faster than dlt merge; snapshot to core
<= 2x landing to staging and faster than dlt merge; peak RSS < 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from crmhub.config import load_integration_map  # noqa: E402
from crmhub.ingest.loader import ingest_file  # noqa: E402
from crmhub.ingest.phases import Phases  # noqa: E402
from crmhub.warehouse import upgrade  # noqa: E402

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at\n"
FIRST = ["Ann", "Bob", "Chen", "Dana", "Eve", "Farid", "Gia", "Hugo"]
LAST = ["Lee", "Kim", "Shah", "Ortiz", "Vogel", "Haddad", "Müller", "O'Neil"]


def generate(path: Path, rows: int, *, changed_every: int | None = None) -> None:
    """The bench file; ``changed_every=100``: the next day's file, every 100th row with a new email and time."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        block = []
        for i in range(rows):
            email = "" if i % 97 == 0 else f"user{i}@lp{i % 500}.example"
            cents = i % 100
            ts = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
            if changed_every and i % changed_every == 7:
                email, ts = f"user{i}@moved.example", "2026-01-02T08:00:00Z"
            block.append(
                f"LP-{i},{FIRST[i % 8]},{LAST[(i // 8) % 8]}{i % 1000},{email},Fund Investor {i % 5000},"
                f"\"${1000 + i % 90000:,}.{cents:02d}\",{ts}\n"
            )
            if len(block) == 50_000:
                fh.write("".join(block))
                block.clear()
        fh.write("".join(block))


class PeakRss:
    """Samples this process's RSS every 20 ms while active."""

    def __init__(self):
        self.proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self.proc.memory_info().rss)
            self._stop.wait(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


class Cpu:
    """CPU seconds (user + system) of this process and of the PostgreSQL backend serving ``conn``."""

    def __init__(self, conn: psycopg.Connection):
        self.client = psutil.Process()
        self.server = psutil.Process(conn.info.backend_pid)  # same machine: the backend is a local process
        self.client_s = self.server_s = 0.0

    @staticmethod
    def _cpu(proc: psutil.Process) -> float:
        t = proc.cpu_times()
        return t.user + t.system

    def __enter__(self):
        self._c0, self._s0 = self._cpu(self.client), self._cpu(self.server)
        return self

    def __exit__(self, *exc):
        self.client_s = self._cpu(self.client) - self._c0
        self.server_s = self._cpu(self.server) - self._s0


def bare_copy(url: str, path: Path) -> tuple[float, Cpu]:
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS public.bench_copy")
        conn.execute(
            "CREATE TABLE public.bench_copy (external_id text, first_name text, last_name text, email text, "
            "company text, amount text, updated_at text)"
        )
        conn.commit()
        with Cpu(conn) as cpu:
            t0 = time.perf_counter()
            with conn.cursor() as cur, cur.copy("COPY public.bench_copy FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                    path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    copy.write(block)
            conn.commit()
            seconds = time.perf_counter() - t0
        return seconds, cpu


#: The core tables a load of the bench connector writes, parents before children (foreign keys).
CORE_WRITES = ("entity", "contact", "commitment", "external_id", "change_log")


def core_copy_floor(loaded_url: str, empty_url: str, work: Path) -> dict:
    """The physical limit of writing what crmhub writes: the rows a load left in ``loaded_url``'s core tables
    (dumped first, not timed) COPYed in binary into the same tables of a fresh crmhub database (same indexes,
    constraints and foreign keys), in one transaction."""
    files = {}
    with psycopg.connect(loaded_url) as conn:
        for table in CORE_WRITES:
            files[table] = work / f"floor_{table}.bin"
            with conn.cursor() as cur, files[table].open("wb") as fh, \
                    cur.copy(f"COPY core.{table} TO STDOUT (FORMAT binary)") as copy:
                for block in copy:
                    fh.write(block)
        counts = {t: conn.execute(f"SELECT count(*) FROM core.{t}").fetchone()[0] for t in CORE_WRITES}
    per_table = {}
    with psycopg.connect(empty_url) as conn, Cpu(conn) as cpu:
        t0 = time.perf_counter()
        for table in CORE_WRITES:
            t1 = time.perf_counter()
            with conn.cursor() as cur, cur.copy(f"COPY core.{table} FROM STDIN (FORMAT binary)") as copy, \
                    files[table].open("rb") as fh:
                while block := fh.read(1 << 20):
                    copy.write(block)
            per_table[table] = round(time.perf_counter() - t1, 3)
        conn.commit()
        seconds = time.perf_counter() - t0
    for f in files.values():
        f.unlink()
    return {"seconds": round(seconds, 3), "rows_written": counts, "tables_s": per_table,
            "cpu_s": {"client": round(cpu.client_s, 3), "server": round(cpu.server_s, 3)}}


def _entry(rows: int, seconds: float, **extra) -> dict:
    return {"seconds": round(seconds, 3), "rows_per_s": round(rows / seconds), **extra}


def crmhub_load(url: str, connector, path: Path, rows: int, *, to_core: bool, chunk_rows: int) -> dict:
    """One ``ingest_file`` run on an open autocommit connection (connecting is not timed)."""
    phases = Phases()
    with psycopg.connect(url, autocommit=True) as conn, PeakRss() as rss, Cpu(conn) as cpu:
        t0 = time.perf_counter()
        summary = ingest_file(conn, connector, path, chunk_rows=chunk_rows, to_core=to_core, phases=phases)
        seconds = time.perf_counter() - t0
    if summary.skipped or summary.rows_read != rows:
        raise SystemExit(f"bench_ingest: unexpected load summary {summary.as_dict()}")
    return _entry(rows, seconds, loaded=summary.loaded, quarantined=summary.quarantined,
                  peak_rss_mb=round(rss.peak / 2**20, 1), phases_s=phases.rounded(),
                  cpu_s={"client": round(cpu.client_s, 3), "server": round(cpu.server_s, 3)})


def dlt_load(url: str, path: Path, rows: int, *, disposition: str, dataset: str, workdir: Path) -> dict:
    """dlt's own path for the same file: pandas chunks -> arrow -> postgres (``disposition``: merge / append)."""
    import dlt
    import pandas as pd
    import pyarrow as pa

    @dlt.resource(name="lp_contacts", write_disposition=disposition,
                  primary_key="external_id" if disposition == "merge" else None)
    def contacts():
        for chunk in pd.read_csv(path, chunksize=100_000, dtype=str, keep_default_na=False):
            yield pa.Table.from_pandas(chunk, preserve_index=False)

    # dlt insists on a password; the local server's trust authentication ignores it
    dlt_url = url.replace("postgresql://postgres@", "postgresql://postgres:unused@")
    pipeline = dlt.pipeline(pipeline_name=f"bench_{dataset}", destination=dlt.destinations.postgres(dlt_url),
                            dataset_name=dataset, pipelines_dir=str(workdir / "dlt"))
    with PeakRss() as rss:
        t0 = time.perf_counter()
        pipeline.run(contacts())
        seconds = time.perf_counter() - t0
    return _entry(rows, seconds, peak_rss_mb=round(rss.peak / 2**20, 1))


def _copy_entry(url: str, path: Path, rows: int) -> dict:
    seconds, cpu = bare_copy(url, path)
    return _entry(rows, seconds, cpu_s={"client": round(cpu.client_s, 3), "server": round(cpu.server_s, 3)})


class Databases:
    """Throw-away databases on the local server, dropped at the end."""

    ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

    def __init__(self):
        self.names: list[str] = []

    def new(self, tag: str, *, crmhub: bool = True) -> str:
        name = f"crmhub_bench_{tag}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(self.ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.names.append(name)
        url = self.ADMIN.rsplit("/", 1)[0] + "/" + name
        if crmhub:
            upgrade(url)
        return url

    def drop(self) -> None:
        with psycopg.connect(self.ADMIN, autocommit=True) as conn:
            for name in self.names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _loadavg() -> list[str] | None:
    p = Path("/proc/loadavg")
    return p.read_text().split()[:3] if p.exists() else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--snapshot-rows", type=int, default=100_000)
    ap.add_argument("--chunk-rows", type=int, default=50_000)
    ap.add_argument("--no-dlt", action="store_true", help="skip the dlt peer (it is in requirements-dev)")
    ap.add_argument("--backfill-rows", type=int, default=0,
                    help="also time a backfill of N rows from PostgreSQL in 1-day chunks (bench_cdc.py's case)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest.json")
    args = ap.parse_args(argv)
    connector = load_integration_map().connector("fundadmin_lp_contacts")
    dbs = Databases()
    result: dict = {"machine": f"{platform.machine()} {psutil.cpu_count()} cpu, "
                               f"{round(psutil.virtual_memory().total / 2**30)} GiB, python {platform.python_version()}, "
                               f"shared with other users (see loadavg)",
                    "loadavg_before": _loadavg()}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            big = work / f"contacts_{args.rows}.csv"
            generate(big, args.rows)
            n = args.rows
            initial: dict = {"rows": n, "file_mb": round(big.stat().st_size / 2**20, 1)}
            url = dbs.new("stg")
            initial["copy"] = _copy_entry(url, big, n)
            initial["crmhub_to_staging"] = crmhub_load(url, connector, big, n, to_core=False, chunk_rows=args.chunk_rows)
            core_url = dbs.new("core")
            initial["crmhub_to_core"] = crmhub_load(core_url, connector, big, n, to_core=True,
                                                    chunk_rows=args.chunk_rows)
            initial["core_copy_floor"] = core_copy_floor(core_url, dbs.new("floor"), work)
            if not args.no_dlt:
                dlt_url = dbs.new("dlt", crmhub=False)
                initial["dlt_merge"] = dlt_load(dlt_url, big, n, disposition="merge", dataset="merge_initial", workdir=work)
                initial["dlt_append"] = dlt_load(dlt_url, big, n, disposition="append", dataset="append_initial",
                                                 workdir=work)
            big.unlink()
            result["initial"] = initial

            m = args.snapshot_rows
            day1, day2 = work / "day1.csv", work / "day2.csv"
            generate(day1, m)
            generate(day2, m, changed_every=100)
            snap: dict = {"rows": m, "changed_rows": sum(1 for i in range(m) if i % 100 == 7)}
            core_url = dbs.new("snap")
            snap["day1_crmhub_to_core"] = crmhub_load(core_url, connector, day1, m, to_core=True,
                                                      chunk_rows=args.chunk_rows)
            snap["crmhub_to_core"] = crmhub_load(core_url, connector, day2, m, to_core=True, chunk_rows=args.chunk_rows)
            snap["crmhub_to_staging"] = crmhub_load(dbs.new("snapstg"), connector, day2, m, to_core=False,
                                                    chunk_rows=args.chunk_rows)
            snap["copy"] = _copy_entry(core_url, day2, m)
            if not args.no_dlt:
                snap["day1_dlt_merge"] = dlt_load(dlt_url, day1, m, disposition="merge", dataset="merge_snapshot",
                                                  workdir=work)
                snap["dlt_merge"] = dlt_load(dlt_url, day2, m, disposition="merge", dataset="merge_snapshot",
                                             workdir=work)
            result["snapshot"] = snap
    finally:
        dbs.drop()
    if args.backfill_rows:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_cdc import bench_backfill

        result["backfill"] = bench_backfill(args.backfill_rows)
    result["loadavg_after"] = _loadavg()
    result["process_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["targets"] = _targets(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


def _targets(r: dict) -> dict:
    ini, snap = r["initial"], r["snapshot"]
    out = {
        "snapshot_to_core_vs_staging": {
            "target": "<= 2.0", "value": round(snap["crmhub_to_core"]["seconds"] / snap["crmhub_to_staging"]["seconds"], 2)},
        "peak_rss_mb": {"target": "< 1024", "value": max(e.get("peak_rss_mb", 0) for part in (ini, snap)
                                                         for e in part.values() if isinstance(e, dict))},
    }
    if "dlt_merge" in ini:
        out["initial_to_core_vs_dlt_merge"] = {
            "target": "< 1.0", "value": round(ini["crmhub_to_core"]["seconds"] / ini["dlt_merge"]["seconds"], 2)}
        out["snapshot_to_core_vs_dlt_merge"] = {
            "target": "< 1.0", "value": round(snap["crmhub_to_core"]["seconds"] / snap["dlt_merge"]["seconds"], 2)}
    if "backfill" in r:
        out["backfill_rows_per_s"] = {"target": ">= 30000", "value": r["backfill"]["rows_per_s"]}
    for v in out.values():
        if v["target"].startswith(">="):
            v["met"] = v["value"] >= float(v["target"].split()[-1])
            continue
        limit = float(v["target"].split()[-1])
        v["met"] = v["value"] <= limit if v["target"].startswith("<=") else v["value"] < limit
    return out


if __name__ == "__main__":
    sys.exit(main())
