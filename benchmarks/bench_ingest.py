"""Ingestion throughput: full path (parse + contract check + raw + staging) vs a bare COPY of the same file.

    python benchmarks/bench_ingest.py [--rows 1000000] [--core] [--url URL]

Generates an N-row fund-admin contacts CSV (header external_id,first_name,last_name,email,company,amount,
updated_at; amounts like "$1,200.50", ISO timestamps, ~1 % empty emails), then in the same run and database:

* ``copy``: ``COPY`` of the file into an untyped (all text) table, streamed from this process;
* ``full``: ``crmhub.ingest.loader.ingest_file(..., to_core=False)`` - parse, contract check, the raw
  landing (one ``raw.<connector>`` row per batch: the batch's bytes + per-record offsets/lines), COPY into
  typed ``staging.<connector>``, quarantine, metrics (``--core`` also upserts core).

Writes ``benchmarks/results/ingest.json``: rows, rows_per_s, copy_rows_per_s, ratio_to_copy, peak_rss_mb
(peak resident memory of this process, which does all the client-side work), ``path`` / ``copy_path``
(exactly what each timing covers), ``phases_s`` (seconds per load phase), ``cpu_s`` (CPU seconds of this
process and of its PostgreSQL backend for both runs) and the load average before the runs. Targets:
ratio >= 0.5, peak RSS < 1 GiB.

Two upper bounds of the ratio come with it. ``all_cores_bound`` = cores x bare COPY seconds / (client + server
CPU seconds of the full path): the full path cannot finish before its CPU work, spread perfectly over the
machine's cores (two here). ``server_bound`` (``--bound-reps``, default 3): the load's raw and staged rows re-sent
by a bare binary COPY into copies of raw/staging, no client work at all, alternating with the bare CSV COPY;
``copy / (raw + staging)`` of the backend's CPU seconds bounds the ratio for any client.

Uses $CRMHUB_WAREHOUSE_URL or a throw-away database on 127.0.0.1:5432. Both runs use an open connection
(connecting is not timed in either).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from crmhub.config import load_integration_map  # noqa: E402
from crmhub.ingest import rawbatch  # noqa: E402
from crmhub.ingest.loader import ingest_file  # noqa: E402
from crmhub.ingest.phases import Phases  # noqa: E402
from crmhub.warehouse import upgrade  # noqa: E402

PATH = (
    "ingest_file() wall time, connection to commit: scan (checksum, encoding, shape) + parse (pyarrow) + "
    "contract check + raw landing (COPY of one raw.<connector> row per batch: its bytes, per-record offsets and "
    "lines) + COPY staging.<connector> + quarantine + contract metrics + "
    "ops.loads, one transaction, committed"
)
HEADER = "external_id,first_name,last_name,email,company,amount,updated_at\n"
FIRST = ["Ann", "Bob", "Chen", "Dana", "Eve", "Farid", "Gia", "Hugo"]
LAST = ["Lee", "Kim", "Shah", "Ortiz", "Vogel", "Haddad", "Müller", "O'Neil"]


def generate(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        block = []
        for i in range(rows):
            email = "" if i % 97 == 0 else f"user{i}@lp{i % 500}.example"
            cents = i % 100
            block.append(
                f"LP-{i},{FIRST[i % 8]},{LAST[(i // 8) % 8]}{i % 1000},{email},Fund Investor {i % 5000},"
                f"\"${1000 + i % 90000:,}.{cents:02d}\",2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z\n"
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


def _copy_out(conn: psycopg.Connection, query: sql.Composable) -> bytes:
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(query)) as copy:
        return b"".join(bytes(block) for block in copy)


def server_bound(url: str, path: Path, connector, load_id: str, reps: int) -> dict:
    """PostgreSQL's own share of both paths, with no client work at all.

    The loaded batch rows and staged rows are read back in binary COPY format (the bytes the loader sent),
    then sent again with one ``COPY ... FROM STDIN (FORMAT binary)`` each into fresh tables made ``LIKE``
    raw/staging (same columns, defaults, storage and index), each COPY committed and timed by the backend's
    CPU seconds; the bare COPY of the file is repeated alternately. The full path's backend must do at least
    ``raw + staging``, so ``copy / (raw + staging)`` bounds the wall ratio from above even with a free
    client and perfect overlap.
    """
    name = connector.name
    staged = ["locator", "row_no", "confidence", *connector.field_names]  # what the loader sends (deleted: none here)
    with psycopg.connect(url) as conn:
        raw_cols = sql.SQL(", ").join(sql.Identifier(c) for c in rawbatch.COLUMNS)
        stg_cols = sql.SQL(", ").join(sql.Identifier(c) for c in staged)
        raw_bytes = _copy_out(conn, sql.SQL("SELECT {} FROM raw.{} WHERE load_id = {} ORDER BY batch_no").format(
            raw_cols, sql.Identifier(name), sql.Literal(load_id)))
        stg_bytes = _copy_out(conn, sql.SQL("SELECT {} FROM staging.{} WHERE load_id = {} ORDER BY row_no").format(
            stg_cols, sql.Identifier(name), sql.Literal(load_id)))
        conn.rollback()
    runs: dict[str, list[float]] = {"copy": [], "raw": [], "staging": []}
    for _ in range(reps):
        runs["copy"].append(bare_copy(url, path)[1].server_s)
        with psycopg.connect(url) as conn:
            conn.execute("DROP SCHEMA IF EXISTS bench_bound CASCADE")
            conn.execute("CREATE SCHEMA bench_bound")
            for schema in ("raw", "staging"):
                conn.execute(sql.SQL("CREATE TABLE bench_bound.{} (LIKE {}.{} INCLUDING ALL)").format(
                    sql.Identifier(schema), sql.Identifier(schema), sql.Identifier(name)))
            conn.execute("SELECT set_config('crmhub.load_id', %s, false)", (load_id,))
            conn.commit()
            for schema, cols, data in (("raw", raw_cols, raw_bytes), ("staging", stg_cols, stg_bytes)):
                with Cpu(conn) as cpu:
                    stmt = sql.SQL("COPY bench_bound.{} ({}) FROM STDIN (FORMAT binary)").format(
                        sql.Identifier(schema), cols)
                    with conn.cursor() as cur, cur.copy(stmt) as copy:
                        for start in range(0, len(data), 1 << 20):
                            copy.write(data[start : start + (1 << 20)])
                    conn.commit()
                runs[schema].append(cpu.server_s)
            conn.execute("DROP SCHEMA bench_bound CASCADE")
            conn.commit()
    med = {k: statistics.median(v) for k, v in runs.items()}
    return {
        "server_cpu_s": {k: [round(x, 3) for x in v] for k, v in runs.items()},
        "median_s": {k: round(v, 3) for k, v in med.items()},
        "ratio_upper_bound": round(med["copy"] / (med["raw"] + med["staging"]), 3),
        "note": "backend CPU seconds per repetition: bare COPY of the file; the load's raw batch rows and staged "
                "rows re-sent as binary COPY into LIKE copies of raw/staging (no client work). The full path's "
                "backend does at least raw + staging, so copy / (raw + staging) is an upper bound of ratio_to_copy",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--url", default=os.environ.get("CRMHUB_WAREHOUSE_URL"))
    ap.add_argument("--core", action="store_true", help="also upsert into core (slower; not the headline number)")
    ap.add_argument("--chunk-rows", type=int, default=50_000)
    ap.add_argument("--bound-reps", type=int, default=3,
                    help="repetitions of the server-only bound (0: skip); see server_bound()")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest.json")
    args = ap.parse_args(argv)

    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    throwaway = None
    url = args.url
    if not url:
        throwaway = f"crmhub_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{throwaway}"')
        url = admin.rsplit("/", 1)[0] + "/" + throwaway
    try:
        upgrade(url)
        connector = load_integration_map().connector("fundadmin_lp_contacts")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"contacts_{args.rows}.csv"
            t0 = time.perf_counter()
            generate(path, args.rows)
            gen_s = time.perf_counter() - t0
            size_mb = path.stat().st_size / 2**20
            loadavg = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else None
            copy_s, copy_cpu = bare_copy(url, path)
            phases = Phases()
            with psycopg.connect(url, autocommit=True) as conn, PeakRss() as rss, Cpu(conn) as full_cpu:
                load_id = f"bench-{uuid.uuid4().hex[:8]}"
                t0 = time.perf_counter()
                summary = ingest_file(conn, connector, path, chunk_rows=args.chunk_rows, to_core=args.core,
                                      load_id=load_id, phases=phases)
                full_s = time.perf_counter() - t0
            if summary.load_id != load_id:  # the loader found this file already loaded and skipped it
                raise SystemExit(
                    f"bench_ingest: {args.url} already holds this file as load {summary.load_id}: the full path was "
                    "skipped (loads are idempotent), so there is nothing to time. Run without --url (a throw-away "
                    "database) or against a fresh warehouse."
                )
            bound = server_bound(url, path, connector, load_id, args.bound_reps) if args.bound_reps else None
        assert summary.rows_read == args.rows == summary.loaded + summary.quarantined + summary.rejected, summary
        result = {
            "rows": args.rows,
            "file_mb": round(size_mb, 1),
            "path": PATH + (" + core upsert (--core)" if args.core else " (core upsert not run: to_core=False)"),
            "copy_path": "COPY public.bench_copy FROM STDIN (FORMAT csv, HEADER true): the file's bytes into 7 text "
                         "columns, one transaction, committed",
            "seconds": round(full_s, 3),
            "rows_per_s": round(args.rows / full_s),
            "copy_seconds": round(copy_s, 3),
            "copy_rows_per_s": round(args.rows / copy_s),
            "ratio_to_copy": round(copy_s / full_s, 3),
            "peak_rss_mb": round(rss.peak / 2**20, 1),
            "phases_s": phases.rounded(),
            "cpu_s": {
                "full": {"client": round(full_cpu.client_s, 3), "server": round(full_cpu.server_s, 3)},
                "copy": {"client": round(copy_cpu.client_s, 3), "server": round(copy_cpu.server_s, 3)},
                "ratio_to_copy": round((copy_cpu.client_s + copy_cpu.server_s) / (full_cpu.client_s + full_cpu.server_s), 3),
                "note": "CPU seconds of this process (client; includes the RSS sampler thread) and of its PostgreSQL "
                        "backend (server). The wall ratio depends on how much of the 2 shared cores the run gets; the "
                        "CPU ratio is the work ratio, nearly independent of other load",
            },
            "all_cores_bound": round((psutil.cpu_count() or 1) * copy_s / (full_cpu.client_s + full_cpu.server_s), 3),
            "server_bound": bound,
            "loadavg_before": loadavg,
            "process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "loaded": summary.loaded,
            "quarantined": summary.quarantined,
            "chunk_rows": args.chunk_rows,
            "generate_seconds": round(gen_s, 2),
            "machine": f"{platform.machine()} {psutil.cpu_count()} cpu, python {platform.python_version()}",
            "targets": {"ratio_to_copy": ">= 0.5", "peak_rss_mb": "< 1024"},
        }
    finally:
        if throwaway:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{throwaway}" WITH (FORCE)')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
