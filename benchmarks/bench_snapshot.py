"""Snapshot and restore of core + its state: in-database schema copy (crmhub.safety.snapshot) vs pg_dump/pg_restore.

    python benchmarks/bench_snapshot.py [--contacts 200000]

Both run on the same warehouse, one after the other, in this process's run (compare them side by side,
never with a number from another run). Data: ``--contacts`` contacts, a tenth as many entities, one
commitment and one crosswalk row per contact, three change-log rows per contact.

* schema copy: ``create_snapshot`` (CREATE TABLE .. AS TABLE per table, one REPEATABLE READ transaction)
  and ``restore_snapshot`` (TRUNCATE + INSERT .. SELECT in one transaction, checksums verified).
* pg_dump: ``pg_dump -Fc`` of the same tables to a file, then ``pg_restore --data-only --single-transaction``
  after a TRUNCATE of the same tables (``--disable-triggers``, needs superuser) and the same checksums.

Writes benchmarks/results/snapshot.json with the machine's load average at start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from crmhub.safety import freeze, snapshot
from crmhub.warehouse import upgrade

RESULTS = Path(__file__).resolve().parent / "results" / "snapshot.json"
ADMIN = os.environ.get("CRMHUB_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def seed(url: str, contacts: int) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("""INSERT INTO core.entity (entity_type, name, owner, source_system)
                        SELECT 'lp', 'Fund ' || g, 'priya.shah', 'bench' FROM generate_series(1, %s) g""",
                     (max(1, contacts // 10),))
        conn.execute("""INSERT INTO core.contact (entity_id, first_name, last_name, email, owner, confidence, source_system)
                        SELECT (SELECT crmhub_id FROM core.entity ORDER BY crmhub_id LIMIT 1),
                               'Ann', 'Lee' || g, 'ann' || g || '@lp.example', 'priya.shah', 90, 'bench'
                        FROM generate_series(1, %s) g""", (contacts,))
        conn.execute("""INSERT INTO core.commitment (contact_id, amount, currency, stage, owner, confidence, source_system)
                        SELECT crmhub_id, 1000000, 'USD', 'accepted', 'dana.kim', 90, 'bench' FROM core.contact""")
        conn.execute("""INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table)
                        SELECT 'fund_admin', 'lp_contact', 'FA-' || row_number() OVER (), crmhub_id, 'contact'
                        FROM core.contact""")
        conn.execute("""INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system)
                        SELECT 'contact', crmhub_id, f, NULL, 'v', 'bench'
                        FROM core.contact, unnest(ARRAY['email', 'last_name', 'phone']) f""")
        conn.execute("INSERT INTO ops.sync_state (connector, object, watermark_ts) VALUES ('crm_contacts', 'contacts', now())")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def damage(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE core.contact SET email = 'x@y.example' WHERE last_name LIKE 'Lee1%'")
        conn.execute("DELETE FROM ops.sync_state")


def bench_schema_copy(url: str) -> dict:
    with psycopg.connect(url) as conn:
        t0 = time.perf_counter()
        before = snapshot.checksums(conn)
        checksums_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        snap = snapshot.create_snapshot(conn, by="bench")
        create_s = time.perf_counter() - t0
    damage(url)
    with psycopg.connect(url) as conn:
        t0 = time.perf_counter()
        result = snapshot.restore_snapshot(conn, snap["snapshot_id"], by="bench")
        restore_s = time.perf_counter() - t0
        identical = snapshot.checksums(conn) == before
        freeze.thaw_all(conn, "bench", "bench")
    # create_s and restore_s include the checksums taken/verified inside them (see checksums_s)
    return {"checksums_s": round(checksums_s, 2), "create_s": round(create_s, 2), "restore_s": round(restore_s, 2),
            "restore_incl_checksums_s": result["seconds"], "bytes": snap["bytes"], "identical": identical}


def bench_pg_dump(url: str) -> dict:
    if not shutil.which("pg_dump"):
        return {"skipped": "pg_dump not installed"}
    with psycopg.connect(url) as conn:
        tables = snapshot.scope_tables(conn)
        before = snapshot.checksums(conn, tables)
    args = [a for t in tables for a in ("-t", t)]
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "core.dump"
        t0 = time.perf_counter()
        subprocess.run(["pg_dump", "-Fc", "--data-only", *args, "-f", str(dump), "-d", url], check=True)
        dump_s = time.perf_counter() - t0
        damage(url)
        t0 = time.perf_counter()
        with psycopg.connect(url) as conn:
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(
                sql.Identifier(*t.split(".", 1)) for t in tables)))
            conn.commit()   # pg_restore runs in its own session: the truncate must be committed (not atomic)
        subprocess.run(["pg_restore", "--data-only", "--single-transaction", "--disable-triggers", "-d", url,
                        str(dump)], check=True)
        restore_s = time.perf_counter() - t0
        size = dump.stat().st_size
    with psycopg.connect(url) as conn:
        identical = snapshot.checksums(conn, tables) == before
    return {"dump_s": round(dump_s, 2), "restore_s": round(restore_s, 2), "bytes": size, "identical": identical,
            "note": "restore_s excludes checksums; the TRUNCATE is committed before pg_restore (not atomic)"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=200_000)
    args = parser.parse_args(argv)
    name = f"crmhub_bench_snapshot_{uuid.uuid4().hex[:8]}"
    base = ADMIN.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    result: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "loadavg_start": loadavg(),
                    "contacts": args.contacts, "cpus": os.cpu_count()}
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        upgrade(url)
        t0 = time.perf_counter()
        seed(url, args.contacts)
        result["seed_s"] = round(time.perf_counter() - t0, 2)
        with psycopg.connect(url) as conn:
            result["rows"] = {t: c["rows"] for t, c in snapshot.checksums(conn).items() if c["rows"]}
            result["core_bytes"] = conn.execute("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                                                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                                "WHERE n.nspname = 'core' AND c.relkind = 'r'").fetchone()[0]
            result["core_bytes"] = int(result["core_bytes"])
        result["schema_copy"] = bench_schema_copy(url)
        print(json.dumps(result["schema_copy"]), flush=True)
        result["pg_dump"] = bench_pg_dump(url)
        print(json.dumps(result["pg_dump"]), flush=True)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    result["loadavg_end"] = loadavg()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
