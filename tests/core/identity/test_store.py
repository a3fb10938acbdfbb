from __future__ import annotations

import random
import uuid

import psycopg
import pytest

from crmhub.identity import review, store
from crmhub.identity.store import ReviewError


def add_entity(conn, name: str, *, system: str, ext: str, age_days: int, **fields) -> str:
    cid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO core.entity (crmhub_id, entity_type, name, domain, tax_id, city, country, owner, source_system, "
        "created_at) VALUES (%s, 'lp', %s, %s, %s, %s, %s, 'priya.shah', %s, now() - make_interval(days => %s))",
        (cid, name, fields.get("domain"), fields.get("tax_id"), fields.get("city"), fields.get("country"), system,
         age_days))
    conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                 "VALUES (%s, 'company', %s, %s, 'entity')", (system, ext, cid))
    return cid


def add_contact(conn, first: str, last: str, email: str | None, *, system: str, ext: str, age_days: int,
                **fields) -> str:
    cid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO core.contact (crmhub_id, first_name, last_name, email, phone, title, city, country, "
        "email_verified, owner, source_system, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'marcus.lee', "
        "%s, now() - make_interval(days => %s))",
        (cid, first, last, email, fields.get("phone"), fields.get("title"), fields.get("city"), fields.get("country"),
         fields.get("email_verified"), system, age_days))
    conn.execute("INSERT INTO core.external_id (system, object, external_id, crmhub_id, core_table) "
                 "VALUES (%s, 'contact', %s, %s, 'contact')", (system, ext, cid))
    return cid


def crosswalk(conn) -> dict[tuple[str, str], str]:
    return {(s, e): str(c) for s, e, c in conn.execute("SELECT system, external_id, crmhub_id FROM core.external_id")}


def snapshot(conn) -> tuple:
    return (
        sorted(crosswalk(conn).items()),
        conn.execute("SELECT cluster_id, member_ids, score_min, status, links FROM ops.review_clusters ORDER BY 1"
                     ).fetchall(),
        conn.execute("SELECT hold_id, crmhub_id, score, released_at FROM ops.identity_holds ORDER BY 1").fetchall(),
        conn.execute("SELECT merge_id, survivor_id, merged_id, undone_at FROM core.merge_history ORDER BY 1").fetchall(),
        conn.execute("SELECT kind, crmhub_id, score FROM ops.identity_confidence ORDER BY 1, 2").fetchall(),
        conn.execute("SELECT crmhub_id, confidence, deleted_at IS NULL FROM core.entity ORDER BY 1").fetchall(),
    )


@pytest.fixture
def conn(db: str):
    with psycopg.connect(db, autocommit=True) as c:
        yield c


def test_resolution_writes_crosswalk_merges_queue_and_is_idempotent(conn) -> None:
    old = add_entity(conn, "Harbor Capital LP", system="fund_admin", ext="FA-1", age_days=30, tax_id="12-3456789",
                     domain="harborcap.com", city="Boston", country="US")
    new = add_entity(conn, "Harbor Capital, L.P.", system="crm", ext="901", age_days=1, tax_id="US 123456789",
                     domain="https://www.harborcap.com")
    fuzzy = add_entity(conn, "Harbor Capital LP", system="crm", ext="902", age_days=2, domain="harborcap.com",
                       city="Boston", country="US")
    f2 = add_entity(conn, "Blue Ridge Fund II LP", system="crm", ext="903", age_days=3, domain="blueridge.com")
    f3 = add_entity(conn, "Blue Ridge Fund III LP", system="crm", ext="904", age_days=3, domain="blueridge.com")

    report = store.run_resolution(conn, "org")
    assert report.records == 5 and report.merges_applied == 1 and report.deterministic_links == 1
    xw = crosswalk(conn)
    assert xw[("fund_admin", "FA-1")] == xw[("crm", "901")] == old, "the oldest record's id survives"
    assert xw[("crm", "902")] == fuzzy, "a fuzzy pair is never merged without a decision"
    assert xw[("crm", "903")] == f2 and xw[("crm", "904")] == f3
    merged = conn.execute("SELECT deleted_by FROM core.entity WHERE crmhub_id = %s", (new,)).fetchone()[0]
    assert merged == store.MERGED_MARK
    clusters = review.list_clusters(conn)
    assert len(clusters) == 1
    assert set(clusters[0]["member_ids"]) == {old, new, fuzzy}, "the proposal spans the accepted link's identity"
    shown = review.show_cluster(conn, clusters[0]["cluster_id"])
    assert shown["links"][0]["features"]["drivers"] and shown["fields"]["name"]["values"]
    assert all(not {f2, f3} <= set(c["member_ids"]) for c in clusters)

    before = snapshot(conn)
    again = store.run_resolution(conn, "org")
    assert again.merges_applied == 0 and again.merges_undone == 0
    assert snapshot(conn) == before, "re-running resolution changes nothing"
    assert conn.execute("SELECT count(*) FROM ops.identity_runs").fetchone()[0] == 2


def test_cluster_approve_merges_and_reject_is_remembered(conn) -> None:
    a = add_entity(conn, "Harbor Capital LP", system="crm", ext="1", age_days=10, city="Boston", country="US")
    b = add_entity(conn, "Harbor Capital, LP", system="fund_admin", ext="FA-9", age_days=5, city="Boston",
                   country="US")
    c = add_entity(conn, "Northwind Partners", system="crm", ext="2", age_days=10, city="Austin", country="US")
    d = add_entity(conn, "Northwind Partners LLC", system="fund_admin", ext="FA-10", age_days=4, city="Austin",
                   country="US")
    store.run_resolution(conn, "org")
    clusters = {frozenset(r["member_ids"]): r["cluster_id"] for r in review.list_clusters(conn)}
    assert set(clusters) == {frozenset({a, b}), frozenset({c, d})}

    with pytest.raises(ReviewError, match="--by"):
        review.approve(conn, clusters[frozenset({a, b})], by=" ")
    out = review.approve(conn, clusters[frozenset({a, b})], by="sam.ortiz", note="same LP, checked tax docs")
    assert out["merges"] == [{"survivor_id": a, "merged_id": b}]
    assert crosswalk(conn)[("fund_admin", "FA-9")] == a
    review.reject(conn, clusters[frozenset({c, d})], by="sam.ortiz")
    with pytest.raises(ReviewError, match="rejected by sam.ortiz"):
        review.approve(conn, clusters[frozenset({c, d})], by="someone.else")

    decided = conn.execute("SELECT status, decided_by, decided_at IS NOT NULL FROM ops.review_clusters ORDER BY 1")
    assert sorted(decided.fetchall()) == [("approved", "sam.ortiz", True), ("rejected", "sam.ortiz", True)]
    assert {r["status"] for r in review.decisions_today(conn, by="sam.ortiz")} == {"approved", "rejected"}

    report = store.run_resolution(conn, "org")
    assert report.review_pending == 0 and report.review_decisions == 0, "a decided record set is not proposed again"
    assert report.merges_applied == 0
    xw = crosswalk(conn)
    assert xw[("crm", "1")] == xw[("fund_admin", "FA-9")] == a
    assert xw[("crm", "2")] == c and xw[("fund_admin", "FA-10")] == d


def test_split_keeps_the_staying_records_together_and_survives_reruns(conn) -> None:
    a = add_entity(conn, "Keystone Infrastructure Partners", system="crm", ext="1", age_days=9, city="Boston")
    b = add_entity(conn, "Keystone Infra Ptnrs", system="fund_admin", ext="F1", age_days=8, city="Boston")
    c = add_entity(conn, "Keystone Infrastructure Partners", system="billing", ext="B1", age_days=7, city="Boston")
    report = store.run_resolution(conn, "org")
    assert report.review_decisions == 1 and report.decisions_per_1000_records == pytest.approx(1000 / 3, abs=0.01)
    (cluster,) = review.list_clusters(conn, owner="priya.shah", source_system="billing")
    assert sorted(cluster["member_ids"]) == sorted([a, b, c])
    assert review.list_clusters(conn, owner="nobody") == [] and review.list_clusters(conn, score_max=0.5) == []
    with pytest.raises(ReviewError, match="not members"):
        review.split(conn, cluster["cluster_id"], leaving=["nope"], by="sam.ortiz")
    with pytest.raises(ReviewError, match="not every member"):
        review.split(conn, cluster["cluster_id"], leaving=[a, b, c], by="sam.ortiz")
    assert {h["crmhub_id"] for h in review.held_records(conn) if h["waits_for"] == "review"} == {a, b, c}
    out = review.split(conn, cluster["cluster_id"], leaving=[c], by="sam.ortiz", note="billing entity is the GP")
    assert out["merges"] == [{"survivor_id": a, "merged_id": b}] and out["leaving"] == [c]
    for _ in range(2):
        report = store.run_resolution(conn, "org")
        xw = crosswalk(conn)
        assert xw[("crm", "1")] == xw[("fund_admin", "F1")] == a and xw[("billing", "B1")] == c
        assert report.review_pending == 0
    row = conn.execute("SELECT review_decisions, decisions_per_1000_records FROM ops.identity_runs "
                       "ORDER BY run_id LIMIT 1").fetchone()
    assert row[0] == 1 and float(row[1]) == pytest.approx(333.33)


def test_band_approval_needs_a_decided_clean_sample_and_lists_every_cluster(conn) -> None:
    firms = ("Quillfeather", "Marrowdale", "Thistlecombe", "Brackenridge", "Oxbury", "Vantrell", "Somerhalde", "Kilnworth")
    for i, firm in enumerate(firms):
        add_entity(conn, f"{firm} Capital Opportunities", system="crm", ext=f"c{i}", age_days=5, city="Denver")
        add_entity(conn, f"{firm} Capital Opps", system="fund_admin", ext=f"f{i}", age_days=4, city="Denver")
    store.run_resolution(conn, "org")
    band = review.list_clusters(conn)
    assert len(band) == 8
    lo, hi = min(c["score_min"] for c in band), max(c["score_min"] for c in band)
    assert review.sample_size(1000) == 59 and review.sample_size(1000, max_error_rate=0.01) == 299
    sample = review.sample_band(conn, kind="org", score_low=lo, score_high=hi, by="sam.ortiz",
                                max_error_rate=0.5, seed=1)
    assert sample["band_size"] == 8 and sample["sample_size"] == 5 and len(sample["clusters"]) == 5
    sampled = [c["cluster_id"] for c in sample["clusters"]]
    with pytest.raises(ReviewError, match="decide the sampled clusters"):
        review.approve_band(conn, sample["sample_id"], by="sam.ortiz")
    with pytest.raises(ReviewError, match="shown to sam.ortiz"):
        review.approve_band(conn, sample["sample_id"], by="someone.else")
    for cid in sampled[:-1]:
        review.approve(conn, cid, by="sam.ortiz")
    review.reject(conn, sampled[-1], by="sam.ortiz")
    with pytest.raises(ReviewError, match="not bounded"):
        review.approve_band(conn, sample["sample_id"], by="sam.ortiz")

    again = review.sample_band(conn, kind="org", score_low=lo, score_high=hi, by="sam.ortiz", max_error_rate=0.8,
                               seed=2)
    for c in again["clusters"]:
        review.approve(conn, c["cluster_id"], by="sam.ortiz")
    out = review.approve_band(conn, again["sample_id"], by="sam.ortiz")
    rest = {c["cluster_id"] for c in band} - set(sampled) - {c["cluster_id"] for c in again["clusters"]}
    assert set(out["cluster_ids"]) == rest and rest
    listed = conn.execute("SELECT cluster_ids FROM ops.review_band_decisions").fetchone()[0]
    assert set(listed) == rest
    assert review.list_clusters(conn) == []
    assert all(r["band_decision_id"] == out["band_decision_id"]
               for r in review.list_clusters(conn, status="approved") if r["cluster_id"] in rest)


def test_cluster_keeps_its_id_when_it_grows_and_unmerge_restores(conn) -> None:
    a = add_entity(conn, "Oak Hill Advisors", system="fund_admin", ext="FA-1", age_days=100, tax_id="98-7654321")
    b = add_entity(conn, "Oak Hill Advisors LP", system="crm", ext="11", age_days=50, tax_id="987654321")
    store.run_resolution(conn, "org")
    c = add_entity(conn, "OAK HILL ADVISORS, L.P.", system="billing", ext="B-7", age_days=0, tax_id="US98-7654321")
    report = store.run_resolution(conn, "org")
    assert report.merges_applied == 1
    xw = crosswalk(conn)
    assert xw[("fund_admin", "FA-1")] == xw[("crm", "11")] == xw[("billing", "B-7")] == a

    out = store.unmerge(conn, "org", b, by="priya.shah", reason="separate legal entity")
    assert out["survivor_id"] == a
    xw = crosswalk(conn)
    assert xw[("crm", "11")] == b and xw[("billing", "B-7")] == a
    live = conn.execute("SELECT deleted_at IS NULL FROM core.entity WHERE crmhub_id = %s", (b,)).fetchone()[0]
    assert live
    hist = conn.execute("SELECT undone_by FROM core.merge_history WHERE merged_id = %s", (b,)).fetchone()[0]
    assert hist == "priya.shah"
    # the split is remembered even though the tax id still matches
    report = store.run_resolution(conn, "org")
    assert report.merges_applied == 0
    assert crosswalk(conn)[("crm", "11")] == b
    assert crosswalk(conn)[("billing", "B-7")] == a and c != a
    with pytest.raises(ReviewError, match="not merged"):
        store.unmerge(conn, "org", b, by="priya.shah")


def test_holds_below_60_released_only_by_enrichment(conn) -> None:
    thin = add_contact(conn, "Ann", None, "ann.lee@gmail.com", system="crm", ext="c1", age_days=3)
    rich = add_contact(conn, "Raj", "Patel", "raj@harborcap.com", system="crm", ext="c2", age_days=3,
                       phone="212-555-0100", title="CIO", country="US", email_verified=True)
    report = store.run_resolution(conn, "contact")
    holds = store.list_holds(conn, kind="contact")
    assert [h["crmhub_id"] for h in holds] == [thin] and report.holds_open == 1
    assert holds[0]["score"] < 60 and "held for enrichment" in holds[0]["reason"]
    assert store.is_held(conn, "contact", thin) and not store.is_held(conn, "contact", rich)
    # no override: no API releases a hold, and the table refuses a release below 60
    assert not [n for n in dir(store) if "release" in n.lower() or "override" in n.lower()]
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE ops.identity_holds SET released_at = now(), released_score = 59 WHERE crmhub_id = %s",
                     (thin,))
    # approving/unrelated runs do not release it; enrichment does
    store.run_resolution(conn, "contact")
    assert store.is_held(conn, "contact", thin)
    conn.execute("UPDATE core.contact SET last_name = 'Lee', phone = '212-555-0199', title = 'Partner', country = 'US', "
                 "email_verified = true WHERE crmhub_id = %s", (thin,))
    report = store.run_resolution(conn, "contact")
    assert report.holds_open == 0
    released = store.list_holds(conn, kind="contact", open_only=False)
    assert released[0]["released_score"] >= 60 and released[0]["released_at"] is not None
    score = conn.execute("SELECT confidence FROM core.contact WHERE crmhub_id = %s", (thin,)).fetchone()[0]
    assert float(score) == released[0]["released_score"]


def test_contact_email_links_and_duplicate_rate_reported(conn) -> None:
    a = add_contact(conn, "William", "Turner", "bill.turner@harbor.com", system="fund_admin", ext="f1", age_days=9)
    add_contact(conn, "Bill", "Turner", "Bill.Turner+lp@Harbor.com", system="crm", ext="h1", age_days=1)
    add_contact(conn, "Mary", "Smith", "smiths@gmail.com", system="crm", ext="h2", age_days=1)
    add_contact(conn, "John", "Smith", "smiths@gmail.com", system="crm", ext="h3", age_days=1)
    report = store.run_resolution(conn, "contact")
    assert crosswalk(conn)[("crm", "h1")] == a
    assert report.merges_applied == 1
    row = conn.execute("SELECT records, clusters, duplicate_rate, duplicate_rate_target, meets_target "
                       "FROM ops.identity_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    assert row[0] == 4 and row[1] == 3
    assert float(row[3]) == 0.02
    assert row[4] == (float(row[2]) < 0.02)


def test_a_pending_proposal_no_longer_made_is_superseded(conn) -> None:
    a = add_entity(conn, "Harbor Capital LP", system="crm", ext="1", age_days=10, city="Boston")
    add_entity(conn, "Harbor Capital, LP", system="fund_admin", ext="FA-9", age_days=5, city="Boston")
    store.run_resolution(conn, "org")
    (cluster,) = review.list_clusters(conn)
    conn.execute("UPDATE core.entity SET name = 'Northwind Partners' WHERE crmhub_id = %s", (a,))
    report = store.run_resolution(conn, "org")
    assert report.review_pending == 0
    assert [r["cluster_id"] for r in review.list_clusters(conn, status="superseded")] == [cluster["cluster_id"]]
    with pytest.raises(ReviewError, match="is superseded"):
        review.approve(conn, cluster["cluster_id"], by="sam.ortiz")


def test_split_cuts_a_merge_across_it_whichever_side_survived(conn) -> None:
    old = add_entity(conn, "Keystone Infrastructure Partners", system="crm", ext="1", age_days=9, tax_id="12-3456789",
                     city="Boston")
    twin = add_entity(conn, "Keystone Infra Ptnrs", system="fund_admin", ext="F1", age_days=8, tax_id="123456789",
                      city="Boston")
    fuzzy = add_entity(conn, "Keystone Infrastructure Partners", system="billing", ext="B1", age_days=7, city="Boston")
    store.run_resolution(conn, "org")  # old + twin merge on the tax id; fuzzy is proposed with them
    (cluster,) = review.list_clusters(conn)
    assert sorted(cluster["member_ids"]) == sorted([old, twin, fuzzy])
    review.split(conn, cluster["cluster_id"], leaving=[old], by="sam.ortiz", note="the old row is the GP")
    xw = crosswalk(conn)
    assert xw[("crm", "1")] == old and xw[("fund_admin", "F1")] == xw[("billing", "B1")] != old
    store.run_resolution(conn, "org")
    xw2 = crosswalk(conn)
    assert xw2 == xw, "the split survives a re-run, the shared tax id notwithstanding"


def test_a_rejection_against_a_shared_tax_id_gets_a_second_review(conn) -> None:
    """A steward's rejection of records sharing a normalised tax id was final: one wrong decision on a large
    cluster stayed for good. Now the rejection holds but the cluster is queued for a second look, by another
    reviewer (or the same one after SECOND_REVIEW_AFTER_DAYS), whose approval merges and clears it."""
    a = add_entity(conn, "Harbor Capital LP", system="crm", ext="1", age_days=10, tax_id="12-3456789",
                   domain="harborcap.com", city="Boston", country="US")
    b = add_entity(conn, "Harbor Capital, L.P.", system="fund_admin", ext="FA-9", age_days=5, tax_id="US 123456789",
                   domain="harborcap.com", city="Boston", country="GB")
    store.run_resolution(conn, "org")
    clusters = review.list_clusters(conn)
    assert [set(c["member_ids"]) for c in clusters] == [{a, b}], "the country veto leaves the tax id to a human"
    cid = clusters[0]["cluster_id"]

    out = review.reject(conn, cid, by="sam.ortiz", note="looked different")
    assert out["status"] == "pending" and "contradicts tax id 123456789" in out["second_review"]
    row = review.list_clusters(conn)[0]
    assert (row["cluster_id"], row["first_decided_by"], row["decided_by"]) == (cid, "sam.ortiz", None)
    assert conn.execute("SELECT decision FROM ops.match_decisions").fetchall() == [("rejected",)], \
        "the first rejection holds until the second review"
    again = store.run_resolution(conn, "org")
    assert again.merges_applied == 0 and [r["cluster_id"] for r in review.list_clusters(conn)] == [cid], \
        "a re-run neither merges nor supersedes the re-queued cluster"
    with pytest.raises(ReviewError, match="second review"):
        review.approve(conn, cid, by="sam.ortiz")

    done = review.approve(conn, cid, by="priya.shah", note="same LP: one tax id")
    assert done["status"] == "approved" and done["merges"] == [{"survivor_id": a, "merged_id": b}]
    assert crosswalk(conn)[("fund_admin", "FA-9")] == a
    assert conn.execute("SELECT decision, reviewer FROM ops.match_decisions").fetchall() == [("approved", "priya.shah")]
    final = conn.execute("SELECT status, decided_by, first_decided_by FROM ops.review_clusters").fetchall()
    assert final == [("approved", "priya.shah", "sam.ortiz")]


def test_a_cluster_waiting_for_its_second_review_is_never_approved_inside_a_band(conn) -> None:
    """A band approval skipped the second-review rule: the steward who rejected a cluster against a shared tax
    id could approve it the same day by approving a band around it. Such a cluster is decided on its own."""
    harbor = [add_entity(conn, "Harbor Capital LP", system="crm", ext="1", age_days=10, tax_id="12-3456789",
                         domain="harborcap.com", city="Boston", country="US"),
              add_entity(conn, "Harbor Capital, L.P.", system="fund_admin", ext="FA-9", age_days=5,
                         tax_id="US 123456789", domain="harborcap.com", city="Boston", country="GB")]
    for i, firm in enumerate(("Quillfeather", "Marrowdale")):
        add_entity(conn, f"{firm} Capital Opportunities", system="crm", ext=f"c{i}", age_days=5, city="Denver")
        add_entity(conn, f"{firm} Capital Opps", system="fund_admin", ext=f"f{i}", age_days=4, city="Denver")
    store.run_resolution(conn, "org")
    ids = {frozenset(c["member_ids"]): c["cluster_id"] for c in review.list_clusters(conn)}
    keyed = ids[frozenset(harbor)]
    band = sorted(ids.values())

    # rejected (and re-queued) after the sample was drawn: the band approval leaves it pending
    seed = next(s for s in range(100) if random.Random(s).sample(band, 1) != [keyed])
    sample = review.sample_band(conn, kind="org", score_low=0, score_high=1, by="sam.ortiz", max_error_rate=0.96,
                                seed=seed)
    assert sample["band_size"] == 3 and sample["sample_size"] == 1
    review.approve(conn, sample["clusters"][0]["cluster_id"], by="sam.ortiz")
    assert review.reject(conn, keyed, by="sam.ortiz")["status"] == "pending"
    out = review.approve_band(conn, sample["sample_id"], by="sam.ortiz")
    assert keyed not in out["cluster_ids"] and len(out["cluster_ids"]) == 1
    row = next(r for r in review.list_clusters(conn) if r["cluster_id"] == keyed)
    assert (row["first_decided_by"], row["decided_by"]) == ("sam.ortiz", None)
    assert crosswalk(conn)[("fund_admin", "FA-9")] == harbor[1], "nothing merged behind the second review"

    # re-queued before sampling: not part of any band
    with pytest.raises(ReviewError, match="no pending org cluster"):
        review.sample_band(conn, kind="org", score_low=0, score_high=1, by="sam.ortiz")


def test_a_second_rejection_is_final_and_plain_rejections_are_not_requeued(conn) -> None:
    a = add_entity(conn, "Harbor Capital LP", system="crm", ext="1", age_days=10, tax_id="12-3456789",
                   domain="harborcap.com", city="Boston", country="US")
    b = add_entity(conn, "Harbor Capital, L.P.", system="fund_admin", ext="FA-9", age_days=5, tax_id="US 123456789",
                   domain="harborcap.com", city="Boston", country="GB")
    c = add_entity(conn, "Northwind Partners", system="crm", ext="2", age_days=10, city="Austin", country="US")
    d = add_entity(conn, "Northwind Partners LLC", system="fund_admin", ext="FA-10", age_days=4, city="Austin",
                   country="US")
    store.run_resolution(conn, "org")
    clusters = {frozenset(r["member_ids"]): r["cluster_id"] for r in review.list_clusters(conn)}
    assert review.reject(conn, clusters[frozenset({c, d})], by="sam.ortiz")["status"] == "rejected", \
        "no shared key: the rejection is final at once"
    keyed = clusters[frozenset({a, b})]
    review.reject(conn, keyed, by="sam.ortiz")
    assert review.reject(conn, keyed, by="priya.shah")["status"] == "rejected"
    assert review.list_clusters(conn) == []
    store.run_resolution(conn, "org")
    assert review.list_clusters(conn) == [] and crosswalk(conn)[("fund_admin", "FA-9")] == b


def test_a_rejection_keeping_five_identities_apart_gets_a_second_look_and_two_do_not() -> None:
    """On seed 3 the steward's wrong rejection of an 8-record organisation cluster (one record with a tax id)
    kept 7 duplicates for good; a rejection that keeps 5 or more identities apart now gets four eyes."""
    def members(n: int) -> list[dict]:
        return [{"id": str(i), "identity": str(i), "record": {"name": "Meridian Capital", "tax_id": None}}
                for i in range(n)]

    assert review.second_review_reasons("org", members(8)) == ["keeps 8 identities apart"]
    assert review.second_review_reasons("org", members(2)) == []
