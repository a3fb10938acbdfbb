"""Advisory-lock keys shared by the capabilities (one rule, one place).

One load per connector at a time: a load holds ``load_lock_key(connector)`` for its whole run, on a small
*lease* connection of its own (:class:`LoadLease`). The lease connection sits idle while the load's own
connection works, so when the loading process dies (even by SIGKILL) the server sees the lease's socket
close at once and releases the lock - while the load's backend may still be busy with a statement. A
``running`` load whose lock is no longer held is therefore stale (``crmhub.sync.liveness``).
"""

from __future__ import annotations

import psycopg

#: first key of every connector load lock (``hashtext`` of this text); the second is ``hashtext(connector)``
LOAD_LOCK_NAMESPACE = "crmhub.load"


def load_lock_key(conn: psycopg.Connection, connector: str) -> tuple[int, int]:
    """The two int4 keys of ``connector``'s load lock, as ``pg_advisory_lock(k1, k2)`` takes them."""
    k1, k2 = conn.execute("SELECT hashtext(%s), hashtext(%s)", (LOAD_LOCK_NAMESPACE, connector)).fetchone()
    return int(k1), int(k2)


#: SQL (params: connector) true when some backend holds (granted) the connector's load lock.
LOAD_LOCK_HELD_SQL = """
SELECT EXISTS (
    SELECT 1 FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (
           SELECT oid FROM pg_database WHERE datname = current_database())
       AND l.classid::bigint = (hashtext(%(ns)s)::bigint + 4294967296) %% 4294967296
       AND l.objid::bigint = (hashtext(%(connector)s)::bigint + 4294967296) %% 4294967296
       AND (%(pid)s::integer IS NULL OR l.pid = %(pid)s::integer))
"""


def load_lock_held(conn: psycopg.Connection, connector: str, *, pid: int | None = None) -> bool:
    """True when the load lock of ``connector`` is held (by backend ``pid`` when given)."""
    return bool(conn.execute(LOAD_LOCK_HELD_SQL, {"ns": LOAD_LOCK_NAMESPACE, "connector": connector, "pid": pid})
                .fetchone()[0])


class LoadLease:
    """``with LoadLease(conn, connector) as lease:`` - hold ``connector``'s load lock on a connection of its own.

    Waits for a running load of the same connector to finish (one load per connector at a time);
    ``lease.pid`` is the backend holding the lock.
    """

    def __init__(self, conn: psycopg.Connection, connector: str):
        self._dsn = conn.info.dsn
        self._password = conn.info.password
        self.connector = connector
        self.pid: int | None = None
        self._lease: psycopg.Connection | None = None

    def __enter__(self) -> LoadLease:
        kwargs = {"password": self._password} if self._password else {}
        self._lease = psycopg.connect(self._dsn, autocommit=True, application_name="crmhub-load-lease", **kwargs)
        try:
            k1, k2 = load_lock_key(self._lease, self.connector)
            self._lease.execute("SELECT pg_advisory_lock(%s, %s)", (k1, k2))
            self.pid = self._lease.info.backend_pid
        except BaseException:
            self._lease.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._lease is not None:
            self._lease.close()  # closing the session releases the lock
            self._lease = None
