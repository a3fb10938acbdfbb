"""A portfolio company recorded with and without its industry descriptor (issue #17, dev3_orgs): registries
write "Tarvinel Logistics Inc.", CRMs and vendors "Tarvinel, Inc."; a financial or vehicle word is no
descriptor, and a brand the run shares with other organisations says nothing on its own."""

from __future__ import annotations

import pytest
from org_pairs import resolve_orgs, surfaced

from crmhub.identity.comparison import descriptor_added, descriptor_form, industry_descriptor
from crmhub.identity.matching import MANAGER_FIRM_WORDS


def _joined(res, a: int, b: int) -> bool:
    """Records ``a`` and ``b`` of a :func:`resolve_orgs` run linked, or proposed in one cluster."""
    keys = {(f"src{a}", str(a)), (f"src{b}", str(b))}
    return res.cluster_ids[a] == res.cluster_ids[b] or any(keys <= set(p.keys) for p in res.proposals)


@pytest.mark.parametrize(("short", "full"), [
    ("Tarvinel, Inc.", "Tarvinel Logistics Inc."), ("Quorrin Pine, LLC", "QUORRIN PINE HEALTH, LLC"),
    ("Belquara S.A.", "Belquara Analytics S.A."), ("Ostrelle Ltd", "OSTRELLE AEROSPACE LIMITED"),
])
def test_a_company_with_and_without_its_industry_word_in_one_town_is_surfaced(short: str, full: str) -> None:
    assert surfaced({"name": short, "city": "Denver", "country": "US"},
                    {"name": full, "city": "Denver", "country": "USA"})


def test_the_group_named_after_its_operating_company_is_surfaced_with_and_without_the_descriptor() -> None:
    assert surfaced({"name": "Tarvinel Group, Inc.", "city": "Denver", "country": "US"},
                    {"name": "Tarvinel Logistics Group Inc.", "city": "Denver", "country": "USA"})
    assert descriptor_form("vantage peak holdings", "vantage peak aerospace holdings") == ("vantage peak", "aerospace")
    assert descriptor_form("tarvinel group", "tarvinel group logistics") is None  # the group's own word is no brand


def test_the_descriptor_pair_is_surfaced_on_a_shared_site_without_a_town() -> None:
    assert surfaced({"name": "Tarvinel", "domain": "tarvinel.com", "country": "US"},
                    {"name": "Tarvinel Software, LLC", "domain": "https://www.tarvinel.com", "city": "Austin"})


@pytest.mark.parametrize("word", ["Capital", "Partners", "Management", "Advisors", "Holdings", "Group", "Fund",
                                  "Foundation", "Endowment", "Ireland", "Holdngs", "Grroup", "Hold", "Trust"])
def test_a_financial_vehicle_or_kind_word_is_no_descriptor(word: str) -> None:
    assert not industry_descriptor(word.lower())
    if word.lower() in MANAGER_FIRM_WORDS:
        return  # a manager's brand alone and its name: test_org_manager_brands
    assert not surfaced({"name": "Tarvinel, LLC", "city": "Denver", "country": "US"},
                        {"name": f"Tarvinel {word}, LLC", "city": "Denver", "country": "US"})


@pytest.mark.parametrize("word", ["logistics", "software", "foods", "aerospace", "payments", "health", "energy"])
def test_industry_words_are_descriptors(word: str) -> None:
    assert industry_descriptor(word)


def test_a_name_with_a_kind_word_of_its_own_gains_no_descriptor() -> None:
    """A family holding with a second surname is another family member's holding."""
    assert not descriptor_added("investments larrain", "investments larrain vazquez")
    assert not descriptor_added("ab", "ab logistics")  # initials are no brand


def test_the_brand_alone_and_its_descriptor_form_are_joined_in_a_run() -> None:
    res = resolve_orgs({"name": "Kestrow, Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Logistics Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Holdings Inc.", "city": "Denver", "country": "US"})
    assert _joined(res, 0, 1)


def test_another_company_of_the_brand_in_the_run_keeps_the_brand_alone_apart() -> None:
    res = resolve_orgs({"name": "Kestrow, Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Logistics Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Hill Software Inc.", "city": "Denver", "country": "US"})
    assert not _joined(res, 0, 1)


def test_a_partnerships_first_name_gains_no_descriptor() -> None:
    res = resolve_orgs({"name": "Halvorsen LLP", "city": "Chicago", "country": "US"},
                       {"name": "Halvorsen Griffiths LLP", "city": "Chicago", "country": "US"},
                       {"name": "Halvorsen & Costa LLP", "city": "Chicago", "country": "US"})
    assert not _joined(res, 0, 1)


def test_another_company_of_the_brand_in_another_town_leaves_the_pair_in_its_town_joined() -> None:
    # a register keeps one name per jurisdiction: "Kestrow Hill Software" in Boston is not the company a
    # Denver record of "Kestrow" can be confused with
    res = resolve_orgs({"name": "Kestrow, Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Logistics Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Hill Software Inc.", "city": "Boston", "country": "US"})
    assert _joined(res, 0, 1)


def test_another_company_of_the_brand_keeps_a_pair_without_a_common_town_apart() -> None:
    res = resolve_orgs({"name": "Kestrow, Inc.", "country": "US", "domain": "kestrow.com"},
                       {"name": "Kestrow Logistics Inc.", "city": "Denver", "country": "US", "domain": "kestrow.com"},
                       {"name": "Kestrow Hill Software Inc.", "city": "Boston", "country": "US"})
    assert not _joined(res, 0, 1)


@pytest.mark.parametrize(("short", "full"), [
    ("Cedar Gate S.A.", "Cedar Gate Technologies S.A."), ("Belella S.A.", "BELELLA SYSTEMS S.A."),
    ("Feroova, Inc.", "Feroova Services Inc."), ("Quorrin Pine Ltd", "Quorrin Pine Insurance Limited"),
    ("Ostrelle Corp.", "Ostrelle Tech Corp."),
])
def test_industry_words_the_abbreviation_tables_list_as_kinds_are_descriptors_for_the_lift(short: str, full: str) -> None:
    """"Systems", "Technologies", "Services", "Insurance" are written short ("Sys", "Tech", "Svcs", "Ins") and so
    kind words, yet what a portfolio company does: with and without them, in one town, one company."""
    assert surfaced({"name": short, "city": "Paris", "country": "FR"},
                    {"name": full, "city": "Paris", "country": "FRA"})


def test_the_descriptor_lift_alone_reads_the_abbreviated_industry_words_as_descriptors() -> None:
    assert descriptor_form("cedar gate", "cedar gate technology") == ("cedar gate", "technology")
    assert descriptor_form("belella", "belella systems") == ("belella", "systems")
    for word in ("systems", "technology", "services", "insurance"):  # still kind words for every other rule
        assert not industry_descriptor(word)


def test_a_brand_with_another_systems_company_in_its_town_stays_apart() -> None:
    res = resolve_orgs({"name": "Kestrow, Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Systems Inc.", "city": "Denver", "country": "US"},
                       {"name": "Kestrow Data Systems Inc.", "city": "Denver", "country": "US"})
    assert not _joined(res, 0, 1)


def test_a_namesake_with_the_descriptor_abroad_stays_apart() -> None:
    assert not surfaced({"name": "Kestrow Technologies Ltd", "city": "London", "country": "GB"},
                        {"name": "Kestrow, Inc.", "city": "London", "country": "US"})


def test_a_record_without_a_town_gains_the_descriptor_in_its_country_where_the_brand_is_one_companys() -> None:
    """A CRM keeps the brand and its country only ("Bramhaven Path Inc.", US); the registry has the town."""
    assert surfaced({"name": "Quorrin Pine, Inc.", "country": "US"},
                    {"name": "Quorrin Pine Logistics Inc.", "city": "Denver", "country": "USA"})


def test_a_record_without_a_town_keeps_apart_from_a_brand_the_run_shares() -> None:
    # in another town, yet without a town of its own the record may be either company's
    res = resolve_orgs({"name": "Quorrin Pine, Inc.", "country": "US"},
                       {"name": "Quorrin Pine Logistics Inc.", "city": "Denver", "country": "US"},
                       {"name": "Quorrin Pine Hill Software Inc.", "city": "Boston", "country": "US"})
    assert not _joined(res, 0, 1)


def test_a_record_of_its_name_only_gains_the_descriptor_where_the_brand_is_one_companys() -> None:
    """A CRM row holds a portfolio company by its name only ("Darcrest" beside "Darcrest Brands"): nothing
    vouches for the pair, nothing conflicts with it; proposed for review, never linked."""
    res = resolve_orgs({"name": "Quorrin Pine, Inc."},
                       {"name": "Quorrin Pine Logistics Inc.", "city": "Denver", "country": "USA"})
    assert _joined(res, 0, 1)
    assert res.cluster_ids[0] != res.cluster_ids[1]


def test_a_record_of_its_name_only_keeps_apart_from_a_brand_the_run_shares() -> None:
    res = resolve_orgs({"name": "Quorrin Pine, Inc."},
                       {"name": "Quorrin Pine Logistics Inc.", "city": "Denver", "country": "USA"},
                       {"name": "Quorrin Pine Hill Software Inc.", "city": "Boston", "country": "US"})
    assert not _joined(res, 0, 1)


def test_a_record_of_its_name_only_gains_no_descriptor_against_another_site() -> None:
    assert not surfaced({"name": "Quorrin Pine, Inc.", "domain": "quorrinpine.com"},
                        {"name": "Quorrin Pine Logistics Inc.", "domain": "qplogistics.com", "city": "Denver"})


@pytest.mark.parametrize(("short", "full"), [
    ("Ingero Parent, Inc.", "Ingero Energy Parent, Inc."), ("Kinire Topco Limited", "KINIRE BRANDS TOPCO LIMITED"),
    ("Compass Path Buyer, LLC", "Compass Path Aerospace Buyer LLC"),
])
def test_a_deal_layer_named_after_the_company_with_and_without_its_descriptor_is_surfaced(short: str, full: str) -> None:
    """A layer of the deal's structure is named after the operating company, with or without what it does."""
    assert surfaced({"name": short, "city": "Denver", "country": "US"},
                    {"name": full, "city": "Denver", "country": "USA"})
    assert descriptor_form("ingero parent", "ingero energy parent") == ("ingero", "energy")


def test_another_layer_with_the_descriptor_stays_apart() -> None:
    assert not surfaced({"name": "Ingero Topco, Inc.", "city": "Denver", "country": "US"},
                        {"name": "Ingero Energy Midco, Inc.", "city": "Denver", "country": "USA"})
