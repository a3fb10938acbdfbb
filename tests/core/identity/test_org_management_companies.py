"""A management company written with and without "Investment" before "Management" (issue #17, dev_orgs): an
endowment's or manager's "Brand Investment Management Company" is also written "Brand Management Company",
"Brand Mgmt Co" or "Brand ManCo"; the adviser "Brand Investment Management, LLC" beside the family's
management company stays another entity."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.comparison import investment_management_written_short
from crmhub.identity.normalize import names_management_company


@pytest.mark.parametrize(("long_", "short"), [
    ("Quirwant Investment Management Company", "quirwant mgmt co"),
    ("Thansick Inv ManCo", "Thansick Mgmt Company"),
    ("Crairkock Investment Management Company.", "CRAIRKCK MANAGEMENT COMPANY"),
])
def test_the_company_with_and_without_investment_is_surfaced(long_: str, short: str) -> None:
    assert surfaced({"name": long_, "city": "Boston", "country": "US", "domain": "triay.edu"},
                    {"name": short, "city": "Boston", "domain": "www.triay.edu"})


def test_the_adviser_beside_the_management_company_is_not_read_as_it() -> None:
    assert not names_management_company("Triay Investment Management, LLC")
    assert names_management_company("Triay Management Company LLC")
    assert not surfaced({"name": "Triay Investment Management, LLC", "city": "Boston", "country": "US"},
                        {"name": "Triay Management Company", "city": "Boston"})


@pytest.mark.parametrize(("a", "b"), [
    ("triay capital management", "triay management"),
    ("triay investment advisors", "triay advisors"),
    ("triay investment management", "harbor management"),
])
def test_another_word_or_brand_is_no_short_writing(a: str, b: str) -> None:
    assert not investment_management_written_short(a, b)


def test_the_two_companies_in_other_towns_stay_apart() -> None:
    assert not surfaced({"name": "Triay Investment Management Company", "city": "Boston", "country": "US"},
                        {"name": "Triay Management Company", "city": "Chicago", "country": "US"})
