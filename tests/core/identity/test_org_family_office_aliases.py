"""A single-family office under its two names (issue #17, dev3_orgs): "The Goldberg Family Office" where it
deals with managers, "Goldberg Family Investments" where it invests; the family's foundation, trust and
another branch's office stay other organisations."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.short_forms import family_office_alias


@pytest.mark.parametrize(("office", "investments"), [
    ("Goldberg Family Office", "Goldberg Family Investments"),
    ("The Fairfax Conti Family Office, LLC", "Fairfax Conti Family Investments LLC"),
    ("Kingsley Calloway Family Office", "Kingsley Calloway Family Invts"),
])
def test_a_family_office_and_its_family_investments_are_surfaced(office: str, investments: str) -> None:
    assert surfaced({"name": office, "city": "Boston", "country": "US"},
                    {"name": investments, "country": "USA"})


def test_the_two_names_without_anything_else_in_common_are_surfaced() -> None:
    assert surfaced({"name": "Yardley Family Office"}, {"name": "Yardley Family Investments", "city": "Geneva"})


@pytest.mark.parametrize("other", ["Goldberg Family Foundation", "Goldberg Family Trust", "J. Goldberg Family Office",
                                   "Goldberg Family Holdings"])
def test_the_familys_foundation_trust_or_another_branch_is_no_alias(other: str) -> None:
    assert not family_office_alias("goldberg family investments", " ".join(other.lower().replace(".", "").split()))


def test_the_two_names_in_other_towns_stay_apart() -> None:
    assert not surfaced({"name": "Goldberg Family Office", "city": "Boston", "country": "US"},
                        {"name": "Goldberg Family Investments", "city": "Miami", "country": "US"})


def test_the_two_names_on_other_sites_stay_apart() -> None:
    assert not surfaced({"name": "Goldberg Family Office", "domain": "goldbergfo.com"},
                        {"name": "Goldberg Family Investments", "domain": "gfi-capital.com"})
