"""Names as scans, exports and German registers write them in the second development set.

A scan's digit inside a word ("5tate", "Techno1ogies") or in a fund numeral ("Fund VlI", "Partners LI"),
an ampersand escaped without its semicolon or in another case ("&Amp;", "&amp "), "GmbH u. Co. KG" for
"GmbH & Co. KG" and "APAC" for "Asia Pacific" made pairs of one organisation read as two names, or as two
funds (a numeral conflict). Each with its guard: numerals run into a word, ordinals, "XL" and a brand
word stay what they were, and another fund stays another fund.
"""

from __future__ import annotations

import pytest

from crmhub.identity.normalize import legal_form, normalize_org_name, vehicle_marks
from tests.core.identity.org_pairs import surfaced


@pytest.mark.parametrize("a, b", [
    ("5tate of Falconford Investment Board", "State of Falconford Investment Board"),
    ("Selaxis Techno1ogies", "Selaxis Technologies"),
    ("Blue Water Fund Services 5ingapore", "Blue Water Fund Services Singapore"),
    ("0akbrook Capital", "Oakbrook Capital"),
    ("8randt Buyout Partners", "Brandt Buyout Partners"),
    ("Longbourne 8uyout Partners", "Longbourne Buyout Partners"),
])
def test_a_scans_digit_inside_a_word_is_its_letter(a, b):
    assert normalize_org_name(a) == normalize_org_name(b)


@pytest.mark.parametrize("a, b", [
    ("Kalrena Capital Managernent II L.P.", "Kalrena Capital Management 2, L.P."),
    ("Kaliaia Private Equity Fund GP II, Lirnited", "Kaliaia Private Equity Fund GP II Limited"),
    ("White View Technologies Lnc.", "White View Technologies, Inc."),
    ("Harbor Lnvestments", "Harbor Investments"),
    ("Slate Credit Opportunities Fund 2O17, L.P.", "Slate Credit Opportunities Fund 2017 L.P."),
    ("Tide Line Healtbcare Partncrs L.P.", "Tide Line Healthcare Partners, L.P."),
    ("Talose Growth Fund I, 5.C.Sp.", "Talose Growth Fund I S.C.Sp."),
    ("Zeniaa Growth Partners Fund GP I 5À RL", "Zeniaa Growth Partners Fund GP I S.à r.l."),
    ("Harbor Holding 8.V.", "Harbor Holding B.V."),
])
def test_a_scans_misread_letters_in_a_word_of_the_lexicon_are_that_word(a, b):
    assert vehicle_marks(a) == vehicle_marks(b)
    assert normalize_org_name(a) == normalize_org_name(b)
    assert legal_form(a) == legal_form(b)


def test_words_outside_the_lexicon_keep_their_letters():
    assert normalize_org_name("Cornerstone Clover Capital") == "cornerstone clover capital"
    assert normalize_org_name("Vail Film Partners") == "vail film partners"
    assert normalize_org_name("O2 Ventures") == "o2 ventures"
    assert legal_form("Dae-Bo Asset Management") is None  # not a misread "DAC"
    assert normalize_org_name("PIC Capital") == "pic capital"  # not a misread "PLC"
    assert vehicle_marks("Harbor Fund 5.A") == vehicle_marks("Harbor Fund 5A")  # fund 5's series A, no "S.A."
    assert not surfaced({"name": "Slate Credit Opportunities Fund 2O17, L.P."},
                        {"name": "Slate Credit Opportunities Fund 2018 L.P."})


@pytest.mark.parametrize("name, marks", [
    ("Harbor Partners5", {"5"}),
    ("Harbor Fund2019", {"2019"}),
    ("Harbor Fund 3A", {"3", "series a"}),
    ("Harbor 21st Century Fund", {"21"}),
    ("Harbor Fund 5SCSp", {"5"}),
    ("Harbor Fund 8Ltd", {"8"}),
])
def test_numerals_written_into_a_word_keep_their_digits(name, marks):
    assert vehicle_marks(name) == marks
    assert normalize_org_name("Web3 Capital") == "web3 capital"
    assert normalize_org_name("Harbor Fund1A") == "harbor fund1a"  # not "fundla"


@pytest.mark.parametrize("a, b", [
    ("Venin Capital Gestion VlI SCSp", "Venin Capital Management VII SCSp"),
    ("Graybrook Real Estate Partners Gp Vil Ltd", "Graybrook Real Estate Partners GP 7, Limited"),
    ("Paxelen Growth Partners LI Alternative Investment Vehicle L.P.", "Paxelen Growth Partners II (AIV) L.P"),
    ("ÉTOILE REAL ESTATE PARTNERS GP LV, LIMITED", "Etoile Real Estate Partners GP IV Limited"),
    ("Harbor Partners 1I", "Harbor Partners II"),
])
def test_a_scans_misread_fund_numeral_is_the_numeral(a, b):
    assert vehicle_marks(a) == vehicle_marks(b)
    assert normalize_org_name(a) == normalize_org_name(b)


def test_misread_numerals_link_the_fund_and_keep_other_funds_apart():
    assert surfaced({"name": "Venin Capital Gestion VlI SCSP", "city": "The Hague"},
                    {"name": "Venin Capital Management VII SCSp", "city": "The Hague"})
    assert not surfaced({"name": "Venin Capital Gestion VlI SCSP", "city": "The Hague"},
                        {"name": "Venin Capital Management VIII SCSp", "city": "The Hague"})
    assert vehicle_marks("Harbor Fund XL") == {"40"}  # a roman numeral as written stays one
    assert normalize_org_name("Harbor Lil Fund") == "harbor lil fund"  # a word where no numeral stands
    assert normalize_org_name("Li Capital Partners") == "li capital partners"


@pytest.mark.parametrize("a, b", [
    ("Castellano &Amp; Bancroft Capital Partners 1 L.P.", "Castellano & Bancroft Capital Partners I LP"),
    ("Rpurke &amp Ashby Private Equity II", "Rpurke & Ashby Private Equity 2"),
])
def test_an_escaped_ampersand_in_any_case_is_an_ampersand(a, b):
    assert normalize_org_name(a) == normalize_org_name(b)


def test_gmbh_und_co_kg_is_gmbh_and_co_kg():
    for name in ("Moon Cobalt Credit Ptrs II GmbH u. Co. KG", "Moon Cobalt Credit Partners II GmbH und Co. KG",
                 "Moon Cobalt Credit Partners II GmbH u Co KG"):
        assert normalize_org_name(name) == normalize_org_name("Moon Cobalt Credit Partners II GmbH & Co. KG")
        assert legal_form(name) == legal_form("Moon Cobalt Credit Partners II GmbH & Co. KG")


def test_apac_is_asia_pacific():
    assert vehicle_marks("Northgate APAC Fund III") == vehicle_marks("Northgate Asia Pacific Fund III L.P.")
    assert normalize_org_name("Northgate APAC Fund III") == normalize_org_name("Northgate Asia Pacific Fund III")
    assert vehicle_marks("Northgate APAC Fund III") != vehicle_marks("Northgate Fund III")
