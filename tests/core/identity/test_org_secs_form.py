""""S.E.C.S." / "SECS" closing a fund's name after its numeral (issue #17) is the Luxembourg société en commandite
simple, the legal form "SCS" abbreviates too; "Secs" elsewhere stays "Secondaries" written short."""

from __future__ import annotations

import pytest

from crmhub.identity.normalize import legal_form, normalize_org_name
from tests.core.identity.org_pairs import surfaced


@pytest.mark.parametrize(("a", "b"), [
    ("MILONE HEALTHCARE ASSOCIATES I S.E.C.S.", "Milone Healthcare Associates I, SCS"),
    ("Aston Associates 2 S.e.c.s.", "ASTON ASSOCIATES II, SCS"),
    ("Harbor Partners II SECS", "Harbor Partners II"),
])
def test_secs_after_the_numeral_is_the_legal_form(a: str, b: str) -> None:
    assert normalize_org_name(a) == normalize_org_name(b)
    assert legal_form(a) == "lp"


@pytest.mark.parametrize(("name", "normalised"), [("Harbor Secs II", "harbor secondaries 2"),
                                                  ("Harbor Partners Secs", "harbor partners secondaries")])
def test_secs_elsewhere_is_secondaries(name: str, normalised: str) -> None:
    assert normalize_org_name(name) == normalised


def test_the_two_spellings_are_surfaced() -> None:
    a = {"name": "MILONE HEALTHCARE ASSOCIATES I S.E.C.S.", "city": "Luxembourg", "country": "LU"}
    b = {"name": "Milone Healthcare Associates I, SCS", "city": "L-1855 Luxembourg", "country": "LU"}
    assert surfaced(a, b)
