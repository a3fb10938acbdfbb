"""The review queue as the console shows it: one *item* = one decision, whatever unit the core reviews.

Today's core (``crmhub.identity.store``) reviews **pairs**: :class:`PairReview` is a thin adapter over
``list_reviews`` / ``approve`` / ``reject`` / ``list_holds`` (the functions behind ``crmhub review ...`` and
``crmhub identity holds``). For a pair, "split" means the two records stay apart, i.e. a rejection. When the
cluster-level review of ``crmhub.identity.review`` lands, a cluster adapter replaces this one and the page keeps
its shape (items with records side by side, evidence, approve / split / reject).
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import psycopg

from crmhub.contracts.masking import mask_value
from crmhub.identity import store

#: Score bands a steward filters by (lower bound inclusive), highest first.
BANDS = (("0.90-1.00", 0.90, 1.01), ("0.80-0.90", 0.80, 0.90), ("0.70-0.80", 0.70, 0.80), ("<0.70", 0.0, 0.70))


def band_of(score: float) -> str:
    return next(name for name, low, high in BANDS if low <= score < high)


#: Record fields that carry LP values (contact details, tax ids, amounts): masked before any page shows them.
SENSITIVE = ("email", "phone", "tax", "amount", "iban", "account")


def masked(rec: dict) -> dict:
    """A copy of ``rec`` with sensitive values masked by the core's rule (:func:`mask_value`)."""
    return {k: mask_value(str(v)) if v not in (None, "") and any(s in k.lower() for s in SENSITIVE) else v
            for k, v in rec.items()}


def _owner(rec: dict) -> str | None:
    return rec.get("owner") or rec.get("owner_id") or rec.get("relationship_owner")


class PairReview:
    """Pair-level review (today's core)."""

    unit = "pair"
    decisions = ("approve", "split", "reject")

    def items(self, conn: psycopg.Connection, *, band: str | None = None, source: str | None = None,
              owner: str | None = None, limit: int = 200) -> list[dict]:
        out = []
        for row in store.list_reviews(conn, status="pending", limit=limit * 5 if (band or source or owner) else limit):
            records = [masked(row["left_record"]), masked(row["right_record"])]
            item = {
                "id": row["review_id"], "kind": row["kind"], "score": row["score"], "band": band_of(row["score"]),
                "records": records,
                "sources": sorted({r.get("source_system") or "?" for r in records}),
                "owners": sorted({o for o in (_owner(r) for r in records) if o}),
                "evidence": (row["features"] or {}).get("drivers", []),
                "created_at": row["created_at"],
            }
            if ((band and item["band"] != band) or (source and source not in item["sources"])
                    or (owner and owner not in item["owners"])):
                continue
            out.append(item)
            if len(out) >= limit:
                break
        return out

    def decide(self, conn: psycopg.Connection, item_id: int, decision: str, *, by: str,
               note: str | None = None) -> dict:
        """``approve`` merges the pair; ``split`` and ``reject`` keep it apart (remembered for later runs)."""
        if decision not in self.decisions:
            raise ValueError(f"unknown decision {decision!r}; valid: {', '.join(self.decisions)}")
        func = store.approve if decision == "approve" else store.reject
        return func(conn, item_id, reviewer=by, note=note)

    def decisions_today(self, conn: psycopg.Connection, *, now: datetime | None = None) -> dict:
        start = datetime.combine((now or datetime.now(UTC)).astimezone(UTC).date(), time.min, tzinfo=UTC)
        rows = [r for r in store.list_reviews(conn, status=None, limit=100_000)
                if r["decided_at"] is not None and r["decided_at"] >= start]
        by_reviewer: dict[str, int] = {}
        for r in rows:
            by_reviewer[r["reviewer"]] = by_reviewer.get(r["reviewer"], 0) + 1
        return {"total": len(rows), "by_reviewer": by_reviewer}

    def pending(self, conn: psycopg.Connection) -> int:
        return len(store.list_reviews(conn, status="pending", limit=1_000_000))

    def held(self, conn: psycopg.Connection) -> list[dict]:
        """Records not routed and what they wait for: ``enrichment`` (Identity_Confidence < 60, the hold's reason)."""
        return [{"kind": h["kind"], "crmhub_id": h["crmhub_id"], "waits_for": "enrichment", "score": h["score"],
                 "detail": h["reason"], "since": h["held_at"]} for h in store.list_holds(conn)]


def review_source() -> PairReview:
    return PairReview()
