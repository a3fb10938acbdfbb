"""The permissions audit finds planted misconfigurations and is clean on a provisioned warehouse."""

from __future__ import annotations

import psycopg

from crmhub.cli import main
from crmhub.security.audit import audit, record_findings
from crmhub.security.provision import role_url as as_role


def _checks(findings) -> set[tuple[str, str]]:
    return {(f.check, f.object) for f in findings}


def test_clean_after_provisioning_with_role_connections(secure_db, role_url, imap):
    findings = audit(secure_db, imap, connections={"crmhub_warehouse": role_url("app")})
    assert findings == []


def test_finds_public_grant_direct_reader_grant_and_superuser_connection(secure_db, imap, policy, capsys):
    with psycopg.connect(secure_db, autocommit=True) as conn:
        conn.execute("GRANT SELECT ON core.contact TO PUBLIC")
        conn.execute(f"GRANT SELECT (amount) ON core.commitment TO {policy.roles['reader']}")
        conn.execute("CREATE VIEW ops.lp_emails AS SELECT email FROM core.contact")
        conn.execute(f"GRANT SELECT ON ops.lp_emails TO {policy.roles['steward']}")
        conn.execute(f"GRANT {policy.roles['finance']} TO {policy.roles['app']}")  # cluster-wide: revoked below
        try:
            findings = audit(secure_db, imap, connections={"crmhub_warehouse": secure_db})  # admin URL: superuser
        finally:
            conn.execute(f"REVOKE {policy.roles['finance']} FROM {policy.roles['app']}")
    got = _checks(findings)
    assert ("public_privilege", "core.contact") in got
    assert ("direct_grant", "core.commitment.amount") in got
    assert ("superuser_connection", "crmhub_warehouse") in got
    assert ("memberships", f"{policy.roles['app']} in {policy.roles['finance']}") in got
    assert ("unmasked_view", "ops.lp_emails") in got
    by = {(f.check, f.object): f for f in findings}
    assert by[("public_privilege", "core.contact")].fix == "REVOKE SELECT ON core.contact FROM PUBLIC;"
    assert "REVOKE SELECT (amount) ON core.commitment FROM crmhub_reader" in by[("direct_grant", "core.commitment.amount")].fix
    # the CLI prints every finding with its fix and exits non-zero
    code = main(["security", "audit", "--url", secure_db, "--connection", f"crmhub_warehouse={secure_db}"])
    out = capsys.readouterr().out
    assert code == 1 and "fix: REVOKE SELECT ON core.contact FROM PUBLIC;" in out and "superuser" in out


def test_weekly_run_records_findings_and_opens_one_incident_on_new_ones(secure_db, imap, role_url):
    conns = {"crmhub_warehouse": role_url("app")}
    assert record_findings(secure_db, imap, connections=conns) == {"findings": 0, "new": 0, "resolved": 0}
    with psycopg.connect(secure_db, autocommit=True) as conn:
        conn.execute("GRANT SELECT ON core.contact TO PUBLIC")
    first = record_findings(secure_db, imap, connections=conns)
    again = record_findings(secure_db, imap, connections=conns)
    assert first["new"] == 1 and again["new"] == 0
    with psycopg.connect(secure_db, autocommit=True) as conn:
        incidents = conn.execute("SELECT trigger, occurrences, \"values\"::text FROM ops.incidents").fetchall()
        conn.execute("REVOKE SELECT ON core.contact FROM PUBLIC")
    assert [(t, n) for t, n, _ in incidents] == [("security_finding", 1)]
    assert "core.contact" in incidents[0][2]
    assert record_findings(secure_db, imap, connections=conns)["resolved"] == 1


def test_as_role_builds_a_login_url():
    assert as_role("postgresql://postgres@127.0.0.1:5432/db1", "crmhub_app") == "postgresql://crmhub_app@127.0.0.1:5432/db1"


def test_health_task_bodies_run_when_due_and_flag_a_superuser_task_connection(secure_db, imap, role_url):
    from crmhub.security.tasks import daily_retention, weekly_security_audit

    first = weekly_security_audit(role_url("app"), imap)  # the task's own connection is the application's
    assert first == {"findings": 0, "new": 0, "resolved": 0}
    assert weekly_security_audit(role_url("app"), imap) == {"skipped": "audited less than a week ago"}
    as_admin = weekly_security_audit(secure_db, imap, every_s=0)
    assert as_admin["new"] == 1  # the superuser connection
    assert "run_id" in daily_retention(role_url("app"), imap)
    assert "skipped" in daily_retention(role_url("app"), imap)


def test_role_url_keeps_socket_host_and_options():
    assert as_role("postgresql://postgres:@/crmhub?host=/tmp/pg", "crmhub_app") == "postgresql://crmhub_app@/crmhub?host=/tmp/pg"
    assert as_role("postgresql://u:pw@h:5/d", "r") == "postgresql://r@h:5/d"
