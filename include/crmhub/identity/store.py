"""Warehouse persistence of identity resolution (migration ``0030_identity.sql``).

* :func:`run_resolution` resolves the canonical rows of ``core.entity`` (``kind="org"``) or
  ``core.contact`` (``kind="contact"``) and writes: merges (``core.merge_history``; merged rows are
  soft-deleted with ``deleted_by = 'crmhub-identity:merged'``), the crosswalk (every source record's
  ``(system, object, external_id)`` in ``core.external_id`` points at its identity's surviving crmhub id),
  the proposed clusters for review, Identity_Confidence (``ops.identity_confidence`` and the rows' ``confidence``), holds
  and a run report with the duplicate-rate estimate (``ops.identity_runs``). Re-running is idempotent.
* The human side of the queue is :mod:`crmhub.identity.review` (proposed clusters in
  ``ops.review_clusters``; every decision records who and when and is remembered in
  ``ops.match_decisions``).
* :func:`unmerge` undoes a merge and remembers the split as a rejection so later runs keep it.

A record here is one canonical row; its key is ``{"table", "id", "source_system"}`` with ``id`` the row's
own ``crmhub_id`` (never re-keyed). An identity (cluster) is named by its survivor: the oldest row
(``created_at``, then id) of the cluster, so an identity keeps its id as it grows.

Holds have no override: the only code path that releases a hold is :func:`run_resolution` when the
identity scores 60 or more, and the table's CHECK rejects a release recorded with a lower score.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime

import pandas as pd
import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from crmhub import clock
from crmhub.identity import holds, review
from crmhub.identity.confidence import HOLD_THRESHOLD, cluster_confidence, domain_systems, enrichment_fields
from crmhub.identity.matching import DUPLICATE_RATE_TARGET, REVIEW_THRESHOLD, pair_key, resolve
from crmhub.identity.review import ReviewError
from crmhub.warehouse.connection import connect

MERGED_MARK = "crmhub-identity:merged"
TABLES = {"org": "entity", "contact": "contact"}
KIND_OF_TABLE = {v: k for k, v in TABLES.items()}


__all__ = ["ReviewError", "RunReport", "run_resolution", "unmerge", "list_holds", "is_held", "load_records"]


@contextmanager
def _transaction(conn_or_url: str | psycopg.Connection) -> Iterator[psycopg.Connection]:
    if isinstance(conn_or_url, str):
        with connect(conn_or_url) as conn, conn.transaction():
            yield conn
    else:
        with conn_or_url.transaction():
            yield conn_or_url


def _table(kind: str) -> str:
    if kind not in TABLES:
        raise ValueError(f"kind must be 'org' or 'contact', got {kind!r}")
    return TABLES[kind]


# --------------------------------------------------------------------------------------- loading


def load_records(conn: psycopg.Connection, kind: str) -> pd.DataFrame:
    """Canonical rows (live ones and those merged by identity resolution), oldest first."""
    live = "(r.deleted_at IS NULL OR r.deleted_by = %(mark)s)"
    if kind == "org":
        sql = f"""SELECT r.crmhub_id::text AS crmhub_id, r.source_system, r.name, r.domain, r.tax_id, r.city,
                         r.country, r.created_at, r.deleted_by = %(mark)s AS is_merged
                  FROM core.entity r WHERE {live} ORDER BY r.created_at, r.crmhub_id"""
    else:
        sql = f"""SELECT r.crmhub_id::text AS crmhub_id, r.source_system, r.first_name, r.last_name, r.email,
                         r.phone, e.name AS company, r.city, NULL::text AS postcode, NULL::text AS date_of_birth,
                         r.title, r.country, r.email_verified, r.entity_id::text AS entity_id, r.created_at,
                         r.deleted_by = %(mark)s AS is_merged
                  FROM core.contact r LEFT JOIN core.entity e ON e.crmhub_id = r.entity_id
                  WHERE {live} ORDER BY r.created_at, r.crmhub_id"""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(sql, {"mark": MERGED_MARK}).fetchall()
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df = df.astype(object).where(df.notna(), None)
    df["record_id"] = df["crmhub_id"]
    df["is_merged"] = df["is_merged"].fillna(False).astype(bool)
    return df


def load_decisions(conn: psycopg.Connection, kind: str, systems: dict[str, str]) -> dict:
    """Remembered decisions as ``{pair_key((system, id), (system, id)): decision}`` for loaded records."""
    out = {}
    for low, high, decision in conn.execute(
        "SELECT pair_low, pair_high, decision FROM ops.match_decisions WHERE kind = %s", (kind,)
    ).fetchall():
        if low in systems and high in systems:
            out[pair_key((systems[low], low), (systems[high], high))] = decision
    return out


def active_merges(conn: psycopg.Connection, table: str) -> dict[str, str]:
    """``{merged_id: survivor_id}`` of merges not undone."""
    return {m: s for m, s in conn.execute(
        "SELECT merged_id::text, survivor_id::text FROM core.merge_history WHERE core_table = %s AND undone_at IS NULL",
        (table,)).fetchall()}


# ----------------------------------------------------------------------------------- merge / unmerge


def _merge_row(conn: psycopg.Connection, table: str, survivor: str, merged: str, by: str, reason: str) -> None:
    """Merge one row into ``survivor`` (which must not itself be merged); re-parents rows merged into it."""
    moved = conn.execute(
        "UPDATE core.external_id SET crmhub_id = %s, last_seen_at = now() WHERE crmhub_id = %s "
        "RETURNING system, object, external_id", (survivor, merged)).fetchall()
    conn.execute(
        "INSERT INTO core.merge_history (core_table, survivor_id, merged_id, reason, moved_external_ids, merged_by) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        (table, survivor, merged, reason, Jsonb([list(m) for m in moved]), by))
    conn.execute(f"UPDATE core.{table} SET deleted_at = now(), deleted_by = %s, updated_at = now() "
                 "WHERE crmhub_id = %s AND deleted_at IS NULL", (MERGED_MARK, merged))
    # rows previously merged into `merged` now belong to `survivor`
    children = conn.execute(
        "UPDATE core.merge_history SET survivor_id = %s WHERE core_table = %s AND survivor_id = %s "
        "AND merged_id <> %s AND undone_at IS NULL RETURNING moved_external_ids", (survivor, table, merged, survivor)
    ).fetchall()
    for (ext_ids,) in children:
        _point(conn, ext_ids, survivor)


def _point(conn: psycopg.Connection, ext_ids: list, crmhub_id: str) -> None:
    for system, obj, external_id in ext_ids:
        conn.execute("UPDATE core.external_id SET crmhub_id = %s, last_seen_at = now() "
                     "WHERE system = %s AND object = %s AND external_id = %s", (crmhub_id, system, obj, external_id))


def _restore_row(conn: psycopg.Connection, table: str, merged: str, by: str) -> str | None:
    """Undo the active merge of ``merged``; returns its former survivor (or None if not merged)."""
    row = conn.execute(
        "UPDATE core.merge_history SET undone_at = now(), undone_by = %s WHERE core_table = %s AND merged_id = %s "
        "AND undone_at IS NULL RETURNING survivor_id::text, moved_external_ids", (by, table, merged)).fetchone()
    if row is None:
        return None
    survivor, ext_ids = row
    _point(conn, ext_ids, merged)
    conn.execute(f"UPDATE core.{table} SET deleted_at = NULL, deleted_by = NULL, updated_at = now() "
                 "WHERE crmhub_id = %s AND deleted_by = %s", (merged, MERGED_MARK))
    return survivor


def unmerge(conn_or_url: str | psycopg.Connection, kind: str, merged_id: str, *, by: str,
            reason: str = "unmerged by a human") -> dict:
    """Undo the merge of ``merged_id``: its row and crosswalk entries come back under its own id.

    The split is remembered: the row is recorded as *rejected* against every member of the cluster it
    left, so a later :func:`run_resolution` does not merge it again (deterministic links included).
    """
    if not by or not by.strip():
        raise ReviewError("unmerge needs the name of the person undoing the merge (--by)")
    table = _table(kind)
    with _transaction(conn_or_url) as conn:
        survivor = _restore_row(conn, table, merged_id, by)
        if survivor is None:
            raise ReviewError(f"{table} {merged_id} is not merged into anything (see core.merge_history)")
        members = [survivor] + [m for m, s in active_merges(conn, table).items() if s == survivor]
        for other in members:
            low, high = sorted((merged_id, other))
            conn.execute(
                "INSERT INTO ops.match_decisions (kind, pair_low, pair_high, decision, reviewer, reason) "
                "VALUES (%s, %s, %s, 'rejected', %s, %s) ON CONFLICT (kind, pair_low, pair_high) DO UPDATE "
                "SET decision = 'rejected', reviewer = EXCLUDED.reviewer, decided_at = now(), reason = EXCLUDED.reason",
                (kind, low, high, by, f"unmerge: {reason}"))
    return {"merged_id": merged_id, "survivor_id": survivor, "kind": kind, "undone_by": by}


# ------------------------------------------------------------------------------------------ run


@dataclass
class RunReport:
    kind: str
    records: int
    clusters: int
    candidate_pairs: int
    deterministic_links: int
    merges_applied: int
    merges_undone: int
    review_pending: int
    holds_open: int
    holds_released: int
    expected_unmerged_duplicates: float
    duplicate_rate: float
    duplicate_rate_target: float
    meets_target: bool
    review_decisions: int = 0                      # proposed clusters this run asks a human to decide
    decisions_per_1000_records: float = 0.0
    decisions_per_multi_record_identity: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def run_resolution(conn_or_url: str | psycopg.Connection, kind: str, *, actor: str = "crmhub-identity",
                   threshold: float = REVIEW_THRESHOLD, imap=None) -> RunReport:
    """Resolve ``core.entity``/``core.contact`` and write crosswalk, merges, queue, confidence, holds, run."""
    table = _table(kind)
    started = clock.now()
    fields, carriers = enrichment_fields(kind, imap), domain_systems(kind, imap)
    with _transaction(conn_or_url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('crmhub-identity'), hashtext(%s))", (kind,))
        _ensure_crosswalk(conn, table)
        df = load_records(conn, kind)
        if df.empty:
            report = RunReport(kind, 0, 0, 0, 0, 0, 0, _pending(conn, kind), 0, 0, 0.0, 0.0,
                               DUPLICATE_RATE_TARGET, True)
            _record_run(conn, report, started)
            return report
        systems = dict(zip(df["crmhub_id"], df["source_system"], strict=True))
        res = resolve(df, kind, decisions=load_decisions(conn, kind, systems), threshold=threshold)
        cluster_of = dict(zip(df["crmhub_id"], res.cluster_ids, strict=True))

        # merges: make core.merge_history match the accepted clusters
        current = active_merges(conn, table)
        desired = {merged: survivor for survivor, merged in res.merges}
        undone = 0
        for merged, survivor in current.items():
            if desired.get(merged) != survivor:
                _restore_row(conn, table, merged, f"{actor}: relinked")
                undone += 1
        current = active_merges(conn, table)
        reasons = _link_reasons(res, df)
        applied = 0
        # merge in age order so a survivor is never itself pending a merge
        age = {cid: i for i, cid in enumerate(df["crmhub_id"].tolist())}
        for merged, survivor in sorted(desired.items(), key=lambda kv: age[kv[0]]):
            if current.get(merged) == survivor:
                continue
            _merge_row(conn, table, survivor, merged, actor, reasons.get(merged, "accepted link"))
            applied += 1

        pending = review.write_proposals(conn, kind, res, cluster_of)
        scores = _write_confidence(conn, kind, table, df, res, fields, cluster_of, carriers)
        holds_open, released = _write_holds(conn, kind, scores, cluster_of)
        clusters = len(set(res.cluster_ids))
        rate = res.expected_unmerged_duplicates / clusters if clusters else 0.0
        report = RunReport(kind=kind, records=len(df), clusters=clusters, candidate_pairs=res.candidate_pairs,
                           deterministic_links=int(len(res.deterministic_links)), merges_applied=applied,
                           merges_undone=undone, review_pending=pending, holds_open=holds_open,
                           holds_released=released,
                           expected_unmerged_duplicates=round(res.expected_unmerged_duplicates, 3),
                           duplicate_rate=round(rate, 6), duplicate_rate_target=DUPLICATE_RATE_TARGET,
                           meets_target=rate < DUPLICATE_RATE_TARGET, **res.reviewer_load())
        _record_run(conn, report, started)
    return report


def _ensure_crosswalk(conn: psycopg.Connection, table: str) -> None:
    """Every live row has at least one crosswalk entry (its lineage external id, else its own id)."""
    conn.execute(
        f"""INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table)
            SELECT r.source_system, %s, COALESCE(r.source_lineage ->> 'external_id', r.crmhub_id::text),
                   r.crmhub_id, %s
            FROM core.{table} r
            WHERE r.deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM core.external_id x WHERE x.crmhub_id = r.crmhub_id)
              AND NOT EXISTS (SELECT 1 FROM core.merge_history h WHERE h.core_table = %s
                              AND h.merged_id = r.crmhub_id AND h.undone_at IS NULL)
            ON CONFLICT (system, object, external_id) DO NOTHING""", (table, table, table))


def _link_reasons(res, df: pd.DataFrame) -> dict[str, str]:
    ids = df["crmhub_id"].tolist()
    why = "deterministic: same tax id" if res.kind == "org" else "deterministic: same email"
    out: dict[str, str] = {}
    for a, b in res.deterministic_links.tolist():
        out.setdefault(ids[a], why)
        out.setdefault(ids[b], why)
    for a, b in res.approved_links.tolist():
        out.setdefault(ids[a], "approved by review")
        out.setdefault(ids[b], "approved by review")
    return out


def _write_confidence(conn, kind: str, table: str, df: pd.DataFrame, res, fields, cluster_of,
                      carriers: frozenset[str] | None) -> dict[str, dict]:
    members: dict[str, list[dict]] = defaultdict(list)
    for rec, cid in zip(df.to_dict("records"), res.cluster_ids, strict=True):
        members[cid].append(rec)
    verified: dict[str, list] = defaultdict(list)
    if kind == "org":
        for entity_id, flag in conn.execute(
            "SELECT entity_id::text, bool_or(email_verified) FROM core.contact WHERE entity_id IS NOT NULL "
            "AND (deleted_at IS NULL OR deleted_by = %s) GROUP BY entity_id", (MERGED_MARK,)).fetchall():
            if entity_id in cluster_of:
                verified[cluster_of[entity_id]].append(flag)
    scores = {cid: cluster_confidence(recs, kind, fields, verified.get(cid, ()), carriers)
              for cid, recs in members.items()}
    ids = list(scores)
    conn.execute("DELETE FROM ops.identity_confidence WHERE kind = %s AND NOT (crmhub_id::text = ANY(%s))",
                 (kind, ids))
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO ops.identity_confidence (kind, crmhub_id, score, domain_match, enrichment_coverage,
                                                    email_verified, members)
               VALUES (%s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (kind, crmhub_id) DO UPDATE SET score = EXCLUDED.score,
                   domain_match = EXCLUDED.domain_match, enrichment_coverage = EXCLUDED.enrichment_coverage,
                   email_verified = EXCLUDED.email_verified, members = EXCLUDED.members, computed_at = now()
               WHERE (ops.identity_confidence.score, ops.identity_confidence.members)
                     IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.members)""",
            [(kind, cid, s["score"], s["domain_match"], s["enrichment_coverage"], s["email_verified"],
              len(members[cid])) for cid, s in scores.items()])
    row_ids = df["crmhub_id"].tolist()
    conn.execute(
        f"""UPDATE core.{table} r SET confidence = v.score
            FROM unnest(%s::uuid[], %s::numeric[]) AS v(id, score)
            WHERE r.crmhub_id = v.id AND r.confidence IS DISTINCT FROM v.score""",
        (row_ids, [scores[cluster_of[i]]["score"] for i in row_ids]))
    return scores


def _write_holds(conn, kind: str, scores: dict[str, dict], cluster_of: dict[str, str]) -> tuple[int, int]:
    open_holds = dict(conn.execute(
        "SELECT crmhub_id::text, hold_id FROM ops.identity_holds WHERE kind = %s AND released_at IS NULL",
        (kind,)).fetchall())
    released = 0
    for crmhub_id, hold_id in open_holds.items():
        cid = cluster_of.get(crmhub_id, crmhub_id)
        score = scores.get(cid, {}).get("score")
        if score is not None and score >= HOLD_THRESHOLD:
            conn.execute("UPDATE ops.identity_holds SET released_at = now(), released_score = %s WHERE hold_id = %s",
                         (score, hold_id))
            released += 1
    for cid, s in scores.items():
        if s["held"] and cid not in open_holds:
            reason = (f"Identity_Confidence {s['score']:.2f} < {HOLD_THRESHOLD:.0f}: held for enrichment "
                      f"(domain_match={s['domain_match']}, enrichment_coverage={s['enrichment_coverage']}, "
                      f"email_verified={s['email_verified']})")
            conn.execute("INSERT INTO ops.identity_holds (kind, crmhub_id, score, reason) VALUES (%s, %s, %s, %s)",
                         (kind, cid, s["score"], reason))
    count = conn.execute("SELECT count(*) FROM ops.identity_holds WHERE kind = %s AND released_at IS NULL",
                         (kind,)).fetchone()[0]
    return int(count), released


def _pending(conn, kind: str) -> int:
    return review.pending_count(conn, kind)


def _record_run(conn, report: RunReport, started: datetime) -> None:
    conn.execute(
        """INSERT INTO ops.identity_runs (kind, started_at, records, clusters, candidate_pairs, deterministic_links,
               merges_applied, review_pending, holds_open, expected_unmerged_duplicates, duplicate_rate,
               duplicate_rate_target, meets_target, review_decisions, decisions_per_1000_records,
               decisions_per_multi_record_identity)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
        (report.kind, started, report.records, report.clusters, report.candidate_pairs, report.deterministic_links,
         report.merges_applied, report.review_pending, report.holds_open, report.expected_unmerged_duplicates,
         report.duplicate_rate, report.duplicate_rate_target, report.meets_target, report.review_decisions,
         report.decisions_per_1000_records, report.decisions_per_multi_record_identity))


# ----------------------------------------------------------------------------------------- holds


def list_holds(conn_or_url: str | psycopg.Connection, *, kind: str | None = None, open_only: bool = True) -> list[dict]:
    with _transaction(conn_or_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """SELECT hold_id, kind, crmhub_id::text AS crmhub_id, score::float AS score, reason, held_at,
                      released_at, released_score::float AS released_score
               FROM ops.identity_holds
               WHERE (%(kind)s::text IS NULL OR kind = %(kind)s) AND (NOT %(open)s OR released_at IS NULL)
               ORDER BY held_at, hold_id""", {"kind": kind, "open": open_only}).fetchall()


def is_held(conn_or_url: str | psycopg.Connection, kind: str, crmhub_id: str) -> bool:
    """True when the identity (or the identity it was merged into) has an open hold: do not route it."""
    with _transaction(conn_or_url) as conn:
        return holds.is_held(conn, kind, crmhub_id, active_merges(conn, _table(kind)).get(crmhub_id))


def dumps(value: object) -> str:
    """JSON for CLI output (datetimes as ISO strings)."""
    return json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v), indent=2)
