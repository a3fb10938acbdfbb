"""A letter struck on the key beside it (issue #17): "Hawkridfe Capital Fund IV" / "Hawkridge Capital Fund 4",
"Vetumo" / "Verumo". A keyboard slip like two neighbouring letters swapped; a letter changed to one that is no
neighbour on the QWERTY row is as often another name and stays so."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.comparison import typing_slip


@pytest.mark.parametrize(("a", "b", "slip"), [
    ("hawkridge capital fund 4", "hawkridfe capital fund 4", True),  # g -> f, neighbours on the row
    ("verumo equity partners fund 5", "vetumo equity partners fund 5", True),  # r -> t
    ("onyxbrook healthcare fund gp 2", "onyxbropk healthcare fund gp 2", True),  # o -> p
    ("barman logistics", "barson logistics", False),  # m -> s: no neighbours, another name
    ("harbor logistics", "garbor logistics", False),  # the first letter: another name
    ("hawkridge capital fund 4", "hawkridfe capital fund 5", False),  # another numeral
    ("lake capital", "lale capital", False),  # a word under five letters
])
def test_a_letter_on_the_neighbouring_key_is_a_typing_slip(a: str, b: str, slip: bool) -> None:
    assert typing_slip(a, b) is slip
    assert typing_slip(b, a) is slip


def test_a_brand_struck_on_the_neighbouring_key_is_surfaced() -> None:
    assert surfaced({"name": "HAWKRIDFE CAPITAL FUND IV", "city": "Manchester"},
                    {"name": "Hawkridge Capital Fund 4 L.P.", "country": "GB"})
