"""Near-exact names left under the review threshold at 100k records (dev2_orgs, seed 42) whose distinctive
words are written alike: names that differ only in how a word of what the organisation is (Capital,
Employees, Technology, Partners) is spelt — a typo, a scan's misread letters, an abbreviation."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.comparison import kind_words_respelt


@pytest.mark.parametrize(("a", "b"), [
    ({"name": "State of Whitemark Municipal Ernployees Pension Fund"},
     {"name": "State of Whitemark Municipal Employees Pension Fund"}),  # a scan's "rn" for "m"
    ({"name": "Stonebridge Institute of Tecbnology"}, {"name": "Stonebridge Institute of Technology", "country": "US"}),
    ({"name": "Seleone Global Partncrs II", "city": "Boston"}, {"name": "Seleone Global Partners II"}),
    ({"name": "Marose Capitol II"}, {"name": "Marose Capital 2", "country": "US"}),  # the homophone
])
def test_names_apart_only_in_the_spelling_of_a_kind_word_are_surfaced(a, b):
    assert surfaced(a, b)


@pytest.mark.parametrize(("a", "b", "respelt"), [
    ("onyxmark capitol management fund 1", "onyxmark capital management fund 1", True),
    ("city of oaklake public ernployees retirement systems", "city of oaklake public employees retirement systems", True),
    ("rourke institute of technolo", "rourke institute of technology", True),  # cut short
    ("kemp family ofc", "kemp family office", True),  # an abbreviation
    ("harbor partners 2", "harbor ventures 2", False),  # two kind words: two firms of one brand
    ("harbor capitol partners", "harbour capital partners", False),  # the brand differs
    ("harbor capital partners 2", "harbor capital partners 3", False),  # a numeral
    ("harbor capital partners", "harbor capital partners fund", False),  # a word more
    ("harbor caspian partners", "harbor capital partners", False),  # a distinctive word against a kind word
    ("harbor capital partners", "harbor capital partners", False),  # nothing respelt
])
def test_kind_words_respelt(a, b, respelt):
    assert kind_words_respelt(a, b) is respelt
    assert kind_words_respelt(b, a) is respelt


def test_two_kind_words_of_one_brand_are_not_lifted():
    assert not surfaced({"name": "Harbor Partners II", "country": "US"}, {"name": "Harbor Ventures II", "country": "US"})
