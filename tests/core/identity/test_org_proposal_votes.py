"""Record pairs that say nothing against two identities being one do not keep them out of one proposal:
a former name or alias under the identity's tax id beside a record of its current name, and an acronym
beside the words it stands for (:func:`crmhub.identity.matching._consistent_proposals`)."""

from __future__ import annotations

import pandas as pd

from crmhub.identity import matching, resolve
from crmhub.identity.matching import VOTE_DIFFERENT


def orgs(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{"record_id": str(i + 1), "source_system": "crm", **r} for i, r in enumerate(rows)])


def proposed_sets(res) -> list[set[str]]:
    return [{m["record_id"] for m in p.members} for p in res.proposals]


def scores(res) -> dict[tuple[str, str], float]:
    ids = res.records["record_id"].tolist()
    return {(ids[a], ids[b]): p for (a, b), p in zip(res.scored_pairs.tolist(), res.pair_probability.tolist(),
                                                       strict=True)}


def test_former_names_under_one_tax_id_do_not_vote_against_a_record_of_the_current_name() -> None:
    # 1-3 share a corporate number: two former names and the current one; 4 is the current name again
    res = resolve(orgs({"name": "Clear Broad Real Estate Partners K.K.", "tax_id": "2863151515715", "country": "JP",
                        "city": "Tokyo"},
                       {"name": "Clear Broad RE Partners, Co., Ltd. (f/k/a Onyxline Capital)",
                        "tax_id": "2863151515715", "country": "JP", "city": "Tokyo"},
                       {"name": "CLEAR BROAD CAPITAL", "tax_id": "2863151515715", "country": "JP", "city": "Tokyo"},
                       {"name": "Clear Broad Capital", "country": "JP", "city": "Tokyo"}), "org")
    p = scores(res)
    assert p[("1", "4")] < VOTE_DIFFERENT and p[("2", "4")] < VOTE_DIFFERENT, p
    assert p[("3", "4")] > matching.REVIEW_THRESHOLD, p
    assert proposed_sets(res) == [{"1", "2", "3", "4"}] and res.cut_links == 0


def test_an_acronym_beside_its_words_does_not_vote_against_the_join() -> None:
    # 1 and 4 share a web site; 2 and 3 (one tax id) spell the name out with nothing else to compare with "FTRS"
    res = resolve(orgs({"name": "Foxbourne County Teachers' Retirement System", "city": "Philadelphia",
                        "domain": "ftrsinv.com", "country": "US"},
                       {"name": "Foxbourne County Teachers Retirement System", "tax_id": "78-7799457"},
                       {"name": "FOXBOURNE COUNTY TEACHERS' RETIREMENT SYSTEM", "tax_id": "78-7799457"},
                       {"name": "FTRS", "city": "Philadelphia", "domain": "ftrsinv.com"}), "org")
    p = scores(res)
    assert p[("1", "4")] > matching.REVIEW_THRESHOLD and p[("1", "2")] > matching.REVIEW_THRESHOLD, p
    assert proposed_sets(res) == [{"1", "2", "3", "4"}] and res.cut_links == 0


def test_a_one_word_name_shared_with_the_identity_still_lets_its_other_names_vote() -> None:
    # an acronym is shared by namesakes: the identity's full name keeps speaking against another "MTRS"
    assert not matching._other_name_of(["millbrook teachers retirement system", "mtrs", "mtrs"], [None] * 3, 0, 1, 2)
    assert matching._other_name_of(["onyxline capital", "clear broad capital", "clear broad capital"], [None] * 3,
                                   0, 1, 2)
    # a record with a web site of its own still speaks; so does one carrying the other's name itself
    assert not matching._other_name_of(["onyxline capital", "clear broad capital", "clear broad capital"],
                                       ["onyx.jp", None, None], 0, 1, 2)
    assert not matching._other_name_of(["clear broad capital"] * 3, [None] * 3, 0, 1, 2)

