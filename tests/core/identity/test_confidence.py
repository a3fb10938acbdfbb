from __future__ import annotations

import math

import pytest

from crmhub.config.integration_map import load_integration_map
from crmhub.identity import confidence as conf


def test_seed_example_is_89() -> None:
    assert conf.identity_confidence(0.9, 0.8, 1.0) == 89.0


def test_bounds_and_weights() -> None:
    assert conf.identity_confidence(0, 0, 0) == 0.0
    assert conf.identity_confidence(1, 1, 1) == 100.0
    assert conf.identity_confidence(1, 0, 0) == 50.0
    assert conf.identity_confidence(0, 1, 0) == 30.0
    assert conf.identity_confidence(0, 0, True) == 20.0


@pytest.mark.parametrize("bad", [-0.01, 1.01, 2, math.nan, "0.5", None])
def test_inputs_outside_unit_interval_raise(bad) -> None:
    with pytest.raises(ValueError, match="must be a number in \\[0, 1\\]"):
        conf.identity_confidence(bad, 0.5, 0.5)
    with pytest.raises(ValueError):
        conf.identity_confidence(0.5, bad, 0.5)
    with pytest.raises(ValueError):
        conf.identity_confidence(0.5, 0.5, bad)


def test_hold_below_60() -> None:
    assert conf.is_held(59.99) and not conf.is_held(60.0) and not conf.is_held(89.0)
    low = conf.cluster_confidence([{"email": "a@gmail.com"}], "contact", ("phone", "company"))
    assert low["score"] == 50.0 and low["held"]


def test_components() -> None:
    assert conf.domain_match(["a@harbor.com", "b@harbor.com", "c@other.com", None]) == 0.5
    assert conf.domain_match(["https://www.harbor.com", "harbor.com"]) == 1.0
    assert conf.domain_match([None, ""]) == 0.0
    assert conf.enrichment_coverage([{"phone": "1", "company": None}, {"company": "X"}], ("phone", "company", "title")) \
        == pytest.approx(2 / 3)
    assert conf.email_verified([None, "true"]) == 1.0 and conf.email_verified([False, None]) == 0.0


def test_enrichment_fields_come_from_the_integration_map() -> None:
    imap = load_integration_map()
    contact_fields = conf.enrichment_fields("contact", imap)
    org_fields = conf.enrichment_fields("org", imap)
    expected_contact = set()
    expected_org = set()
    for c in imap.connectors:
        for f in c.fields:
            if f.enrichment and f.target and f.target.startswith("contact.") and "contact" in c.targets:
                expected_contact.add(f.target.split(".", 1)[1])
            if f.enrichment and f.target and f.target.startswith("entity.") and "entity" in c.targets:
                expected_org.add(f.target.split(".", 1)[1])
    assert expected_contact <= set(contact_fields)
    assert set(org_fields) == expected_org and "domain" in org_fields
    assert "email" not in contact_fields  # email is identity, not enrichment, in today's map


def test_a_linked_record_from_a_source_without_a_domain_field_neither_agrees_nor_disagrees() -> None:
    """Linking a company's fund-admin and billing records (which have no web-domain field at all) counted as two
    disagreeing domains, so better resolution lowered a company's confidence (1 of 3 records "agreed")."""
    imap = load_integration_map()
    carriers = conf.domain_systems("org", imap)
    assert "crm" in carriers and "fund_admin" not in carriers
    company = {"source_system": "crm", "domain": "harbor.com", "tax_id": "12-3456789", "city": "Boston",
               "country": "US"}
    linked = [company, {"source_system": "fund_admin", "domain": None}, {"source_system": "billing", "domain": None}]
    fields = conf.enrichment_fields("org", imap)
    assert conf.cluster_confidence(linked, "org", fields, carriers=carriers)["domain_match"] == 1.0
    # a source that does carry the field and leaves it empty still does not agree
    blank_crm = {"source_system": "crm", "domain": None}
    assert conf.cluster_confidence([company, blank_crm], "org", fields, carriers=carriers)["domain_match"] == 0.5
    # only domain-less sources: nothing agrees, held for enrichment as before
    alone = conf.cluster_confidence(linked[1:], "org", fields, carriers=carriers)
    assert alone["domain_match"] == 0.0 and alone["held"]
