"""An organisation written by its initials in its town (issue #17, dev2/dev3 recall): "QVAM" for "Quorn
Vale Asset Management" in Atlanta, "TPERA" for "City of Tarnwick Public Employees' Retirement
Association" in Denver. A CRM writes the initials where the organisation works; where in the run's names
of that town they spell one brand only, the town vouches for the short form; so it does for three letters
that are the founders' names of a firm named after them ("QNH" for "Quigley, Nilsen & Hale"). Where they
spell two brands there, or are three letters of other words ("SIA"), or the towns differ, the records stay
apart."""

from __future__ import annotations

from org_pairs import resolve_orgs
from org_pairs import surfaced_from_own_sources as surfaced

from crmhub.identity.short_forms import names_in_index_spelt_by, spelling_index


def apart(*records: dict) -> bool:
    res = resolve_orgs(*records)
    return len(set(res.cluster_ids)) == len(records) and res.review == []


def test_initials_of_a_firm_in_its_town_are_proposed() -> None:
    assert surfaced({"name": "QVAM, LLC", "city": "Atlanta"},
                    {"name": "Quorn Vale Asset Management, LLC", "city": "Atlanta"})


def test_initials_of_a_public_body_in_its_town_are_proposed() -> None:
    assert surfaced({"name": "TPERA", "city": "Denver"},
                    {"name": "City of Tarnwick Public Employees' Retirement Association", "city": "Denver, CO"})


def test_initials_spelling_two_brands_in_the_town_stay_apart() -> None:
    assert apart({"name": "QVAM, LLC", "city": "Atlanta"},
                 {"name": "Quorn Vale Asset Management, LLC", "city": "Atlanta"},
                 {"name": "Quillon Vista Asset Management", "city": "Atlanta"})


def test_initials_in_another_town_stay_apart() -> None:
    assert apart({"name": "QVAM, LLC", "city": "Boston"}, {"name": "Quorn Vale Asset Management, LLC", "city": "Atlanta"})


def test_initials_spelling_the_management_company_carry_its_mark() -> None:
    # "Management" marks a management company; the M of "QVAM" spells it, so the marks agree
    assert surfaced({"name": "QVAM", "city": "Atlanta"}, {"name": "Quorn Vale Asset Management", "city": "Atlanta"})



def test_initials_of_a_firm_named_after_its_founders_are_proposed() -> None:
    # three letters, each a founder's name: "and" is no letter of the initials
    assert surfaced({"name": "QNH, L.P.", "city": "Austin"}, {"name": "Quigley, Nilsen & Hale, L.P.", "city": "Austin"})


def test_initials_of_founders_spelling_two_firms_in_the_town_stay_apart() -> None:
    assert apart({"name": "QNH, L.P.", "city": "Austin"}, {"name": "Quigley, Nilsen & Hale, L.P.", "city": "Austin"},
                 {"name": "Quinn, Novak & Hart LLP", "city": "Austin"})


def test_three_initials_of_other_words_in_the_town_stay_apart() -> None:
    assert apart({"name": "QVA, LLC", "city": "Atlanta"}, {"name": "Quorn Vale Advisors, LLC", "city": "Atlanta"})


def test_the_run_s_names_are_found_by_initials_that_skip_an_inner_and() -> None:
    index = spelling_index(["quigley nilsen hale and ash", "quigley nilsen and hale"])
    assert names_in_index_spelt_by("qnha", index) == {"quigley nilsen hale and ash"}
    assert names_in_index_spelt_by("qnh", index) == {"quigley nilsen and hale"}
