"""The simulated data steward: decides review clusters the way a person with the evidence does.

A real steward reads a proposed cluster side by side (``crmhub review show``: names, addresses, phones,
companies), looks the people up where needed (the relationship owner, the firm's website, the fund
administrator's file) and is right most of the time, not always. The simulation plays that with what the
world knows to be true, at a stated accuracy (:data:`ACCURACY`): for each cluster the steward takes the
decision the truth calls for (approve one person, reject strangers, split off the records of another
entity), and with probability ``1 - ACCURACY`` the wrong one (rejects a true duplicate, approves strangers
together). Capacity stays the plan's (clusters a day, weakest link first), so truth is never free: what the
steward has no time for stays pending, and a wrong rejection is remembered like any human rejection, except
one that contradicts a deterministic key (members sharing a tax id or an email): the core re-queues it, and the
steward's lead (:data:`SECOND_REVIEWER`) decides it again, within the same daily capacity.

Truth (:class:`Truth`): the demo data's ground truth (``truth/contacts.csv``, ``truth/entities.csv``) joined
with the source files to the values a steward sees in a cluster (a contact's email, an organisation's name),
plus the world's own records (:data:`crmhub.simulate.world.WORLD_TRUTH`). A member none of them knows (an
email typed differently, a record a wrong merge rewrote) is decided on the evidence alone: approve when the
weakest link scores at least :data:`EVIDENCE_APPROVE`, else reject.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

#: Share of clusters the steward decides as the truth calls for (assumed; a steward with the evidence shown
#: and the relationship owner to ask, not an oracle).
ACCURACY = 0.95
#: Who takes the second look at a rejection that contradicts a deterministic key (``crmhub.identity.review``
#: re-queues it; the core wants another reviewer, or the same one days later): the steward's lead, who decides
#: the same way at the same accuracy.
SECOND_REVIEWER = "sim.lead_steward"
#: Decision on the evidence alone when a member is unknown to the world's truth: the weakest link's score.
EVIDENCE_APPROVE = 0.85


def _key(value: object) -> str | None:
    text = " ".join(str(value or "").split()).lower()
    return text or None


@dataclass
class Truth:
    """``{kind: {email or name (folded): true id}}``; a value two true ids share is ambiguous (unknown)."""

    ids: dict[str, dict[str, str | None]] = field(default_factory=lambda: {"contact": {}, "org": {}})

    def add(self, kind: str, value: object, true_id: str) -> None:
        key = _key(value)
        if key is None:
            return
        known = self.ids[kind]
        known[key] = true_id if known.get(key, true_id) == true_id else None

    def of(self, kind: str, value: object) -> str | None:
        key = _key(value)
        return self.ids[kind].get(key) if key else None

    @classmethod
    def load(cls, data_dir: Path) -> Truth:
        from crmhub.demo_data.generator import FILES
        from crmhub.simulate.world import WORLD_TRUTH

        truth = cls()
        people = _truth_map(data_dir / FILES["truth_contacts"])
        orgs = _truth_map(data_dir / FILES["truth_entities"])
        org_of_person = {}
        for row in _rows(data_dir / FILES["fund_admin"]):
            ext = row["external_id"]
            truth.add("contact", row["email"], people.get(("fund_admin", ext), ext))
            if ("fund_admin", ext) in orgs:
                truth.add("org", row["company"], orgs[("fund_admin", ext)])
                org_of_person[people.get(("fund_admin", ext))] = orgs[("fund_admin", ext)]
        for row in _rows(data_dir / FILES["crm_contacts"]):
            person = people.get(("crm", row["id"]), f"crm:{row['id']}")
            truth.add("contact", row["email"], person)
            if person in org_of_person:
                truth.add("org", row["company"], org_of_person[person])
        for row in _rows(data_dir / FILES["crm_companies"]):
            if ("crm", row["id"]) in orgs:
                truth.add("org", row["name"], orgs[("crm", row["id"])])
        for row in _rows(data_dir / WORLD_TRUTH):
            truth.add(row["kind"], row["key"], row["true_id"])
        return truth


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _truth_map(path: Path) -> dict[tuple[str, str], str]:
    return {(r["system"], r["external_id"]): r["true_id"] for r in _rows(path)}


#: The field of a cluster member's record the truth is keyed on, per kind.
TRUTH_FIELD = {"contact": "email", "org": "name"}


def right_decision(cluster: dict, truth: Truth) -> tuple[str, list[str]] | None:
    """What the truth calls for: ``("approved", [])``, ``("rejected", [])`` or ``("split", leaving ids)``
    (the largest group of one entity stays, the others leave); None when a member's truth is unknown."""
    kind = cluster["kind"]
    true_ids = {m["id"]: truth.of(kind, (m.get("record") or {}).get(TRUTH_FIELD[kind])) for m in cluster["members"]}
    if None in true_ids.values():
        return None
    groups = Counter(true_ids.values())
    if len(groups) == 1:
        return "approved", []
    biggest, size = groups.most_common(1)[0]
    if size == 1:
        return "rejected", []
    return "split", sorted(i for i, t in true_ids.items() if t != biggest)


def decide(cluster: dict, truth: Truth, rng: random.Random, accuracy: float = ACCURACY) -> tuple[str, list[str]]:
    """The steward's decision on one cluster: the right one with probability ``accuracy``, else the wrong
    one (a true cluster rejected; strangers or a mixed cluster approved whole); on the evidence alone when
    the truth does not know a member."""
    right = right_decision(cluster, truth)
    if right is None:
        return ("approved" if cluster["score_min"] >= EVIDENCE_APPROVE else "rejected"), []
    if rng.random() < accuracy:
        return right
    return ("rejected", []) if right[0] == "approved" else ("approved", [])


def review(url: str, truth: Truth, capacity: int, *, by: str, seed: int, accuracy: float = ACCURACY,
           safe=lambda what, fn, *a, **kw: fn(*a, **kw)) -> Counter:
    """Decide up to ``capacity`` pending clusters, weakest link first; returns decisions by status. Each
    cluster's draw is seeded by (seed, cluster id), so a run is reproducible. ``safe`` runs each decision
    (the runner's failure recorder)."""
    from crmhub.identity import review as rv

    done: Counter = Counter()
    for cluster in rv.list_clusters(url, status="pending", limit=capacity):
        second = cluster.get("first_decided_by") is not None
        who = SECOND_REVIEWER if second else by
        draw = f"{seed}:{cluster['cluster_id']}" + (":second" if second else "")
        status, leaving = decide(cluster, truth, random.Random(draw), accuracy)
        note = f"crmhub simulate: {'second review' if second else 'steward' + chr(39) + 's daily review'} ({status})"
        if status == "split":
            result = safe(f"steward.{cluster['cluster_id']}", rv.split, url, cluster["cluster_id"], leaving=leaving,
                          by=who, note=note)
        else:
            fn = rv.approve if status == "approved" else rv.reject
            result = safe(f"steward.{cluster['cluster_id']}", fn, url, cluster["cluster_id"], by=who, note=note)
        if result is not None:
            done[status] += 1
    return done


#: Live rows of each kind as the last identity run of that kind saw them (the moment the KPI is read),
#: with the value the truth is keyed on.
_LIVE_SQL = """SELECT r.crmhub_id::text, r.{field} FROM core.{table} r
                WHERE r.deleted_at IS NULL AND r.created_at <= (SELECT max(started_at) FROM ops.identity_runs
                                                               WHERE kind = %s)"""


def duplicates_left(conn, truth: Truth, kind: str) -> dict[str, int]:
    """Live records of ``kind`` beyond the first of each true entity (``duplicates``), of them those whose
    entity has a human rejection between its live records (``rejected``: the steward's wrong rejections),
    plus ``live`` and ``unknown`` (records the truth does not know). A check of the resolver and the
    steward against the world, not a KPI (the KPI is the resolver's own estimate,
    ``crmhub.kpi.metrics.duplicate_rate``)."""
    table, field = ("contact", "email") if kind == "contact" else ("entity", "name")
    rows = conn.execute(_LIVE_SQL.format(field=field, table=table), (kind,)).fetchall()
    groups: dict[str, list[str]] = {}
    for crmhub_id, value in rows:
        true_id = truth.of(kind, value)
        if true_id is not None:
            groups.setdefault(true_id, []).append(crmhub_id)
    split = [ids for ids in groups.values() if len(ids) > 1]
    rejected = {tuple(r) for r in conn.execute(
        "SELECT pair_low::text, pair_high::text FROM ops.match_decisions WHERE kind = %s AND decision = 'rejected'",
        (kind,)).fetchall()}
    cut = [ids for ids in split if any(tuple(sorted((a, b))) in rejected for a in ids for b in ids if a < b)]
    return {"duplicates": sum(len(ids) - 1 for ids in split), "rejected": sum(len(ids) - 1 for ids in cut),
            "live": len(rows), "unknown": len(rows) - sum(len(ids) for ids in groups.values())}


def truth_note(url: str, data_dir: Path) -> str:
    """One line for the report: duplicates left per kind, counted against the world's truth."""
    import psycopg

    truth = Truth.load(data_dir)
    parts = []
    with psycopg.connect(url) as conn:
        for kind in ("contact", "org"):
            d = duplicates_left(conn, truth, kind)
            known = d["live"] - d["unknown"]
            parts.append(f"{kind}s {d['duplicates']} of {known} live records whose truth is known "
                         f"({100 * d['duplicates'] / known if known else 0:.1f} %; {d['rejected']} of them behind a "
                         f"wrong rejection; {d['unknown']} records unknown)")
    return ("Duplicates left at the last identity run, counted against the world's truth (a check, not a KPI; "
            "the KPI is the resolver's own estimate over the pairs it proposes): " + "; ".join(parts) + ".")
