"""A domicile marker written as the jurisdiction's name (issue #17): "Fund IV (Cayman Islands)" is "Fund IV
(Cayman)", the ISO 3166 name of the Cayman Islands for the marker."""

from __future__ import annotations

import pytest

from crmhub.identity.normalize import normalize_org_name, vehicle_marks


@pytest.mark.parametrize(("a", "b"), [
    ("Kalexis Ventures IV (Cayman Islands)", "Kalexis Ventures IV Cayman ELP"),
    ("Flintview Associates Fund V (Cayman Islands) L.P.", "Flintview Associates Fund V (Cayman), L.P."),
])
def test_the_cayman_islands_as_a_domicile_marker_is_cayman(a: str, b: str) -> None:
    assert normalize_org_name(a) == normalize_org_name(b)
    assert vehicle_marks(a) == vehicle_marks(b)


def test_a_brand_named_after_the_islands_keeps_its_name() -> None:
    assert normalize_org_name("Cayman Islands Fund") == "cayman islands fund"
