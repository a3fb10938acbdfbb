"""Cluster-level identity review: the functions behind ``crmhub review`` and the console's review page.

The review unit is a **proposed cluster** (:class:`crmhub.identity.matching.ProposedCluster`): a connected
component of candidate links above the 0.70 review threshold plus the accepted (deterministic and
approved) links, spanning two or more current identities. :func:`crmhub.identity.store.run_resolution`
writes them to ``ops.review_clusters`` (migration ``0031_review_clusters.sql``); nothing fuzzy is merged
until a human decides:

* **approve** — every member becomes one identity (the oldest row survives); remembered as approved
  pairs (the oldest member with each other one) in ``ops.match_decisions``.
* **split** — the steward names the records that *leave*; the others are approved as one identity,
  each leaving record is rejected against each staying one (a deterministic link between them is cut
  too, and an active merge undone).
* **reject** — every pair of members in different identities is remembered as rejected.

**Second review.** A rejection that contradicts a deterministic key — two members in different identities
share a normalised tax id (organisations) or a normalised email (contacts) — or that keeps at least
:data:`SECOND_REVIEW_MIN_IDENTITIES` identities apart is kept (its pairs stay rejected, nothing merges) and
the cluster goes back to ``pending`` with the first decision in
``first_decided_by`` / ``first_decided_at`` and the reason in ``second_review_reason`` (migration
``0125_review_second_review.sql``). The second decision must come from another reviewer, or from the same one
after :data:`SECOND_REVIEW_AFTER_DAYS`; approving or splitting then clears the first rejection's pair
decisions among the members, and a second rejection is final. One wrong rejection of a large cluster thus
gets a second look instead of staying for good.

Decisions are kept per record set (``ops.review_clusters.member_ids``) and as pair decisions, so a
re-run neither re-proposes a decided set nor undoes it. A pending proposal that a re-run no longer
makes (its records changed) becomes ``superseded``.

**Band approval.** :func:`sample_band` draws a uniform random sample of the pending clusters whose
weakest link scores in ``[score_low, score_high]`` and records that it was shown to the steward. Its
size is the smallest ``n`` with ``(1 - max_error_rate)^n <= 1 - confidence`` (59 clusters for 5 % at 95 %
confidence; all of them if the band is smaller): if the band's true error rate were above
``max_error_rate``, a sample that size would contain an error with probability ≥ ``confidence``. The
steward decides each sampled cluster one by one; :func:`approve_band` then approves the rest of the
band in one decision only if the same steward decided every sampled cluster and approved all of them
(zero errors found), and the decision lists every cluster it covers (``ops.review_band_decisions``).

API (``conn`` is a psycopg connection or a warehouse URL; every decision takes keyword ``by``, the
person deciding, recorded with the time):

* ``list_clusters(conn, *, kind=None, status="pending", score_min=None, score_max=None,
  source_system=None, owner=None, limit=100) -> list[dict]`` — weakest link first.
* ``show_cluster(conn, cluster_id) -> dict`` — the members side by side (``fields``: per field the
  value of each member and whether they agree) and the field-level evidence of each candidate link.
* ``approve(conn, cluster_id, *, by, note=None) -> dict``
* ``split(conn, cluster_id, *, leaving, by, note=None) -> dict`` — ``leaving``: crmhub ids.
* ``reject(conn, cluster_id, *, by, note=None) -> dict``
* ``sample_band(conn, *, kind, score_low, score_high, by, max_error_rate=0.05, confidence=0.95,
  seed=None) -> dict`` and ``approve_band(conn, sample_id, *, by, note=None) -> dict``.
* ``decisions_today(conn, *, by=None, kind=None) -> list[dict]`` — cluster and band decisions since
  midnight UTC.
* ``held_records(conn, *, kind=None) -> list[dict]`` — records that are not routed and what each waits
  for: ``"enrichment"`` (an open identity hold, Identity_Confidence < 60) or ``"review"`` (a member of
  a pending proposed cluster).

Errors are :class:`ReviewError` with the reason and the fix.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from crmhub import clock
from crmhub.exceptions import CrmHubError
from crmhub.identity.records import columns_for

TABLES = {"org": "entity", "contact": "contact"}
STATUSES = ("pending", "approved", "split", "rejected", "superseded")
#: Days after which the reviewer who rejected a cluster against a deterministic key may take the second look
#: themselves (another reviewer may take it at once).
SECOND_REVIEW_AFTER_DAYS = 2
#: A rejection that keeps this many identities apart gets a second look too (four eyes on a decision that
#: leaves that many records duplicated if it is wrong).
SECOND_REVIEW_MIN_IDENTITIES = 5
#: Pending clusters not waiting for a second review: a re-run may supersede them and a band may hold them. A
#: rejected cluster re-queued for a second look stays until decided on its own, never inside a band approval.
_UNDISPUTED_PENDING = "status = 'pending' AND first_decided_by IS NULL"


class ReviewError(CrmHubError):
    """A review decision that cannot be applied (unknown cluster, already decided, no sample shown ...)."""


def _conn_ctx(conn_or_url):
    from crmhub.identity.store import _transaction

    return _transaction(conn_or_url)


def _need_by(by: str | None) -> str:
    if not by or not str(by).strip():
        raise ReviewError("a review decision needs the name of the person deciding (--by)")
    return str(by).strip()


# ----------------------------------------------------------------------------------- writing (runs)


def write_proposals(conn: psycopg.Connection, kind: str, res, cluster_of: dict[str, str]) -> int:
    """Store this run's proposed clusters; pending ones it no longer proposes become ``superseded``.

    ``cluster_of`` maps each record's crmhub id to its identity after this run. A record set decided
    before keeps its decision (the unique key is the member set). Returns the number of pending clusters.
    """
    table = TABLES[kind]
    owners = dict(conn.execute(f"SELECT crmhub_id::text, owner FROM core.{table} WHERE crmhub_id = ANY(%s::uuid[])",
                               ([m["record_id"] for p in res.proposals for m in p.members],)).fetchall())
    cols = columns_for(kind)
    kept: list[int] = []
    for p in res.proposals:
        member_ids = sorted(m["record_id"] for m in p.members)
        members = [{"id": m["record_id"], "source_system": m["source_system"], "identity": cluster_of[m["record_id"]],
                    "owner": owners.get(m["record_id"]), "record": {c: _text(m.get(c)) for c in cols}}
                   for m in p.members]
        links = [{"left": q.left["record_id"], "right": q.right["record_id"], "score": q.score,
                  "features": q.features} for q in p.pairs]
        row = conn.execute(
            """INSERT INTO ops.review_clusters (kind, proposal_key, member_ids, members, links, score_min, score_max,
                                                source_systems, owners)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
               ON CONFLICT (kind, member_ids) DO UPDATE
               SET members = EXCLUDED.members, links = EXCLUDED.links, score_min = EXCLUDED.score_min,
                   score_max = EXCLUDED.score_max, owners = EXCLUDED.owners,
                   status = CASE WHEN ops.review_clusters.status = 'superseded' THEN 'pending'
                                 ELSE ops.review_clusters.status END,
                   updated_at = now()
               WHERE ops.review_clusters.status IN ('pending', 'superseded')
               RETURNING cluster_id""",
            (kind, p.cluster_id, member_ids, Jsonb(members), Jsonb(links), p.score_min, p.score_max,
             sorted({m["source_system"] for m in p.members}), sorted({m["owner"] for m in members if m["owner"]}))
        ).fetchone()
        if row is not None:
            kept.append(row[0])
    conn.execute(
        """UPDATE ops.review_clusters SET status = 'superseded', updated_at = now()
           WHERE kind = %s AND """ + _UNDISPUTED_PENDING + """
             AND cluster_id NOT IN (SELECT unnest(%s::bigint[]))""",
        (kind, kept))
    return pending_count(conn, kind)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def pending_count(conn: psycopg.Connection, kind: str) -> int:
    return int(conn.execute("SELECT count(*) FROM ops.review_clusters WHERE kind = %s AND status = 'pending'",
                            (kind,)).fetchone()[0])


# ------------------------------------------------------------------------------------------ reading

_LIST_SQL = """
SELECT cluster_id, kind, proposal_key, member_ids, score_min::float AS score_min, score_max::float AS score_max,
       source_systems, owners, status, decided_by, decided_at, leaving_ids, note, band_decision_id,
       first_decided_by, first_decided_at, second_review_reason,
       cardinality(member_ids) AS size, members, created_at
FROM ops.review_clusters
WHERE (%(status)s::text IS NULL OR status = %(status)s) AND (%(kind)s::text IS NULL OR kind = %(kind)s)
  AND (%(lo)s::numeric IS NULL OR score_min >= %(lo)s) AND (%(hi)s::numeric IS NULL OR score_min <= %(hi)s)
  AND (%(system)s::text IS NULL OR %(system)s = ANY(source_systems))
  AND (%(owner)s::text IS NULL OR %(owner)s = ANY(owners))
ORDER BY score_min, cluster_id
LIMIT %(limit)s"""


def list_clusters(conn_or_url, *, kind: str | None = None, status: str | None = "pending",
                  score_min: float | None = None, score_max: float | None = None, source_system: str | None = None,
                  owner: str | None = None, limit: int = 100) -> list[dict]:
    """Proposed clusters, weakest link first; filters: status, kind, band of the weakest link's score,
    a source system among the members', an owner among the members'."""
    if status is not None and status not in STATUSES:
        raise ReviewError(f"status must be one of {STATUSES} or None, got {status!r}")
    with _conn_ctx(conn_or_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_LIST_SQL, {"status": status, "kind": kind, "lo": score_min, "hi": score_max,
                                       "system": source_system, "owner": owner, "limit": limit}).fetchall()


def show_cluster(conn_or_url, cluster_id: int) -> dict:
    """One proposed cluster: members side by side and the field-level evidence of each link.

    ``fields`` holds, per canonical field, ``{"values": [value per member], "agree": bool|None}``
    (``None`` when fewer than two members have the field); ``links`` holds each candidate link's
    score and its per-comparison levels and weights (``features["drivers"]``).
    """
    with _conn_ctx(conn_or_url) as conn:
        row = _get(conn, cluster_id)
        bands = conn.execute("SELECT band_decision_id, decided_by, decided_at FROM ops.review_band_decisions "
                             "WHERE %s = ANY(cluster_ids)", (cluster_id,)).fetchall()
    cols = [c for c in columns_for(row["kind"]) if c not in ("record_id", "source_system")]
    fields = {}
    for c in cols:
        values = [m["record"].get(c) for m in row["members"]]
        present = {str(v).strip().lower() for v in values if v}
        fields[c] = {"values": values, "agree": (len(present) == 1) if sum(1 for v in values if v) >= 2 else None}
    row["fields"] = fields
    row["band_decisions"] = [{"band_decision_id": b[0], "decided_by": b[1], "decided_at": b[2]} for b in bands]
    return row


def _get(conn: psycopg.Connection, cluster_id: int, *, lock: bool = False) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute("SELECT *, score_min::float AS score_min, score_max::float AS score_max "
                          "FROM ops.review_clusters WHERE cluster_id = %s" + (" FOR UPDATE" if lock else ""),
                          (cluster_id,)).fetchone()
    if row is None:
        raise ReviewError(f"review cluster {cluster_id} does not exist; see `crmhub review list`")
    return row


# ----------------------------------------------------------------------------------------- deciding


def approve(conn_or_url, cluster_id: int, *, by: str, note: str | None = None) -> dict:
    """Approve a pending cluster: all members become one identity (the oldest survives)."""
    by = _need_by(by)
    with _conn_ctx(conn_or_url) as conn:
        return _approve(conn, _pending(conn, cluster_id, by), by, note)


def split(conn_or_url, cluster_id: int, *, leaving: list[str], by: str, note: str | None = None) -> dict:
    """Split a pending cluster: ``leaving`` records go; the others are approved as one identity."""
    by = _need_by(by)
    leaving = sorted({str(x) for x in leaving})
    with _conn_ctx(conn_or_url) as conn:
        row = _pending(conn, cluster_id, by)
        unknown = set(leaving) - set(row["member_ids"])
        if unknown:
            raise ReviewError(f"review cluster {cluster_id}: {sorted(unknown)} are not members; members are "
                              f"{row['member_ids']}")
        if not leaving or len(leaving) == len(row["member_ids"]):
            raise ReviewError(f"review cluster {cluster_id}: a split names at least one but not every member "
                              "(use approve or reject for all of them)")
        return _apply(conn, row, "split", by, note, leaving=leaving)


def reject(conn_or_url, cluster_id: int, *, by: str, note: str | None = None) -> dict:
    """Reject a pending cluster: its members stay in their current identities, remembered for re-runs."""
    by = _need_by(by)
    with _conn_ctx(conn_or_url) as conn:
        return _apply(conn, _pending(conn, cluster_id, by), "rejected", by, note)


def _pending(conn: psycopg.Connection, cluster_id: int, by: str) -> dict:
    row = _get(conn, cluster_id, lock=True)
    if row["status"] != "pending":
        who = f" by {row['decided_by']}" if row["decided_by"] else ""
        raise ReviewError(f"review cluster {cluster_id} is {row['status']}{who}; only pending clusters can be "
                          "decided (undo a merge with `crmhub identity unmerge`)")
    first = row.get("first_decided_by")
    if first and first == by:
        due = row["first_decided_at"] + timedelta(days=SECOND_REVIEW_AFTER_DAYS)
        if clock.now() < due:
            raise ReviewError(
                f"review cluster {cluster_id} waits for a second review of {first}'s rejection "
                f"({row['second_review_reason']}): another reviewer decides it, or {first} after "
                f"{due.isoformat(timespec='minutes')}")
    return row


def second_review_reasons(kind: str, members: list[dict]) -> list[str]:
    """Why a rejection of a cluster with ``members`` needs a second review: the deterministic keys it
    contradicts (:func:`key_conflicts`) and, when it keeps at least :data:`SECOND_REVIEW_MIN_IDENTITIES`
    identities apart, their number. Empty: the rejection is final at once."""
    reasons = [f"contradicts {c}" for c in key_conflicts(kind, members)]
    identities = len({m["identity"] for m in members})
    if identities >= SECOND_REVIEW_MIN_IDENTITIES:
        reasons.append(f"keeps {identities} identities apart")
    return reasons


def key_conflicts(kind: str, members: list[dict]) -> list[str]:
    """Deterministic keys shared by members in different identities: ``"tax id 123456789"`` (organisations,
    normalised tax id) or ``"email a@b.example"`` (contacts, normalised address). A rejection of a cluster
    with any is queued for a second review."""
    from crmhub.identity.normalize import normalize_email, normalize_tax_id

    field, norm = ("tax_id", normalize_tax_id) if kind == "org" else ("email", normalize_email)
    label = "tax id" if kind == "org" else "email"
    identities: dict[str, set[str]] = {}
    for m in members:
        key = norm((m.get("record") or {}).get(field))
        if key:
            identities.setdefault(key, set()).add(m["identity"])
    return [f"{label} {key}" for key, ids in sorted(identities.items()) if len(ids) > 1]


def _approve(conn, row: dict, by: str, note: str | None, band_decision_id: int | None = None) -> dict:
    return _apply(conn, row, "approved", by, note, band_decision_id=band_decision_id)


def _apply(conn: psycopg.Connection, row: dict, decision: str, by: str, note: str | None, *,
           leaving: list[str] | None = None, band_decision_id: int | None = None) -> dict:
    from crmhub.identity import store

    kind, table = row["kind"], TABLES[row["kind"]]
    identity = {m["id"]: m["identity"] for m in row["members"]}
    order = [m["id"] for m in row["members"]]  # oldest first
    leaving = leaving or []
    staying = [i for i in order if i not in leaving] if decision != "rejected" else []
    reason = note or f"review cluster {row['cluster_id']}: {decision}"
    pairs: list[tuple[str, str, str]] = []
    if staying:
        pairs += [(staying[0], other, "approved") for other in staying[1:]]
    cut = [(a, b) for a in leaving for b in staying] if decision == "split" else \
        [(a, b) for i, a in enumerate(order) for b in order[i + 1:] if identity[a] != identity[b]] \
        if decision == "rejected" else []
    pairs += [(a, b, "rejected") for a, b in cut]
    if row.get("first_decided_by") and decision != "rejected":
        # the second review overturns the first rejection: its pair decisions among the members go
        conn.execute("DELETE FROM ops.match_decisions WHERE kind = %s AND decision = 'rejected' "
                     "AND pair_low = ANY(%s::text[]) AND pair_high = ANY(%s::text[])",
                     (kind, order, order))
    for a, b, verdict in pairs:
        low, high = sorted((a, b))
        conn.execute(
            "INSERT INTO ops.match_decisions (kind, pair_low, pair_high, decision, reviewer, reason) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (kind, pair_low, pair_high) DO UPDATE "
            "SET decision = EXCLUDED.decision, reviewer = EXCLUDED.reviewer, decided_at = now(), "
            "reason = EXCLUDED.reason", (kind, low, high, verdict, by, reason))
    merged = []
    if decision == "split":
        # a merge across the cut is undone: a leaving record merged into a staying one, or the reverse
        out = set(leaving)
        for rid, survivor in store.active_merges(conn, table).items():
            if rid in identity and (rid in out) != (survivor in out):
                store._restore_row(conn, table, rid, by)
    if len(staying) > 1:
        merged = _merge_all(conn, table, staying, by, f"approved in review cluster {row['cluster_id']}")
    decided_at = clock.now()
    conn.execute("UPDATE ops.review_clusters SET status = %s, decided_by = %s, decided_at = %s, leaving_ids = %s, "
                 "note = %s, band_decision_id = %s, updated_at = now() WHERE cluster_id = %s",
                 (decision, by, decided_at, leaving if decision == "split" else None, note, band_decision_id,
                  row["cluster_id"]))
    out = {"cluster_id": row["cluster_id"], "kind": kind, "status": decision, "decided_by": by,
           "decided_at": decided_at.isoformat(), "members": order, "leaving": leaving, "merges": merged}
    conflicts = second_review_reasons(kind, row["members"]) if decision == "rejected" else []
    if conflicts and not row.get("first_decided_by"):
        # the rejection stands (its pairs stay rejected) until a second reviewer confirms or overturns it
        reason = "rejected: " + ", ".join(conflicts)
        conn.execute("UPDATE ops.review_clusters SET status = 'pending', decided_by = NULL, decided_at = NULL, "
                     "first_decided_by = %s, first_decided_at = %s, second_review_reason = %s, updated_at = now() "
                     "WHERE cluster_id = %s", (by, decided_at, reason, row["cluster_id"]))
        out.update(status="pending", second_review=reason)
    return out


def _merge_all(conn: psycopg.Connection, table: str, ids: list[str], by: str, reason: str) -> list[dict]:
    from crmhub.identity import store

    merges = store.active_merges(conn, table)
    identities = sorted({merges.get(i, i) for i in ids})
    if len(identities) < 2:
        return []
    rows = conn.execute(f"SELECT crmhub_id::text FROM core.{table} WHERE crmhub_id = ANY(%s::uuid[]) "
                        "ORDER BY created_at, crmhub_id", (identities,)).fetchall()
    if not rows:
        raise ReviewError(f"none of {identities} exists in core.{table} any more")
    survivor = rows[0][0]
    out = []
    for (other,) in rows[1:]:
        store._merge_row(conn, table, survivor, other, by, reason)
        out.append({"survivor_id": survivor, "merged_id": other})
    return out


# -------------------------------------------------------------------------------------- band approval


def sample_size(band_size: int, *, max_error_rate: float = 0.05, confidence: float = 0.95) -> int:
    """Clusters to show so that zero errors in the sample bound the band's error rate.

    The smallest ``n`` with ``(1 - max_error_rate)^n <= 1 - confidence``, at most ``band_size``:
    59 for 5 % at 95 % confidence, 299 for 1 %.
    """
    if not 0 < max_error_rate < 1 or not 0 < confidence < 1:
        raise ReviewError("max_error_rate and confidence must be in (0, 1)")
    n = math.ceil(math.log(1 - confidence) / math.log(1 - max_error_rate))
    return min(n, band_size)


def sample_band(conn_or_url, *, kind: str, score_low: float, score_high: float, by: str,
                max_error_rate: float = 0.05, confidence: float = 0.95, seed: int | None = None) -> dict:
    """Draw and record a random sample of the pending clusters in a score band, shown to ``by``."""
    by = _need_by(by)
    with _conn_ctx(conn_or_url) as conn:
        band = [r[0] for r in conn.execute(
            f"SELECT cluster_id FROM ops.review_clusters WHERE kind = %s AND {_UNDISPUTED_PENDING} "
            "AND score_min BETWEEN %s AND %s ORDER BY cluster_id", (kind, score_low, score_high)).fetchall()]
        if not band:
            raise ReviewError(f"no pending {kind} cluster has its weakest link in [{score_low}, {score_high}]")
        n = sample_size(len(band), max_error_rate=max_error_rate, confidence=confidence)
        sample = sorted(random.Random(seed).sample(band, n))
        sample_id = conn.execute(
            "INSERT INTO ops.review_band_samples (kind, score_low, score_high, band_cluster_ids, sample_ids, "
            "max_error_rate, confidence, shown_to) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING sample_id",
            (kind, score_low, score_high, band, sample, max_error_rate, confidence, by)).fetchone()[0]
        clusters = [show_cluster(conn, cid) for cid in sample]
    return {"sample_id": sample_id, "kind": kind, "score_low": score_low, "score_high": score_high,
            "band_size": len(band), "sample_size": n, "max_error_rate": max_error_rate, "confidence": confidence,
            "shown_to": by, "clusters": clusters}


def approve_band(conn_or_url, sample_id: int, *, by: str, note: str | None = None) -> dict:
    """Approve every still-pending cluster of a sampled band in one decision.

    Allowed only when ``by`` is the steward the sample was shown to, every sampled cluster has been
    decided by them and all were approved. The decision lists every cluster it covers.
    """
    by = _need_by(by)
    with _conn_ctx(conn_or_url) as conn:
        sample = conn.execute(
            "SELECT kind, band_cluster_ids, sample_ids, shown_to, max_error_rate::float, confidence::float "
            "FROM ops.review_band_samples WHERE sample_id = %s FOR UPDATE", (sample_id,)).fetchone()
        if sample is None:
            raise ReviewError(f"band sample {sample_id} does not exist; draw one with `crmhub review sample`")
        kind, band, shown, shown_to, max_err, conf = sample
        if shown_to != by:
            raise ReviewError(f"band sample {sample_id} was shown to {shown_to}, not {by}: the person approving a "
                              "band must have reviewed its sample")
        if conn.execute("SELECT 1 FROM ops.review_band_decisions WHERE sample_id = %s", (sample_id,)).fetchone():
            raise ReviewError(f"band sample {sample_id} was already used for a band approval")
        states = dict(conn.execute("SELECT cluster_id, status || ':' || coalesce(decided_by, '') "
                                   "FROM ops.review_clusters WHERE cluster_id = ANY(%s)", (shown,)).fetchall())
        undecided = [c for c in shown if states.get(c, "").startswith(("pending", "superseded"))]
        if undecided:
            raise ReviewError(f"band sample {sample_id}: decide the sampled clusters {undecided} first "
                              "(`crmhub review show/approve/split/reject`)")
        errors = [c for c in shown if states.get(c) != f"approved:{by}"]
        if errors:
            raise ReviewError(f"band sample {sample_id}: {len(errors)} sampled cluster(s) {errors} were not approved "
                              f"by {by}; the band's error rate is not bounded by {max_err:.0%}: review it cluster by "
                              "cluster or sample a narrower band")
        rest = [c for c in band if c not in shown]
        covered = [r[0] for r in conn.execute(
            f"SELECT cluster_id FROM ops.review_clusters WHERE cluster_id = ANY(%s) AND {_UNDISPUTED_PENDING} "
            "ORDER BY cluster_id FOR UPDATE", (rest,)).fetchall()]
        rows = [_get(conn, c) for c in covered]
        decision_id = conn.execute(
            "INSERT INTO ops.review_band_decisions (sample_id, kind, cluster_ids, decided_by, note) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING band_decision_id", (sample_id, kind, covered, by, note)
        ).fetchone()[0]
        for r in rows:
            _approve(conn, r, by, note or f"band approval {decision_id} (sample {sample_id})", decision_id)
    return {"band_decision_id": decision_id, "sample_id": sample_id, "kind": kind, "decided_by": by,
            "cluster_ids": covered, "sampled": list(shown), "max_error_rate": max_err, "confidence": conf}


# ---------------------------------------------------------------------------------------- overviews


def decisions_today(conn_or_url, *, by: str | None = None, kind: str | None = None) -> list[dict]:
    """Cluster decisions taken since midnight UTC (band approvals included, with their id), newest first; a
    rejection waiting for its second review counts as its reviewer's decision (status ``rejected``)."""
    with _conn_ctx(conn_or_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            """WITH t AS (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS today)
               SELECT * FROM (
                 SELECT cluster_id, kind, status, decided_by, decided_at, member_ids, leaving_ids, note,
                        band_decision_id, score_min::float AS score_min
                   FROM ops.review_clusters, t WHERE decided_at >= t.today
                 UNION ALL
                 SELECT cluster_id, kind, 'rejected', first_decided_by, first_decided_at, member_ids, NULL, note,
                        NULL, score_min::float
                   FROM ops.review_clusters, t WHERE first_decided_at >= t.today) d
               WHERE (%(by)s::text IS NULL OR decided_by = %(by)s) AND (%(kind)s::text IS NULL OR kind = %(kind)s)
               ORDER BY decided_at DESC, cluster_id""", {"by": by, "kind": kind}).fetchall()


def held_records(conn_or_url, *, kind: str | None = None) -> list[dict]:
    """Records not routed and what they wait for: ``enrichment`` (open identity hold) or ``review``."""
    with _conn_ctx(conn_or_url) as conn, conn.cursor(row_factory=dict_row) as cur:
        holds = cur.execute(
            """SELECT kind, crmhub_id::text AS crmhub_id, 'enrichment' AS waits_for, score::float AS score,
                      reason AS detail, held_at AS since, NULL::bigint AS cluster_id
               FROM ops.identity_holds WHERE released_at IS NULL AND (%(kind)s::text IS NULL OR kind = %(kind)s)""",
            {"kind": kind}).fetchall()
        review = cur.execute(
            """SELECT c.kind, m AS crmhub_id, 'review' AS waits_for, c.score_min::float AS score,
                      'pending review cluster ' || c.cluster_id || ' (' || cardinality(c.member_ids) || ' records)'
                      AS detail, c.created_at AS since, c.cluster_id
               FROM ops.review_clusters c, unnest(c.member_ids) m
               WHERE c.status = 'pending' AND (%(kind)s::text IS NULL OR c.kind = %(kind)s)""",
            {"kind": kind}).fetchall()
    return sorted(holds + review, key=lambda r: (r["since"], r["crmhub_id"]))
