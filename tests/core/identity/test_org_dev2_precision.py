"""A fund's other vehicles, a holding chain's layers and a manager's other entities that name themselves
like the fund (issue #17; the false pairs of the third development set, ``dev2_orgs``).

Each negative case is a pair of records the resolver proposed together though they are two entities: the
word that tells them apart is the only difference (an ERISA, annex, sidecar, executive, AIV, continuation
or SPV vehicle of a fund; a strategy programme of its manager; a layer of a deal's holding chain; a
university's investment company). Each guard is a pair of records of one entity that must stay surfaced.
"""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.normalize import normalize_org_name, vehicle_marks


def _org(name: str, **fields: str) -> dict:
    return {"name": name, "domain": "pinewaycap.com", "city": "Boston", "country": "US", **fields}


# ------------------------------------------------------------------------------- a fund's vehicles

@pytest.mark.parametrize(("fund", "vehicle"), [
    ("Pineway Real Estate Partners II, L.P.", "Pineway Real Estate Partners 2 CV L.P."),
    ("Pineway Real Estate Partners II, L.P.", "Pineway Real Estate Partners II ERISA Fund, L.P."),
    ("Pineway Real Estate Partners II, L.P.", "Pineway Real Estate Partners II (Annex), L.P."),
    ("Pineway Real Estate Partners II, L.P.", "Pineway Real Estate Partners II Side-Car, L.P."),
    ("Pineway Real Estate Partners II, L.P.", "Pineway Real Estate Partners II Side Car L.P."),
    ("Pineway Real Estate Partners II, L.P.", "Pineway Real Estate Partners II Exec Fund, L.P."),
    ("Pineway Real Estate Partners II, L.P.", "Pineway Real Estate Partners II Alternative Investment Vehicle LP"),
])
def test_a_fund_and_its_vehicle_named_by_one_word_are_not_proposed(fund: str, vehicle: str) -> None:
    assert not surfaced(_org(fund), _org(vehicle))


@pytest.mark.parametrize(("a", "b"), [
    ("Pineway Real Estate Partners II Side-Car, L.P.", "PINEWAY REAL ESTATE PTNRS II SIDECAR LP"),
    ("Pineway Real Estate Partners II Alternative Investment Vehicle LP", "Pineway RE Partners II (AIV) L.P."),
    ("Pineway Real Estate Partners II Exec Fund, L.P.", "Pineway Real Estate Partners II Executive Fund LP"),
    ("Pineway Real Estate Partners II CV, L.P.", "Pineway Real Estate Partners II Continuation Vehicle LP"),
    ("Pineway Real Estate Partners II (ERISA), L.P.", "Pineway Real Estate Partners 2 ERISA Fund LP"),
])
def test_one_vehicle_written_two_ways_stays_surfaced(a: str, b: str) -> None:
    assert vehicle_marks(a) == vehicle_marks(b)
    assert surfaced(_org(a), _org(b))


def test_a_dutch_cv_closing_the_name_is_a_legal_form_not_a_continuation_vehicle() -> None:
    assert vehicle_marks("Willowford Labs, C.V.") == frozenset()
    assert normalize_org_name("Willowford Labs, C.V.") == "willowford labs"
    assert vehicle_marks("Pineway Partners IX Exec Fund, CV") == {"9", "executive"}
    assert vehicle_marks("Pineway CV 2 LP") == {"2", "continuation"}
    assert vehicle_marks("Pineway Orion S.P.V. LP") == vehicle_marks("Pineway Orion Special Purpose Vehicle") == {"spv"}


# ------------------------------------------------------------------- a manager's strategy programmes

@pytest.mark.parametrize(("a", "b"), [
    ("rivergate bo ptrs ii", "Rivergate Secondary Partners II"),
    ("Rivergate Partners II, L.P.", "Rivergate Growth Partners II, L.P."),
    ("Rivergate Partners 2", "Rivegrate Growth Partners II"),                   # a typo in the brand
    ("Copper Kestrel Partners II", "Copper Kesterl Mid-Market Partners II L.P."),
    ("Rivergate Venture Fund 1 L.P.", "Rivergate LT Fund I, L.P."),
    ("Rivergate & Bancroft Associates 1", "Rivergate&Bancroft Growth Associates I, L.P."),
])
def test_two_strategy_programmes_of_one_manager_are_not_proposed(a: str, b: str) -> None:
    assert not surfaced(_org(a), _org(b))


@pytest.mark.parametrize(("a", "b"), [
    ("Rivergate Buyout Partners II, L.P.", "RIVERGATE BO PTRS II"),
    ("Rivergate Secondaries Partners II, L.P.", "Rivergate Secondary Partners 2 LP"),
    ("Rivergate Real Estate Partners III", "Rivergate Real Estaje Partners III LP"),   # a typo in the strategy
    ("Rivergate Growth Equity Fund VII Ltd", "Rivergate Gwth Eq Fd VII Limited"),       # an abbreviation
])
def test_one_programme_written_two_ways_stays_surfaced(a: str, b: str) -> None:
    assert surfaced(_org(a), _org(b))


# ------------------------------------------- a holding chain's layers, an endowment's investment company

@pytest.mark.parametrize(("group", "layer"), [
    ("Oakstone Holdings AG", "OakStone Intermediate Holdings, AG"),
    ("Kemp Institute of Technology", "Kemp Institute of Technology Investment Company Limited"),
    ("Trustees of Holloway College", "Holloway College Investment Co Limited"),
])
def test_a_group_and_its_layer_are_not_proposed(group: str, layer: str) -> None:
    assert not surfaced(_org(group, domain="oakstone.io", city="Munich", country="DE"),
                        _org(layer, domain="oakstone.io", city="Munich", country="DE"))


@pytest.mark.parametrize(("a", "b"), [
    ("Crown Fox Intermediate Holdings L.L.C.", "Crown Fox Intermeddate Holding"),     # a typo in the layer word
    ("Norland College Investment Company LLC", "Norland College Inv Company"),
    ("Kemp University Management Company, LLC", "Kemp Univ. Mgmt Co."),
    ("Traimion Midco Ltd", "Traimion Miidco"),   # a misspelt chain word is a word of its own: no veto
])
def test_one_layer_written_two_ways_stays_surfaced(a: str, b: str) -> None:
    assert surfaced(_org(a), _org(b))


def test_a_universitys_investment_office_is_the_university() -> None:
    assert vehicle_marks("University of Cluzion - Investment Office") == frozenset()
    assert vehicle_marks("Marhurst Ardent Univ. Investment Oafice") == frozenset()
    assert vehicle_marks("Ohio University Office of Investments") == frozenset()
    assert vehicle_marks("Greystone College Mgmt Co") == {"investment company"}
    assert vehicle_marks("University of Texas Investment Management Company") == {"investment company"}
    assert vehicle_marks("KEMP U. MANAGEMENT CMPNY LIMIT") == {"investment company"}
    assert vehicle_marks("Crown Fox Intermeddate Holding") == {"intermediate"}


# ---------------------------------------------------------------------- a manager and its fund's GP

@pytest.mark.parametrize(("manager", "gp"), [
    ("Copperport Private Equity LLC", "COPPERPORT PRIVATE EQUITY GP I LLC"),
    ("Copperport Private Equity, LLC", "Copperport Private Equity GP I"),
])
def test_a_manager_and_the_gp_of_its_fund_are_not_proposed(manager: str, gp: str) -> None:
    assert not surfaced(_org(manager), _org(gp))


def test_one_gp_written_two_ways_stays_surfaced() -> None:
    assert surfaced(_org("COPPERPORT PRIVATE EQUITY GP I LLC"), _org("Copperport Private Eq. GP 1, L.L.C."))
