"""A drop folder (SFTP landing): each new file is one load; processed files are remembered.

"Processed" = ``ops.loads`` holds a load of this connector with the same file name *and* checksum whose
status is ``loaded`` or ``rejected`` (the same bytes would be rejected again). A file whose content
changed (same name, new checksum) is new; a parked load (schema drift) is retried after unfreeze.
Re-running over the same folder is therefore idempotent. Files are taken oldest first (mtime, name).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg

from crmhub.config.integration_map import Connector
from crmhub.ingest.sources.csv_source import CsvSource


class FolderSource:
    """Yields a :class:`CsvSource` per unprocessed file in ``folder`` matching ``pattern``."""

    def __init__(self, folder: str | Path, connector: Connector, *, pattern: str = "*.csv", chunk_rows: int | None = None):
        self.folder = Path(folder)
        self.connector = connector
        self.pattern = pattern
        self.chunk_rows = chunk_rows
        self.name = connector.name

    def files(self) -> list[Path]:
        found = [p for p in self.folder.glob(self.pattern) if p.is_file() and not p.name.startswith(".")]
        return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))

    def processed(self, conn: psycopg.Connection) -> set[tuple[str, str]]:
        rows = conn.execute(
            "SELECT origin, checksum FROM ops.loads WHERE connector = %s AND status IN ('loaded', 'rejected', 'reverted') "
            "AND checksum IS NOT NULL",
            (self.connector.name,),
        ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def pending(self, conn: psycopg.Connection) -> Iterator[CsvSource]:
        """Sources for the files not processed yet (checksums computed here, one streaming pass each)."""
        done = self.processed(conn)
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
