"""Snapshot -> damage -> restore gives identical checksums of core and the state it depends on."""

from __future__ import annotations

import json

import psycopg
import pytest

from crmhub.ingest.loader import ingest_file
from crmhub.safety import freeze, snapshot

HEADER = "external_id,first_name,last_name,email,company,amount,updated_at"


def _load(db, fundadmin, tmp_path, n=40, name="lp.csv", amount=1000):
    rows = [f"FA-{i:03d},Ann,Lee{i},ann{i}@lp.example,Fund {i % 9},{i * amount},2026-11-01T10:00:00Z" for i in range(n)]
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return ingest_file(db, fundadmin, path)


def _state(conn):
    conn.execute("INSERT INTO ops.sync_state (connector, object, watermark_ts, watermark_id) "
                 "VALUES ('crm_contacts', 'contacts', '2026-11-01T10:00:00Z', 'c-100')")
    conn.execute(
        "INSERT INTO ops.review_queue (kind, left_key, right_key, score, status, reviewer, decided_at) "
        "VALUES ('contact', %s, %s, 0.81, 'approved', 'priya.shah', now())",
        (json.dumps({"id": "a"}), json.dumps({"id": "b"})))
    conn.commit()


def test_snapshot_damage_restore_gives_identical_checksums(db, fundadmin, tmp_path):
    assert _load(db, fundadmin, tmp_path).status == "loaded"
    with psycopg.connect(db) as conn:
        _state(conn)
        before = snapshot.checksums(conn)
        assert before["core.contact"]["rows"] == 40 and "ops.sync_state" in before and "core.external_id" in before
        snap = snapshot.create_snapshot(conn, by="lena.vogel", label="before backfill")
        assert snap["status"] == "ready" and snap["tables"] == before
        # damage: a bad load, a hand edit, a lost watermark and a reverted review decision
        assert _load(db, fundadmin, tmp_path, n=60, name="bad.csv", amount=-1).status == "loaded"
        conn.execute("UPDATE core.contact SET email = 'wrong@example.com' WHERE crmhub_id IN "
                     "(SELECT crmhub_id FROM core.contact LIMIT 5)")
        conn.execute("DELETE FROM ops.sync_state")
        conn.execute("UPDATE ops.review_queue SET status = 'rejected'")
        conn.commit()
        damaged = snapshot.checksums(conn)
        assert damaged["core.contact"] != before["core.contact"] and damaged["ops.sync_state"]["rows"] == 0
        result = snapshot.restore_snapshot(conn, snap["snapshot_id"], by="lena.vogel")
        assert result["matches"] and result["mismatched"] == []
        assert snapshot.checksums(conn) == before
        # the restore froze everything first, and leaves it frozen for a person to check and thaw
        state = freeze.freeze_state(conn)
        assert state.frozen and f"restore of snapshot {snap['snapshot_id']}" in state.reason
        restores = conn.execute("SELECT restored_by, matches FROM ops.snapshot_restores").fetchall()
        assert restores == [("lena.vogel", True)]
        # generated columns are recomputed, sequences keep moving forward: new rows still insert after a thaw
        freeze.thaw_all(conn, "restore checked", "lena.vogel")
        assert _load(db, fundadmin, tmp_path, n=45, name="next.csv").status == "loaded"


def test_retention_drops_old_snapshot_schemas(db):
    with psycopg.connect(db) as conn:
        made = [snapshot.create_snapshot(conn, by="lena.vogel", retention=snapshot.Retention(keep=2))["snapshot_id"]
                for _ in range(3)]
        ready = [s["snapshot_id"] for s in snapshot.list_snapshots(conn)]
        assert ready == made[:0:-1]
        assert conn.execute("SELECT to_regnamespace(%s)", (f"snapshot_{made[0]}",)).fetchone()[0] is None
        with pytest.raises(snapshot.SnapshotError, match="expired"):
            snapshot.restore_snapshot(conn, made[0], by="lena.vogel")
        with pytest.raises(snapshot.SnapshotError, match="no snapshot 999"):
            snapshot.restore_snapshot(conn, 999, by="lena.vogel")


def test_every_backfill_run_starts_with_a_snapshot(db, imap):
    from datetime import UTC, datetime

    from crmhub.cdc.tasks import plan_backfill_chunks

    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC)
    assert plan_backfill_chunks(db, "crm_contacts", start, end, dry_run=True, imap=imap)
    with psycopg.connect(db) as conn:
        assert snapshot.list_snapshots(conn) == []          # a dry run changes nothing
    chunks = plan_backfill_chunks(db, "crm_contacts", start, end, imap=imap)
    with psycopg.connect(db) as conn:
        snaps = snapshot.list_snapshots(conn)
    assert [s["reason"] for s in snaps] == [f"backfill {chunks[0]['backfill_id']}"]
