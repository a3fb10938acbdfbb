"""A lone "V"/"X" before a legal form written out (issue #17): "Management V, Exempted Limited Partnership" is
numeral 5 closing the name, as in "Management V, L.P."; sources write the form either way."""

from __future__ import annotations

import pytest

from crmhub.identity.normalize import vehicle_marks
from tests.core.identity.org_pairs import surfaced


@pytest.mark.parametrize(("long_form", "short_form"), [
    ("Copper Gate Capital Management V, Exempted Limited Partnership", "Copper Gate Capital Management V, L.P."),
    ("SEVIGNE CAPITAL MANAGEMENT V, SOCIETE EN COMMANDITE SPECIALE", "Sevigne Capital Management V, S.C.Sp."),
    ("Harbor Capital Management X Exempted Limited Partnership", "Harbor Capital Management 10 ELP"),
])
def test_the_letter_before_a_written_out_form_is_the_numeral(long_form: str, short_form: str) -> None:
    assert vehicle_marks(long_form) == vehicle_marks(short_form)
    assert any(m.isdigit() for m in vehicle_marks(long_form))


def test_the_two_spellings_are_surfaced() -> None:
    a = {"name": "Copper Gate Capital Management V, L.P.", "city": "George Town", "country": "KY"}
    b = {"name": "Copper Gate Capital Management V, Exempted Limited Partnership", "city": "George Town",
         "country": "KY"}
    assert surfaced(a, b)


def test_another_numeral_stays_another_vehicle() -> None:
    a = {"name": "Copper Gate Capital Management IV, L.P.", "city": "George Town", "country": "KY"}
    b = {"name": "Copper Gate Capital Management V, Exempted Limited Partnership", "city": "George Town",
         "country": "KY"}
    assert not surfaced(a, b)
