"""A fund name closing with "CV" after its numeral (issue #17): the Dutch C.V. or a continuation vehicle.

"Brand Fund VII CV" is a Dutch limited partnership (commanditaire vennootschap) in Amsterdam and the fund's
continuation vehicle written short anywhere else. Seated outside the countries of a "CV" legal form, the
record is read as the continuation vehicle: one vehicle with "Brand Fund VII Continuation, L.P.", another
than the flagship "Brand Fund VII, L.P."; seated in the Netherlands, or without a country, the legal form.
"""

from __future__ import annotations

import pytest

from crmhub.identity.normalize import cv_closes_after_numeral
from crmhub.identity.records import prepare
from tests.core.identity.org_pairs import resolve_orgs, surfaced


def _prepared(name: str, country: str | None) -> tuple[str, str]:
    row = prepare(_frame(name, country), "org").iloc[0]
    return row["n_name"], row["n_numerals"]


def _frame(name: str, country: str | None):
    import pandas as pd

    return pd.DataFrame([{"record_id": "1", "source_system": "crm", "name": name, "country": country}])


@pytest.mark.parametrize("name", ["CopperLake Real Estate Partners Fund VII CV", "Muhlbach Priv Eq IV CV",
                                  "Torello Credit Opportunities Fd I Cv\xa0", "Brand Fund VI C.V."])
def test_cv_right_after_the_numeral_is_read(name: str) -> None:
    assert cv_closes_after_numeral(name)


@pytest.mark.parametrize("name", ["Aurora Elm Packaging CV", "Brand Fund VI CV, L.P.", "Brand Fund VI"])
def test_cv_not_after_a_numeral_or_not_closing_is_not(name: str) -> None:
    assert not cv_closes_after_numeral(name)


def test_outside_the_netherlands_it_is_the_continuation_vehicle() -> None:
    assert _prepared("Copperlake Real Estate Partners Fund VII CV", "US") == _prepared(
        "Copperlake Real Estate Partners Fund VII Continuation, LP", "US")


@pytest.mark.parametrize("country", ["NL", "Netherlands", None])
def test_in_the_netherlands_or_without_a_seat_it_is_the_legal_form(country: str | None) -> None:
    assert _prepared("Eastway Global Partners Fund II CV", country) == _prepared(
        "Eastway Global Partners Fund II, L.P.", country)


def test_the_continuation_vehicle_is_surfaced_with_its_long_name() -> None:
    a = {"name": "Muhlbach Priv Eq IV CV", "city": "Toronto", "country": "CA"}
    b = {"name": "Muhlbach Private Equity IV Continuation Fund, LP", "city": "Toronto", "country": "CA"}
    assert surfaced(a, b)


def test_the_continuation_vehicle_is_not_the_flagship() -> None:
    res = resolve_orgs({"name": "Aston Partners Fund I CV", "city": "Munsbach", "country": "LU"},
                       {"name": "Aston Partners Fund I", "city": "Munsbach", "country": "LU"})
    assert len(set(res.cluster_ids)) == 2 and not res.review


def test_a_dutch_cv_stays_its_fund() -> None:
    a = {"name": "Whitewater Ventures VI, CV", "city": "Amsterdam", "country": "NL"}
    b = {"name": "Whitewater Ventures VI", "city": "Amsterdam", "country": "NL"}
    assert surfaced(a, b)


@pytest.mark.parametrize(("city", "reading"), [("Toronto", "continuation"), ("L.A.", "continuation"),
                                               ("Amsterdam", "legal form"), ("Munsbach", "legal form")])
def test_without_a_country_the_town_of_a_cldr_city_says_where(city: str, reading: str) -> None:
    import pandas as pd

    row = prepare(pd.DataFrame([{"record_id": "1", "source_system": "crm", "name": "Muhlbach Priv Eq IV CV",
                                 "city": city}]), "org").iloc[0]
    assert ("continuation" in row["n_numerals"]) == (reading == "continuation")
