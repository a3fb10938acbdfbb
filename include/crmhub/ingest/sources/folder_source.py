"""A drop folder (SFTP landing): each new file is one load; processed files are remembered.

"Processed" = ``ops.loads`` holds a load of this connector with the same file name *and* checksum whose
status is ``loaded`` or ``rejected`` (the same bytes would be rejected again). A file whose content
changed (same name, new checksum) is new; a parked load (schema drift) is retried after unfreeze.
Re-running over the same folder is therefore idempotent. Files are taken oldest first (mtime, name).

Hardening:

* **A file still being written is not picked up**: a file younger than ``min_age_s`` (connector
  ``source.min_file_age``, default 60 s) must keep its size and mtime across two looks ``settle_s``
  apart (one wait per listing, not per file); one that changed is left for the next run.
* **A failing file never blocks the folder** (:meth:`FolderSource.load_all`): a rejection is recorded by
  the loader as usual; any other error is recorded in ``ops.drop_file_failures`` (connector, file,
  checksum, error type) and the next file is loaded. The same bytes are tried again on later runs until
  they failed ``DROP_FILE_MAX_FAILURES`` times (``crmhub.sync.connector_state``); then the file is skipped
  until it changes, and the health cycle opens an incident for the connector's owner (trigger
  ``drop_file_failure``, :func:`crmhub.health.causes.drop_file_failures`; ingest never imports health).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg

from crmhub.config.integration_map import Connector, duration_seconds
from crmhub.exceptions import RejectedFileError
from crmhub.ingest.sources.csv_source import CsvSource
from crmhub.sync.connector_state import DROP_FILE_MAX_FAILURES

log = logging.getLogger(__name__)

DEFAULT_MIN_AGE_S = 60.0
DEFAULT_SETTLE_S = 1.0


class FolderSource:
    """Yields a :class:`CsvSource` per unprocessed file in ``folder`` matching ``pattern``."""

    def __init__(self, folder: str | Path, connector: Connector, *, pattern: str = "*.csv", chunk_rows: int | None = None,
                 min_age_s: float | None = None, settle_s: float = DEFAULT_SETTLE_S):
        self.folder = Path(folder)
        self.connector = connector
        self.pattern = pattern
        self.chunk_rows = chunk_rows
        self.name = connector.name
        age = connector.source.get("min_file_age") if min_age_s is None else None
        self.min_age_s = float(duration_seconds(age) if age else (DEFAULT_MIN_AGE_S if min_age_s is None else min_age_s))
        self.settle_s = settle_s
        self.max_failures = DROP_FILE_MAX_FAILURES  # the health cycle's drop_file_failure cause uses it too

    def files(self) -> list[Path]:
        """The folder's files, oldest first, without those still being written."""
        found = [p for p in self.folder.glob(self.pattern) if p.is_file() and not p.name.startswith(".")]
        now = time.time()
        first = {p: _look(p) for p in found}
        fresh = [p for p in found if first[p] and now - first[p][1] / 1e9 < self.min_age_s]
        if fresh:
            time.sleep(self.settle_s)
            for p in fresh:
                if _look(p) != first[p]:
                    log.info("%s: %s is still being written; left for the next run", self.name, p.name)
                    found.remove(p)
        found = [p for p in found if first[p] is not None]
        return sorted(found, key=lambda p: (first[p][1], p.name))

    def processed(self, conn: psycopg.Connection) -> set[tuple[str, str]]:
        rows = conn.execute(
            "SELECT origin, checksum FROM ops.loads WHERE connector = %s AND status IN ('loaded', 'rejected', 'reverted') "
            "AND checksum IS NOT NULL",
            (self.connector.name,),
        ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def given_up(self, conn: psycopg.Connection) -> set[tuple[str, str]]:
        """Files (name, checksum) that failed ``max_failures`` times: skipped until their bytes change."""
        rows = conn.execute(
            "SELECT origin, checksum FROM ops.drop_file_failures WHERE connector = %s"
            " GROUP BY origin, checksum HAVING count(*) >= %s",
            (self.connector.name, self.max_failures),
        ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def pending(self, conn: psycopg.Connection) -> Iterator[CsvSource]:
        """Sources for the files not processed yet (checksums computed here, one streaming pass each)."""
        done = self.processed(conn) | self.given_up(conn)
        kwargs = {"chunk_rows": self.chunk_rows} if self.chunk_rows else {}
        for path in self.files():
            source = CsvSource.for_connector(self.connector, path, **kwargs)
            try:
                key = (source.origin, source.checksum)
            except Exception:  # an unreadable file is handed to the loader, which records the rejection
                yield source
                continue
            if key not in done:
                yield source

    def load_all(self, target: str, load_one: Callable[[CsvSource], Any]) -> list[Any]:
        """``load_one(source)`` for every pending file; a failing file is recorded and skipped (see module doc).

        Returns what ``load_one`` returned for each file, or a rejection's summary (``exc.summary``).
        """
        from crmhub.warehouse import connect

        with connect(target, autocommit=True) as conn:
            sources = list(self.pending(conn))
        out: list[Any] = []
        for source in sources:
            try:
                out.append(load_one(source))
            except RejectedFileError as exc:
                summary = getattr(exc, "summary", None)
                if summary is not None:   # recorded as rejected by the loader
                    out.append(summary)
                else:
                    self._record_failure(target, source, exc)
            except Exception as exc:  # noqa: BLE001 - any failure of one file must not block the newer ones
                self._record_failure(target, source, exc)
        return out

    def _record_failure(self, target: str, source: CsvSource, exc: BaseException) -> None:
        from crmhub.warehouse import connect

        try:
            checksum = source.checksum
        except Exception:  # noqa: BLE001
            checksum = "unreadable"
        log.error("%s: drop-folder file %s failed (%s); skipped, newer files still load",
                  self.name, source.origin, type(exc).__name__, exc_info=exc)
        with connect(target) as conn:
            conn.execute("INSERT INTO ops.drop_file_failures (connector, origin, checksum, error_type) "
                         "VALUES (%s, %s, %s, %s)", (self.name, source.origin, checksum, type(exc).__name__))
            conn.commit()


def _look(path: Path) -> tuple[int, int] | None:
    """(size, mtime in ns) of a file, or None when it vanished."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_size, st.st_mtime_ns
