"""A public body written by its place and its initials (issue #17, dev3 recall): "Connecticut PSERS" for
"Connecticut Public School Employees' Retirement System", "Montana SIB" for "State Investment Board of
Montana". The place (a US state or a country) says whose initials they are, as a town does; the same
place's other bodies ("Connecticut SERS"), another place or another site keep the records apart. A CRM keeps
such a body without its town as often as with it: the place and the initials meet the full name in any town,
and the body in its two word orders ("Utah State Teachers' Retirement System" / "State Teachers' Retirement
System of Utah") is one name where no two towns, sites or countries differ."""

from __future__ import annotations

import pandas as pd
from org_pairs import resolve_orgs
from org_pairs import surfaced_from_own_sources as surfaced

from crmhub.identity.blocking import ORG_KEYS, candidate_pairs
from crmhub.identity.comparison import place_acronym_pair, place_name_reordered
from crmhub.identity.records import prepare


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


def test_a_place_and_its_acronym_meet_the_full_name_without_a_town_or_site_in_common() -> None:
    # "Oklahoma MRS" (a CRM's record, no town, no site) and "Oklahoma Municipal Retirement System" share no
    # name key: only the place and the initials say they are one body
    assert surfaced({"name": "Oklahoma MRS", "country": "US"},
                    {"name": "Oklahoma Municipal Retirement System", "city": "Oklahoma City", "country": "USA"})
    assert surfaced({"name": "Nebraska PFRS"},
                    {"name": "Police and Fire Retirement System of Nebraska - Private Markets", "country": "US"})


def test_the_place_acronym_key_pairs_only_the_bodies_the_acronym_spells() -> None:
    key = tuple(k for k in ORG_KEYS if k.name == "place_acronym")
    rows = [{"name": "Oklahoma MRS"}, {"name": "Oklahoma Municipal Retirement System", "city": "Oklahoma City"},
            {"name": "Oklahoma Teachers' Retirement System"}, {"name": "Kansas Municipal Retirement System"},
            {"name": "Meridian Capital Management"}, {"name": "Meridian CM"}]  # no place: a brand's initials
    df = prepare(pd.DataFrame([{"record_id": str(k), "source_system": "crm", **r} for k, r in enumerate(rows)]), "org")
    pairs, _ = candidate_pairs(df, "org", keys=key)
    assert {tuple(p) for p in pairs.tolist()} == {(0, 1)}


def test_a_state_body_in_its_two_word_orders_is_one_name_without_a_town() -> None:
    assert place_name_reordered("utah state teachers retirement systems", "state teachers retirement systems of utah")
    # its own acronym after the "of" form is the name said twice
    assert place_name_reordered("oregon police and fire retirement systems",
                                "police and fire retirement systems of oregon orepfrs")
    assert not place_name_reordered("washington university", "university of washington")  # two schools
    assert not place_name_reordered("utah state teachers retirement systems", "teachers retirement systems of utah")
    assert not place_name_reordered("granite peak capital partners", "capital partners of granite peak")  # no place
    assert surfaced({"name": "Utah State Teachers' Retirement System", "domain": "strs.uta.gov", "country": "US"},
                    {"name": "State Teachers' Retirement System of Utah", "country": "USA"})
    assert surfaced({"name": "Connecticut Police and Fire Retirement System", "domain": "conpfrs.org"},
                    {"name": "POLICE AND FIRE RETIREMENT SYSTEM OF CONNECTICUT"})


def test_a_state_body_reordered_stays_apart_from_its_sibling_or_another_town() -> None:
    assert apart({"name": "Utah Teachers' Retirement System"},
                 {"name": "State Teachers' Retirement System of Utah"})
    assert apart({"name": "Utah State Teachers' Retirement System", "city": "Salt Lake City"},
                 {"name": "State Teachers' Retirement System of Utah", "city": "Provo"})
