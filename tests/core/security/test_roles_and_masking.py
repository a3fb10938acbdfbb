"""Masking enforced by PostgreSQL: roles created by provisioning, secure views, logged unmasking."""

from __future__ import annotations

import dataclasses
import threading
from decimal import Decimal

import psycopg
import pytest

from crmhub.exceptions import ConfigError
from crmhub.security.access_log import AccessDenied, list_access, read_unmasked
from crmhub.security.provision import core_catalog, ensure_roles, provision

EMAIL = "jane.doe@lp.example"


def _seed(url: str) -> tuple[str, str]:
    with psycopg.connect(url) as conn:
        entity = conn.execute(
            """INSERT INTO core.entity (entity_type, name, tax_id, owner, source_system)
               VALUES ('lp', 'Acme Pension', 'DE123456789', 'priya.shah', 'test') RETURNING crmhub_id""").fetchone()[0]
        contact = conn.execute(
            """INSERT INTO core.contact (entity_id, first_name, last_name, email, phone, owner, source_system)
               VALUES (%s, 'Jane', 'Doe', %s, '+1 212 555 0100', 'priya.shah', 'test') RETURNING crmhub_id""",
            (entity, EMAIL)).fetchone()[0]
        conn.execute("""INSERT INTO core.commitment (entity_id, contact_id, amount, currency, owner, source_system)
                        VALUES (%s, %s, 12345678.90, 'USD', 'dana.kim', 'test')""", (entity, contact))
        conn.execute("""INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system)
                        VALUES ('contact', %s, 'email', NULL, %s, 'test')""", (contact, EMAIL))
    return str(entity), str(contact)


def _relations(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            """SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'v', 'm', 'p')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')""").fetchall()]


def test_reader_cannot_read_an_unmasked_email_or_amount_from_any_table_or_view(secure_db, role_url):
    _seed(secure_db)
    readable = []
    with psycopg.connect(role_url("reader"), autocommit=True) as conn:
        for rel in _relations(secure_db):
            try:
                rows = conn.execute(f"SELECT * FROM {rel}").fetchall()
            except psycopg.errors.InsufficientPrivilege:
                continue
            readable.append(rel)
            text = repr(rows)
            assert EMAIL not in text and "12345678.90" not in text and "DE123456789" not in text, rel
        masked = conn.execute("SELECT email, phone FROM secure.contact").fetchone()
        band = conn.execute("SELECT amount FROM secure.commitment").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM secure.unmask('commitment', ARRAY['amount'], 'curious')")
    assert masked == ("j***@lp.example", "***0100")
    assert band == "10M-50M"
    assert "secure.contact" in readable and not any(r.startswith(("core.", "ops.", "raw.")) for r in readable)


def test_finance_reads_amounts_through_the_logged_function(secure_db, role_url):
    _seed(secure_db)
    rows = read_unmasked(role_url("finance"), "commitment", ["amount"], "Q4 capital-call check", who="dana.kim")
    assert [r["amount"] for r in rows] == [Decimal("12345678.90")]
    with psycopg.connect(role_url("finance")) as conn:
        mine = conn.execute("SELECT who, db_role, table_name, fields, classes, row_count, reason "
                            "FROM secure.my_access_log").fetchall()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # finance may not unmask contact PII
            conn.execute("SELECT * FROM secure.unmask('contact', ARRAY['email'], 'curious')").fetchall()
    assert mine == [("dana.kim", "crmhub_finance", "commitment", ["amount"], ["financial"], 1,
                     "Q4 capital-call check")]
    assert [a.who for a in list_access(secure_db)] == ["dana.kim"]
    # no direct table access, and no way to forge or erase the log
    with psycopg.connect(role_url("finance"), autocommit=True) as conn:
        for stmt in ("SELECT amount FROM core.commitment", "DELETE FROM ops.access_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)


def test_steward_unmasks_contact_pii_and_a_reason_is_required(secure_db, role_url):
    _, contact = _seed(secure_db)
    rows = read_unmasked(role_url("steward"), "contact", ["email"], "review queue item 7", keys=[contact])
    assert rows == [{"crmhub_id": contact, "email": EMAIL}]
    with pytest.raises(AccessDenied, match="needs a reason"):
        read_unmasked(role_url("steward"), "contact", ["email"], "  ")
    with pytest.raises(AccessDenied, match="may not read financial"):
        read_unmasked(role_url("steward"), "commitment", ["amount"], "curious")


def test_webhook_role_may_only_insert_into_webhook_tables(secure_db, role_url):
    with psycopg.connect(role_url("webhook"), autocommit=True) as conn:
        conn.execute("INSERT INTO ops.webhook_events (event_id, source, payload) VALUES ('e1', 'crm', '{}') "
                     "ON CONFLICT (event_id) DO NOTHING RETURNING 1")
        conn.execute("INSERT INTO ops.webhook_rejections (source, reason) VALUES ('crm', 'test')")
        for stmt in ("SELECT payload FROM ops.webhook_events", "SELECT * FROM core.contact",
                     "SELECT * FROM secure.contact", "INSERT INTO ops.incidents DEFAULT VALUES"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)


def test_app_role_reads_and_writes_the_warehouse(secure_db, role_url):
    _seed(secure_db)
    with psycopg.connect(role_url("app")) as conn:
        assert conn.execute("SELECT count(*) FROM core.contact").fetchone()[0] == 1
        conn.execute("CREATE TABLE raw.t_app (x int)")
        conn.execute("UPDATE core.contact SET title = 'CIO'")
    with psycopg.connect(role_url("loader")) as conn:
        conn.execute("INSERT INTO raw.t_app VALUES (1)")  # default privileges: the other writer can use it


def test_unclassified_core_column_blocks_deployment(db_owner, imap):
    with psycopg.connect(db_owner, autocommit=True) as conn:  # a migration adding a column: the owner's work
        conn.execute("ALTER TABLE core.contact ADD COLUMN nickname text")
    with pytest.raises(ConfigError) as err:
        provision(db_owner, imap)
    assert "security.core_tables.contact.nickname" in str(err.value) and "no class" in str(err.value)


def test_provisioning_is_idempotent_and_race_safe(make_database, imap, policy):
    from crmhub.warehouse import upgrade

    urls = [make_database() for _ in range(3)]
    for url in urls:
        upgrade(url)
    renamed = dict(policy.roles, reader="crmhub_reader_race")  # a role no other test creates
    errors: list[BaseException] = []

    def run(url: str) -> None:
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                ensure_roles(conn, dataclasses.replace(policy, roles=renamed))
            provision(url, imap)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    try:
        threads = [threading.Thread(target=run, args=(u,)) for u in urls + urls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with psycopg.connect(urls[0]) as conn:
            assert set(core_catalog(conn)) >= {"contact", "commitment", "entity"}
    finally:
        with psycopg.connect(urls[0], autocommit=True) as conn:
            conn.execute("DROP OWNED BY crmhub_reader_race")
            conn.execute("DROP ROLE IF EXISTS crmhub_reader_race")


def test_a_grant_transaction_that_collides_with_another_databases_upgrade_runs_again(db_owner, imap, monkeypatch):
    """PostgreSQL answers "tuple concurrently updated" when another database's upgrade writes the same shared
    catalog rows (seen in CI with three warehouses upgraded at once); the idempotent grant step runs again
    instead of failing the upgrade."""
    from crmhub.security import provision as module

    real, calls = module.apply_grants, []

    def collide_once(conn, policy):
        calls.append(1)
        if len(calls) == 1:
            real(conn, policy)  # part of the work done, then the collision: the transaction rolls it back
            raise psycopg.errors.InternalError_("tuple concurrently updated")
        real(conn, policy)

    monkeypatch.setattr(module, "apply_grants", collide_once)
    report = provision(db_owner, imap)
    assert len(calls) == 2 and report.views
    with psycopg.connect(db_owner) as conn:
        granted = conn.execute("SELECT has_table_privilege('crmhub_reader', 'secure.contact', 'SELECT'), "
                               "has_table_privilege('crmhub_reader', 'core.contact', 'SELECT')").fetchone()
    assert granted == (True, False)


def test_db_upgrade_cli_provisions_idempotently_and_cli_unmask_is_logged(make_database, policy, capsys):
    from crmhub.cli import main
    from crmhub.security.provision import role_url as as_role

    url = make_database()
    assert main(["db", "upgrade", "--url", url]) == 0
    assert main(["db", "upgrade", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "masked view(s) in secure" in out and "up to date" in out
    _seed(url)
    finance = as_role(url, policy.roles["finance"])
    assert main(["security", "unmask", "commitment", "amount", "--reason", "LP statement", "--who", "dana.kim",
                 "--url", finance]) == 0
    assert "12345678.90" in capsys.readouterr().out
    assert main(["security", "unmask", "contact", "email", "--reason", "x", "--who", "dana.kim", "--url", finance]) == 1
    assert "may not read pii_contact" in capsys.readouterr().err
    assert main(["security", "access-log", "--url", url, "--since", "1h"]) == 0
    log = capsys.readouterr().out
    assert "dana.kim" in log and "commitment(amount)" in log and "LP statement" in log


def test_change_log_values_are_unmasked_only_for_fields_of_the_callers_classes(secure_db, role_url):
    _, contact = _seed(secure_db)
    with psycopg.connect(secure_db) as conn:
        conn.execute("""INSERT INTO core.change_log (core_table, crmhub_id, field, old_value, new_value, source_system)
                        SELECT 'commitment', crmhub_id, 'amount', '1.00', '12345678.90', 'test' FROM core.commitment""")
    steward = read_unmasked(role_url("steward"), "change_log", ["field", "new_value"], "review merge")
    assert [(r["field"], r["new_value"]) for r in steward] == [("email", EMAIL)]  # the amount change is left out
    # a value's class is its field's: finance reads the amount change (not the email change) in the same column
    finance = read_unmasked(role_url("finance"), "change_log", ["field", "old_value", "new_value"], "audit",
                            who="dana.kim")
    assert [(r["field"], r["old_value"], r["new_value"]) for r in finance] == [("amount", "1.00", "12345678.90")]
    logged = {r.who: r.classes for r in list_access(secure_db)}
    assert logged["dana.kim"] == ["internal", "financial"] and "pii_contact" not in logged["dana.kim"]
    with pytest.raises(AccessDenied, match="permission denied"):  # the reader may not call it at all
        read_unmasked(role_url("reader"), "change_log", ["new_value"], "curious")


def test_the_access_log_is_append_only_for_the_application_roles(secure_db, role_url):
    with psycopg.connect(secure_db) as conn:  # an old row and a recent one (planted by the owner)
        conn.execute("""INSERT INTO ops.access_log (who, db_role, table_name, fields, classes, row_count, reason, read_at)
                        VALUES ('a', 'x', 'contact', '{email}', '{pii_contact}', 1, 'r', now() - interval '500 days'),
                               ('b', 'x', 'contact', '{email}', '{pii_contact}', 1, 'r', now())""")
    for key in ("app", "loader"):
        with psycopg.connect(role_url(key), autocommit=True) as conn:
            conn.execute("INSERT INTO ops.access_log (who, db_role, table_name, fields, classes, row_count, reason) "
                         "VALUES ('t', session_user, 'contact', '{email}', '{pii_contact}', 1, 'export')")
            for stmt in ("DELETE FROM ops.access_log", "UPDATE ops.access_log SET who = 'x'", "TRUNCATE ops.access_log",
                         "UPDATE ops.retention_floor SET seconds = 1", "DELETE FROM ops.unmask_grants"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(stmt)
    with psycopg.connect(role_url("app"), autocommit=True) as conn:  # retention: only rows past 400 days
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="kept 400 days"):
            conn.execute("SELECT * FROM secure.purge_access_log(now())")
        rows, digest = conn.execute("SELECT * FROM secure.purge_access_log(now() - interval '400 days')").fetchone()
    assert rows == 1 and len(digest) == 64
    assert sorted(r.who for r in list_access(secure_db)) == ["b", "t", "t"]
