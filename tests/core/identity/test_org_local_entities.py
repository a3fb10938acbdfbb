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


def test_local_entity_pre_test_never_rules_out_a_pair_the_full_check_accepts() -> None:
    """``_may_name_its_country`` (arrays) spares the jurisdiction reading: every pair of a set of group names,
    local entities and their countries, marked, unmarked, missing, that ``_named_with_its_country`` accepts
    passes it, and it rules some pairs out."""
    import numpy as np
    import pandas as pd

    from crmhub.identity import matching as m
    from crmhub.identity import resolve
    from crmhub.identity.comparison import Encoded

    names = ["Osprey Court Fund Services", "Osprey Court Fund Services (Ireland) Limited",
             "Osprey Court Fund Services Ireland", "Osprey Court Fund Services (Cayman) Ltd",
             "Rosfield Fund Services Ltd", "Rosfield Fund Services (Singapore) Limited", "Rosfield Fund Services Hong Kong",
             "Lumident Fund Solutions", "Lumident Fund Solutions Luxembourg", "Kinero Trust", "Kinero Trust (UK) Limited"]
    countries = ["IE", "GB", "SG", "LU", "KY", "HK", ""]
    rows = [{"name": n, "country": c, "source_system": "crm", "record_id": f"{i}-{j}"}
            for i, n in enumerate(names) for j, c in enumerate(countries)]
    enc = Encoded(resolve(pd.DataFrame(rows), "org").records)
    a, b = (x.ravel() for x in np.triu_indices(len(rows), 1))
    names_v, marks, country = enc.n_name.values, enc.n_numerals.values, enc.n_country.values
    accepted = np.array([m._named_with_its_country(names_v, marks, country, int(x), int(y)) for x, y in zip(a, b, strict=True)])
    may = m._may_name_its_country(enc, a, b)
    assert accepted.any() and not (accepted & ~may).any() and (~may).any()
