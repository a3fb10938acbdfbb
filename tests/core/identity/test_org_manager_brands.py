"""A manager written by its brand alone and by its name, the brand and firm words ("Holulast" / "Holulast
Management, LLC", "Halerstone, LLC" / "Halerstone Capital LLC"; issue #17, dev3_orgs): where the run's names
that begin with the brand all go on with firm words only, the brand is one firm's. A brand that also heads a
fund, a company's or an institution's name is a family's, whose manager and management company are two
organisations (dev_orgs, dev2_orgs)."""

from __future__ import annotations

import pytest
from org_pairs import resolve_orgs, surfaced_from_own_sources

from crmhub.identity.matching import _manager_brand_form


@pytest.mark.parametrize(("brand", "full"), [
    ({"name": "Holulast", "city": "Boston", "country": "US"}, {"name": "Holulast Management, LLC", "city": "Boston", "country": "US"}),
    ({"name": "Fenidyx", "domain": "fenidyx.com", "country": "US"}, {"name": "Fenidyx Capital LP", "domain": "www.fenidyx.com"}),
    ({"name": "Halerstone, LLC", "city": "Denver", "country": "US"}, {"name": "Halerstone Capital LLC", "city": "Denver"}),
    ({"name": "Northgate Path", "city": "Chicago"}, {"name": "Northgate Path Asset Management", "city": "Chicago"}),
])
def test_a_managers_brand_alone_is_surfaced_with_its_name(brand: dict, full: dict) -> None:
    assert surfaced_from_own_sources(brand, full)


def test_another_town_keeps_them_apart() -> None:
    assert not surfaced_from_own_sources({"name": "Halerstone, LLC", "city": "Denver", "country": "US"},
                                         {"name": "Halerstone Capital LLC", "city": "Boston"})


def _together(res, a: int, b: int) -> bool:
    pos = {r: k for k, r in enumerate(res.records["record_id"])}
    together = res.cluster_ids[pos[str(a)]] == res.cluster_ids[pos[str(b)]]
    return together or any({str(a), str(b)} <= {m["record_id"] for m in p.members} for p in res.proposals)


@pytest.mark.parametrize("other", ["Skeisfow Partners Fund IV, L.P.", "Skeisfow Technologies"])
def test_a_brand_that_heads_another_name_in_the_run_is_a_familys(other: str) -> None:
    res = resolve_orgs({"name": "Skeisfow", "city": "Boston", "country": "US"},
                       {"name": "Skeisfow Management", "city": "Boston", "country": "US"},
                       {"name": other, "city": "Boston", "country": "US"})
    assert not _together(res, 0, 1)


@pytest.mark.parametrize(("a", "b", "form"), [
    ("holulast", "holulast management", True),
    ("olix tree", "olix tree equity partners", True),
    ("fenidyx capital", "fenidyx capital management", False),  # both names carry a firm word
    ("ashby university", "ashby university investments", False),  # an institution and its investment office
    ("quaroen", "quaroen group", False),  # a company and its group
    ("mg", "mg capital", False),  # initials
    ("holulast", "capital holulast", False),
])
def test_the_brand_form_is_the_brand_followed_by_firm_words(a: str, b: str, form: bool) -> None:
    assert _manager_brand_form(a, b) is form
