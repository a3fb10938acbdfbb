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
