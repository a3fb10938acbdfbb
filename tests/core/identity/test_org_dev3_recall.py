"""Name classes of the third development set (issue #17) that hid true pairs: rules about how CRMs and data
vendors write investors' names, each checked on names of its own (not the set's word lists)."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.normalize import normalize_org_name

# ------------------------------------------------------------------------------------------ departments


@pytest.mark.parametrize("with_department", [
    "Norland Teachers Pension Plan - Private Markets Group", "Norland Teachers Pension Plan (Private Equity)",
    "Norland Teachers Pension Plan / PE Team", "Norland Teachers Pension Plan - Alternative Investments",
    "Norland Teachers Pension Plan (Alts)", "Norland Teachers Pension Plan \u2013 Real Estate",
    "Norland Teachers Pension Plan - Co-Investments", "Norland Teachers Pension Plan [Infrastructure Team]",
])
def test_a_department_after_the_investors_name_is_not_part_of_it(with_department: str) -> None:
    assert normalize_org_name(with_department) == normalize_org_name("Norland Teachers Pension Plan")


def test_a_department_before_the_legal_form_is_not_part_of_the_name() -> None:
    assert normalize_org_name("Harbor Point Advisors - Placement, LLC") == normalize_org_name(
        "Harbor Point Advisors, LLC")


@pytest.mark.parametrize("name", ["Harbor Point Fund III (Co-Investment)", "Harbor Point Partners VII - Private Equity",
                                  "Harbor Point Growth Fund Seven - Co-Invest",
                                  "Harbor Point - Group", "Harbor Point (Cayman) Ltd"])
def test_what_follows_a_funds_numeral_or_is_no_department_stays(name: str) -> None:
    assert normalize_org_name(name) != normalize_org_name(name.split(" (")[0].split(" - ")[0])


def test_an_investor_written_with_its_department_is_surfaced_with_its_registered_record() -> None:
    assert surfaced({"name": "Hanseong Life Insurance Co., Ltd. - Private Markets", "country": "none"},
                    {"name": "Hanseong Life Insurance Co., Ltd.", "city": "Seoul", "country": "KR",
                     "domain": "hanseonglife.co.kr"})
