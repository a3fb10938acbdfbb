"""Benchmark: CDC sync lag under load, and backfill throughput.

1. Sync lag: N changes (default 10,000, on ``--contacts`` records, 100 per batch-update request) are made
   in the CRM sandbox (rate-limited like HubSpot, 100 requests per 10 s, shared by the writer and the sync)
   over ``--spread`` seconds, while the incremental sync runs every ``--interval`` seconds (default 60,
   "every minute"). The sync is ``crmhub.cdc.tasks.cdc_sync`` - exactly what the ``sync`` task of the
   crmhub_cdc DAG calls per due connector - on crm_contacts. Lag per change = core time of the change
   (core.change_log.changed_at, the load transaction's time) - the CRM's own modification time; also
   reported up to the end of the sync run that committed it (an upper bound). Reported: p50/p95/max in
   minutes against the 15-minute target; core compared record by record with the sandbox's final state
   (lost), values applied twice (duplicated).
2. Backfill: a PostgreSQL source table of R rows (default 1,000,000; connector billing_invoices) spread
   over 10 days is backfilled in 1-day chunks with ``crmhub.cdc.tasks.backfill`` (what ``crmhub backfill``
   and the crmhub_backfill DAG run): read, contract check, raw, staging, core upsert with change log;
   rows/s is reported with the bare SELECT of the same rows as a baseline in the same run.
   ``--backfill-parallel 2`` runs the planned chunks two at a time, as the DAG's mapped ``load_chunk``
   tasks do (``plan_backfill_chunks`` + ``run_backfill_chunk`` in threads).

Writes benchmarks/results/cdc.json (with the load average at start and end).

    python benchmarks/bench_cdc.py [--changes 10000] [--contacts 5000] [--interval 60] [--spread 120]
                                   [--backfill-rows 1000000] [--backfill-parallel 1] [--only lag|backfill]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

from crm_sandbox import SandboxServer  # noqa: E402
from crmhub.cdc.tasks import backfill, cdc_sync, plan_backfill_chunks, run_backfill_chunk  # noqa: E402
from crmhub.config import load_integration_map  # noqa: E402
from crmhub.ingest.tasks import SourceAccess  # noqa: E402
from crmhub.warehouse import upgrade  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "cdc.json"
ADMIN = os.environ.get("CRMHUB_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TOKEN = "bench"
TARGET_LAG_MIN = 15.0


def fresh_db() -> str:
    name = f"crmhub_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_db(url: str) -> None:
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]


def bench_lag(changes: int, interval: float, spread: float, contacts: int) -> dict:
    imap = load_integration_map()
    url = fresh_db()
    try:
        upgrade(url)
        seed = {"contacts": [{"id": str(1000 + i), "properties": {"email": f"lp{i}@fund.example", "firstname": "L",
                                                                  "lastname": f"P{i}"}} for i in range(contacts)]}
        with SandboxServer(token=TOKEN, seed=seed, faults={"rate_limit": "100/10s"}) as crm:
            access = SourceAccess(base_url=crm.url, token=TOKEN)
            cdc_sync(url, "crm_contacts", access, imap=imap)  # initial snapshot sets the watermark
            done = threading.Event()
            writer_stats = {"requests": 0, "rate_limited": 0}

            def writer() -> None:
                per_request = 100
                requests = -(-changes // per_request)
                pause = spread / requests
                with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as client:
                    for r in range(requests):
                        inputs = [{"id": str(1000 + (r * per_request + j) % contacts),
                                   "properties": {"jobtitle": f"v{r * per_request + j}"}}
                                  for j in range(min(per_request, changes - r * per_request))]
                        while True:
                            resp = client.post(f"{crm.url}/crm/v3/objects/contacts/batch/update",
                                               json={"inputs": inputs})
                            writer_stats["requests"] += 1
                            if resp.status_code != 429:
                                resp.raise_for_status()
                                break
                            writer_stats["rate_limited"] += 1
                            time.sleep(float(resp.headers.get("Retry-After", "1")))
                        time.sleep(pause)
                done.set()

            started = time.monotonic()
            thread = threading.Thread(target=writer, daemon=True)
            thread.start()
            cycles = []
            while True:
                finished = done.is_set()  # the writer was done before this cycle started: it sees everything
                t0 = time.monotonic()
                out = cdc_sync(url, "crm_contacts", access, imap=imap)
                cycles.append({"rows_read": out["rows_read"], "seconds": round(time.monotonic() - t0, 2)})
                if finished:
                    break
                done.wait(max(0.0, interval - (time.monotonic() - t0)))
                if done.is_set():
                    time.sleep(max(0.0, interval - (time.monotonic() - t0)))  # keep the schedule
            wall = time.monotonic() - started
            crm_state = {c["id"]: (c["properties"].get("jobtitle"), c["properties"].get("lastmodifieddate") or c["updatedAt"])
                         for c in crm.sandbox.export()["contacts"]}
        return {"changes": changes, "contacts": contacts, "interval_s": interval, "spread_s": spread,
                "cycles": len(cycles), "cycle_seconds": [c["seconds"] for c in cycles],
                "cycle_rows_read": [c["rows_read"] for c in cycles], "wall_s": round(wall, 1),
                **verify_against_crm(url, crm_state, changes),
                "writer_requests": writer_stats["requests"], "writer_rate_limited": writer_stats["rate_limited"]}
    finally:
        drop_db(url)


def verify_against_crm(url: str, crm_state: dict[str, tuple], changes: int) -> dict:
    """Lag per observed change (to the load transaction's time, and to the end of the sync run that committed
    it: an upper bound of the commit time), and core's final state compared record by record with the CRM's own state.

    lost: contacts whose core title or source timestamp differs from the CRM's final state (a change that
    never reached core). duplicated: a value logged more than once for one contact (a change applied twice).
    Versions overwritten in the CRM before any sync read them are counted apart (a poll sees the latest
    version only; those are not lost, the later version carries them).
    """
    with psycopg.connect(url) as conn:
        lags = [r[0] for r in conn.execute(
            "SELECT (extract(epoch FROM changed_at - source_ts) / 60)::float8 FROM core.change_log "
            "WHERE core_table = 'contact' AND field = 'title' AND new_value LIKE 'v%%'")]
        # change_log.changed_at is the load transaction's start; the sync run's finish (after the commit) bounds
        # the commit time from above
        upper = [r[0] for r in conn.execute(
            "SELECT (extract(epoch FROM r.finished_at - c.source_ts) / 60)::float8 FROM core.change_log c "
            "JOIN ops.sync_runs r ON r.detail->'loads' ? c.load_id "
            "WHERE c.core_table = 'contact' AND c.field = 'title' AND c.new_value LIKE 'v%%'")]
        duplicated = conn.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM core.change_log WHERE core_table = "
            "'contact' AND field = 'title' AND new_value LIKE 'v%%' GROUP BY crmhub_id, new_value) d").fetchone()[0]
        core = {x: (title, ts) for x, title, ts in conn.execute(
            "SELECT x.external_id, c.title, c.source_updated_at FROM core.contact c JOIN core.external_id x "
            "ON x.crmhub_id = c.crmhub_id AND x.system = 'crm' AND x.object = 'contact'")}
    lost = []
    for rid, (title, modified) in crm_state.items():
        got = core.get(rid)
        if got is None or got[0] != title or got[1] != datetime.fromisoformat(modified.replace("Z", "+00:00")):
            lost.append(rid)
    p95 = pct(lags, 0.95)
    return {"changes_observed": len(lags), "overwritten_in_crm_before_a_sync": changes - len(lags),
            "lag_min_p50": round(pct(lags, 0.5), 3), "lag_min_p95": round(p95, 3),
            "lag_min_max": round(max(lags), 3),
            "lag_to_run_end_min_p50": round(pct(upper, 0.5), 3), "lag_to_run_end_min_p95": round(pct(upper, 0.95), 3),
            "target_lag_min": TARGET_LAG_MIN, "meets_target": p95 <= TARGET_LAG_MIN,
            "crm_records_compared": len(crm_state), "lost": len(lost), "lost_sample": lost[:5],
            "duplicated": int(duplicated)}


def bench_backfill(rows: int, parallel: int = 1) -> dict:
    imap = load_integration_map()
    url, source = fresh_db(), fresh_db()
    try:
        upgrade(url)
        start = datetime(2026, 10, 1, tzinfo=UTC)
        with psycopg.connect(source) as conn:
            conn.execute("CREATE SCHEMA billing")
            conn.execute("""CREATE TABLE billing.invoices AS
                SELECT 'INV-' || g AS invoice_id, 'BIL-' || (g %% 5000) AS lp_external_id,
                       'Crmhub Growth Fund ' || (ARRAY['II','III','IV'])[1 + g %% 3] AS fund_name,
                       (1000 + g %% 100000)::text || '.00' AS amount, 'USD' AS currency,
                       (ARRAY['draft','sent','paid','overdue','void'])[1 + g %% 5] AS invoice_status,
                       '2026-10-01' AS issued_on,
                       %s::timestamptz + ((g - 1) * interval '1 second' * 864000 / %s) AS updated_at,
                       NULL::text AS customer_tax_id
                  FROM generate_series(1, %s) g""", (start, rows, rows))
            conn.execute("CREATE INDEX ON billing.invoices (updated_at)")
        t0 = time.perf_counter()
        with psycopg.connect(source) as conn:
            baseline_rows = sum(1 for _ in conn.execute("SELECT * FROM billing.invoices"))
        baseline_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        access, end = SourceAccess(url=source), start + timedelta(days=10)
        if parallel == 1:
            out = backfill(url, "billing_invoices", access, start, end, chunk=timedelta(days=1), imap=imap)
        else:
            chunks = plan_backfill_chunks(url, "billing_invoices", start, end, chunk=timedelta(days=1), imap=imap)
            with ThreadPoolExecutor(parallel) as pool:
                list(pool.map(lambda c: run_backfill_chunk(url, "billing_invoices", access, c, imap=imap), chunks))
            out = {"chunks_run": len(chunks)}
        seconds = time.perf_counter() - t0
        with psycopg.connect(url) as conn:
            in_core = conn.execute("SELECT count(*) FROM core.external_id WHERE system = 'billing' "
                                   "AND object = 'invoice'").fetchone()[0]
        return {"rows": rows, "chunks": out["chunks_run"], "parallel": parallel, "seconds": round(seconds, 1),
                "rows_per_s": round(rows / seconds), "baseline_select_rows_per_s": round(baseline_rows / baseline_s),
                "ratio_to_select": round((rows / seconds) / (baseline_rows / baseline_s), 4),
                "rows_in_core": in_core, "lost": rows - in_core,
                "path": "PostgreSQL read in chunks + contract check + raw + staging + core upsert with change log"}
    finally:
        drop_db(url)
        drop_db(source)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=5_000)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--spread", type=float, default=120.0)
    parser.add_argument("--backfill-rows", type=int, default=1_000_000)
    parser.add_argument("--backfill-parallel", type=int, default=1, help="chunks at a time (the DAG runs 2)")
    parser.add_argument("--only", choices=["lag", "backfill"], help="run one part only")
    args = parser.parse_args()
    result: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "loadavg_start": loadavg()}
    if args.only != "backfill":
        result["lag"] = bench_lag(args.changes, args.interval, args.spread, args.contacts)
        print(json.dumps(result["lag"], indent=2), flush=True)
    if args.only != "lag":
        result["backfill"] = bench_backfill(args.backfill_rows, args.backfill_parallel)
        print(json.dumps(result["backfill"], indent=2))
    result["loadavg_end"] = loadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
