"""Permissions audit: read the PostgreSQL catalog, compare it with the map's policy, list findings + fixes.

Checks (each finding names the object and the SQL that fixes it):
- ``missing_role`` / ``role_attributes``: every configured role exists, none is superuser, creates roles
  or databases, bypasses RLS or replicates.
- ``memberships``: between crmhub roles, only finance/steward -> reader and app -> loader.
- ``public_privilege``: PUBLIC holds no privilege on a schema, table, view or column crmhub governs.
- ``direct_grant``: reader/finance/steward hold nothing outside ``secure`` (no table or column grant);
  ``webhook`` holds nothing beyond INSERT on the webhook tables; only finance/steward may run ``secure.unmask``.
- ``default_privileges``: no default ACL hands future objects to PUBLIC or a reading role.
- ``unmasked_view``: no view outside ``secure`` that exposes a classified core column is readable by
  anyone but the owner/loader/app; every ``secure`` view is generated (one per core table) and a security barrier.
- ``unclassified_column``: every core column has a class.
- ``superuser_connection``: no application connection (Airflow connection / CRMHUB_WAREHOUSE_URL) logs
  in as a superuser or as a role the policy does not name for applications.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import psycopg

from crmhub.config import IntegrationMap
from crmhub.security.policy import DATA_SCHEMAS, SecurityPolicy, load_policy
from crmhub.security.provision import WEBHOOK_TABLES, core_catalog, expected_memberships
from crmhub.warehouse.connection import connect, redact

_UNMASK = "secure.unmask(text, text[], text, text[], integer)"
_GOVERNED = (*DATA_SCHEMAS, "secure")


@dataclass(frozen=True)
class Finding:
    check: str
    object: str
    detail: str
    fix: str

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.check}|{self.object}|{self.detail}".encode()).hexdigest()[:32]

    def render(self) -> str:
        return f"[{self.check}] {self.object}: {self.detail}\n    fix: {self.fix}"


def application_connections() -> dict[str, str]:
    """Application connections from the environment: ``CRMHUB_WAREHOUSE_URL`` and ``AIRFLOW_CONN_CRMHUB_WAREHOUSE*``."""
    out: dict[str, str] = {}
    if os.environ.get("CRMHUB_WAREHOUSE_URL"):
        out["CRMHUB_WAREHOUSE_URL"] = os.environ["CRMHUB_WAREHOUSE_URL"]
    for key, value in os.environ.items():
        if key.startswith("AIRFLOW_CONN_CRMHUB_WAREHOUSE"):
            out[key.removeprefix("AIRFLOW_CONN_").lower()] = _airflow_conn_url(value)
    return out


def _airflow_conn_url(value: str) -> str:
    """An Airflow connection (URI or JSON form) as a libpq URL."""
    if not value.lstrip().startswith("{"):
        return value.replace("postgres://", "postgresql://", 1)
    c = json.loads(value)
    auth = quote(c.get("login") or "") + (":" + quote(c["password"]) if c.get("password") else "")
    port = f":{c['port']}" if c.get("port") else ""
    return f"postgresql://{auth}@{c.get('host', 'localhost')}{port}/{c.get('schema', '')}"


def _rows(conn: psycopg.Connection, query: str, params: tuple = ()) -> list[tuple]:
    return conn.execute(query, params).fetchall()


def _role_findings(conn: psycopg.Connection, policy: SecurityPolicy) -> list[Finding]:
    out = []
    names = list(policy.roles.values())
    found = {r[0]: r[1:] for r in _rows(conn, """SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls,
                                                          rolreplication FROM pg_roles WHERE rolname = ANY(%s)""", (names,))}
    for key, name in policy.roles.items():
        if name not in found:
            out.append(Finding("missing_role", name, f"the {key} role of the policy does not exist",
                               "run `crmhub db upgrade` (it creates the roles)"))
            continue
        attrs = [a for a, on in zip(("SUPERUSER", "CREATEROLE", "CREATEDB", "BYPASSRLS", "REPLICATION"),
                                    found[name], strict=True) if on]
        if attrs:
            out.append(Finding("role_attributes", name, f"has {', '.join(attrs)}",
                               f"ALTER ROLE {name} " + " ".join("NO" + a for a in attrs) + ";"))
    for login, members in _rows(conn, """SELECT r.rolcanlogin, array_agg(u.rolname) FILTER (WHERE u.rolname IS NOT NULL)
                                           FROM pg_roles r LEFT JOIN pg_auth_members m ON m.roleid = r.oid
                                           LEFT JOIN pg_roles u ON u.oid = m.member
                                          WHERE r.rolname = %s GROUP BY r.rolcanlogin""", (policy.audit_role,)):
        if login or members:  # it holds SELECT on every classified column: nobody may use it
            out.append(Finding("role_attributes", policy.audit_role,
                               "pgaudit's audit role " + ("can log in" if login else f"has members {', '.join(members)}"),
                               f"ALTER ROLE {policy.audit_role} NOLOGIN;" if login else
                               f"REVOKE {policy.audit_role} FROM {', '.join(members)};"))
    expected = expected_memberships(policy)
    for granted, member in _rows(conn, """SELECT r.rolname, u.rolname FROM pg_auth_members m
                                            JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                                           WHERE r.rolname = ANY(%s) AND u.rolname = ANY(%s)""", (names, names)):
        if (granted, member) not in expected:
            out.append(Finding("memberships", f"{member} in {granted}",
                               f"{member} inherits {granted}'s privileges; the policy grants no such membership",
                               f"REVOKE {granted} FROM {member};"))
    return out


def _acl_findings(conn: psycopg.Connection, policy: SecurityPolicy) -> list[Finding]:
    out = []
    r = policy.roles
    readers = [r["reader"], r["finance"], r["steward"]]
    # schema, relation and column privileges held by PUBLIC (grantee 0) or a crmhub role
    acl = _rows(conn, """
        SELECT 'schema', n.nspname, NULL, coalesce(g.rolname, 'PUBLIC'), a.privilege_type
          FROM pg_namespace n, aclexplode(n.nspacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
         WHERE n.nspname = ANY(%(s)s) AND a.grantee <> n.nspowner
        UNION ALL
        SELECT 'table', format('%%I.%%I', n.nspname, c.relname), NULL, coalesce(g.rolname, 'PUBLIC'), a.privilege_type
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
          LEFT JOIN pg_roles g ON g.oid = a.grantee
         WHERE n.nspname = ANY(%(s)s) AND c.relkind IN ('r', 'p', 'v', 'm') AND a.grantee <> c.relowner
        UNION ALL
        SELECT 'column', format('%%I.%%I', n.nspname, c.relname), at.attname, coalesce(g.rolname, 'PUBLIC'),
               a.privilege_type
          FROM pg_attribute at JOIN pg_class c ON c.oid = at.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace,
               aclexplode(at.attacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
         WHERE n.nspname = ANY(%(s)s) AND at.attacl IS NOT NULL""".replace("%(s)s", "%s"),
        (list(_GOVERNED), list(_GOVERNED), list(_GOVERNED)))
    webhook_ok = {(t, "INSERT") for t in WEBHOOK_TABLES}
    for kind, obj, column, grantee, priv in acl:
        target = f"{obj}.{column}" if column else obj
        on = f"({column}) ON {obj}" if column else (f"ON SCHEMA {obj}" if kind == "schema" else f"ON {obj}")
        revoke = f"REVOKE {priv} {on} FROM {grantee};"
        schema = obj.split(".", 1)[0]
        if grantee == "PUBLIC":
            out.append(Finding("public_privilege", target, f"PUBLIC has {priv}", revoke))
        elif grantee in readers and kind != "schema" and schema != "secure":
            out.append(Finding("direct_grant", target, f"{grantee} has {priv} outside the masked views",
                               revoke + " (readers use the secure views)"))
        elif grantee in readers and kind == "schema" and schema != "secure":
            out.append(Finding("direct_grant", target, f"{grantee} has {priv} on schema {schema}", revoke))
        elif grantee == r["webhook"] and kind == "table" and (obj, priv) not in webhook_ok:
            out.append(Finding("direct_grant", target, f"the webhook role has {priv} beyond inserting webhooks", revoke))
        elif grantee == r["webhook"] and kind == "column" and priv != "SELECT":
            out.append(Finding("direct_grant", target, f"the webhook role has {priv}", revoke))
    for role in [r["reader"], r["webhook"], r["loader"], r["app"]]:
        if _rows(conn, """SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                             WHERE n.nspname = 'secure' AND p.proname = 'unmask'
                               AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)
                               AND has_function_privilege(%s, p.oid, 'EXECUTE')""", (role, role)):
            out.append(Finding("direct_grant", _UNMASK, f"{role} may unmask values",
                               f"REVOKE EXECUTE ON FUNCTION {_UNMASK} FROM {role}, PUBLIC;"))
    for creator, schema, grantee, objtype, priv in _rows(conn, """
            SELECT pg_get_userbyid(d.defaclrole), coalesce(n.nspname, '*'), coalesce(g.rolname, 'PUBLIC'),
                   d.defaclobjtype, a.privilege_type
              FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a
              LEFT JOIN pg_roles g ON g.oid = a.grantee
             WHERE a.grantee <> d.defaclrole"""):
        if grantee == "PUBLIC" and objtype == "f":
            continue  # functions are executable by PUBLIC by default everywhere; unmask is revoked explicitly
        if grantee == "PUBLIC" or grantee in readers or grantee == r["webhook"]:
            what = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS"}.get(objtype, objtype)
            in_schema = f" IN SCHEMA {schema}" if schema != "*" else ""
            out.append(Finding("default_privileges", f"{creator}{in_schema}",
                               f"future {what.lower()} get {priv} for {grantee}",
                               f"ALTER DEFAULT PRIVILEGES FOR ROLE {creator}{in_schema} REVOKE {priv} ON {what} "
                               f"FROM {grantee};"))
    return out


def _view_findings(conn: psycopg.Connection, policy: SecurityPolicy) -> list[Finding]:
    out = []
    sensitive = {(t, c) for t, cols in core_catalog(conn).items() for c in cols
                 if (policy.column_class(t, c) or "internal") not in ("public", "internal")}
    writers = {policy.roles["owner"], policy.roles["loader"], policy.roles["app"]}
    for schema, view, table, column in _rows(conn, """
            SELECT DISTINCT vn.nspname, v.relname, t.relname, a.attname
              FROM pg_rewrite r JOIN pg_class v ON v.oid = r.ev_class
              JOIN pg_namespace vn ON vn.oid = v.relnamespace
              JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass
                              AND d.refclassid = 'pg_class'::regclass
              JOIN pg_class t ON t.oid = d.refobjid
              JOIN pg_namespace tn ON tn.oid = t.relnamespace AND tn.nspname = 'core'
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
             WHERE v.relkind IN ('v', 'm') AND v.oid <> t.oid
               AND vn.nspname NOT IN ('secure', 'pg_catalog', 'information_schema')"""):
        if (table, column) not in sensitive:
            continue
        readers = {g for (g,) in _rows(conn, """
            SELECT coalesce(g.rolname, 'PUBLIC') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
                   aclexplode(c.relacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
             WHERE n.nspname = %s AND c.relname = %s AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner""",
            (schema, view))} - writers
        if readers:
            out.append(Finding("unmasked_view", f"{schema}.{view}",
                               f"exposes core.{table}.{column} ({policy.column_class(table, column)}) unmasked to "
                               f"{', '.join(sorted(readers))}",
                               f"REVOKE SELECT ON {schema}.{view} FROM {', '.join(sorted(readers))}; "
                               f"read it through secure.{table}"))
    expected = set(core_catalog(conn)) | {"my_access_log"}
    for view, options in _rows(conn, """SELECT c.relname, coalesce(c.reloptions, '{}') FROM pg_class c
                                          JOIN pg_namespace n ON n.oid = c.relnamespace
                                         WHERE n.nspname = 'secure' AND c.relkind IN ('v', 'r', 'm')"""):
        if view not in expected:
            out.append(Finding("unmasked_view", f"secure.{view}", "not generated from the classification",
                               f"DROP VIEW secure.{view}; (crmhub db upgrade generates the secure views)"))
        elif "security_barrier=true" not in options:
            out.append(Finding("unmasked_view", f"secure.{view}", "not a security-barrier view",
                               "run `crmhub db upgrade` to regenerate it"))
    return out


def _connection_findings(policy: SecurityPolicy, connections: dict[str, str]) -> list[Finding]:
    out = []
    allowed = {policy.roles[k] for k in ("loader", "app", "webhook")}
    for name, url in sorted(connections.items()):
        try:
            with connect(url) as conn:
                user, superuser = conn.execute(
                    "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
        except Exception as exc:  # noqa: BLE001 - an unreachable connection is a finding, not a crash
            out.append(Finding("superuser_connection", name, f"cannot check {redact(url)}: {type(exc).__name__}",
                               "make the connection reachable, then re-run the audit"))
            continue
        if superuser:
            out.append(Finding("superuser_connection", name, f"logs in as superuser {user}",
                               f"point {name} at one of {', '.join(sorted(allowed))} (docs/security.md)"))
        elif user not in allowed:
            out.append(Finding("superuser_connection", name, f"logs in as {user}, not an application role",
                               f"point {name} at one of {', '.join(sorted(allowed))}"))
    return out


def audit(url: str, imap: IntegrationMap | None = None, *, connections: dict[str, str] | None = None) -> list[Finding]:
    """Every finding on the warehouse at ``url``; ``connections`` defaults to :func:`application_connections`."""
    policy = load_policy(imap)
    with connect(url) as conn:
        findings = _role_findings(conn, policy) + _acl_findings(conn, policy) + _view_findings(conn, policy)
        findings += [Finding("unclassified_column", path.split(".", 2)[2], msg, "classify it in the integration map")
                     for path, msg in policy.unclassified(core_catalog(conn))]
    findings += _connection_findings(policy, application_connections() if connections is None else connections)
    return findings


def record_findings(url: str, imap: IntegrationMap | None = None, *,
                    connections: dict[str, str] | None = None) -> dict:
    """Weekly task body: audit, upsert ``ops.security_findings``, open an incident on a new finding.

    Findings that no longer appear are resolved. Returns ``{"findings": n, "new": n, "resolved": n}``.
    """
    from crmhub.health.incidents import open_incident

    findings = audit(url, imap, connections=connections)
    new = []
    with connect(url) as conn:
        seen = [f.fingerprint for f in findings]
        for f in findings:
            row = conn.execute(
                """UPDATE ops.security_findings SET last_seen = now() WHERE fingerprint = %s AND resolved_at IS NULL
                   RETURNING finding_id""", (f.fingerprint,)).fetchone()
            if row is None:
                conn.execute("""INSERT INTO ops.security_findings (fingerprint, check_name, object, detail, fix)
                                VALUES (%s, %s, %s, %s, %s)""", (f.fingerprint, f.check, f.object, f.detail, f.fix))
                new.append(f)
        resolved = conn.execute(
            """UPDATE ops.security_findings SET resolved_at = now()
                WHERE resolved_at IS NULL AND NOT (fingerprint = ANY(%s))""", (seen,)).rowcount
        conn.execute("INSERT INTO ops.security_audit_runs (findings, new, resolved) VALUES (%s, %s, %s)",
                     (len(findings), len(new), resolved))
        if new:
            incident = open_incident(conn, "warehouse", "security_finding",
                                     {"new_findings": len(new), "checks": sorted({f.check for f in new}),
                                      "objects": sorted({f.object for f in new})[:20]},
                                     "`crmhub security audit` exits 0", imap=imap)
            conn.execute("UPDATE ops.security_findings SET incident_id = %s WHERE fingerprint = ANY(%s)",
                         (incident.incident_id, [f.fingerprint for f in new]))
        conn.commit()
    return {"findings": len(findings), "new": len(new), "resolved": resolved}


def parse_connection(text: str) -> tuple[str, str]:
    """``name=url`` (CLI) -> ``(name, url)``; a bare URL is named by its user."""
    if "=" in text.split("://", 1)[0]:
        name, url = text.split("=", 1)
        return name, url
    return urlsplit(text).username or "connection", text
