"""Embedded PostgreSQL (the ``pgserver`` package) for a machine with nothing installed.

The server keeps its data under ``<CRMHUB_HOME>/pg``. Its URL is socket-only:
``postgresql://postgres:@/crmhub?host=<dir>``.
"""

from __future__ import annotations

import logging
import subprocess
import warnings
from pathlib import Path

from crmhub import settings
from crmhub.exceptions import WarehouseError

log = logging.getLogger(__name__)

DATABASE = "crmhub"
# pgserver asks platformdirs for a runtime dir; on a headless box it warns on every call.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def data_dir() -> Path:
    return settings.home() / "pg"


class EmbeddedPostgres:
    """Start (or attach to) the embedded server; ``stop()`` shuts it down cleanly.

    Args:
        pgdata: data directory; defaults to ``<CRMHUB_HOME>/pg``.
        keep_running: leave the server up when this process exits (``make airflow``); otherwise
            it stops when the last crmhub process using it is done.
    """

    def __init__(self, pgdata: Path | None = None, *, keep_running: bool = False):
        self.pgdata = Path(pgdata or data_dir()).resolve()
        self.keep_running = keep_running
        self._server = None

    def start(self, database: str = DATABASE) -> str:
        """Start the server if needed, create ``database`` if missing, return its URL."""
        try:
            import pgserver
        except ImportError as exc:  # pragma: no cover - pinned in requirements.txt
            raise WarehouseError("embedded PostgreSQL needs the 'pgserver' package: pip install pgserver") from exc
        if self._server is None:
            self.pgdata.parent.mkdir(parents=True, exist_ok=True)
            log.info("starting embedded PostgreSQL in %s", self.pgdata)
            self._server = pgserver.get_server(self.pgdata, cleanup_mode=None if self.keep_running else "stop")
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
        if "(1 row)" not in exists:
            self._server.psql(f'CREATE DATABASE "{database}";')
        return self.url(database)

    def recreate(self, database: str = DATABASE) -> str:
        """Drop and create ``database`` (the demo starts from an empty warehouse); returns its URL."""
        self.start("postgres")
        self._server.psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE);')
        return self.start(database)

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres:@/{database}?host={self.pgdata}"

    def stop(self) -> None:
        """Stop the server now, whoever started it (``pg_ctl stop -m fast``)."""
        if self._server is not None:
            self._server.cleanup_mode = "stop"
            self._server.cleanup()
            self._server = None
            return
        stop_embedded(self.pgdata)


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop an embedded server left running; returns False when none was running."""
    import pgserver  # noqa: F401  (locates the bundled binaries)
    from pgserver._commands import POSTGRES_BIN_PATH

    pgdata = Path(pgdata or data_dir())
    if not (pgdata / "postmaster.pid").exists():
        return False
    cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
    owner = pgdata.owner()
    if owner != _current_user():
        cmd = ["su", owner, "-s", "/bin/sh", "-c", " ".join(cmd)]
    subprocess.run(cmd, check=True, capture_output=True)
    return True


def _current_user() -> str:
    import getpass

    return getpass.getuser()
