"""Turn the map's security policy into PostgreSQL: roles, ownership, grants, the masked ``secure`` views.

Run by ``crmhub db upgrade`` after the migrations (as the migrating admin: it needs CREATEROLE) and safe to
run again. Roles are cluster-wide while many databases may be upgraded at once (tests, several
warehouses on one server), so every role statement tolerates a concurrent twin: it checks first and
retries on "already exists" / "tuple concurrently updated". The grant transaction collides the same way
(a GRANT/REVOKE writes shared dependency rows), so it runs again from the start, up to eight times.

Grants (``R`` = the configured role names):
- ``R.owner`` owns every table, view, sequence and function in raw/staging/core/ops/marts/secure.
- ``R.loader`` and ``R.app`` read and write raw/staging/core/ops/marts (and create tables in raw/staging/marts;
  ``R.app`` may create the mart schema and is a member of ``R.loader``, so it may alter tables the loader made).
- ``R.webhook`` may only INSERT into the three webhook tables.
- ``R.reader`` may only SELECT the ``secure`` views (classified columns masked) and its own access-log rows.
- ``R.finance`` / ``R.steward`` are readers that may also call ``secure.unmask()`` for the classes the map
  grants them; each call writes ``ops.access_log``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import errors, sql

from crmhub.config import IntegrationMap
from crmhub.exceptions import ConfigError
from crmhub.security.policy import DATA_SCHEMAS, SecurityPolicy, load_policy
from crmhub.warehouse import connect

WRITABLE_SCHEMAS = ("raw", "staging", "core", "ops", "marts")
CREATE_SCHEMAS = ("raw", "staging", "marts")  # loaders/tasks create connector and mart tables at run time
WEBHOOK_TABLES = ("ops.webhook_events", "ops.webhook_deliveries", "ops.webhook_rejections")
# Columns the webhook role must SELECT for INSERT ... ON CONFLICT (conflict target) to work.
WEBHOOK_KEY_COLUMNS = {"ops.webhook_events": ("event_id",), "ops.webhook_deliveries": ("signature_sha256",)}
T = TypeVar("T")
_RETRYABLE = (errors.DuplicateObject, errors.UniqueViolation, errors.InternalError_, errors.DeadlockDetected)


@dataclass
class ProvisionReport:
    roles_created: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    pgaudit: bool = False

    def summary(self) -> str:
        made = ", ".join(self.roles_created) or "none new"
        return (f"security: roles {made}; {len(self.views)} masked view(s) in secure"
                + ("; pgaudit on" if self.pgaudit else ""))


def _retrying(work: Callable[[], T], attempts: int = 8) -> T:
    """``work()`` again after a collision with a concurrent twin; the last collision is raised, never swallowed.

    PostgreSQL raises "tuple concurrently updated" (XX000) when two sessions change the same catalog row,
    including the shared ones (roles, memberships, the dependency rows a GRANT/REVOKE writes), even when each
    upgrades its own database; every caller here is idempotent, so running it again is the fix.
    """
    for attempt in range(attempts):
        try:
            return work()
        except _RETRYABLE:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _cluster_statement(conn: psycopg.Connection, check: sql.Composable, params: tuple, stmt: sql.Composable) -> bool:
    """Run a cluster-wide statement unless ``check`` already finds its effect; True when this call did it."""
    def once() -> bool:
        with conn.transaction():
            if conn.execute(check, params).fetchone():
                return False
            conn.execute(stmt)
            return True
    return _retrying(once)


def role_url(url: str, role: str, password: str | None = None) -> str:
    """``url`` logging in as ``role`` instead (same host, database and options)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1] if "@" in parts.netloc else parts.netloc
    auth = quote(role) + (":" + quote(password, safe="") if password else "")
    return urlunsplit((parts.scheme, f"{auth}@{host}", parts.path, parts.query, parts.fragment))


def _retry(conn: psycopg.Connection, stmt: sql.Composable) -> None:
    def once() -> None:
        with conn.transaction():
            conn.execute(stmt)
    _retrying(once)


def expected_memberships(policy: SecurityPolicy) -> set[tuple[str, str]]:
    """``(granted role, member)``: finance and steward are readers; the app may act on loader-created tables."""
    r = policy.roles
    return {(r["reader"], r["finance"]), (r["reader"], r["steward"]), (r["loader"], r["app"])}


def ensure_roles(conn: psycopg.Connection, policy: SecurityPolicy) -> list[str]:
    """Create the roles (LOGIN, no superuser/createdb/createrole/bypassrls) and the reader memberships.

    A role's password is set from ``$CRMHUB_<KEY>_PASSWORD`` (e.g. ``CRMHUB_APP_PASSWORD``) when present.
    """
    created = []
    exists = sql.SQL("SELECT 1 FROM pg_roles WHERE rolname = %s")
    for name in policy.roles.values():
        stmt = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION").format(
            sql.Identifier(name))
        if _cluster_statement(conn, exists, (name,), stmt):
            created.append(name)
    for key, name in policy.roles.items():
        password = os.environ.get(f"CRMHUB_{key.upper()}_PASSWORD")
        if password:  # deployments with password auth (docker-compose); trust/peer/cert setups leave it unset
            _retry(conn, sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))
    member = sql.SQL("SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                     "JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = %s AND u.rolname = %s")
    for granted, who in expected_memberships(policy):
        _cluster_statement(conn, member, (granted, who),
                           sql.SQL("GRANT {} TO {}").format(sql.Identifier(granted), sql.Identifier(who)))
    return created


def core_catalog(conn: psycopg.Connection) -> dict[str, list[str]]:
    """``{table: [columns in order]}`` of the base tables in ``core``."""
    rows = conn.execute(
        """SELECT c.relname, a.attname FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'core'
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE c.relkind IN ('r', 'p') ORDER BY c.relname, a.attnum"""
    ).fetchall()
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def record_classes(conn: psycopg.Connection, policy: SecurityPolicy, catalog: dict[str, list[str]]) -> None:
    """Refuse unclassified core columns; copy classes and unmask grants where ``secure.unmask`` reads them."""
    problems = policy.unclassified(catalog)
    if problems:
        raise ConfigError(policy.source, problems)
    conn.execute("DELETE FROM ops.data_classes")
    conn.execute("DELETE FROM ops.unmask_grants")
    conn.execute("DELETE FROM ops.retention_floor")
    conn.execute("INSERT INTO ops.retention_floor VALUES ('access_log', %s)", (policy.retention_seconds("access_log"),))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO ops.data_classes VALUES (%s, %s, %s)",
                        [(t, c, policy.column_class(t, c)) for t, cols in catalog.items() for c in cols])
        cur.executemany("INSERT INTO ops.unmask_grants VALUES (%s, %s)",
                        [(cls, role) for cls, roles in policy.unmask_grants.items() for role in roles])


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _schemas(conn: psycopg.Connection) -> list[str]:
    wanted = (*DATA_SCHEMAS, "secure")
    return [r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", (list(wanted),))]


def transfer_ownership(conn: psycopg.Connection, owner: str) -> None:
    """Make ``owner`` own our schemas, their functions and the core/ops/secure relations (migrations may
    have run as another admin); run-time tables in raw/staging/marts keep the writer that created them."""
    # raw/staging/marts tables are created at run time by the writer that owns them (it may ALTER them later)
    owned = [s for s in _schemas(conn) if s not in CREATE_SCHEMAS]
    rows = conn.execute(
        """SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p', 'v', 'm')
              AND pg_get_userbyid(c.relowner) <> %s""",
        (owned, owner),
    ).fetchall()
    for schema, name, kind in rows:
        what = "VIEW" if kind == "v" else ("MATERIALIZED VIEW" if kind == "m" else "TABLE")
        conn.execute(sql.SQL("ALTER {} {}.{} OWNER TO {}").format(sql.SQL(what), _ident(schema), _ident(name),
                                                               _ident(owner)))
    funcs = conn.execute(
        """SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = ANY(%s) AND pg_get_userbyid(p.proowner) <> %s""", (_schemas(conn), owner)).fetchall()
    for (signature,) in funcs:
        conn.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), _ident(owner)))
    for schema in _schemas(conn):
        conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(_ident(schema), _ident(owner)))


def apply_grants(conn: psycopg.Connection, policy: SecurityPolicy) -> None:
    """Revoke what PUBLIC and stale grants allow, then grant each role exactly its share."""
    r = {k: _ident(v) for k, v in policy.roles.items()}
    schemas = _schemas(conn)
    writable = [s for s in schemas if s in WRITABLE_SCHEMAS]
    everyone = sql.SQL(", ").join([r[k] for k in ("loader", "app", "webhook", "reader", "finance", "steward")])
    for schema in schemas:
        s = _ident(schema)
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC, {}").format(s, everyone))
        conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM PUBLIC, {}").format(s, everyone))
        conn.execute(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM PUBLIC, {}").format(s, everyone))
        _revoke_column_grants(conn, schema, [policy.roles[k] for k in ("webhook", "reader", "finance", "steward")])
    for schema in writable:
        s = _ident(schema)
        for key in ("loader", "app"):
            extra = sql.SQL(", CREATE") if schema in CREATE_SCHEMAS else sql.SQL("")
            conn.execute(sql.SQL("GRANT USAGE{} ON SCHEMA {} TO {}").format(extra, s, r[key]))
            conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {} TO {}")
                         .format(s, r[key]))
            conn.execute(sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r[key]))
            conn.execute(sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {} TO {}").format(s, r[key]))
            _default_privileges(conn, policy.roles["owner"], schema, r[key])
        # tables a loader/task creates at run time are readable by the other writer
        if schema in CREATE_SCHEMAS:
            _default_privileges(conn, policy.roles["loader"], schema, r["app"])
            _default_privileges(conn, policy.roles["app"], schema, r["loader"])
    if "ops" in schemas:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA ops TO {}").format(r["webhook"]))
        for table in WEBHOOK_TABLES:
            conn.execute(sql.SQL("GRANT INSERT ON {} TO {}").format(sql.SQL(table), r["webhook"]))
        for table, cols in WEBHOOK_KEY_COLUMNS.items():
            conn.execute(sql.SQL("GRANT SELECT ({}) ON {} TO {}").format(
                sql.SQL(", ").join(map(_ident, cols)), sql.SQL(table), r["webhook"]))
        conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE ops.webhook_rejections_id_seq TO {}").format(r["webhook"]))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA secure TO {}").format(r["reader"]))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA secure TO {}").format(r["reader"]))
    # reverse ETL creates its mart schema (CREATE SCHEMA IF NOT EXISTS checks this privilege first)
    conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
        _ident(conn.info.dbname), r["app"]))
    # the access log and what guards it are append-only / read-only for the application roles
    for table, privs in (("ops.access_log", "UPDATE, DELETE, TRUNCATE"), ("ops.retention_floor", "INSERT, UPDATE, DELETE, TRUNCATE"),
                         ("ops.data_classes", "INSERT, UPDATE, DELETE, TRUNCATE"),
                         ("ops.unmask_grants", "INSERT, UPDATE, DELETE, TRUNCATE")):
        conn.execute(sql.SQL("REVOKE {} ON {} FROM {}, {}").format(sql.SQL(privs), sql.SQL(table), r["loader"], r["app"]))
    conn.execute(sql.SQL("REVOKE ALL ON FUNCTION secure.purge_access_log(timestamptz) FROM PUBLIC"))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA secure TO {}").format(r["app"]))
    conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION secure.purge_access_log(timestamptz) TO {}").format(r["app"]))
    conn.execute(sql.SQL("REVOKE ALL ON FUNCTION secure.unmask(text, text[], text, text[], integer) FROM PUBLIC"))
    conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION secure.unmask(text, text[], text, text[], integer) TO {}, {}")
                 .format(r["finance"], r["steward"]))


def _revoke_column_grants(conn: psycopg.Connection, schema: str, roles: list[str]) -> None:
    rows = conn.execute(
        """SELECT DISTINCT table_name, column_name, grantee FROM information_schema.column_privileges
            WHERE table_schema = %s AND grantee = ANY(%s)""", (schema, roles)).fetchall()
    for table, column, grantee in rows:
        conn.execute(sql.SQL("REVOKE ALL ({}) ON {}.{} FROM {}").format(_ident(column), _ident(schema), _ident(table),
                                                                     _ident(grantee)))


def _default_privileges(conn: psycopg.Connection, creator: str, schema: str, grantee: sql.Identifier) -> None:
    conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT SELECT, INSERT, UPDATE, DELETE, "
                         "TRUNCATE ON TABLES TO {}").format(_ident(creator), _ident(schema), grantee))
    conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT USAGE, SELECT, UPDATE ON "
                         "SEQUENCES TO {}").format(_ident(creator), _ident(schema), grantee))


def masked_expression(column: str, data_class: str, pg_type: str) -> sql.Composable:
    """The select-list expression of one column in its secure view (the class decides, nothing else)."""
    col = _ident(column)
    if data_class in ("public", "internal"):
        return col
    if data_class == "financial" and pg_type in ("numeric", "integer", "bigint", "double precision", "real"):
        return sql.SQL("secure.amount_band({}::numeric) AS {}").format(col, col)
    if data_class == "financial":
        return sql.SQL("CASE WHEN {} IS NULL THEN NULL ELSE '***' END AS {}").format(col, col)
    return sql.SQL("secure.mask_text({}::text) AS {}").format(col, col)


def build_secure_views(conn: psycopg.Connection, policy: SecurityPolicy, catalog: dict[str, list[str]]) -> list[str]:
    """(Re)create ``secure.<table>`` for every core table: security-barrier views with classified columns masked."""
    types = dict(((t, c), ty) for t, c, ty in conn.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, NULL) FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'core'
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped""").fetchall())
    existing = {r[0] for r in conn.execute(
        "SELECT viewname FROM pg_views WHERE schemaname = 'secure'").fetchall()}
    made = []
    for table, columns in sorted(catalog.items()):
        exprs = [masked_expression(c, policy.column_class(table, c), types[(table, c)]) for c in columns]
        conn.execute(sql.SQL("DROP VIEW IF EXISTS secure.{}").format(_ident(table)))
        conn.execute(sql.SQL("CREATE VIEW secure.{} WITH (security_barrier) AS SELECT {} FROM core.{}").format(
            _ident(table), sql.SQL(", ").join(exprs), _ident(table)))
        made.append(table)
    conn.execute(sql.SQL("DROP VIEW IF EXISTS secure.my_access_log"))
    conn.execute("""CREATE VIEW secure.my_access_log WITH (security_barrier) AS
                    SELECT access_id, read_at, who, db_role, via, table_name, fields, classes, row_count, reason
                      FROM ops.access_log WHERE db_role = session_user""")
    for stale in sorted(existing - set(made) - {"my_access_log"}):
        conn.execute(sql.SQL("DROP VIEW IF EXISTS secure.{}").format(_ident(stale)))
    return made


def enable_pgaudit(conn: psycopg.Connection, policy: SecurityPolicy) -> bool:
    """Where the server preloads pgaudit: object audit of every classified core column, session audit of reads
    by the unmasking roles. False (nothing done) when pgaudit is not installed or not preloaded.

    Object audit works through ``pgaudit.role`` (set on this database): a NOLOGIN role that holds SELECT on
    exactly the ``pii_*`` / ``financial`` columns, so any statement touching one (a task's query, the SQL
    inside ``secure.unmask()``) is written to the server log, whoever runs it; statements that read only
    public/internal columns are not. Values never reach the log (``pgaudit.log_parameter`` stays off).
    """
    preload = conn.execute("SELECT current_setting('shared_preload_libraries', true)").fetchone()[0] or ""
    available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgaudit'").fetchone()
    if not available or "pgaudit" not in [p.strip() for p in preload.split(",")]:
        return False
    conn.execute("CREATE EXTENSION IF NOT EXISTS pgaudit")
    auditor = policy.audit_role
    _cluster_statement(conn, sql.SQL("SELECT 1 FROM pg_roles WHERE rolname = %s"), (auditor,),
                       sql.SQL("CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS").format(
                           _ident(auditor)))
    sensitive = conn.execute(
        """SELECT d.table_name, array_agg(d.column_name ORDER BY d.column_name) FROM ops.data_classes d
             JOIN pg_class c ON c.relname = d.table_name
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'core'
            WHERE d.data_class IN ('pii_contact', 'pii_tax', 'financial') GROUP BY d.table_name""").fetchall()
    with conn.transaction():
        conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA core FROM {}").format(_ident(auditor)))
        _revoke_column_grants(conn, "core", [auditor])
        for table, columns in sensitive:
            conn.execute(sql.SQL("GRANT SELECT ({}) ON core.{} TO {}").format(
                sql.SQL(", ").join(map(_ident, columns)), _ident(table), _ident(auditor)))
        conn.execute(sql.SQL("ALTER DATABASE {} SET pgaudit.role = {}").format(
            _ident(conn.info.dbname), sql.Literal(auditor)))
    for key in ("finance", "steward"):  # people: every read they make, not only classified columns
        _retry(conn, sql.SQL("ALTER ROLE {} SET pgaudit.log = 'read'").format(_ident(policy.roles[key])))
    _retry(conn, sql.SQL("ALTER ROLE {} RESET pgaudit.log").format(_ident(policy.roles["app"])))  # object audit
    return True


def provision(url: str, imap: IntegrationMap | None = None, *,
              on_step: Callable[[str], None] | None = None) -> ProvisionReport:
    """Roles, classes, ownership, grants and masked views for the warehouse at ``url`` (idempotent)."""
    policy = load_policy(imap)
    report = ProvisionReport()
    with connect(url, autocommit=True) as conn:
        report.roles_created = ensure_roles(conn, policy)
        catalog = core_catalog(conn)

        def grant() -> list[str]:
            with conn.transaction():  # all or nothing, so a collision is retried from the start
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('crmhub.security.provision'))")  # this database
                record_classes(conn, policy, catalog)
                views = build_secure_views(conn, policy, catalog)
                transfer_ownership(conn, policy.roles["owner"])
                apply_grants(conn, policy)
                return views
        report.views = _retrying(grant)
        try:
            report.pgaudit = enable_pgaudit(conn, policy)
        except psycopg.Error:  # optional: never block an upgrade on it
            report.pgaudit = False
    if on_step:
        on_step(report.summary())
    return report
