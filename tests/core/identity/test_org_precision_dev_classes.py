"""Organisations put together that are not one (issue #17, approve-everything precision on ``dev_orgs``).

Each test is a class of false pairs a miss analysis of the development set found inside proposed
clusters, and the rule that reads it as two organisations: brand words that no typo explains, a brand
its own web domain spells, an acronym shared by every organisation whose words spell it. The guards
keep the true pairs of each class together (a typo on each side, diacritics written out, a name cut at
a field length, the same acronym in the same town).
"""

from __future__ import annotations

import numpy as np
import pytest
from org_pairs import resolve_orgs, surfaced

from crmhub.identity.comparison import Column, spelt_words, word_conflict, word_levels

# ---------------------------------------------------------------- brand words no typo explains


@pytest.mark.parametrize(("a", "b"), [
    ("dreirnion capital advisors", "deirnine capital advisors"),
    ("chairura fund services luxembourg", "cirkura fund services luxembourg"),
    ("flouane county employees retirement association", "floutay county employees retirement association"),
    ("trormion fund services luxembourg", "toion fund services luxembourg"),
])
def test_brand_words_three_edits_apart_are_two_brands(a: str, b: str) -> None:
    # one typo per record makes two edits at most; Jaro-Winkler's shared first letters do not make a brand
    assert word_conflict(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("fylane fund services ireland", "flyae fund services ireland"),          # a typo on each side
    ("planvock state employees retirement systems", "plarnock state employees retirement systems"),
    ("wuoenkock growth partners", "woeuknock growth partners"),               # "ö" written "oe", and a typo
    ("thousfant real estate partners 6 aiv", "thoeoeusfant real estate partners 6 aiv"),
    ("investment board of state of geilzrua", "geilzura state investments board"),   # word order
    ("cheane muncipal employees retirement systems", "municipal employees retirement systems of chean"),
])
def test_a_brand_respelt_by_two_records_is_one_brand(a: str, b: str) -> None:
    assert not word_conflict(a, b)


# ------------------------------------------------------------------- a brand its site spells


def test_a_brand_its_own_site_spells_is_spelt_right() -> None:
    assert spelt_words("crois fund services usa", "croisfs.com", False) == {"crois"}
    assert spelt_words("university of dinfion", "dinfion.ac.uk", False) == {"dinfion"}
    assert spelt_words("university of dinnfio", "dinfion.ac.uk", True) == frozenset()   # cut: a part of a word
    assert spelt_words("harbor capital", "hc.com", False) == frozenset()
    # two edits from a brand its site confirms are another brand, not two typos
    assert word_conflict("clogis fund services usa", "crois fund services usa", frozenset({"crois"}))
    assert not word_conflict("clogis fund services usa", "crois fund services usa")
    # one typo against it, also the first letter of a short brand dropped ("Ake" for "Lake" at lakeblue.com)
    assert not word_conflict("ake blue advisors", "lake blue advisors", frozenset({"lake"}))
    assert not word_conflict("gry wright and associates", "gray wright and associates", frozenset({"gray"}))
    # the brand its site spells written as two words in the other name
    assert not word_conflict("granitecrest continuation vehicle 1", "granite crest continuation 1",
                             frozenset({"granitecrest"}))


@pytest.mark.parametrize(("a", "b"), [
    ({"name": "Clogis Fund Services (USA)", "city": "New York"},
     {"name": "Crois Fund Services (USA)", "city": "NEW YORK", "domain": "https://www.croisfs.com/contact-us"}),
    ({"name": "Maltar Foundation", "city": "London"},
     {"name": "Masar Foundation, The", "city": "London", "domain": "info@masarfdn.org"}),
])
def test_a_brand_two_edits_from_one_its_site_spells_is_another_organisation(a: dict, b: dict) -> None:
    assert not surfaced(a, b)


@pytest.mark.parametrize(("a", "b"), [
    # one typo against the spelt brand
    ({"name": "Gleinhra Fund Services (Jersey)", "city": "St Helier"},
     {"name": "Gleinhura Fund Svcs (Jersey) Ltd", "city": "St Helier, Jersey", "domain": "https://www.gleinhurafs.com"}),
    # "ø" written "oe" and a typo, against the site's spelling
    ({"name": "Toeumua Peak Mgmt Co Ltd", "domain": "toumurapeakpartners.com"},
     {"name": "Tøumura Peak Management Company, Ltd", "domain": "toumurapeakpartners.com"}),
    ({"name": "Maltar Foundation", "city": "London"},
     {"name": "Maltar Foundation, The", "city": "London", "domain": "info@maltarfdn.org"}),
])
def test_a_brand_its_site_spells_keeps_its_typos(a: dict, b: dict) -> None:
    assert surfaced(a, b)


def test_a_cut_last_word_is_no_brand_its_site_spells() -> None:
    # "The Regents of the University of Dinnfio" at a 40-character field: its last word is a part of one
    names = Column(["university of dinfion", "university of dinnfio"])
    domains = Column(["dinfion.ac.uk", "dinfion.ac.uk"])
    pair = np.array([[0, 1]])
    assert word_levels(names, pair, np.array([True]), domains, np.array([None, "the regents of the university of dinnfio"]))[0] == 1
    assert word_levels(names, pair, np.array([True]), domains, np.array([None, None]))[0] == 2


# ------------------------------------------------------------ an acronym names all it spells

#: Police and fire pension systems of ten places whose names begin with D: "DPFPS" spells each of them.
D_PLANS = [{"name": f"{place} Police & Fire Pension System", "city": town, "country": "US"} for place, town in [
    ("Dolmar", "Austin"), ("Dekeen", "Sacramento"), ("Drallow", "Dallas"), ("Dinsey", "Columbus"),
    ("Dorvant", "Harrisburg"), ("Daskell", "Chicago"), ("Dumbrey", "Denver"), ("Delwick", "Phoenix"),
    ("Dravon", "Atlanta"), ("Dusquel", "Seattle")]]


def _proposed(res) -> bool:
    return any({"0", "1"} <= {m["record_id"] for m in p.members} for p in res.proposals)


def test_an_acronym_shared_by_the_plans_it_spells_is_no_register_name() -> None:
    res = resolve_orgs({"name": "DPFPS", "city": "Boston, MA", "country": "US"}, {"name": "DPFPS", "country": "USA"},
                       *D_PLANS)
    assert not _proposed(res)


def test_the_same_acronym_in_the_same_town_stays_proposed() -> None:
    res = resolve_orgs({"name": "DPFPS", "city": "Boston, MA", "country": "US"},
                       {"name": "DPFPS", "city": "Boston", "country": "USA"}, *D_PLANS)
    assert _proposed(res)
