"""Proposed clusters are mutually consistent: a chain of candidate links never joins two entities that a
hard-negative rule (different fund numerals / vehicle marks / tax ids, a clear non-match score, a human
rejection) or the balance of their scored record pairs keeps apart, and no proposal grows past
MAX_PROPOSAL_RECORDS."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmhub.identity import matching, resolve
from crmhub.identity.clusters import consistent_groups
from crmhub.identity.matching import CLEAR_NON_MATCH, MAX_PROPOSAL_RECORDS, VOTE_DIFFERENT, pair_key


def orgs(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{"record_id": str(i + 1), "source_system": "crm", **r} for i, r in enumerate(rows)])


def proposed_sets(res) -> list[set[str]]:
    return [{m["record_id"] for m in p.members} for p in res.proposals]


def test_chain_through_an_unnumbered_name_does_not_join_two_funds() -> None:
    # A ~ B and B ~ C both score above the review threshold; A and C are fund III and fund IV
    res = resolve(orgs({"name": "Harbor Growth Fund III, L.P.", "city": "Boston", "domain": "harborgrowth.com"},
                       {"name": "Harbor Growth Fund LP", "city": "Boston", "domain": "harborgrowth.com"},
                       {"name": "Harbor Growth Fund IV, L.P.", "city": "Boston", "domain": "harborgrowth.com"}), "org")
    sets = proposed_sets(res)
    assert all(not {"1", "3"} <= s for s in sets), sets
    assert sets == [{"1", "2"}], "the chain is cut at one link; the other pair is still proposed"
    assert res.cut_links == 1
    assert len(set(res.cluster_ids)) == 3, "nothing fuzzy is linked without a human decision"
    assert {p.proposed_cluster for p in res.review} == {res.proposals[0].cluster_id}


def test_chain_does_not_join_two_records_with_different_tax_ids() -> None:
    res = resolve(orgs({"name": "Harbor Capital LP", "city": "Boston", "tax_id": "12-3456789"},
                       {"name": "Harbor Capital, LP", "city": "Boston"},
                       {"name": "Harbor Capital L.P.", "city": "Boston", "tax_id": "98-7654321"}), "org")
    assert all(not {"1", "3"} <= s for s in proposed_sets(res))
    assert len(res.proposals) == 1 and len(res.review) == 1


def test_namesakes_abroad_are_not_joined_through_one_sparse_record() -> None:
    # two Harbor Capital LPs (Boston, London) and a record with the name only: it links strongly to all
    # four, but the four Boston-London pairs all score low (not clear non-matches): one proposal per firm
    res = resolve(orgs({"name": "Harbor Capital LP", "city": "Boston", "country": "US"},
                       {"name": "Harbor Capital LP", "city": "Boston", "country": "US"},
                       {"name": "Harbor Capital LP"},
                       {"name": "Harbor Capital LP", "city": "London", "country": "GB"},
                       {"name": "Harbor Capital LP", "city": "London", "country": "GB"}), "org")
    low = res.pair_probability[(res.scored_pairs[:, 0] < 2) & (res.scored_pairs[:, 1] > 2)]
    assert len(low) == 4 and (low > CLEAR_NON_MATCH).all() and (low < VOTE_DIFFERENT).all(), low
    assert sorted(sorted(s) for s in proposed_sets(res)) == [["1", "2", "3"], ["4", "5"]]


def test_record_pairs_blocking_never_compared_vote_when_their_groups_would_join(monkeypatch) -> None:
    # the namesakes above, but blocking compares no Boston record with a London one: the chain
    # Boston ~ name-only ~ London has no scored pair against it until the uncompared pairs are scored
    rows = ({"name": "Harbor Capital LP", "city": "Boston", "country": "US"},
            {"name": "Harbor Capital LP", "city": "Boston", "country": "US"},
            {"name": "Harbor Capital LP"},
            {"name": "Harbor Capital LP", "city": "London", "country": "GB"},
            {"name": "Harbor Capital LP", "city": "London", "country": "GB"})
    blocked = matching.candidate_pairs

    def no_boston_london(prepared, kind, **caps):
        pairs, per_key = blocked(prepared, kind, **caps)
        return pairs[~((pairs[:, 0] < 2) & (pairs[:, 1] > 2))], per_key

    monkeypatch.setattr(matching, "candidate_pairs", no_boston_london)
    res = resolve(orgs(*rows), "org")
    assert not ((res.scored_pairs[:, 0] < 2) & (res.scored_pairs[:, 1] > 2)).any()
    assert sorted(sorted(s) for s in proposed_sets(res)) == [["1", "2", "3"], ["4", "5"]]


def scores(res) -> dict[tuple[str, str], float]:
    ids = res.records["record_id"].tolist()
    return {(ids[a], ids[b]): p for (a, b), p in zip(res.scored_pairs.tolist(), res.pair_probability.tolist(),
                                                       strict=True)}


def test_a_cut_name_does_not_join_two_organisations_one_word_apart() -> None:
    # two Finnish pension insurers share the long type name and differ in their last word (read first, as the
    # English name writes it: "Sampo Mutual Pension Insurance"); no pair between them scores above the review
    # threshold, and a record cut after the letter both last words start with links one record of each above
    # it: their names, each with a word the other cannot explain, say "different" and keep the two apart
    stem, fi = "Keskinäinen Työeläkevakuutusyhtiö ", {"city": "Helsinki", "country": "FI"}
    res = resolve(orgs({"name": stem + "Sampo", "country": "FI"}, {"name": (stem + "Sampo").upper(), **fi},
                       {"name": stem + "S", **fi},
                       {"name": stem + "Suomi", "country": "FI"}, {"name": (stem + "Suomi").upper(), **fi}), "org")
    p = scores(res)
    between = [p[(a, b)] for a in "12" for b in "45"]
    assert max(between) <= matching.REVIEW_THRESHOLD, p
    assert min(p[("2", "3")], p[("3", "5")]) > matching.REVIEW_THRESHOLD, p  # Helsinki ~ cut ~ Helsinki
    assert sorted(sorted(s) for s in proposed_sets(res)) == [["1", "2", "3"], ["4", "5"]]


def test_names_one_stem_apart_and_names_in_two_languages() -> None:
    assert matching._stem_apart("keskinainen tyoelakevakuutusyhtio sampo", "keskinainen tyoelakevakuutusyhtio kotka")
    assert matching._stem_apart("versorgungswerk der rechtsanwaltskammer nordrhein",
                                "versorgungswerk der rechtsanwaltskammer schleswig holstein")
    # one organisation in two languages, an acronym beside its words, a word added on one side only
    assert not matching._stem_apart("versorgungswerk der architektenkammer hessen", "hessische architektenversorgung")
    assert not matching._stem_apart("afp aurora", "administradora de fondos de pensiones aurora")
    assert not matching._stem_apart("harbor capital partners", "harbor capital")


def test_an_alias_without_the_numeral_does_not_keep_its_identity_out_of_a_proposal() -> None:
    # 1 and 2 share an RCS number (one identity); 2 is the fund's name without its numeral, so it is a
    # clear non-match for 3 — but 3 is 1 (same fund, same numeral): 2 says nothing 1 does not answer
    res = resolve(orgs({"name": "Etoile Real Estate Partners III SCSp", "tax_id": "B247679", "country": "LU"},
                       {"name": "Etoile Real Estate Partenaires", "tax_id": "B247679", "country": "LU"},
                       {"name": "Etoile RE Partners III S.C.Sp.", "country": "LU"}), "org")
    p = scores(res)
    assert p[("2", "3")] < CLEAR_NON_MATCH and p[("1", "3")] > matching.REVIEW_THRESHOLD, p
    assert proposed_sets(res) == [{"1", "2", "3"}] and res.cut_links == 0


def test_a_brand_alias_does_not_keep_its_identity_out_of_a_proposal() -> None:
    # one Swedish organisation number, the firm's management company name and its brand "Capital"
    res = resolve(orgs({"name": "Wind Copper Associates Management AB", "tax_id": "553379-3691", "country": "SE"},
                       {"name": "Wind Copper Capital", "tax_id": "5533793691", "country": "SE"},
                       {"name": "Wind Copper Assocs Management, A.B.", "country": "SE"}), "org")
    assert scores(res)[("2", "3")] < CLEAR_NON_MATCH
    assert proposed_sets(res) == [{"1", "2", "3"}]


def test_a_numbered_record_still_keeps_its_identity_away_from_an_umbrella_name() -> None:
    # the identity's Fund IV record is the one that tells it from the firm's umbrella name: its veto holds
    # although the identity's unnumbered alias links the umbrella name strongly
    res = resolve(orgs({"name": "Harbor Growth Partners Fund IV, L.P.", "tax_id": "12-3456789", "city": "Boston"},
                       {"name": "Harbor Growth Partners", "tax_id": "12-3456789", "city": "Boston"},
                       {"name": "Harbor Growth Partners LLC", "city": "Boston"}), "org")
    p = scores(res)
    assert p[("1", "3")] < CLEAR_NON_MATCH and p[("2", "3")] > matching.REVIEW_THRESHOLD, p
    assert proposed_sets(res) == [] and res.cut_links == 1


def test_a_human_rejection_keeps_two_records_out_of_one_proposal() -> None:
    rows = ({"name": "Harbor Capital LP", "city": "Boston"}, {"name": "Harbor Capital, LP", "city": "Boston"},
            {"name": "Harbor Capital L.P.", "city": "Boston"})
    assert proposed_sets(resolve(orgs(*rows), "org")) == [{"1", "2", "3"}]
    decisions = {pair_key(("crm", "1"), ("crm", "3")): "rejected"}
    sets = proposed_sets(resolve(orgs(*rows), "org", decisions=decisions))
    assert sets and all(not {"1", "3"} <= s for s in sets), sets


def test_oversized_component_is_split_under_the_cap() -> None:
    n = MAX_PROPOSAL_RECORDS + 5
    res = resolve(orgs(*({"name": "Harbor Capital LP", "city": "Boston"} for _ in range(n))), "org")
    sizes = [len(p.members) for p in res.proposals]
    assert max(sizes) <= MAX_PROPOSAL_RECORDS and sum(sizes) == n, sizes


def test_consistent_groups_takes_links_strongest_first_and_respects_every_constraint() -> None:
    links = np.array([[0, 1], [1, 2], [2, 3], [3, 4]])
    values = {0: {"marks": frozenset({"3"})}, 1: {"marks": frozenset()}, 2: {"marks": frozenset({"4"})}, 3: {}}
    keep = consistent_groups(links, cannot_link=np.array([[3, 4]]), values=values, sizes={}, max_records=10)
    assert keep.tolist() == [True, False, True, False]
    keep = consistent_groups(np.array([[0, 1], [1, 2]]), cannot_link=np.zeros((0, 2), dtype=int), values={},
                             sizes={0: 2, 1: 1, 2: 1}, max_records=3)
    assert keep.tolist() == [True, False]


def test_consistent_groups_compares_only_the_attributes_both_groups_carry() -> None:
    # values are sparse (attribute -> values): an attribute one group lacks, or holds no values for, is no
    # conflict; a group carries what its members carry, so a third node meets the values of both
    none = np.zeros((0, 2), dtype=int)
    values = {0: {"tax_id": frozenset({"FR1"})}, 1: {"marks": frozenset({"II"}), "tax_id": frozenset()},
              2: {"marks": frozenset({"II"})}, 3: {"tax_id": frozenset({"FR2"})}, 4: {"marks": frozenset({"III"})}}
    keep = consistent_groups(np.array([[0, 1], [1, 2], [2, 3], [0, 4]]), cannot_link=none, values=values, sizes={},
                             max_records=10)
    assert keep.tolist() == [True, True, False, False]


def test_consistent_groups_joins_on_the_balance_of_the_votes_between_groups() -> None:
    none = np.zeros((0, 2), dtype=int)

    def keep(links, votes, vote):
        return consistent_groups(np.array(links), cannot_link=none, values={}, sizes={}, max_records=10,
                                 votes=np.array(votes).reshape(-1, 2), vote=np.array(vote)).tolist()

    # A~B~C with A-C scored low once: one badly keyed record is no proof, the chain joins
    assert keep([[0, 1], [1, 2]], [[0, 1], [1, 2], [0, 2]], [1, 1, -1]) == [True, True]
    # twice "different" (two record pairs of A and C), once "same": C stays out
    assert keep([[0, 1], [1, 2]], [[0, 1], [1, 2], [0, 2], [2, 0]], [1, 1, -1, -1]) == [True, False]
    # the votes of merged groups add up: {0, 1} and {2, 3} meet through 1~2 against 0-2 and 1-3
    assert keep([[0, 1], [2, 3], [1, 2]], [[1, 2], [0, 2], [1, 3]], [1, -1, -1]) == [True, True, False]
    # more "same" than "different" votes between the groups: they join; undecided votes (0) do not count
    assert keep([[0, 1], [2, 3], [1, 2]], [[1, 2], [0, 3], [0, 2], [1, 3], [0, 2], [1, 3]],
                [1, 1, 1, -1, -1, 0]) == [True, True, True]
