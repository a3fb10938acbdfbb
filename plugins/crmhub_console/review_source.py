"""The review queue as the console shows it: one *item* = one human decision on a proposed cluster.

:class:`ClusterReview` is a thin adapter over :mod:`crmhub.identity.review` (the functions behind ``crmhub
review list|show|approve|split|reject``). An item carries ``members`` (records, oldest first), ``fields`` (per
field the members' values, masked, and whether they agree) and ``evidence`` (each candidate link's score and
field-level drivers). Decisions pass the authenticated user as the core's ``by``.
"""

from __future__ import annotations

import psycopg

from crmhub.contracts.masking import mask_value

#: Score bands a steward filters by (a cluster's weakest link; lower bound inclusive), highest first.
BANDS = (("0.90-1.00", 0.90, 1.0), ("0.80-0.90", 0.80, 0.8999), ("0.70-0.80", 0.70, 0.7999))
#: Record fields that carry LP values (contact details, tax ids, amounts, birth dates): masked on every page.
SENSITIVE = ("email", "phone", "tax", "amount", "iban", "account", "birth")
#: Record keys that are not evidence (ids; the source system is in each record's column header).
ID_KEYS = ("id", "crmhub_id", "record_id", "source_system")
PAGE_SIZE = 50


def band_of(score: float) -> str:
    return next((name for name, low, _high in BANDS if score >= low), "<0.70")


def masked(field: str, value):
    """``value`` masked by the core's rule when ``field`` carries an LP value."""
    if value in (None, "") or not any(s in field.lower() for s in SENSITIVE):
        return value
    return mask_value(str(value))


def field_rows(records: list[dict]) -> list[dict]:
    """Per field (in first-seen order): the members' values, masked, and whether the present ones agree."""
    names = [k for r in records for k in r if k not in ID_KEYS]
    out = []
    for name in dict.fromkeys(names):
        values = [r.get(name) for r in records]
        present = {str(v).strip().lower() for v in values if v not in (None, "")}
        if not present:
            continue
        agree = (len(present) == 1) if sum(1 for v in values if v not in (None, "")) >= 2 else None
        out.append({"field": name, "values": [masked(name, v) for v in values], "agree": agree})
    return out


def unmasked_fields(items: list[dict]) -> list[str]:
    """Fields of the items' members shown in clear (names, cities...): what the access log records."""
    return list(dict.fromkeys(f["field"] for i in items for f in i["fields"] if not any(
        s in f["field"].lower() for s in SENSITIVE)))


def _today_counts(deciders: list[str]) -> dict:
    by: dict[str, int] = {}
    for name in deciders:
        by[name] = by.get(name, 0) + 1
    return {"total": len(deciders), "by_reviewer": by}


class ClusterReview:
    """Cluster-level review (``crmhub.identity.review``)."""

    unit = "cluster"
    decisions = ("approve", "split", "reject")

    def __init__(self) -> None:
        from crmhub.identity import review

        self.review = review

    def items(self, conn: psycopg.Connection, *, band: str | None = None, source: str | None = None,
              owner: str | None = None, limit: int = PAGE_SIZE) -> list[dict]:
        low, high = next(((lo, hi) for name, lo, hi in BANDS if name == band), (None, None))
        out = []
        for row in self.review.list_clusters(conn, status="pending", score_min=low, score_max=high,
                                             source_system=source, owner=owner, limit=limit):
            members = row["members"]
            position = {m["id"]: i + 1 for i, m in enumerate(members)}
            out.append({
                "id": row["cluster_id"], "kind": row["kind"], "score": row["score_min"], "band": band_of(row["score_min"]),
                "sources": row["source_systems"], "owners": row["owners"],
                "members": [{"id": m["id"], "source_system": m["source_system"], "owner": m.get("owner")}
                            for m in members],
                "fields": field_rows([m["record"] for m in members]),
                "evidence": [{"left": position.get(link["left"]), "right": position.get(link["right"]),
                              "score": link["score"], "drivers": (link.get("features") or {}).get("drivers", [])}
                             for link in self.review.show_cluster(conn, row["cluster_id"])["links"]],
            })
        return out

    def pending(self, conn: psycopg.Connection) -> int:
        return sum(self.review.pending_count(conn, kind) for kind in self.review.TABLES)

    def decide(self, conn: psycopg.Connection, item_id: int, decision: str, *, by: str, note: str | None = None,
               leaving: list[str] | None = None) -> dict:
        if decision == "approve":
            return self.review.approve(conn, item_id, by=by, note=note)
        if decision == "reject":
            return self.review.reject(conn, item_id, by=by, note=note)
        if decision == "split":
            return self.review.split(conn, item_id, leaving=leaving or [], by=by, note=note)
        raise ValueError(f"unknown decision {decision!r}; valid: {', '.join(self.decisions)}")

    def decisions_today(self, conn: psycopg.Connection) -> dict:
        return _today_counts([r["decided_by"] for r in self.review.decisions_today(conn)])

    def held(self, conn: psycopg.Connection) -> list[dict]:
        """Records not routed: ``enrichment`` (Identity_Confidence < 60) or ``review`` (in a pending cluster)."""
        return [{"kind": h["kind"], "crmhub_id": h["crmhub_id"], "waits_for": h["waits_for"], "score": h["score"],
                 "detail": h["detail"], "since": h["since"]} for h in self.review.held_records(conn)]


def review_source() -> ClusterReview:
    return ClusterReview()
