"""Classes of organisation-name and place variation the development set (``dev_orgs``) still missed,
each written as the class it stands for, not as the generator's examples: a city in another language
(CLDR's names of time-zone cities) or after its district, "NA" for no town.
Each positive case is missed on the code before these rules; each guard keeps two entities apart.
"""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.normalize import normalize_city

# ------------------------------------------------------------------ a city's name in another language


@pytest.mark.parametrize(("local", "english"), [
    ("Baile Átha Cliath", "Dublin"),  # Irish
    ("Lussemburgo", "Luxembourg"),  # Italian
    ("Zurigo", "Zurich"),
    ("Londres", "London"),  # French, Spanish, Portuguese
    ("Kööpenhamina", "Copenhagen"),  # Finnish
    ("Nueva York", "New York"),
    ("Varsovia", "Warsaw"),
])
def test_a_city_in_another_language_is_the_city(local, english):
    assert normalize_city(local) == normalize_city(english)


@pytest.mark.parametrize(("a", "b"), [
    ("Paris", "London"), ("Hamilton", "Dublin"), ("Georgetown", "Dublin"), ("Monaco", "Munich"),
])
def test_english_city_names_stay_their_city(a, b):
    assert normalize_city(a) != normalize_city(b)


def test_an_insurer_in_dublin_written_in_irish_reaches_review():
    assert surfaced({"name": "Cryrion Mut Insurance Company", "city": "Baile Átha Cliath", "country": "IE"},
                    {"name": "Crrion Mutual Insurance Company", "city": "Dublin", "country": "IE"})


# ------------------------------------------------------------------------- a district before its city


@pytest.mark.parametrize(("written", "town"), [
    ("Chiyoda-ku, Tokyo", "Tokyo"), ("Mayfair, London", "London"), ("Ballsbridge, Dublin", "Dublin"),
])
def test_a_district_before_a_city_is_the_city(written, town):
    assert normalize_city(written) == normalize_city(town)


@pytest.mark.parametrize(("written", "town"), [
    ("New York, NY", "new york"), ("Boston, MA", "boston"), ("Sydney, Australia", "sydney"),
    ("Paris, France", "paris"), ("George Town, Grand Cayman", "george town"), ("Menlo Park, CA", "menlo park"),
])
def test_a_city_before_its_region_or_country_stays_the_city(written, town):
    assert normalize_city(written) == town


@pytest.mark.parametrize("placeholder", ["NA", "na", " N A "])
def test_na_is_no_town(placeholder):
    assert normalize_city(placeholder) is None
