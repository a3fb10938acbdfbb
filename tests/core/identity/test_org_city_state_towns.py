"""A town or district in a city state is the city state (issue #17): "Central" in Hong Kong is Hong Kong, as
"Central, Hong Kong" already is; CRMs write the district, fund administrators the city."""

from __future__ import annotations

import pandas as pd
import pytest

from crmhub.identity.records import prepare
from tests.core.identity.org_pairs import surfaced


def _town(city: str | None, country: str | None) -> str | None:
    row = prepare(pd.DataFrame([{"record_id": "1", "source_system": "crm", "name": "Harbor Capital",
                                 "city": city, "country": country}]), "org").iloc[0]
    return row["n_city"]


@pytest.mark.parametrize(("city", "country", "town"), [
    ("Central", "Hong Kong", "hong kong"), ("Admiralty", "HK", "hong kong"), ("Raffles Place", "SGP", "singapore"),
    ("Central", "United Kingdom", "central"), (None, "Hong Kong", None),
])
def test_a_district_of_a_city_state_is_the_city(city: str | None, country: str, town: str | None) -> None:
    assert _town(city, country) == town


def test_the_district_and_the_city_are_surfaced() -> None:
    a = {"name": "KALEONEN INVESTMENTS HONG KONG LIMITED", "city": "Central, Hong Kong", "country": "HKG"}
    b = {"name": "kaleonen investments hong kong limited", "city": "Central", "country": "Hong Kong"}
    assert surfaced(a, b)
