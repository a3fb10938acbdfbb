"""A public body written by its place and its initials (issue #17, dev3 recall): "Connecticut PSERS" for
"Connecticut Public School Employees' Retirement System", "Montana SIB" for "State Investment Board of
Montana". The place (a US state or a country) says whose initials they are, as a town does; the same
place's other bodies ("Connecticut SERS"), another place or another site keep the records apart."""

from __future__ import annotations

from org_pairs import resolve_orgs
from org_pairs import surfaced_from_own_sources as surfaced

from crmhub.identity.comparison import place_acronym_pair


def apart(*records: dict) -> bool:
    res = resolve_orgs(*records)
    return len(set(res.cluster_ids)) == len(records) and res.review == []


def test_a_place_and_its_acronym_spell_the_full_name_of_that_place() -> None:
    assert place_acronym_pair("connecticut psers", "connecticut public school employees retirement systems")
    assert place_acronym_pair("montana sib", "state investment board of montana")
    assert place_acronym_pair("hest australia", "health employees superannuation trust australia")


def test_another_body_of_the_place_or_another_place_is_no_place_acronym() -> None:
    assert not place_acronym_pair("connecticut sers", "connecticut public school employees retirement systems")
    assert not place_acronym_pair("delaware psers", "connecticut public school employees retirement systems")
    assert not place_acronym_pair("amanecer afp", "afp amanecer peru")  # no place named: a brand


def test_a_state_and_its_pension_system_acronym_are_proposed() -> None:
    assert surfaced({"name": "Connecticut PSERS", "domain": "ctpsers.org", "country": "US"},
                    {"name": "Connecticut Public School Employees' Retirement System", "domain": "www.ctpsers.org",
                     "country": "USA"})


def test_the_place_written_after_the_full_name_is_read_too() -> None:
    assert surfaced({"name": "Kansas MRS", "domain": "mrs.kan.gov"},
                    {"name": "Municipal Retirement System of Kansas", "domain": "mrs.kan.gov"})


def test_another_system_of_the_same_state_stays_apart() -> None:
    assert apart({"name": "Connecticut SERS", "domain": "ct.gov"},
                 {"name": "Connecticut Public School Employees' Retirement System", "domain": "ct.gov"})


def test_two_sites_keep_a_place_acronym_apart() -> None:
    assert apart({"name": "Connecticut PSERS", "domain": "ctpsers.org"},
                 {"name": "Connecticut Public School Employees' Retirement System", "domain": "ctsers.gov"})
