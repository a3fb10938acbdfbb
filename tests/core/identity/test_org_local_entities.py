"""A service provider's local entity with and without its jurisdiction (issue #17, dev3_orgs): fund
administrators, custodians and trust companies register one entity per jurisdiction ("Osprey Court Fund
Services (Ireland) Limited"), a CRM writes the group's name for the office it deals with; the group's entities
of other jurisdictions are other organisations."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

LOCAL = {"name": "Osprey Court Fund Services (Ireland) Limited", "city": "Dublin", "country": "IE"}


@pytest.mark.parametrize("bare", [
    {"name": "Osprey Court Fund Services", "city": "Dublin", "country": "Ireland"},
    {"name": "Osprey Court Fund Services Ltd", "country": "IRL"},
])
def test_the_groups_name_in_the_jurisdictions_country_is_the_local_entity(bare: dict) -> None:
    assert surfaced(bare, LOCAL)


def test_a_trust_companys_local_entity_is_surfaced_with_its_groups_name() -> None:
    assert surfaced({"name": "Kinero Trust", "city": "London", "country": "GB"},
                    {"name": "Kinero Trust (UK) Limited", "city": "London", "country": "United Kingdom"})


@pytest.mark.parametrize("bare", [
    {"name": "Osprey Court Fund Services", "city": "London", "country": "GB"},  # another country's office
    {"name": "Osprey Court Fund Services"},  # no country: any of the group's entities
])
def test_the_groups_name_elsewhere_or_nowhere_stays_apart_from_the_local_entity(bare: dict) -> None:
    assert not surfaced(bare, LOCAL)


def test_another_jurisdictions_entity_stays_apart() -> None:
    assert not surfaced({"name": "Osprey Court Fund Services (Cayman) Ltd", "city": "George Town", "country": "KY"},
                        {"name": "Osprey Court Fund Services", "city": "Dublin", "country": "IE"})


@pytest.mark.parametrize(("bare", "local"), [
    # the local entity's record without a country: its name says the jurisdiction
    ({"name": "Lumident Fund Solutions", "country": "LU"}, {"name": "Lumident Fund Solutions Luxembourg"}),
    ({"name": "Lumident Fund Solutions SA", "city": "Luxembourg", "country": "LU", "domain": "lumident.com"},
     {"name": "Lumident Fund Solutions Luxembourg", "domain": "lumident.com"}),
    # a jurisdiction that is no vehicle mark, read on the name's last words
    ({"name": "Rosfield Fund Services Ltd", "city": "Singapore", "country": "SG"},
     {"name": "Rosfield Fund Services (Singapore) Limited", "city": "Singapore", "country": "SG", "domain": "rosfield.com"}),
    ({"name": "Osprey Court Fund Services", "country": "HK"}, {"name": "Osprey Court Fund Services (Hong Kong) Limited"}),
])
def test_the_jurisdiction_named_by_the_local_entity_is_read_where_a_country_is_missing_or_no_mark(bare: dict, local: dict) -> None:
    assert surfaced(bare, local)


@pytest.mark.parametrize(("bare", "local"), [
    ({"name": "Rosfield Fund Services Ltd"}, {"name": "Rosfield Fund Services (Singapore) Limited", "country": "SG"}),
    ({"name": "Rosfield Fund Services Ltd"}, {"name": "Rosfield Fund Services (Singapore) Limited"}),
    ({"name": "Rosfield Fund Services Ltd", "country": "HK"}, {"name": "Rosfield Fund Services (Singapore) Limited"}),
    ({"name": "Rosfield Fund Services Ltd", "country": "SG"},
     {"name": "Rosfield Fund Services (Singapore) Limited", "country": "HK"}),
])
def test_the_groups_name_without_the_jurisdictions_country_stays_apart(bare: dict, local: dict) -> None:
    assert not surfaced(bare, local)
