"""pgaudit (optional): ``crmhub db upgrade`` enables object audit of the classified core columns.

Skipped, with the reason, where the server does not preload pgaudit (scripts/ensure-postgres.sh installs
and preloads it); the function-based access log (``secure.unmask()``, ``record_access``) works either way.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import psycopg
import pytest

from crmhub.security.access_log import list_access, read_unmasked
from crmhub.security.provision import provision


def _pgaudit_preloaded(url: str) -> str | None:
    with psycopg.connect(url) as conn:
        if not conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pgaudit'").fetchone():
            return "pgaudit is not installed on this server (Debian: postgresql-15-pgaudit; `make pg-ready` installs it)"
        preload = conn.execute("SHOW shared_preload_libraries").fetchone()[0]
    if "pgaudit" not in preload:
        return "pgaudit is installed but not in shared_preload_libraries (scripts/ensure-postgres.sh sets it)"
    return None


def _server_log(url: str) -> Path | None:
    """The server's log file, when this process can read it (same machine)."""
    with psycopg.connect(url) as conn:
        current = conn.execute("SELECT pg_current_logfile()").fetchone()[0]
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
        version = conn.execute("SELECT current_setting('server_version_num')::int / 10000").fetchone()[0]
    for path in ((Path(data_dir) / current) if current else None,
                 Path(f"/var/log/postgresql/postgresql-{version}-main.log")):
        if path is not None and path.is_file():
            try:
                path.open("rb").close()
                return path
            except OSError:
                continue
    return None


def _wait_for(log: Path, start: int, marker: str, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        with log.open("rb") as fh:
            fh.seek(start)
            lines = [ln for ln in fh.read().decode("utf-8", "replace").splitlines() if marker in ln]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


@pytest.fixture
def audited_db(secure_db):
    reason = _pgaudit_preloaded(secure_db)
    if reason:
        pytest.skip(reason)
    log = _server_log(secure_db)
    if log is None:
        pytest.skip("the server log is not readable from the test process (server on another machine?)")
    return secure_db, log


def test_a_select_of_a_classified_column_is_audited_and_an_internal_one_is_not(audited_db, role_url, imap):
    url, log = audited_db
    assert provision(url, imap).pgaudit  # idempotent: the second upgrade keeps it on
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pgaudit'").fetchone()
        conn.execute("INSERT INTO core.contact (first_name, last_name, email, title, owner, source_system) "
                     "VALUES ('Jane', 'Doe', 'jane@lp.example', 'CIO', 'priya.shah', 'test')")
    start = log.stat().st_size
    classified, internal = f"audit-probe-{uuid.uuid4().hex}", f"audit-probe-{uuid.uuid4().hex}"
    with psycopg.connect(role_url("app"), autocommit=True) as conn:  # a task's connection
        conn.execute(f"SELECT email FROM core.contact /* {classified} */").fetchall()
        conn.execute(f"SELECT title FROM core.contact /* {internal} */").fetchall()
    lines = [ln for ln in _wait_for(log, start, classified) if "AUDIT: OBJECT" in ln]
    assert lines and "core.contact" in lines[0], lines
    assert "jane@lp.example" not in "\n".join(lines)  # statements, never values
    # (another branch's upgrade may have turned on session audit for the app role: only OBJECT lines count)
    assert not [ln for ln in _wait_for(log, start, internal, timeout=1.0) if "AUDIT: OBJECT" in ln]


def test_the_audit_role_may_not_be_used_by_anyone(audited_db, imap):
    from crmhub.security.audit import audit

    url, _ = audited_db
    probe = f"crmhub_probe_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:  # planting a finding needs the owner (superuser)
        conn.execute(f"CREATE ROLE {probe} LOGIN")
        try:
            conn.execute(f"GRANT crmhub_audit TO {probe}")
            found = [f for f in audit(url, imap, connections={}) if f.object == "crmhub_audit"]
        finally:
            conn.execute(f"DROP ROLE {probe}")
    assert found and probe in found[0].detail and found[0].fix == f"REVOKE crmhub_audit FROM {probe};"


def test_the_access_log_works_the_same_with_pgaudit(audited_db, role_url):
    url, _ = audited_db
    read_unmasked(role_url("finance"), "commitment", ["amount"], "quarterly check", who="dana.kim")
    assert [r.who for r in list_access(url)] == ["dana.kim"]
