"""The restore drill (``crmhub ops drill``): prove, on a scratch database, that a bad load can be undone.

Steps, each timed: create a scratch database next to the warehouse and migrate it -> a good load ->
snapshot -> a bad load (same records, wrong values) -> revert the bad load
(``crmhub.ingest.revert.revert_load``, when the installed crmhub has it) -> restore the snapshot. After the
revert and after the restore it compares checksums (:func:`crmhub.safety.snapshot.checksums`) with the state
before the bad load:

* after the revert: the data of the canonical tables of ``core`` - without ``core.change_log`` (history: a
  revert adds rows to it) and the :data:`BOOKKEEPING` columns a revert moves forward on purpose;
* after the restore: every table of the snapshot scope, ``core.change_log`` included - byte-identical rows.

The scratch database is dropped at the end (``keep=True`` keeps it for a look). Nothing touches the
warehouse itself except ``CREATE DATABASE`` / ``DROP DATABASE`` on its server.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg
from psycopg import conninfo, sql

from crmhub.safety import freeze, snapshot

log = logging.getLogger(__name__)

CONNECTOR = "fundadmin_lp_contacts"
HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"
HISTORY = ("core.change_log",)
#: Bookkeeping a revert moves forward on purpose (when a row was last touched, by which source version).
BOOKKEEPING = ("updated_at", "source_updated_at", "last_seen_at", "row_hash", "source_lineage")


@dataclass
class Step:
    name: str
    seconds: float
    identical: bool | None = None     # None: not a comparison step
    note: str = ""


@dataclass
class DrillResult:
    database: str
    steps: list[Step] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(s.identical is not False for s in self.steps)

    def as_dict(self) -> dict:
        return {"database": self.database, "passed": self.passed,
                "steps": [{"step": s.name, "seconds": round(s.seconds, 3), "identical": s.identical, "note": s.note}
                          for s in self.steps]}


@contextmanager
def scratch_database(warehouse_url: str, *, keep: bool = False) -> Iterator[str]:
    """A new empty database on the warehouse's server (``crmhub_drill_<hex>``), dropped afterwards."""
    name = f"crmhub_drill_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(warehouse_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield conninfo.make_conninfo(warehouse_url, dbname=name)
    finally:
        if not keep:
            with psycopg.connect(warehouse_url, autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _csv(path: Path, rows: int, *, bad: bool) -> Path:
    lines = [HEADER]
    for i in range(rows):
        email = f"lp{i}@wrong.example" if bad and i % 2 == 0 else f"lp{i}@fund{i % 7}.example"
        amount = (i % 50 + 1) * (1000 if bad else 250000)
        lines.append(f"FA-{i:06d},Ann,Lee{i},{email},Fund {i % 97},{amount},"
                     f"2026-11-{2 if bad else 1:02d}T10:00:00Z")
    path.write_text("\n".join(lines) + "\n")
    return path


def _canonical(sums: dict[str, dict]) -> dict[str, dict]:
    return {t: v for t, v in sums.items() if t.startswith("core.") and t not in HISTORY}


def _data_checksums(conn: psycopg.Connection, tables: list[str]) -> dict[str, str]:
    """md5 per table over its rows without the :data:`BOOKKEEPING` columns (sorted, order-independent)."""
    out = {}
    for table in tables:
        schema, name = table.split(".", 1)
        cols = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
            "ORDER BY ordinal_position", (schema, name)).fetchall() if r[0] not in BOOKKEEPING]
        row = sql.SQL("ROW({})").format(sql.SQL(", ").join(map(sql.Identifier, cols)))
        out[table] = conn.execute(sql.SQL("SELECT md5(coalesce(string_agg({r}::text, E'\\n' ORDER BY {r}::text), '')) "
                                          "FROM {t}").format(r=row, t=sql.Identifier(schema, name))).fetchone()[0]
    return out


def _revert() -> Callable | None:
    try:
        from crmhub.ingest.revert import revert_load  # the core capability's undo of one load
    except ImportError:
        return None
    return revert_load


def run_drill(warehouse_url: str, imap, *, rows: int = 5000, by: str = "crmhub-drill", keep: bool = False,
              echo: Callable[[Step], object] | None = None) -> DrillResult:
    """Run the drill; ``echo`` is called with each step as it finishes (the CLI prints it)."""
    from crmhub.ingest.loader import ingest_file
    from crmhub.warehouse import upgrade

    connector = imap.connector(CONNECTOR)
    with TemporaryDirectory() as tmp, scratch_database(warehouse_url, keep=keep) as url:
        result = DrillResult(database=conninfo.conninfo_to_dict(url).get("dbname", "?"))

        def step(name: str, started: float, identical: bool | None = None, note: str = "") -> None:
            result.steps.append(Step(name, time.perf_counter() - started, identical, note))
            if echo is not None:
                echo(result.steps[-1])

        t = time.perf_counter()
        upgrade(url)
        step("create scratch database + migrate", t)
        t = time.perf_counter()
        good = ingest_file(url, connector, _csv(Path(tmp) / "good.csv", rows, bad=False))
        step("good load", t, note=f"{good.loaded} rows loaded ({good.load_id})")
        with psycopg.connect(url) as conn:
            before = snapshot.checksums(conn)
            before_data = _data_checksums(conn, list(_canonical(before)))
            t = time.perf_counter()
            snap = snapshot.create_snapshot(conn, by=by, label="drill: before the bad load", reason="drill")
            step("snapshot", t, note=f"snapshot {snap['snapshot_id']}, {len(snap['tables'])} tables")
        t = time.perf_counter()
        bad = ingest_file(url, connector, _csv(Path(tmp) / "bad.csv", rows, bad=True))
        with psycopg.connect(url) as conn:
            damaged = snapshot.checksums(conn)
        changed = sorted(t_ for t_ in _canonical(before) if damaged[t_] != before[t_])
        step("bad load", t, identical=None, note=f"{bad.loaded} rows; changed {', '.join(changed) or 'nothing'}")
        revert_load = _revert()
        if revert_load is None:
            result.steps.append(Step("revert the bad load", 0.0, None,
                                     "skipped: crmhub.ingest.revert is not in this crmhub"))
            if echo is not None:
                echo(result.steps[-1])
        else:
            with psycopg.connect(url) as conn:
                t = time.perf_counter()
                outcome = revert_load(conn, bad.load_id, by=by)
                conn.commit()
                after = _data_checksums(conn, list(before_data))
            diff = sorted(t_ for t_ in before_data if after[t_] != before_data[t_])
            summary = (f"{getattr(outcome, 'restored_fields', '?')} fields restored, "
                       f"{len(getattr(outcome, 'conflicts', []) or [])} conflicts")
            step("revert the bad load", t, identical=not diff,
                 note=(f"core data identical to before the bad load (without change_log and the bookkeeping "
                       f"columns {', '.join(BOOKKEEPING)}); {summary}" if not diff
                       else f"data differs in {', '.join(diff)}; {summary}"))
        with psycopg.connect(url) as conn:
            t = time.perf_counter()
            restored = snapshot.restore_snapshot(conn, snap["snapshot_id"], by=by)
            final = snapshot.checksums(conn)
            freeze.thaw_all(conn, "drill finished", by)
        identical = final == before
        step("restore the snapshot", t, identical=identical,
             note=("core + state byte-identical (checksums) to before the bad load" if identical
                   else f"differs in {', '.join(restored['mismatched'] or [k for k in final if final[k] != before.get(k)])}"))
    return result
