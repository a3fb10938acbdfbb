"""Towns as CRM and fund-administration exports write them, read in the organisation comparison.

A town written short ("Phila", "Mpls", "Greater London", "Palo, Alto") is one town written otherwise; towns
that only share letters stay different. A suburb and the central city of its US metropolitan area ("Santa
Monica" / "LA") do not contradict; two suburbs, or towns of two divisions or areas, stay different.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmhub.identity.comparison import Encoded, compare_orgs, town_written_short
from crmhub.identity.normalize import normalize_city
from crmhub.identity.records import prepare


def _city_level(a: dict, b: dict) -> int:
    prepared = prepare(pd.DataFrame([{"record_id": str(k), "source_system": "crm", **r} for k, r in enumerate((a, b))]),
                       "org")
    levels, _ = compare_orgs(Encoded(prepared), np.array([[0, 1]]))
    return int(levels["city"][0])


@pytest.mark.parametrize("a, b", [
    ("phila", "philadelphia"), ("wash", "washington"), ("melb", "melbourne"),  # cut
    ("sthlm", "stockholm"), ("mpls", "minneapolis"),  # consonants, the last letter kept
    ("luxembourg kirchberg", "luxembourg"), ("toronto ontario", "toronto"),  # a district or region after it
    ("greater london", "london"), ("palo", "palo alto"),
    ("gt", "george town"), ("sf", "san francisco"),  # initials of a town of two or three words
])
def test_a_town_written_short_is_that_town(a, b):
    assert town_written_short(a, b) and town_written_short(b, a)


@pytest.mark.parametrize("a, b", [
    ("new", "new york"), ("york", "new york"),  # too short to name one town
    ("bern", "berlin"), ("perth", "peterborough"), ("hamburg", "hamilton"), ("dallas", "fort worth"),
    ("paris", "paris"), ("gt", "grand cayman george town"), ("ge", "george town"), ("pa", "paris"),
])
def test_other_towns_are_not_written_short(a, b):
    assert not town_written_short(a, b)


def test_a_town_written_short_compares_as_a_similar_town():
    fund = "Mesa Clear Real Estate Partners II LP"
    assert _city_level({"name": fund, "city": "Phila."}, {"name": fund, "city": "Philadelphia, PA"}) == 2
    assert _city_level({"name": "Slate Cedar Capital", "city": "Sthlm"}, {"name": "Slate Cedar", "city": "Stockholm"}) == 2
    assert _city_level({"name": fund, "city": "Palo, Alto"}, {"name": fund, "city": "Palo Alto, CA"}) == 2
    assert _city_level({"name": fund, "city": "Dallas"}, {"name": "Mesa Clear", "city": "Houston"}) == 3


@pytest.mark.parametrize("a, b", [
    ("Camana Bay", "George Town"), ("L-1736 Senningerberg", "Niederanven"),  # a district or locality of the town
    ("DFW", "Dallas, TX"), ("FFM", "Frankfurt am Main"),  # codes a town is written by
])
def test_a_locality_or_code_is_its_town(a: str, b: str) -> None:
    assert _city_level({"name": "Harbor Partners", "city": a}, {"name": "Harbor Partners", "city": b}) == 1


@pytest.mark.parametrize("a, b", [
    ("Santa Monica", "LA"), ("Santa Monica, CA", "Los Angeles"),  # a town of Los Angeles County
    ("Menlo Park, CA", "San Francisco"), ("Jersey City, NJ", "New York, NY"), ("St. Paul", "Minneapolis"),
])
def test_a_town_of_a_metropolitan_area_and_its_central_city_do_not_contradict(a: str, b: str) -> None:
    """One source writes the suburb, the other the city the area is known by: no evidence either way (level
    0), not one town (level 1) nor one town written otherwise (level 2)."""
    fund = "Harbor Partners III, L.P."
    assert _city_level({"name": fund, "city": a}, {"name": fund, "city": b}) == 0
    assert _city_level({"name": fund, "city": b}, {"name": fund, "city": a}) == 0


@pytest.mark.parametrize("a, b", [
    ("Santa Monica", "Pasadena"),  # two towns of one area, neither its central city
    ("Fort Worth", "Dallas"), ("Cambridge, MA", "Boston"),  # another metropolitan division of the area
    ("Palo Alto", "San Francisco"), ("Greenwich, CT", "New York"),  # another area
    ("Irvine", "Los Angeles"),  # Orange County: the Anaheim-Santa Ana-Irvine division
])
def test_neighbouring_towns_stay_apart(a: str, b: str) -> None:
    assert _city_level({"name": "Harbor Partners", "city": a}, {"name": "Harbor Partners", "city": b}) == 3


def test_toronto_written_to() -> None:
    assert _city_level({"name": "Harbor Partners", "city": "TO"}, {"name": "Harbor Partners", "city": "Toronto, ON"}) == 1
    assert _city_level({"name": "Harbor Partners", "city": "Torino (TO)"}, {"name": "Harbor Partners", "city": "Toronto"}) == 3


@pytest.mark.parametrize("a, b", [
    ("San, Francisco", "San Francisco, CA"), ("NEW, YORK", "New York"), ("The, Hague", "Den Haag"),
    ("George, Town, Grand Cayman", "George Town"), ("GT, Grand Cayman", "Camana Bay"),  # a stray comma in the town
    ("StLouis", "St. Louis"), ("FtWorth", "Fort Worth, TX"),  # "St"/"Ft" run into the town's name
])
def test_stray_punctuation_inside_a_town_is_that_town(a: str, b: str) -> None:
    assert _city_level({"name": "Harbor Partners", "city": a}, {"name": "Harbor Partners", "city": b}) == 1


def test_a_us_state_code_in_any_case_is_no_part_of_the_town() -> None:
    assert normalize_city("Los Angeles, Ca") == normalize_city("Los Angeles, CA") == "los angeles"
    # "Wash." is Washington written short: a similar town once the region after it is read as a region
    assert _city_level({"name": "Harbor Partners", "city": "Wash. Dc"}, {"name": "Harbor Partners", "city": "Washington"}) == 2


@pytest.mark.parametrize("town, read", [
    ("Palo, Alto", "palo"),  # no known town: the first part, a town cut short (above)
    ("Kirchberg, Luxembourg", "luxembourg"), ("Boston, MA", "boston"), ("Stanford", "stanford"),
])
def test_commas_and_capitals_that_are_no_stray_punctuation(town: str, read: str) -> None:
    assert normalize_city(town) == read


def test_a_record_written_in_a_suburb_and_in_its_central_city_is_proposed() -> None:
    """One source writes the pension system's Santa Monica office, another Los Angeles: with two names one
    abbreviation apart, the pair reaches review instead of reading as two organisations in two towns."""
    from crmhub.identity.matching import resolve

    res = resolve(pd.DataFrame([
        {"record_id": "1", "source_system": "vendor", "name": "Bluebrook Cnty Pub Employees' Retirement System",
         "city": "Santa Monica", "country": "US"},
        {"record_id": "2", "source_system": "crm", "name": "Bluebrook Cnty Public Employees' Retirmt System",
         "city": "Los Angeles", "country": "US"},
    ]), "org")
    assert [{p.left["record_id"], p.right["record_id"]} for p in res.review] == [{"1", "2"}]
