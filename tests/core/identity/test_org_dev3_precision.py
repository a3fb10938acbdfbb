"""Entities that name themselves alike and were proposed together (issue #17; the false pairs of the fourth
development set, ``dev3_orgs``): same-state public pension systems on one state's web domain.
"""

from __future__ import annotations

from org_pairs import surfaced

from crmhub.identity.normalize import organisation_domain

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
