"""Apply the ordered SQL migrations in ``migrations/`` exactly once each.

Files are named ``NNNN_topic.sql``. Each runs in its own transaction and is recorded in
``ops.schema_migrations`` with a checksum; an applied file whose text changed is an error,
not a silent re-run. An advisory lock keeps two processes from migrating at once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from crmhub.exceptions import MigrationError, WarehouseError
from crmhub.warehouse.connection import connect

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x63726D68  # "crmh"

_BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS ops.schema_migrations (
    version    text PRIMARY KEY,
    filename   text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
"""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, ordered by version; a badly named .sql file is an error."""
    found: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise WarehouseError(f"{path}: migration files must be named NNNN_topic.sql")
        version = match.group(1)
        if version in found:
            raise WarehouseError(f"{path}: version {version} already used by {found[version].path.name}")
        found[version] = Migration(version, path)
    return [found[v] for v in sorted(found)]


def applied_versions(conn: psycopg.Connection) -> dict[str, str]:
    """``{version: checksum}`` of what is applied (empty on a blank database)."""
    exists = conn.execute("SELECT to_regclass('ops.schema_migrations')").fetchone()[0]
    if exists is None:
        return {}
    return dict(conn.execute("SELECT version, checksum FROM ops.schema_migrations").fetchall())


def _up_to_date(conn: psycopg.Connection, migrations: list[Migration]) -> bool:
    done = applied_versions(conn)
    return all(done.get(m.version) == m.checksum for m in migrations)


def upgrade(url: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply pending migrations; returns the file names applied (empty when up to date)."""
    migrations = discover(directory)
    applied: list[str] = []
    with connect(url, autocommit=True) as conn:
        if _up_to_date(conn, migrations):  # nothing to do: no DDL, so the loader/app roles may call this too
            return applied
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            try:
                conn.execute(_BOOTSTRAP)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise WarehouseError(f"migrations are pending and {conn.info.user} may not apply them: run "
                                     "`crmhub db upgrade` as the warehouse owner (docs/security.md)") from exc
            done = applied_versions(conn)
            for mig in migrations:
                if mig.version in done:
                    if done[mig.version] != mig.checksum:
                        raise WarehouseError(
                            f"{mig.path.name} was changed after it was applied; add a new migration instead"
                        )
                    continue
                try:
                    with conn.transaction():
                        conn.execute(mig.sql)
                        conn.execute(
                            "INSERT INTO ops.schema_migrations (version, filename, checksum) VALUES (%s, %s, %s)",
                            (mig.version, mig.path.name, mig.checksum),
                        )
                except psycopg.Error as exc:
                    raise MigrationError(mig.version, mig.path.name, exc) from exc
                applied.append(mig.path.name)
            repoint_now_defaults(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied


def repoint_now_defaults(conn: psycopg.Connection) -> int:
    """Point every column ``DEFAULT now()`` at ``ops.clock()`` (idempotent; see ``crmhub.clock``).

    Runs after each upgrade, so columns added by any migration follow the simulation's clock. Returns how
    many defaults changed (0 before migration 0100 exists or when all already point at the clock).
    """
    if conn.execute("SELECT to_regprocedure('ops.repoint_now_defaults()')").fetchone()[0] is None:
        return 0
    return conn.execute("SELECT ops.repoint_now_defaults()").fetchone()[0]
