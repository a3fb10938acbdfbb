"""Fund numerals, registry numbers and vehicle words as the second development set writes them.

Each class below made pairs of one fund read as two (a numeral conflict or a vehicle mark on one side
only), each with its guard: the same spelling of a different fund or vehicle stays apart.
"""

from __future__ import annotations

import pytest

from crmhub.identity.normalize import normalize_org_name, vehicle_marks
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
