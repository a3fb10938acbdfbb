"""Entities that name themselves alike and were proposed together (issue #17; the false pairs of the fourth
development set, ``dev3_orgs``): a fund's Luxembourg parallel vehicle and its Delaware / Cayman flagship,
same-state public pension systems on one state's web domain, and the Parent / Buyer / Acquisition Corp.
and numbered Intermediate Holdings layers of a deal's holding chain. Each guard is a pair of records of
one entity that must stay surfaced.
"""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.matching import _group_and_company, _layer_marks, _other_letter
from crmhub.identity.normalize import organisation_domain, partnership_law, vehicle_marks

# ---------------------------------------------------------------- a fund's Luxembourg parallel vehicle


def _fund(name: str, country: str, **fields: str) -> dict:
    return {"name": name, "domain": "kinova.com", "country": country, **fields}


@pytest.mark.parametrize(("flagship", "seat"), [
    ("Kinova Equity Partners IX, L.P.", "US"),
    ("KINOVA EQUITY PARTNERS IX LIMITED PARTNERSHIP", "Cayman Islands"),
    ("Kinova Equity Partners 9 LP", "United Kingdom"),
])
def test_a_luxembourg_scsp_and_a_common_law_lp_of_one_name_are_two_vehicles(flagship: str, seat: str) -> None:
    """The parallel vehicle in Luxembourg beside the flagship in Delaware, Cayman or England: one name, two laws."""
    assert not surfaced(_fund(flagship, seat), _fund("Kinova Equity Partners IX SCSp", "Luxembourg"))
    assert not surfaced(_fund(flagship, seat), _fund("Kinova Equity Partners IX S.C.Sp.", "LU"))


@pytest.mark.parametrize(("a", "b"), [
    # a fund administrator in Luxembourg writing the SCSp's form as "L.P."
    (_fund("Kinova Equity Partners IX SCSp", "Luxembourg"), _fund("Kinova Equity Partners IX, L.P.", "LU")),
    # a data vendor giving the manager's office, not a common-law fund domicile
    (_fund("Kinova Equity Partners IX SCSp", "Luxembourg"), _fund("Kinova Equity Partners IX, L.P.", "Switzerland")),
    # the same register number
    (_fund("Kinova Equity Partners IX SCSp", "Luxembourg", tax_id="RCS B 284639"),
     _fund("Kinova Equity Partners IX, L.P.", "US", tax_id="B284639")),
    # one law, two spellings
    (_fund("Kinova Equity Partners IX SCSp", "Luxembourg"), _fund("Kinova Equity Partners 9 S.C.Sp.", "LU")),
])
def test_one_luxembourg_fund_written_with_another_form_or_seat_stays_surfaced(a: dict, b: dict) -> None:
    assert surfaced(a, b)


def test_the_law_of_a_partnership_form() -> None:
    assert partnership_law("Harbor Partners IX SCSp SICAV-RAIF") == "luxembourg"
    assert partnership_law("Harbor Partners IX, L.P., a Delaware limited partnership") == "common law"
    assert partnership_law("Harbor Fonds IX, S.E.C.") is None  # Quebec writes its L.P. so: no law of its own
    assert partnership_law("Harbor Capital LLC") is None


# ---------------------------------------------------------------- one state's domain, several systems


def test_agencies_on_one_state_domain_keep_their_own_host() -> None:
    assert organisation_domain("https://www.pers.nea.gov/contact-us") == organisation_domain("ir@pers.nea.gov") == "pers.nea.gov"
    assert organisation_domain("psers.nea.gov") != organisation_domain("pers.nea.gov")
    assert organisation_domain("www.osc.state.ny.us") == "osc.state.ny.us"
    assert organisation_domain("www.sec.gov") == "sec.gov"
    assert organisation_domain("mail.harbor.co.uk") == "harbor.co.uk"


def test_two_pension_systems_of_one_state_are_not_proposed_on_the_state_domain() -> None:
    a = {"name": "NeaPFRS", "domain": "pfrs.nea.gov", "country": "US"}
    b = {"name": "NeaPERS", "domain": "www.pers.nea.gov", "country": "US"}
    assert not surfaced(a, b)
    assert surfaced(b, {"name": "NEAPERS", "domain": "https://pers.nea.gov/about", "country": "USA"})


# ---------------------------------------------------------------- a deal's holding chain


def _portco(name: str) -> dict:
    return {"name": name, "domain": "rosiarock.com", "city": "Chicago", "country": "US"}


@pytest.mark.parametrize(("company", "layer"), [
    ("Rosia Rock Analytics Corp.", "Rosia Rock Analytics Buyer, Inc."),
    ("Rosia Rock, LLC", "Rosia Rock Parent, LLC"),
    ("Rosia Rock", "Rosia Rock Acquisition Corp"),
])
def test_a_company_and_a_layer_of_its_holding_chain_are_not_proposed(company: str, layer: str) -> None:
    assert not surfaced(_portco(company), _portco(layer))


def test_a_second_intermediate_holding_company_is_a_layer() -> None:
    """Its numeral is the layer's ("Intermediate Holdings II"), not a fund's: the group's name without marks
    is vetoed against it like against any layer (in a run of two records the pair scores low anyway)."""
    assert _layer_marks(" ".join(sorted(vehicle_marks("Rosia Rock Intermediate Holdings II S.A."))))
    assert not _layer_marks(" ".join(sorted(vehicle_marks("Rosia Rock Partners II, L.P."))))


def test_one_layer_written_two_ways_stays_surfaced() -> None:
    assert vehicle_marks("Rosia Rock Buyer, Inc.") == {"buyer"}
    assert surfaced(_portco("Rosia Rock Intermediate Holdings II S.A."), _portco("ROSIA ROCK INTERMEDIATE HLDGS II SA"))
    assert surfaced(_portco("Rosia Rock Parent, LLC"), _portco("Rosia Rock Parent LLC"))


# ---------------------------------------------------------------- a group's parent and its operating company


def _brand(name: str, **fields: str) -> dict:
    return {"name": name, "domain": "halicacrest.es", "city": "Barcelona", "country": "ES", **fields}


@pytest.mark.parametrize(("company", "group"), [
    ("Halica Crest Education, S.L.", "Halica Crest Education Group, S.L."),
    ("Halica Crest", "Halica Crest Group"),
    ("Halica Crest Logistics, Inc.", "Halica Crest Logistics Holdings, Inc."),
    ("Praerrace", "Praerace Group, LLC"),  # the company's name misspelt
])
def test_a_company_and_its_group_are_not_proposed(company: str, group: str) -> None:
    """One brand, domain and town; "Group" / "Holdings" names the parent, another legal entity."""
    assert not surfaced(_brand(company), _brand(group))


def test_a_group_word_beside_a_misspelt_name() -> None:
    assert _group_and_company("praerace group", "praerrace")
    assert not _group_and_company("halica crest group", "halica crest education")  # a word of its own


def test_one_group_written_two_ways_or_under_one_tax_id_stays_surfaced() -> None:
    assert surfaced(_brand("Halica Crest Group, S.L."), _brand("Halica Crest Grp SL"))
    assert surfaced(_brand("Halica Crest Education, S.L.", tax_id="ESB34898205"),
                    _brand("Halica Crest Education Group, S.L.", tax_id="B34898205"))


# ---------------------------------------------------------------- one letter that stands for another word


def test_a_letter_that_cannot_stand_for_the_other_word() -> None:
    # an initial that is not the other's first name's: two people, two family offices
    assert _other_letter("s nakamura family office", "william nakamura family office")
    assert _other_letter("keskinainen tyoelakevakuutusyhtio k", "keskinainen tyoelakevakuutusyhtio sampo")
    assert not _other_letter("w nakamura family office", "william nakamura family office")
    assert not _other_letter("a horvat family office", "horvat family office")  # a word on one side only
    assert not _other_letter("harbor capital 6", "harbor capital 8")  # numerals have their own comparison


def test_a_name_cut_after_a_letter_is_not_surfaced_with_a_name_whose_word_starts_otherwise() -> None:
    stem = "Keskinäinen Työeläkevakuutusyhtiö "
    assert not surfaced({"name": stem + "K", "city": "Helsinki"}, {"name": stem + "Sampo", "city": "Helsinki"})
    assert surfaced({"name": stem + "S", "city": "Helsinki"}, {"name": stem + "Sampo", "city": "Helsinki"})


# ---------------------------------------------------------------- an insurer and its subsidiary named by its domicile


def _insurer(name: str) -> dict:
    return {"name": name, "domain": "moruleon.com", "country": "US"}


@pytest.mark.parametrize("subsidiary", ["Moruleon Life Insurance Company of New York", "Moruleon Life of NY"])
def test_an_insurer_and_its_new_york_subsidiary_are_not_proposed(subsidiary: str) -> None:
    assert _layer_marks(" ".join(sorted(vehicle_marks(subsidiary))))
    assert not surfaced(_insurer("Moruleon Life Insurance Co."), _insurer(subsidiary))


def test_one_subsidiary_written_two_ways_stays_surfaced() -> None:
    assert not _layer_marks(" ".join(sorted(vehicle_marks("Moruleon Life Insurance Company of America"))))
    assert surfaced(_insurer("Moruleon Life Insurance Co. of New York"), _insurer("Moruleon Life of NY"))
