"""The load path: source batches -> ``raw.<connector>`` -> contract check -> ``staging.<connector>`` -> core.

One load (a file, a table pull, an API pull) is **one transaction**: raw landing, staging, quarantine,
core upsert, metrics and the final ``ops.loads`` row commit together, so a crash mid-load leaves no
half batch. The ``ops.loads`` row itself is written first (status ``running``) in its own transaction
and updated to ``failed``/``rejected``/``parked`` if the load does not commit.

Idempotency: a load id already ``loaded``, or a source whose checksum was already ``loaded`` for the
connector, is skipped (``LoadSummary.skipped``) and changes nothing.

Counting (asserted by tests for every bad input): ``rows_read = loaded + quarantined + rejected``.

* ``quarantined``: rows with a quarantine-level contract violation or a row error (wrong column count,
  NUL byte), plus rows superseded by a newer version of the same external id (``superseded_duplicate``).
* ``rejected``: every row of a file refused whole (``RejectedFileError``, status ``rejected``) or of a
  batch parked by schema drift (status ``parked``).
* ``loaded``: the rest - rows that reached staging and won their external id.

Per-row work is vectorised: the raw landing is one binary COPY row per batch holding the batch's records
verbatim (``rawbatch``); COPY for staging (binary, see ``pgbinary``) and quarantine; pandas/pyarrow for
checks; SQL for upserts. Per-load constants (``load_id``, ``received_at``, ``deleted`` = false) are
column defaults, not sent per row.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
import psycopg
from psycopg.types.json import Jsonb

from crmhub.config.integration_map import Connector
from crmhub.contracts.check import FieldStats, _type_for, check_frame
from crmhub.contracts.masking import mask_frame
from crmhub.contracts.metrics import evaluate_breaches, record_metrics
from crmhub.exceptions import ConnectorFrozenError, RejectedFileError, RejectedLoadError
from crmhub.ingest import drift, rawbatch
from crmhub.ingest.copy import CopyWorker
from crmhub.ingest.phases import Phases
from crmhub.ingest.sources.base import Source, SourceBatch
from crmhub.ingest.sources.csv_source import CsvSource, RestartWithCsvModule
from crmhub.ingest.state import frozen_reason
from crmhub.ingest.tables import (
    ensure_tables,
    raw_table,
    set_load_id,
    staging_table,
    staging_types,
)
from crmhub.ingest.upsert import refresh_stale_stats, stats_tables, upsert_load
from crmhub.progress import NO_PROGRESS, Progress
from crmhub.safety.freeze import assert_not_frozen
from crmhub.warehouse.connection import connect
from crmhub.warehouse.locks import LoadLease

log = logging.getLogger(__name__)

_QUARANTINE = psycopg.sql.SQL("ops.quarantine")


@dataclass
class LoadSummary:
    """What one load did; ``as_dict()`` is what ``crmhub ingest-file`` prints."""

    load_id: str
    connector: str
    origin: str
    checksum: str | None = None
    status: str = "running"
    rows_read: int = 0
    loaded: int = 0
    quarantined: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    error: str | None = None
    cursor: str | None = None
    encoding: str | None = None
    skipped_headers: int = 0
    skipped_blank: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.loaded + self.quarantined + self.rejected


class _Drift(Exception):
    def __init__(self, diff: dict, sample: list[dict]):
        super().__init__(drift.describe(diff))
        self.diff = diff
        self.sample = sample


@dataclass
class _LoadState:
    """One load in progress: its summary, the rows read so far, the source batches not read yet (counted when
    the load is parked) and the backends doing it (the load's own and the one holding its lock)."""

    summary: LoadSummary
    rows: int = 0
    unread: Iterator[SourceBatch] | None = None
    backend_pid: int | None = None
    lease_pid: int | None = None


@contextmanager
def _connection(target: str | psycopg.Connection) -> Iterator[psycopg.Connection]:
    """The caller's connection as it is (each step of the load runs in a transaction of its own, committed at
    its end, whatever the connection's autocommit mode), or a new one."""
    if isinstance(target, psycopg.Connection):
        if target.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            target.commit()
        yield target
        return
    with connect(target, autocommit=True) as conn:
        yield conn


def _write_load(conn: psycopg.Connection, state: _LoadState | LoadSummary, *, finished: bool) -> None:
    if isinstance(state, LoadSummary):
        state = _LoadState(state)
    s = state.summary
    conn.execute(
        """
        INSERT INTO ops.loads (load_id, connector, origin, checksum, encoding, status, rows_read, loaded,
                               quarantined, rejected, skipped_headers, skipped_blank, reasons, cursor, error,
                               finished_at, backend_pid, lease_pid)
        VALUES (%(load_id)s, %(connector)s, %(origin)s, %(checksum)s, %(encoding)s, %(status)s, %(rows_read)s,
                %(loaded)s, %(quarantined)s, %(rejected)s, %(skipped_headers)s, %(skipped_blank)s, %(reasons)s,
                %(cursor)s, %(error)s, CASE WHEN %(finished)s THEN now() END, %(backend_pid)s, %(lease_pid)s)
        ON CONFLICT (load_id) DO UPDATE SET
            backend_pid = EXCLUDED.backend_pid, lease_pid = EXCLUDED.lease_pid,
            origin = EXCLUDED.origin, checksum = EXCLUDED.checksum, encoding = EXCLUDED.encoding,
            status = EXCLUDED.status, rows_read = EXCLUDED.rows_read, loaded = EXCLUDED.loaded,
            quarantined = EXCLUDED.quarantined, rejected = EXCLUDED.rejected,
            skipped_headers = EXCLUDED.skipped_headers, skipped_blank = EXCLUDED.skipped_blank,
            reasons = EXCLUDED.reasons, cursor = EXCLUDED.cursor, error = EXCLUDED.error,
            started_at = CASE WHEN EXCLUDED.status = 'running' THEN now() ELSE ops.loads.started_at END,
            finished_at = EXCLUDED.finished_at
        """,
        {**s.as_dict(), "reasons": Jsonb(s.reasons), "finished": finished, "backend_pid": state.backend_pid,
         "lease_pid": state.lease_pid},
    )


def _previous(conn: psycopg.Connection, connector: str, load_id: str, checksum: str | None) -> LoadSummary | None:
    row = conn.execute(
        "SELECT load_id, origin, checksum, rows_read, loaded, quarantined, rejected, reasons, status FROM ops.loads "
        "WHERE status IN ('loaded', 'reverted') AND (load_id = %s OR (connector = %s AND checksum = %s)) "
        "ORDER BY (load_id = %s) DESC, started_at LIMIT 1",
        (load_id, connector, checksum, load_id),
    ).fetchone()
    if row is None:
        return None
    return LoadSummary(
        load_id=row[0], connector=connector, origin=row[1], checksum=row[2], status=row[8], rows_read=row[3],
        loaded=row[4], quarantined=row[5], rejected=row[6], reasons=dict(row[7]), skipped=True,
    )


def ingest(
    target: str | psycopg.Connection,
    connector: Connector,
    source: Source,
    *,
    load_id: str | None = None,
    to_core: bool = True,
    phases: Phases | None = None,
    progress: Progress = NO_PROGRESS,
) -> LoadSummary:
    """Run one load of ``source`` for ``connector``; see the module doc for semantics.

    ``target`` is a warehouse URL or an open connection (left in its autocommit mode: each step of the load is a
    transaction of its own). The load holds its connector's load lock (``crmhub.warehouse.locks.LoadLease``): a
    second load of the same connector waits for it. ``phases``, when given, receives the seconds spent per phase:
    main thread ``scan``, ``parse``, ``prepare``, ``check``, ``encode_<table>``, ``wait_for_copy``,
    ``core_upsert``, ``metrics``, ``commit``, ``stats`` (planner statistics of the core tables the load made
    stale, refreshed once after its commit); copy worker ``copy_<table>`` (raw, staging, quarantine).
    ``encode_raw`` is the raw batch row (``rawbatch.encode_batch``). ``progress`` (``crmhub.progress``) hears of
    the phases ``land`` (rows as batches land), ``merge`` (into core) and ``metrics``.

    Raises:
        ConnectorFrozenError: the connector is frozen (nothing is read).
        RejectedLoadError: the file cannot be read as declared (recorded as ``rejected``; a
            :class:`RejectedFileError` carrying the load's ``summary``).
    """
    load_id = load_id or uuid.uuid4().hex
    phases = phases if phases is not None else Phases()
    origin = str(getattr(source, "origin", None) or connector.name)
    state = _LoadState(LoadSummary(load_id=load_id, connector=connector.name, origin=origin))
    with _connection(target) as conn, LoadLease(conn, connector.name) as lease:
        state.backend_pid, state.lease_pid = conn.info.backend_pid, lease.pid
        previous = _start(conn, connector, source, state, phases)
        if previous is not None:
            return previous
        try:
            _load_with_retry(conn, connector, source, state, to_core, phases, progress)
        except _Drift as exc:
            return _parked(conn, connector, state, exc, _count_all(source, state))
        except RejectedFileError as exc:
            return _rejected(conn, state, exc, getattr(source, "rows_read", state.rows))
        except Exception as exc:
            s = state.summary
            s.status, s.error = "failed", f"{type(exc).__name__}: {exc}"
            s.rows_read = state.rows
            s.loaded = s.quarantined = 0
            s.reasons = {}
            with conn.transaction():
                _write_load(conn, state, finished=True)
            raise
    _after_counts(source, state.summary)
    return state.summary


def _start(conn, connector: Connector, source: Source, state: _LoadState, phases: Phases) -> LoadSummary | None:
    """Checks before reading: frozen connector (raises), unreadable file (rejected), already loaded (the earlier
    summary is returned); otherwise the load is recorded ``running`` and None returned."""
    summary = state.summary
    with conn.transaction():
        reason = frozen_reason(conn, connector.name)
        if reason is not None:
            summary.status, summary.error = "frozen", f"connector frozen: {reason}"
            if _previous(conn, connector.name, summary.load_id, None) is None:
                _write_load(conn, state, finished=True)
    if reason is not None:
        raise ConnectorFrozenError(connector.name, reason)
    try:
        with phases("scan"):
            summary.checksum = getattr(source, "checksum", None)
        scan = getattr(source, "scan", None)
        summary.encoding = getattr(scan, "encoding", None)
    except RejectedFileError as exc:
        _rejected(conn, state, exc, 0)
    with conn.transaction():
        previous = _previous(conn, connector.name, summary.load_id, summary.checksum)
        if previous is None:
            _write_load(conn, state, finished=False)
    if previous is not None:
        log.info("%s: %s already loaded as %s; skipped", connector.name, summary.origin, previous.load_id)
    return previous


def _load_with_retry(conn, connector: Connector, source: Source, state: _LoadState, to_core: bool,
                     phases: Phases, progress: Progress) -> None:
    """The load's one transaction; re-run once with the csv module when the fast parser gives up."""
    for attempt in (1, 2):
        state.rows = 0
        try:
            with conn.transaction():
                _run(conn, connector, source, state, to_core, phases, progress)
                state.summary.status = "loaded"
                _write_load(conn, state, finished=True)
                t_commit = time.perf_counter()
            phases["commit"] += time.perf_counter() - t_commit
            if to_core:
                with phases("stats"), conn.transaction():  # committed rows: the counters reset for good
                    refresh_stale_stats(conn, stats_tables(connector))
            return
        except RestartWithCsvModule:
            # the fast parser met a record it cannot place: everything was rolled back; re-read
            if attempt == 2:
                raise
            log.info("%s: re-reading %s with the csv module", connector.name, state.summary.origin)


def _after_counts(source: Source, summary: LoadSummary) -> None:
    summary.skipped_headers = getattr(source, "skipped_headers", 0)
    summary.skipped_blank = getattr(source, "skipped_blank", 0)


def _rejected(conn, state: _LoadState, exc: RejectedFileError, rows: int) -> NoReturn:
    """Record the load as ``rejected`` and raise :class:`RejectedLoadError` carrying its summary."""
    summary = state.summary
    summary.status, summary.error = "rejected", str(exc)
    summary.rows_read = summary.rejected = int(rows)
    summary.loaded = summary.quarantined = 0
    summary.reasons = {"rejected_file": 1}
    with conn.transaction():
        _write_load(conn, state, finished=True)
    log.warning("%s", exc)
    raise RejectedLoadError(exc, summary) from exc


def _parked(conn, connector: Connector, state: _LoadState, exc: _Drift, rows: int) -> LoadSummary:
    summary = state.summary
    summary.status, summary.error = "parked", str(exc)
    summary.rows_read = summary.rejected = rows
    summary.loaded = summary.quarantined = 0
    summary.reasons = {"schema_drift": 1}
    with conn.transaction():
        drift.park(
            conn, connector, load_id=summary.load_id, origin=summary.origin, checksum=summary.checksum,
            diff=exc.diff, rows=rows, sample=exc.sample,
        )
        _write_load(conn, state, finished=True)
    return summary


def _count_all(source: Source, state: _LoadState) -> int:
    """Rows of a parked source: those read so far plus the rest, drained without processing."""
    rows = state.rows
    try:
        for batch in state.unread or ():
            rows += len(batch)
    except RestartWithCsvModule:  # the fast parser gave up half way: count again from the start
        return sum(len(b) for b in source.batches())
    except RejectedFileError:  # unreadable beyond this point: count what was read
        pass
    return rows


def _sample(connector: Connector, frame: pd.DataFrame, n: int = 5) -> list[dict]:
    head = mask_frame(frame.head(n), connector)
    return head.astype(object).where(head.notna(), None).to_dict("records")


def _run(
    conn, connector: Connector, source: Source, state: _LoadState, to_core: bool, phases: Phases,
    progress: Progress = NO_PROGRESS,
) -> None:
    summary = state.summary
    ensure_tables(conn, connector)
    set_load_id(conn, summary.load_id)  # raw/staging load_id default for this transaction
    fields = list(connector.field_names)
    date_fields = {f.name for f in connector.fields if _type_for(f) == "date"}
    totals: dict[str, FieldStats] = {f: FieldStats() for f in fields}
    reasons: Counter[str] = Counter()
    batches = iter(source.batches())
    state.unread = batches  # drained by the caller to count rows when the load is parked
    header_checked = False
    worker = CopyWorker(conn, phases=phases)
    try:
        with progress.phase("land"):
            staged, quarantined, header_checked = _batches_loop(
                conn, connector, batches, state, worker, totals, reasons, date_fields, phases, progress
            )
    except BaseException:
        worker.close(cancel=True)
        raise
    worker.close()
    if not header_checked and getattr(source, "header", None) is not None:
        diff = drift.header_diff(connector, source.header)
        if drift.has_drift(diff):
            raise _Drift(diff, [])
    superseded = 0
    if to_core and staged:
        with phases("core_upsert"), progress.phase("merge") as merge:
            result = upsert_load(conn, connector, summary.load_id)
            merge.advance(result.loaded)
        superseded = result.superseded
        if superseded:
            reasons["superseded_duplicate"] += superseded
    summary.rows_read = state.rows
    summary.quarantined = quarantined + superseded
    summary.loaded = staged - superseded
    summary.rejected = 0
    summary.reasons = {str(k): int(v) for k, v in reasons.items()}
    _after_counts(source, summary)
    if any(t.rows for t in totals.values()):
        with phases("metrics"), progress.phase("metrics"):
            record_metrics(conn, connector.name, {k: v for k, v in totals.items() if v.rows})
            evaluate_breaches(conn, connector)


def _next(batches, phases: Phases):
    with phases("parse"):
        return next(batches, None)


def _batches_loop(conn, connector, batches, state: _LoadState, worker, totals, reasons, date_fields, phases,
                  progress: Progress = NO_PROGRESS):
    """Grade and land every batch; COPYs go through ``worker`` (overlapping the next chunk's work)."""
    summary = state.summary
    staged = quarantined = offset = batch_no = 0
    header_checked = False
    stg_types = staging_types(connector)
    while (batch := _next(batches, phases)) is not None:
        assert_not_frozen(conn, "connector", connector.name)  # freeze-all: the whole load rolls back
        n = len(batch)
        state.rows += n
        progress.advance(n)
        if batch.cursor is not None:
            summary.cursor = batch.cursor
        if not header_checked:
            diff = drift.header_diff(connector, batch.header)
            if drift.has_drift(diff):
                raise _Drift(diff, _sample(connector, batch.frame))
            header_checked = True
        if n == 0:
            continue
        frame = batch.frame.reset_index(drop=True)
        row_no = np.arange(offset, offset + n, dtype=np.int64)
        locators = pd.Series(batch.locators, dtype="str").reset_index(drop=True)
        with phases("encode_raw"):
            raw = rawbatch.encode_batch(batch, batch_no=batch_no, first_row_no=offset, encoding=summary.encoding)
        worker.submit_payload(raw_table(connector), raw, label="raw")
        offset += n
        batch_no += 1
        with phases("check"):
            check = check_frame(frame, connector, batch.row_errors)
        retyped = drift.retyped_fields(connector, check.stats)
        if retyped:
            raise _Drift({"added": [], "missing": [], "retyped": retyped}, _sample(connector, frame))
        t_prepare = time.perf_counter()
        keep = ~check.quarantined
        deleted = _deleted_flags(connector, batch, check.typed)
        stg = check.typed[keep].copy() if not keep.all() else check.typed
        stg.insert(0, "locator", locators[keep].to_numpy() if not keep.all() else locators)
        stg.insert(1, "row_no", row_no[keep])
        stg.insert(2, "confidence", check.confidence[keep])
        if deleted.any():  # else the column default (false)
            stg.insert(3, "deleted", deleted[keep])
        phases["prepare"] += time.perf_counter() - t_prepare
        worker.submit(staging_table(connector), stg, date_columns=date_fields, types=stg_types, label="staging")
        staged += len(stg)
        bad = check.violations[check.quarantined[check.violations["row"].to_numpy()]] if len(check.violations) else None
        if bad is not None and len(bad):
            q = pd.DataFrame(
                {
                    "load_id": summary.load_id,
                    "connector": connector.name,
                    "locator": locators.iloc[bad["row"].to_numpy()].to_numpy(),
                    "field": bad["field"].to_numpy(),
                    "rule": bad["rule"].to_numpy(),
                    "value": bad["value"].to_numpy(),
                    "reason": bad["reason"].to_numpy(),
                }
            )
            worker.submit(_QUARANTINE, q, label="quarantine")
            reasons.update(bad[bad["level"] == "quarantine"]["rule"].value_counts().to_dict())
        quarantined += int(check.quarantined.sum())
        for name, st in check.stats.items():
            t = totals[name]
            t.rows += st.rows
            t.nulls += st.nulls
            t.illegal += st.illegal
            t.illegal_type += st.illegal_type
    return staged, quarantined, header_checked


def _deleted_flags(connector, batch: SourceBatch, typed: pd.DataFrame) -> np.ndarray:
    """Rows the source marks deleted: the source's own flag, or a true value in the connector's delete marker
    field (a tombstone column in a file or table)."""
    flags = np.asarray(batch.deleted, dtype=bool)
    marker = connector.delete_marker
    if marker and marker in typed.columns:
        flags = flags | typed[marker].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return flags


def ingest_file(
    target: str | psycopg.Connection, connector: Connector, path: str | Path, *, load_id: str | None = None,
    chunk_rows: int | None = None, to_core: bool = True, phases: Phases | None = None,
    progress: Progress = NO_PROGRESS,
) -> LoadSummary:
    """Load one delimited file with the connector's declared delimiter and encoding."""
    kwargs = {"chunk_rows": chunk_rows} if chunk_rows else {}
    source = CsvSource.for_connector(connector, path, **kwargs)
    return ingest(target, connector, source, load_id=load_id, to_core=to_core, phases=phases, progress=progress)


def ingest_folder(
    target: str, connector: Connector, folder: str | Path, *, pattern: str = "*.csv", chunk_rows: int | None = None,
    progress: Progress = NO_PROGRESS,
) -> list[LoadSummary]:
    """Load every new file of a drop folder (see FolderSource); a failing file does not stop the others."""
    from crmhub.ingest.sources.folder_source import FolderSource

    folder_source = FolderSource(folder, connector, pattern=pattern, chunk_rows=chunk_rows)
    return folder_source.load_all(target, lambda source: ingest(target, connector, source, progress=progress))
