"""A firm named after its two founders written by their initials (issue #17, dev3_orgs: "RS & Co., LLC" for
"Rossi & Santos & Co., LLC"). Two letters are too few to be an acronym anywhere (``MIN_ACRONYM``): they are read
only where the run's names list one pair of partners with those initials, and never across two sites,
countries or towns. Checked on names of their own (not the development set's word lists)."""

from __future__ import annotations

import pandas as pd
import pytest
from org_pairs import resolve_orgs

from crmhub.identity.blocking import _org_partner_initials
from crmhub.identity.comparison import partner_initials, partner_initials_pair
from crmhub.identity.records import prepare


@pytest.mark.parametrize(("name", "letters"), [
    ("quayle and tamsin", "qt"), ("quayle tamsin", None), ("quayle and capital", None), ("quayle and tamsin and co", None),
])
def test_the_initials_of_two_partners_listed(name: str, letters: str | None) -> None:
    assert partner_initials(name) == letters


def test_two_letters_are_the_initials_of_the_two_partners() -> None:
    assert partner_initials_pair("qt", "quayle and tamsin")
    assert partner_initials_pair("quayle and tamsin", "qt")
    assert not partner_initials_pair("tq", "quayle and tamsin")
    assert not partner_initials_pair("qts", "quayle and tamsin")


def test_the_initials_meet_the_partners_names_in_blocking() -> None:
    names = ["QT & Co., LLC", "Quayle & Tamsin", "Quayle Harbor Capital", "Ubrey & Vance"]
    df = prepare(pd.DataFrame({"record_id": [str(k) for k in range(4)], "source_system": "crm", "name": names}), "org")
    keys = _org_partner_initials(df)
    assert keys[0] == keys[1] == "qt" and keys[2] is None and keys[3] is None


def _together(res, a: str, b: str) -> bool:
    """Records ``a`` and ``b`` (record ids) linked, or proposed together for review."""
    ids = res.records["record_id"].tolist()
    linked = res.cluster_ids[ids.index(a)] == res.cluster_ids[ids.index(b)]
    return linked or any({a, b} <= {m["record_id"] for m in p.members} for p in res.proposals)


def test_a_firm_by_its_founders_initials_is_proposed_with_its_names() -> None:
    res = resolve_orgs({"name": "QT & Co., LLC", "city": "Boston", "country": "US"}, {"name": "Quayle & Tamsin, LLC", "city": "Boston", "country": "US"})
    assert _together(res, "0", "1")


def test_the_initials_of_two_firms_in_the_run_are_read_for_none() -> None:
    res = resolve_orgs({"name": "QT & Co., LLC", "city": "Boston", "country": "US"}, {"name": "Quayle & Tamsin, LLC", "city": "Boston", "country": "US"},
                       {"name": "Quist & Tolland, LLC", "city": "Boston", "country": "US"})
    assert not _together(res, "0", "1") and not _together(res, "0", "2")


def test_the_initials_are_not_read_across_two_countries() -> None:
    res = resolve_orgs({"name": "QT & Co., LLC", "city": "London", "country": "GB"}, {"name": "Quayle & Tamsin, LLC", "city": "Boston", "country": "US"})
    assert not _together(res, "0", "1")


def test_the_same_site_says_whose_initials_they_are() -> None:
    res = resolve_orgs({"name": "QT & Co., LLC", "domain": "quayle.com", "city": "Boston", "country": "US"},
                       {"name": "Quayle & Tamsin, LLC", "domain": "quayle.com", "city": "Boston", "country": "US"},
                       {"name": "Quist & Tolland, LLC", "city": "Boston", "country": "US"})
    assert _together(res, "0", "1") and not _together(res, "0", "2")


def test_in_a_shared_town_the_towns_names_say_whose_initials_they_are() -> None:
    res = resolve_orgs({"name": "QT & Co., LLC", "city": "Boston", "country": "US"},
                       {"name": "Quayle & Tamsin, LLC", "city": "Boston", "country": "US"},
                       {"name": "Quist & Tolland, LLC", "city": "Denver", "country": "US"})
    assert _together(res, "0", "1") and not _together(res, "0", "2")
