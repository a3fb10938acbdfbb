"""Namesakes a proposal must not join on the evidence the two records already carry (issue #17; false pairs
of the fourth development set, ``dev3_orgs``, at 100k): two operating companies of one name stating
different countries (one family group's companies in several Gulf states, a firm's Cayman arm) or a fund
vehicle beside its manager's own seat, a fund's carved-out vehicle (AIV, co-investment, offshore) beside a
name without marks, and two firms whose own web sites each confirm their own record's spelling (brands a
letter apart, two partnerships one partner leads). Each rule comes with pairs of one entity that must stay
surfaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from org_pairs import resolve_orgs, surfaced

from crmhub.identity.comparison import cut_name_text
from crmhub.identity.matching import _carved_apart, _seated_apart
from crmhub.identity.records import prepare


def _proposed(*records: dict) -> list[list[int]]:
    """The proposals of one run of ``records``, as the positions of their members."""
    return sorted(sorted(int(m["record_id"]) for m in p.members) for p in resolve_orgs(*records).proposals)


# ---------------------------------------------------------------- one name, two seats


def test_one_family_groups_companies_in_two_gulf_states_are_not_proposed() -> None:
    assert not surfaced({"name": "Al Falasi Group", "domain": "www.alfalasigroup.com", "country": "OMN"},
                        {"name": "Al Falasy Group LLC", "domain": "alfalasigroup.com", "city": "Jedda", "country": "SA"})


def test_a_record_without_a_country_does_not_join_two_seats() -> None:
    """The record that states no country may be either company: it joins one, never both."""
    assert _proposed({"name": "Al Rashed Capital L.L.C.", "city": "Abu Dhabi", "country": "AE"},
                     {"name": "AL RASHED CAPITAL"},
                     {"name": "The Al Rashed Capital", "city": "Riyadh", "country": "Saudi Arabia"}) == [[0, 1]]


def test_one_company_in_one_country_written_two_ways_stays_surfaced() -> None:
    assert surfaced({"name": "Al Falasi Group", "domain": "www.alfalasigroup.com", "country": "SA"},
                    {"name": "Al Falasy Group LLC", "domain": "alfalasigroup.com", "city": "Jedda", "country": "Saudi Arabia"})
    assert surfaced({"name": "Al Falasi Group", "domain": "www.alfalasigroup.com"},
                    {"name": "Al Falasy Group LLC", "domain": "alfalasigroup.com", "city": "Jedda", "country": "SA"})


def test_a_fund_vehicle_in_two_countries_stays_surfaced() -> None:
    """A fund's country is its manager's seat in one source and the filing's in another (Form D: US)."""
    assert surfaced({"name": "Goramella Ventures XI Limited Partnership", "city": "Stockholm", "country": "SE"},
                    {"name": "GORAMELLA VENTURES XI, L.P.", "city": "Stockholm", "country": "US"})


# ---------------------------------------------------------------- two sites, each spelling its own name


def test_brands_a_letter_apart_on_their_own_sites_are_not_proposed() -> None:
    talar = {"name": "Talar Capital Advisors, L.L.C.", "domain": "talar.com", "city": "New York", "country": "US"}
    halar = {"name": "Halar Capital Advisors L.L.C.", "domain": "www.halar.com", "city": "New York", "country": "US"}
    assert not surfaced(talar, halar)
    assert _proposed(talar, {"name": "Halar Capital Advisors", "city": "New York", "country": "US"}, halar) == [[1, 2]]


def test_two_partnerships_one_partner_leads_are_not_proposed_on_their_sites() -> None:
    assert not surfaced({"name": "Kapoor LLP", "domain": "kapoorellery.com", "country": "GB"},
                        {"name": "Kapoor LLP", "domain": "ir@kapooralmeida.com", "country": "GB"})


def test_one_firm_on_its_site_and_a_longer_one_stays_surfaced() -> None:
    """One firm's second site is its own plus a word: one site starts the other, no conflict."""
    assert surfaced({"name": "Esten Capital Advisors LLC", "domain": "esten.com", "city": "New York", "country": "US"},
                    {"name": "Esten Capital Advisors", "domain": "estencapital.com", "city": "New York", "country": "US"})


# ---------------------------------------------------------------- a carved-out vehicle


def test_a_funds_aiv_is_not_proposed_with_the_brand_it_shares() -> None:
    assert not surfaced(
        {"name": "Merent Oak Infrastructure Partners", "domain": "mopartners.com", "city": "Denver", "country": "US"},
        {"name": "Merent Oak Infrastructure Partners V (AIV II) L.P.", "domain": "mopartners.com", "city": "Denver",
         "country": "US"})


# ---------------------------------------------------------------- the rules on record pairs


def _apart(rule, a: dict, b: dict) -> bool:
    """``rule`` on the one record pair ``a`` / ``b`` (prepared as organisation records)."""
    prepared = prepare(pd.DataFrame([{"record_id": "1", **a}, {"record_id": "2", **b}]), "org")
    cut = np.asarray([cut_name_text(v) for v in prepared["name"].tolist()], dtype=object)
    pairs = np.array([[0, 1]], dtype=np.int64)
    return bool(rule(prepared, pairs, cut)[0])


@pytest.mark.parametrize(("a", "b", "apart"), [
    ({"name": "Havisley", "country": "US"}, {"name": "Havisley Equity Partners IX (Cayman), LP", "country": "KY"}, True),
    ({"name": "Glacier Hill", "country": "USA"}, {"name": "Glacier Hill Buyout Fund 2 (AIV 1) L.P.", "country": "KY"}, True),
    ({"name": "Corulcrest Fd Services", "country": "IE"}, {"name": "Corulcrest Fund Services (Cayman)", "country": "KY"}, True),
    # two vehicles: a fund's country is its manager's seat in one source, the filing's in another
    ({"name": "Goramella Ventures XI Limited Partnership", "country": "SE"},
     {"name": "GORAMELLA VENTURES XI, L.P.", "country": "US"}, False),
    # the record without a vehicle mark is cut at a field length: it may have lost them
    ({"name": "MERENT OAK INFRASTRUCTURE PARTNERS V", "country": "US"},
     {"name": "Merent Oak Infrastructure Partners V (AIV II) L.P.", "country": "KY"}, False),
    ({"name": "Havisley", "country": "US"}, {"name": "Havisley Equity Partners IX (Cayman), LP", "country": "USA"}, False),
    ({"name": "Quanexia Associates LLC", "country": "United States"}, {"name": "Quanexia Associates, Llc", "country": "NA"}, False),
])
def test_records_seated_apart(a: dict, b: dict, apart: bool) -> None:
    assert _apart(_seated_apart, a, b) is apart


@pytest.mark.parametrize(("a", "b", "apart"), [
    ({"name": "Merent Oak Infrastructure Partners"}, {"name": "Merent Oak Infrastructure Partners V (AIV II) L.P."}, True),
    ({"name": "Darine Bridge"}, {"name": "Darine Bridge Buyout Fund III Offshore"}, True),
    ({"name": "Calevgate, L.P."}, {"name": "Calevgate Secondaries Fund IX (AIV II), L.P."}, True),
    # a name cut at a field length may have lost the marks
    ({"name": "NOROVA COURT CREDIT OPPORTUNITIES F"}, {"name": "Norova Court Credit Opportunities Fund X (AIV I), LP"}, False),
    # the main fund beside its numbered name: no carved-out vehicle
    ({"name": "Merent Oak Infrastructure Partners"}, {"name": "Merent Oak Infrastructure Partners V, L.P."}, False),
])
def test_a_carved_out_vehicle_beside_a_name_without_marks(a: dict, b: dict, apart: bool) -> None:
    assert _apart(_carved_apart, a, b) is apart
