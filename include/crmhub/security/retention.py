"""Retention: purge copies of values past the map's ``security.retention``, keeping counts and hashes.

The golden record (``core``) is not purged here; copies are. Each place's cutoff is the shorter of its
own retention and that of the most sensitive class it holds:
- ``raw``: raw batches of every connector (``raw.<connector>``, by ``received_at``);
- ``staging``: staged rows of loads before the cutoff that a newer load of the same record superseded
  (the latest staged version of a record is what reconciliation reads, so it stays);
- ``quarantine_values``: ``ops.quarantine.value`` (hash kept in ``value_sha256``);
- ``outbox_bodies``: recipient/subject/bodies of finished ``ops.outbox`` messages (hash in ``body_sha256``);
- ``webhook_payloads``: payloads of synced ``ops.webhook_events`` (ids kept, hash in ``payload_sha256``);
- ``webhook_rejections`` and ``access_log``: rows deleted.
- ``snapshots``: ``snapshot_<id>`` schemas (copies of all of ``core``, crmhub.safety) older than the map's
  ``snapshots.max_age_days``, capped by the most sensitive class in core, are dropped even when no new
  snapshot ran safety's own prune; their ``ops.snapshots`` row (per-table rows and md5) stays, ``expired``.
  Schemas another role owns (taken by an admin) are left for their owner and listed as ``snapshots_kept``.
Every run writes ``ops.retention_runs`` with, per place, rows purged, the cutoff and a SHA-256 over the
purged values (in a stable order) so lineage can prove what existed without keeping it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg
from psycopg import sql

from crmhub.config import IntegrationMap, load_integration_map
from crmhub.security.policy import CLASSES, SecurityPolicy
from crmhub.warehouse import connect

_RANK = {c: i for i, c in enumerate(CLASSES)}  # later = more sensitive for the min-retention rule


@dataclass
class PurgeReport:
    run_id: int | None
    dry_run: bool
    purged: dict[str, dict] = field(default_factory=dict)

    def render(self) -> str:
        head = f"retention run {self.run_id}" + (" (dry run: nothing purged)" if self.dry_run else "")
        lines = [head] + [f"  {place:22} {info['rows']:>8} row(s)  before {info['cutoff']}  sha256 {info['sha256'][:16]}"
                          for place, info in sorted(self.purged.items())]
        return "\n".join(lines)


def _most_sensitive(classes: list[str]) -> str:
    return max(classes, key=lambda c: _RANK[c]) if classes else "internal"


def _cutoff(now: datetime, policy: SecurityPolicy, place: str, data_class: str | None) -> datetime:
    return now - timedelta(seconds=policy.retention_seconds(place, data_class))


def _note(report: PurgeReport, place: str, rows: int, digest: str | None, cutoff: datetime) -> None:
    entry = report.purged.setdefault(place, {"rows": 0, "sha256": "", "cutoff": cutoff.isoformat()})
    entry["rows"] += rows
    if rows:
        entry["sha256"] = hashlib.sha256((entry["sha256"] + (digest or "")).encode()).hexdigest()
    entry["cutoff"] = min(entry["cutoff"], cutoff.isoformat())


def _purge_raw_and_staging(conn: psycopg.Connection, imap: IntegrationMap, policy: SecurityPolicy, now: datetime,
                           report: PurgeReport) -> None:
    for conn_def in imap.connectors:
        cls = _most_sensitive([f.data_class for f in conn_def.fields])
        raw = sql.SQL("raw.{}").format(sql.Identifier(conn_def.name))
        if conn.execute("SELECT to_regclass(%s)", (f"raw.{conn_def.name}",)).fetchone()[0]:
            cutoff = _cutoff(now, policy, "raw", cls)
            rows, digest = conn.execute(sql.SQL(
                """WITH gone AS (DELETE FROM {} WHERE received_at < %s RETURNING load_id, batch_no, data)
                   SELECT count(*), encode(sha256(string_agg(sha256(data), ''::bytea ORDER BY load_id, batch_no)), 'hex')
                     FROM gone""").format(raw), (cutoff,)).fetchone()
            _note(report, "raw", rows, digest, cutoff)
        stg_name = f"staging.{conn_def.name}"
        if conn.execute("SELECT to_regclass(%s)", (stg_name,)).fetchone()[0]:
            cutoff = _cutoff(now, policy, "staging", cls)
            stg = sql.SQL("staging.{}").format(sql.Identifier(conn_def.name))
            pk = sql.Identifier(conn_def.primary_key)
            rows, digest = conn.execute(sql.SQL(
                """WITH old AS (SELECT s.ctid AS id FROM {stg} s JOIN ops.loads l ON l.load_id = s.load_id
                                 WHERE l.started_at < %(cutoff)s
                                   AND EXISTS (SELECT 1 FROM {stg} n JOIN ops.loads nl ON nl.load_id = n.load_id
                                                WHERE n.{pk} = s.{pk} AND nl.started_at > l.started_at)),
                        gone AS (DELETE FROM {stg} s USING old WHERE s.ctid = old.id RETURNING s.*)
                   SELECT count(*), encode(sha256(convert_to(string_agg(to_jsonb(gone)::text, '' ORDER BY
                          gone.load_id, gone.row_no), 'UTF8')), 'hex') FROM gone""").format(stg=stg, pk=pk),
                {"cutoff": cutoff}).fetchone()
            _note(report, "staging", rows, digest, cutoff)


def _field_classes(imap: IntegrationMap) -> list[tuple[str, str, str]]:
    return [(c.name, f.name, f.data_class) for c in imap.connectors for f in c.fields]


def _purge_quarantine(conn: psycopg.Connection, imap: IntegrationMap, policy: SecurityPolicy, now: datetime,
                      report: PurgeReport) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _field_class (connector text, field text, data_class text) "
                 "ON COMMIT DROP")
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO _field_class VALUES (%s, %s, %s)", _field_classes(imap))
    cutoffs = {c: _cutoff(now, policy, "quarantine_values", c) for c in CLASSES}
    for data_class, cutoff in cutoffs.items():
        unknown = data_class == "internal"  # values of fields the map no longer has: the place's own retention
        rows, digest = conn.execute(
            """WITH gone AS (
                   UPDATE ops.quarantine q SET value_sha256 = encode(sha256(convert_to(q.value, 'UTF8')), 'hex'),
                          value = NULL
                    WHERE q.value IS NOT NULL AND q.created_at < %(cutoff)s
                      AND (EXISTS (SELECT 1 FROM _field_class f WHERE f.connector = q.connector AND f.field = q.field
                                      AND f.data_class = %(cls)s)
                           OR (%(unknown)s AND NOT EXISTS (SELECT 1 FROM _field_class f
                                                            WHERE f.connector = q.connector AND f.field = q.field)))
                   RETURNING q.id, q.value_sha256)
               SELECT count(*), encode(sha256(convert_to(string_agg(value_sha256, '' ORDER BY id), 'UTF8')), 'hex')
                 FROM gone""", {"cutoff": cutoff, "cls": data_class, "unknown": unknown}).fetchone()
        _note(report, "quarantine_values", rows, digest, cutoff)


def _purge_ops(conn: psycopg.Connection, policy: SecurityPolicy, now: datetime, report: PurgeReport) -> None:
    contact = "pii_contact"
    cutoff = _cutoff(now, policy, "outbox_bodies", contact)
    rows, digest = conn.execute(
        """WITH gone AS (
               UPDATE ops.outbox SET body_sha256 = encode(sha256(convert_to(
                          recipient || E'\\n' || subject || E'\\n' || body_text || E'\\n' || body_html, 'UTF8')), 'hex'),
                      recipient = '', subject = '', body_text = '', body_html = '', purged_at = now()
                WHERE purged_at IS NULL AND created_at < %s AND status IN ('sent', 'failed', 'cancelled')
               RETURNING outbox_id, body_sha256)
           SELECT count(*), encode(sha256(convert_to(string_agg(body_sha256, '' ORDER BY outbox_id), 'UTF8')), 'hex')
             FROM gone""", (cutoff,)).fetchone()
    _note(report, "outbox_bodies", rows, digest, cutoff)

    cutoff = _cutoff(now, policy, "webhook_payloads", contact)
    rows, digest = conn.execute(
        """WITH gone AS (
               UPDATE ops.webhook_events SET payload_sha256 = encode(sha256(convert_to(payload::text, 'UTF8')), 'hex'),
                      payload = jsonb_build_object('eventId', payload -> 'eventId', 'purged', true), property_value = NULL
                WHERE payload_sha256 IS NULL AND sync_status = 'synced' AND received_at < %s
               RETURNING event_id, payload_sha256)
           SELECT count(*), encode(sha256(convert_to(string_agg(payload_sha256, '' ORDER BY event_id), 'UTF8')), 'hex')
             FROM gone""", (cutoff,)).fetchone()
    _note(report, "webhook_payloads", rows, digest, cutoff)

    cutoff = _cutoff(now, policy, "webhook_rejections", None)
    rows, digest = conn.execute(
        """WITH gone AS (DELETE FROM ops.webhook_rejections WHERE received_at < %s RETURNING *)
           SELECT count(*), encode(sha256(convert_to(string_agg(to_jsonb(gone)::text, '' ORDER BY gone.id),
                  'UTF8')), 'hex') FROM gone""", (cutoff,)).fetchone()
    _note(report, "webhook_rejections", rows, digest, cutoff)
    # the access log is append-only for the app: its old rows go through the owner's guarded function
    # (a warehouse upgraded with --no-security has no roles and no floor: the caller deletes them itself)
    cutoff = _cutoff(now, policy, "access_log", None)
    guarded = conn.execute("SELECT 1 FROM ops.retention_floor WHERE place = 'access_log'").fetchone()
    rows, digest = conn.execute(
        "SELECT * FROM secure.purge_access_log(%s)" if guarded else
        """WITH gone AS (DELETE FROM ops.access_log WHERE read_at < %s RETURNING *)
           SELECT count(*), encode(sha256(convert_to(string_agg(to_jsonb(gone)::text, '' ORDER BY gone.access_id),
                  'UTF8')), 'hex') FROM gone""", (cutoff,)).fetchone()
    _note(report, "access_log", rows, digest, cutoff)


def _purge_snapshots(conn: psycopg.Connection, imap: IntegrationMap, policy: SecurityPolicy, now: datetime,
                     report: PurgeReport) -> None:
    from crmhub.safety.snapshot import Retention

    core_class = _most_sensitive([c for cols in policy.core_tables.values() for c in cols.values()]
                                 + list(policy.core_common.values()))
    limit = min(Retention.from_map(imap).max_age_days * 86400,
                policy.retention_seconds("snapshots", core_class) or float("inf"))
    cutoff = now - timedelta(seconds=limit)
    rows = conn.execute(
        """SELECT s.snapshot_id, s.schema_name, s.tables::text,
                  n.oid IS NULL OR pg_has_role(current_user, n.nspowner, 'MEMBER')
             FROM ops.snapshots s LEFT JOIN pg_namespace n ON n.nspname = s.schema_name
            WHERE s.status = 'ready' AND s.created_at < %s ORDER BY s.snapshot_id""", (cutoff,)).fetchall()
    gone = [r for r in rows if r[3]]
    for snapshot_id, schema, _tables, _ in gone:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema or f"snapshot_{snapshot_id}")))
        conn.execute("UPDATE ops.snapshots SET status = 'expired', expired_at = now() WHERE snapshot_id = %s",
                     (snapshot_id,))
    digest = hashlib.sha256("".join(t for _, _, t, _ in gone).encode()).hexdigest() if gone else None
    _note(report, "snapshots", len(gone), digest, cutoff)
    if len(gone) < len(rows):
        _note(report, "snapshots_kept", len(rows) - len(gone), None, cutoff)


def purge(url: str, imap: IntegrationMap | None = None, *, actor: str = "crmhub-maintenance", dry_run: bool = False,
          now: datetime | None = None) -> PurgeReport:
    """Purge everything past retention in one transaction and record it; ``dry_run`` counts and rolls back."""
    imap = imap or load_integration_map()
    policy = SecurityPolicy.from_map(imap)
    report = PurgeReport(run_id=None, dry_run=dry_run)
    with connect(url) as conn:
        now = now or conn.execute("SELECT now()").fetchone()[0]
        _purge_raw_and_staging(conn, imap, policy, now, report)
        _purge_quarantine(conn, imap, policy, now, report)
        _purge_ops(conn, policy, now, report)
        _purge_snapshots(conn, imap, policy, now, report)
        if dry_run:
            conn.rollback()
            return report
        report.run_id = conn.execute(
            "INSERT INTO ops.retention_runs (actor, purged, finished_at) VALUES (%s, %s::jsonb, now()) RETURNING run_id",
            (actor, json.dumps(report.purged))).fetchone()[0]
        conn.commit()
    return report

