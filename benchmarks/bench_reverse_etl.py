"""Benchmark: push N changed contacts to the CRM sandbox at its rate limit, with and without faults.

For each fault setting: a fresh sandbox rate-limited to 100 requests / 10 s (HubSpot's limit), a
fresh reverse ETL state, N contacts in the warehouse, one ``contact_traits`` run. Reported per setting:
records, seconds, records/s, share of the limit's maximum (100 records/request x 10 requests/s =
1,000 records/s), duplicates and lost records (read back from the sandbox's state), API calls and
errors. Writes ``benchmarks/results/reverse_etl.json``.

    python benchmarks/bench_reverse_etl.py [--records 10000] [--settings none,faults_10pct]

Needs PostgreSQL at $CRMHUB_BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

from crmhub.crm_sandbox import SandboxServer  # noqa: E402
from crmhub.reverse_etl import CrmClient, get_sync, run_sync  # noqa: E402
from crmhub.reverse_etl.engine import read_model  # noqa: E402
from crmhub.warehouse import upgrade  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "reverse_etl.json"
TOKEN = "bench-token"
LIMIT = {"requests": 100, "per_seconds": 10}
MAX_RECORDS_PER_S = 100 * LIMIT["requests"] / LIMIT["per_seconds"]
SETTINGS = {
    "none": {},
    # ~10 % of requests fail: 502/503, dropped before and after commit, and timeouts (slow > client timeout)
    "faults_10pct": {"error_rate": 0.04, "drop_rate": 0.02, "drop_after_commit_rate": 0.02, "slow_rate": 0.02,
                     "slow_seconds": 3.0, "seed": 20261129},
}


def seed_warehouse(url: str, n: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO core.contact (first_name, last_name, email, owner, confidence, source_system) "
            "SELECT 'Bench', 'LP ' || g, 'lp' || g || '@fund' || (g %% 97) || '.example', 'lena.vogel', 90, 'bench' "
            "FROM generate_series(1, %s) g", (n,))
        conn.execute(
            "INSERT INTO core.commitment (contact_id, amount, currency, stage, owner, confidence, source_system) "
            "SELECT crmhub_id, (row_number() OVER (ORDER BY email) % 9) * 7000000, 'USD', 'accepted', "
            "'lena.vogel', 90, 'bench' FROM core.contact")


def reset_state(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("TRUNCATE ops.reverse_etl_log, ops.reverse_etl_state, ops.reverse_etl_runs CASCADE")
        conn.execute("DELETE FROM core.external_id WHERE system = 'crm'")


def one_setting(url: str, name: str, faults: dict) -> dict:
    reset_state(url)
    sync = get_sync("contact_traits")
    with psycopg.connect(url) as conn:
        expected = {str(r["crmhub_id"]): sync.payload(r) for r in read_model(conn, sync)}
    with SandboxServer(token=TOKEN, faults={"rate_limit": LIMIT, **faults}) as sandbox:
        with CrmClient(sandbox.url, TOKEN, rate_limit=LIMIT, timeout_s=2.0, concurrency=sync.concurrency,
                       max_attempts=10) as client:
            started = time.monotonic()
            result = run_sync(sync, url, client=client)
            seconds = time.monotonic() - started
            stats = client.stats
        admin = httpx.Client(base_url=sandbox.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        export = admin.get("/_sandbox/export").json()["contacts"]
        log = admin.get("/_sandbox/requests").json()["by_status"]
        admin.close()
    seen: dict[str, int] = {}
    wrong = 0
    for rec in export:
        cid = rec["properties"].get("crmhub_id")
        seen[cid] = seen.get(cid, 0) + 1
        if cid in expected and any(rec["properties"].get(p) != v for p, v in expected[cid].items()):
            wrong += 1
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    lost = sum(1 for cid in expected if cid not in seen) + wrong
    records = len(expected)
    rps = records / seconds
    return {
        "setting": name, "faults": faults, "records": records, "seconds": round(seconds, 2),
        "records_per_s": round(rps, 1), "share_of_rate_limit": round(rps / MAX_RECORDS_PER_S, 3),
        "duplicates": duplicates, "lost": lost, "run_status": result.status,
        "records_failed": result.counts.get("records_failed", 0), "api_calls": stats.api_calls,
        "api_errors": stats.api_errors, "rate_limited_429": stats.rate_limited, "retries": stats.retries,
        "sandbox_outcomes": log,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--settings", default=",".join(SETTINGS))
    args = parser.parse_args(argv)
    admin_url = os.environ.get("CRMHUB_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    db = f"crmhub_bench_retl_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{db}"
    results = []
    try:
        upgrade(url)
        seed_warehouse(url, args.records)
        for name in args.settings.split(","):
            row = one_setting(url, name, SETTINGS[name])
            results.append(row)
            print(f"{name:14} {row['records']} records in {row['seconds']} s = {row['records_per_s']} rec/s "
                  f"({row['share_of_rate_limit']:.1%} of the limit's max), duplicates {row['duplicates']}, "
                  f"lost {row['lost']}, api calls {row['api_calls']} (errors {row['api_errors']}, "
                  f"429 {row['rate_limited_429']})")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "reverse_etl", "rate_limit": LIMIT, "records_per_request": 100,
        "max_records_per_s": MAX_RECORDS_PER_S, "targets": {"share_of_rate_limit": 0.9, "duplicates": 0, "lost": 0},
        "settings": results}, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    ok = all(r["duplicates"] == 0 and r["lost"] == 0 for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
