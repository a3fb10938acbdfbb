"""Retention purges copies past the map's policy, keeps counts and hashes, and reports what it purged."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from crmhub.cli import main
from crmhub.ingest.loader import ingest_file
from crmhub.security.retention import purge

CSV = ("external_id,first_name,last_name,email,company,amount,updated_at\n"
       "FA-1,Jane,Doe,jane@lp.example,Acme,100,2026-01-01T00:00:00Z\n"
       "FA-2,Bob,,bob@lp.example,Acme,200,2026-01-01T00:00:00Z\n")
CSV2 = CSV.replace("100,", "150,")


def _age(url: str, days: int) -> None:
    """Pretend everything so far happened ``days`` ago."""
    with psycopg.connect(url) as conn:
        conn.execute(f"UPDATE raw.fundadmin_lp_contacts SET received_at = received_at - interval '{days} days'")
        conn.execute(f"UPDATE ops.loads SET started_at = started_at - interval '{days} days'")
        conn.execute(f"UPDATE ops.quarantine SET created_at = created_at - interval '{days} days'")


def test_purges_by_policy_keeping_counts_hashes_and_latest_staged_versions(db, fundadmin, imap, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text(CSV)
    ingest_file(db, fundadmin, first)
    _age(db, 200)
    second = tmp_path / "b.csv"
    second.write_text(CSV2)
    ingest_file(db, fundadmin, second)
    with psycopg.connect(db) as conn:
        conn.execute("""INSERT INTO ops.webhook_events (event_id, source, property_value, payload, sync_status, received_at)
                        VALUES ('e-old', 'crm', 'jane@lp.example', '{"eventId": 1, "propertyValue": "jane@lp.example"}',
                                'synced', now() - interval '40 days'),
                               ('e-new', 'crm', 'x', '{"eventId": 2}', 'synced', now())""")
        conn.execute("""INSERT INTO ops.access_log (who, db_role, table_name, fields, classes, row_count, reason, read_at)
                        VALUES ('dana.kim', 'crmhub_finance', 'commitment', '{amount}', '{financial}', 1, 'x',
                                now() - interval '500 days')""")
        conn.execute("""INSERT INTO ops.quarantine (load_id, connector, locator, field, rule, value, reason, created_at)
                        VALUES ('l-old', 'fundadmin_lp_contacts', 'a.csv:9', 'email', 'type:email', 'j***@lp', 'bad',
                                now() - interval '100 days'),
                               ('l-new', 'fundadmin_lp_contacts', 'b.csv:9', 'email', 'type:email', 'j***@lp', 'bad',
                                now() - interval '10 days')""")
        staged_before = conn.execute("SELECT count(*) FROM staging.fundadmin_lp_contacts").fetchone()[0]

    dry = purge(db, imap, dry_run=True)
    assert dry.run_id is None and dry.purged["raw"]["rows"] == 1
    report = purge(db, imap, actor="lena.vogel")
    assert report.purged["raw"]["rows"] == 1            # the 200-day-old batch (raw: 90 d)
    assert report.purged["webhook_payloads"]["rows"] == 1  # 40 days > 30 d
    assert report.purged["access_log"]["rows"] == 1
    # the 100-day-old value and the first load's (200 days); the 10-day-old one and the second load's stay
    assert report.purged["quarantine_values"]["rows"] == 2
    assert len(report.purged["raw"]["sha256"]) == 64
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM raw.fundadmin_lp_contacts").fetchone()[0] == 1
        # the old load's rows are superseded by the new load's: only those go (the staging cutoff is 180 d)
        staged = conn.execute("SELECT count(*) FROM staging.fundadmin_lp_contacts").fetchone()[0]
        assert staged == staged_before - report.purged["staging"]["rows"] and report.purged["staging"]["rows"] >= 1
        old = conn.execute("SELECT payload, property_value, payload_sha256 FROM ops.webhook_events "
                           "WHERE event_id = 'e-old'").fetchone()
        assert old[0] == {"eventId": 1, "purged": True} and old[1] is None and len(old[2]) == 64
        assert conn.execute("SELECT payload FROM ops.webhook_events WHERE event_id = 'e-new'").fetchone()[0] == {"eventId": 2}
        q = conn.execute("SELECT count(*) FILTER (WHERE value IS NULL AND value_sha256 IS NOT NULL) FROM ops.quarantine"
                         ).fetchone()[0]
        assert q == report.purged["quarantine_values"]["rows"]
        run = conn.execute("SELECT actor, purged -> 'raw' ->> 'rows' FROM ops.retention_runs").fetchall()
    assert run == [("lena.vogel", "1")]
    assert purge(db, imap).purged["raw"]["rows"] == 0  # idempotent


def test_cli_reports_what_it_purged(db, capsys):
    assert main(["security", "retention", "--url", db, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "access_log" in out and "quarantine_values" in out


def test_class_shortens_a_place_retention(policy):
    assert policy.retention_seconds("outbox_bodies", "pii_contact") == timedelta(days=30).total_seconds()
    assert policy.retention_seconds("raw", "pii_contact") == timedelta(days=90).total_seconds()
    assert policy.retention_seconds("access_log") == timedelta(days=400).total_seconds()


def test_snapshot_schemas_past_their_age_are_dropped_by_the_daily_purge(db, db_owner, imap):
    from crmhub.safety.snapshot import Retention, create_snapshot

    keep_all = Retention(keep=100, max_age_days=10_000)  # so safety's own prune drops nothing here
    with psycopg.connect(db) as conn:  # the app role takes snapshots before backfills
        conn.execute("INSERT INTO core.contact (first_name, email, owner, source_system) "
                     "VALUES ('Jane', 'jane@lp.example', 'priya.shah', 'test')")
        conn.commit()
        old = create_snapshot(conn, by="crmhub", reason="backfill 1", retention=keep_all)
        new = create_snapshot(conn, by="crmhub", reason="backfill 2", retention=keep_all)
    with psycopg.connect(db_owner) as conn:  # an admin's snapshot (owner needed to create a schema it owns)
        admin = create_snapshot(conn, by="lena.vogel", reason="cutover", retention=keep_all)
        conn.execute("UPDATE ops.snapshots SET created_at = now() - interval '31 days' WHERE snapshot_id = ANY(%s)",
                     ([old["snapshot_id"], admin["snapshot_id"]],))
    report = purge(db, imap, actor="crmhub-maintenance")
    assert report.purged["snapshots"]["rows"] == 1 and len(report.purged["snapshots"]["sha256"]) == 64
    assert report.purged["snapshots_kept"]["rows"] == 1  # not the app's to drop: left for its owner
    with psycopg.connect(db_owner) as conn:
        schemas = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'snapshot%'")}
        status = dict(conn.execute("SELECT snapshot_id, status FROM ops.snapshots").fetchall())
        tables = conn.execute("SELECT tables FROM ops.snapshots WHERE snapshot_id = %s",
                              (old["snapshot_id"],)).fetchone()[0]
    assert schemas == {new["schema_name"], admin["schema_name"]}
    assert status == {old["snapshot_id"]: "expired", new["snapshot_id"]: "ready", admin["snapshot_id"]: "ready"}
    assert tables["core.contact"]["rows"] == 1  # counts and checksums stay for lineage
