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
