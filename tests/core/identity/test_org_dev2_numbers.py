"""Fund numerals, registry numbers and vehicle words as the second development set writes them.

Each class below made pairs of one fund read as two (a numeral conflict or a vehicle mark on one side
only), each with its guard: the same spelling of a different fund or vehicle stays apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmhub.identity.comparison import Encoded, compare_orgs
from crmhub.identity.normalize import normalize_org_name, normalize_tax_id, vehicle_marks
from crmhub.identity.records import prepare
from tests.core.identity.org_pairs import surfaced

# -- a legal form spelt in letters once its dots are gone ("L P" for "L.P."), and Cayman's "ELP" ----------

@pytest.mark.parametrize("a, b", [
    ("EM Real Estate Partners VIII L P", "EM Real Estate Partners 8"),
    ("ZENEXIA GLOBAL PARTNERS 2 L P", "Zenexia Glbl Partners II, L.P."),
    ("Starmont Europe Fund IV L P", "STARMONT EUROPE FUND IV, LP."),
    ("Harbor Growth Partners III L L C", "Harbor Growth Partners III LLC"),
    ("ÉTOILE REAL ESTATE PARTNERS 1, ELP", "Etoile Real Estate Partners I L.P."),
])
def test_a_legal_form_spelt_in_letters_is_no_numeral(a, b):
    assert vehicle_marks(a) == vehicle_marks(b)
    assert normalize_org_name(a) == normalize_org_name(b)


def test_spelt_legal_forms_link_a_fund():
    assert surfaced({"name": "Aurorapoint Europe Fund II L P", "tax_id": "77-5478491", "city": "Philadelphia"},
                    {"name": "AURORAPOINT  EUROPE FUND 2 LP", "city": "Philadelphia, PA"})


def test_spelt_legal_forms_keep_numerals_and_series_apart():
    assert vehicle_marks("Harbor Fund IV A L P") == {"4", "series a"}
    assert vehicle_marks("Harbor Fund V L") == {"5"}  # a lone closing L stays what it was
    assert not surfaced({"name": "Aurorapoint Europe Fund II L P", "city": "Philadelphia"},
                        {"name": "Aurorapoint Europe Fund III L P", "city": "Philadelphia"})


# -- vehicle words written short or apart -------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Black Falcon CV I, Limited Partnership", "Black Falcon Continuation 1"),
    ("Zenorae Private Equity Fund VI CV LP", "Zenorae Private Equity Fund VI Continuation Fund L.P."),
    ("Lakelake Vent. 5 CV SCSp", "Lakelake Ventures V Continuation Vehicle"),
    ("Harbor Capital Cont. Vehicle II", "Harbor Capital Continuation Vehicle II"),
    ("Varora Growth Fund 4 Side Car", "Varora Growth Fund IV Sidecar L.P."),
    ("Slatepoint Venture Fd III Exec Fund, LP", "Slatepoint Venture Fund 3 Executive"),
    ("HAARBORLINE EURO FD 2 L.P", "Haarborline Europe Fund II"),
    ("Falconport Infrastr. Partners Fund V L.P.", "Falconport Infrastructure Partners Fund 5"),
])
def test_vehicle_words_written_short_are_the_vehicle(a, b):
    assert vehicle_marks(a) == vehicle_marks(b)
    assert normalize_org_name(a) == normalize_org_name(b)


def test_vehicle_words_written_short_link_the_vehicle():
    assert surfaced({"name": "Kestrelport CV II, Limited Partnership", "city": "George Town"},
                    {"name": "Kestrelport Continuation Fund 2", "city": "Grand Cayman"})


def test_vehicle_words_written_short_stay_apart_from_the_fund():
    assert vehicle_marks("Black Falcon CV I") != vehicle_marks("Black Falcon Fund I")
    assert vehicle_marks("Harbor Fund II Side Car") != vehicle_marks("Harbor Fund II")
    assert vehicle_marks("Harbor Fund IX Exec Fund") != vehicle_marks("Harbor Fund IX")
    assert not surfaced({"name": "Kestrelport CV II, Limited Partnership", "city": "George Town"},
                        {"name": "Kestrelport Fund II, Limited Partnership", "city": "George Town"})


def test_a_closing_cv_stays_the_dutch_legal_form():
    assert normalize_org_name("Harbor Capital CV") == normalize_org_name("Harbor Capital C.V.") == "harbor capital"
    assert vehicle_marks("Harbor Capital CV") == frozenset()


def test_a_currency_after_the_numeral_is_not_the_region():
    assert normalize_org_name("Harbor Fund IX Euro") != normalize_org_name("Harbor Europe Fund IX")


# -- a numeral's label and a vehicle's long name ---------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Rourke & Bancroft Capital Partners No. 4 (Feeder), SCSp", "Rourke & Bancroft Capital Partners IV Feeder Fund"),
    ("Northgate Asia Pacific Partners GP No. 1 Limited", "Northgate Asia Pacific Partners GP I Ltd"),
    ("Harbor Fund Nr 2", "Harbor Fund II"),
    ("Vance & Finch Partners V Alternative Investment Vehicle L.P.", "Vance and Finch Partners 5 (AIV)"),
    ("Windgate Ventures Fnd II Executive Fund LP", "Windgate Ventures Fund 2 Executives Fund L.P."),
    ("Harborline Cptl 5", "Harborline Capital V"),
])
def test_numeral_labels_and_long_vehicle_names(a, b):
    assert vehicle_marks(a) == vehicle_marks(b)
    assert normalize_org_name(a) == normalize_org_name(b)


def test_numeral_labels_keep_numerals_and_vehicles_apart():
    assert vehicle_marks("Harbor Fund No. 4") != vehicle_marks("Harbor Fund No. 5")
    assert vehicle_marks("Harbor Partners V Alternative Investment Vehicle") != vehicle_marks("Harbor Partners V")
    assert normalize_org_name("Harbor No Limit Capital") == "harbor no limit capital"  # no numeral after it
    assert not surfaced({"name": "Vance & Finch Partners V Alternative Investment Vehicle L.P.", "city": "Wilmington"},
                        {"name": "Vance & Finch Partners V, L.P.", "city": "Wilmington"})


# -- registry numbers with their labels, prefixes and suffixes ------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("961571788 RC0001", "961571788"),  # a Canadian program account is its Business Number + program
    ("BN 961571788RT0001", "961571788"),
    ("12345678-000-01-24-1", "12345678"),  # a Hong Kong BR certificate number is its BR number + more
    ("Company No. 02793435", "2793435"),
    ("TIN 378971099", "37-8971099"),
])
def test_one_registry_number_in_several_shapes(a, b):
    assert normalize_tax_id(a) == normalize_tax_id(b)


def test_registry_number_suffixes_need_their_shape():
    assert normalize_tax_id("123456789 RX0001") != normalize_tax_id("123456789")  # no CRA program
    assert normalize_tax_id("1234567800001241") != normalize_tax_id("12345678")  # digits run together


def _tax_level(a: dict, b: dict) -> int:
    prepared = prepare(pd.DataFrame([{"record_id": str(k), "source_system": "crm", **r} for k, r in enumerate((a, b))]),
                       "org")
    levels, _ = compare_orgs(Encoded(prepared), np.array([[0, 1]]))
    return int(levels["tax_id"][0])


def test_a_register_number_without_its_register_letter_is_the_same_number():
    lux = {"name": "Varora Infrastructure Partners VIII, SCSp", "tax_id": "B 253372", "country": "LU"}
    assert _tax_level(lux, {"name": "Varora Infrastructure Partenaires VIII", "tax_id": "253372"}) == 1
    assert _tax_level(lux, {"name": "Varora Infrastructure Partenaires VIII", "tax_id": "253372",
                            "country": "Luxembourg"}) == 1
    assert surfaced({"name": "Varora Infrastructure Partenaires VIII, S.C.Sp.", "tax_id": "253372"},
                    {"name": "Varora Infrastructure Partners VIII, SCSp", "tax_id": "B 253372", "country": "LU"})


def test_the_same_digits_of_another_register_stay_different():
    lux = {"name": "Varora Partners", "tax_id": "B 253372", "country": "LU"}
    # a Cayman registration number keyed without its prefix, in another country: two registers' numbers
    assert _tax_level(lux, {"name": "Varora Partners", "tax_id": "WK-253372", "country": "KY"}) == 2
    # another letter, or more than one letter, is another number
    assert _tax_level(lux, {"name": "Varora Partners", "tax_id": "A 253372", "country": "LU"}) != 1
    assert _tax_level({"name": "Varora GmbH", "tax_id": "HRB 253372", "country": "DE"},
                      {"name": "Varora GmbH", "tax_id": "253372", "country": "DE"}) != 1


# -- a scan's "I" read as "L", and a word's closing "l" read as "1" -----------------------------------------

@pytest.mark.parametrize("a, b", [
    ("SOROVIX EQUITY PARTNERS FUND L, L.P.", "Sorovix Equity Partners Fund I Limited Partnership"),
    ("Ardaano Infrastructure Partners l, S.C.Sp.", "Ardaano Infrastructure Partners 1, SCSp"),
    ("Talova Real Estate Partners l A, L.P.", "Taloa Real Estate Partners 1A LP"),
])
def test_a_lone_l_where_a_fund_numeral_stands_is_fund_one(a, b):
    assert vehicle_marks(a) == vehicle_marks(b)


def test_a_lone_l_fund_links_its_first_fund_and_stays_apart_from_the_second():
    scan = {"name": "SOROVIX EQUITY PARTNERS FUND L, L.P.", "city": "George Town", "country": "KY"}
    assert surfaced(scan, {"name": "Sorovix Equity Partners Fund I, L.P.", "city": "George Town", "country": "KY"})
    assert not surfaced(scan, {"name": "Sorovix Equity Partners Fund II, L.P.", "city": "George Town",
                               "country": "KY"})
    assert vehicle_marks("Harbor Partners XL") == {"40"}  # a numeral that starts with another letter stays


@pytest.mark.parametrize("a, b", [
    ("NORTHRIVER GLOBA1 PARTNERS 7, L.P.", "Northriver Global Partners VII LP"),
    ("QUARRYBRIGHT GLB1 PARTNERS II LP", "Quarrybright Global Partners II, L.P."),
    ("Bay Copper Capita1 Fund VIII Continuation SCSp", "Bay Copper Capital Fund VIII Continuation SCSp"),
    ("Thornton & Brandt Rea1 Estate Partners IV L.P", "Thornton & Brandt Real Estate Partners IV L.P."),
])
def test_a_fund_word_whose_closing_l_a_scan_read_as_1_is_that_word(a, b):
    assert vehicle_marks(a) == vehicle_marks(b)
    assert normalize_org_name(a) == normalize_org_name(b)


def test_a_numeral_run_into_a_fund_word_stays_a_numeral():
    assert vehicle_marks("Harbor Partners1") == {"1"}
    assert vehicle_marks("Harbor Fund1") == {"1"}
