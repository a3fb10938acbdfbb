"""False contradictions between records of one organisation (issue #17, the scoring part).

A different tax id, city or country weighs as strong evidence against a match. Each test below is a
way real private-equity sources disagree on those fields without being two entities — a tax id in
another national format or from another register, a placeholder for "unknown", a fund's registered
office against its manager's office — and checks that the pair is no longer read as a contradiction,
while the real contradictions (two numbers from one register, two operating towns) still count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crmhub.identity import resolve
from crmhub.identity.comparison import Encoded, compare_orgs
from crmhub.identity.normalize import normalize_city, normalize_country, normalize_tax_id
from crmhub.identity.records import prepare
from crmhub.identity.scoring import PARAMETERS, refine_from_anchor


def _frame(*records: dict) -> pd.DataFrame:
    return pd.DataFrame([{"record_id": str(k), "source_system": "crm", **r} for k, r in enumerate(records)])


def surfaced(a: dict, b: dict) -> bool:
    res = resolve(_frame(a, b), "org")
    return len(set(res.cluster_ids)) == 1 or len(res.proposals) == 1


def _levels(a: dict, b: dict) -> dict[str, int]:
    prepared = prepare(_frame(a, b), "org")
    levels, _ = compare_orgs(Encoded(prepared), np.array([[0, 1]]))
    return {k: int(v[0]) for k, v in levels.items()}


@pytest.mark.parametrize(("a", "b"), [
    ("US EIN 12-3456789", "12-3456789"),                   # a label after the country prefix
    ("12-3456789 (EIN)", "123456789"),                     # a label after the number
    ("Federal EIN: 12-3456789", "EIN 12 3456789"),
    ("VAT Reg. No. GB 123 4567 89", "GB123456789"),
    ("GB123456789001", "GB 123 4567 89"),                  # a branch's 12-digit VAT number
    ("USt-IdNr.: DE123456789", "DE 123 456 789"),
    ("NL123456789B01", "123456789"),                       # Dutch VAT number vs the RSIN it is built from
    ("BTW NL 1234.56.789.B.01", "NL123456789B01"),
    ("SE556012345601", "556012-3456"),                     # Swedish VAT vs organisationsnummer
    ("Moms SE 556012345601", "5560123456"),
    ("NO123456789MVA", "123 456 789"),                     # Norwegian organisasjonsnummer registered for VAT
    ("FR 12 345678901", "345 678 901"),                    # French VAT (2 check digits + SIREN) vs SIREN
    ("SIRET 345 678 901 00012", "345678901"),              # SIRET = SIREN + establishment
    ("BE 123456789", "0123.456.789"),                      # Belgian enterprise number without its leading 0
    ("UID ATU12345678", "ATU 12345678"),
    ("CVR 12345678", "DK12345678"),
])
def test_tax_ids_in_national_formats_normalise_alike(a: str, b: str) -> None:
    assert normalize_tax_id(a) == normalize_tax_id(b)


def test_a_german_register_number_is_not_a_croatian_prefix() -> None:
    # "HRB 12345" was read as Croatia's "HR" + a lettered register number "B12345": a Luxembourg RCS number
    assert normalize_tax_id("HRB 12345") == "HRB12345" != normalize_tax_id("RCS B12345")


def test_a_vat_number_in_another_format_links_deterministically() -> None:
    res = resolve(_frame({"name": "Meridian Growth Partners B.V.", "tax_id": "NL123456789B01"},
                         {"name": "Meridian Growth Partners", "tax_id": "123456789"}), "org")
    assert len(set(res.cluster_ids)) == 1


def test_numbers_of_two_registers_are_not_a_contradiction() -> None:
    """An RCS number in one source and the Luxembourg VAT number in another: two registers, one entity."""
    from crmhub.identity.normalize import tax_id_scheme

    assert tax_id_scheme(normalize_tax_id("RCS B 123.456")) != tax_id_scheme(normalize_tax_id("LU12345678"))
    a = {"name": "Keystone Real Estate Partners Europe III SCSp", "tax_id": "RCS B 123.456", "city": "Luxembourg"}
    b = {"name": "Keystone Real Estate Partners Europe III, S.C.Sp.", "tax_id": "LU12345678", "city": "Luxembourg"}
    assert _levels(a, b)["tax_id"] == 3
    assert surfaced(a, b)
    # two numbers from one register are still two entities
    c = {**b, "tax_id": "B 654.321"}
    assert _levels(a, c)["tax_id"] == 2
    assert not surfaced(a, c)


@pytest.mark.parametrize("placeholder", ["N/A", "Unknown", "TBD", "n/a", "not provided"])
def test_a_placeholder_is_a_missing_value_not_a_disagreement(placeholder: str) -> None:
    a = {"name": "Harbor Capital Management LLC", "city": "Boston", "country": "US", "tax_id": "12-3456789"}
    b = {"name": "Harbor Capital Mgmt", "city": placeholder, "country": placeholder, "tax_id": placeholder}
    assert normalize_city(placeholder) is None and normalize_country(placeholder) is None
    levels = _levels(a, b)
    assert (levels["city"], levels["country"], levels["tax_id"]) == (0, 0, 0)
    assert surfaced(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Frankfurt a.M.", "Frankfurt am Main"), ("Frankfurt/Main", "Frankfurt"), ("Ville de Luxembourg", "Luxembourg"),
    ("Paris Cedex 08", "Paris"), ("BVI", "Road Town"), ("Kobenhavn K", "Copenhagen"),
])
def test_more_names_of_one_town(a: str, b: str) -> None:
    assert normalize_city(a) == normalize_city(b)


def test_a_funds_registered_office_against_its_managers_office_is_weak_evidence() -> None:
    """The administrator keeps the Cayman fund's registered office, the CRM the manager's New York office."""
    admin = {"name": "Harbor Capital Partners IV (Cayman), L.P.", "city": "George Town", "country": "Cayman Islands"}
    crm = {"name": "Harbor Capital Partners IV (Cayman) LP", "city": "New York", "country": "US"}
    levels = _levels(admin, crm)
    assert (levels["city"], levels["country"]) == (4, 3)
    assert surfaced(admin, crm)


def test_two_operating_towns_and_a_non_fund_stay_strong_contradictions() -> None:
    # a portfolio company in George Town and one in New York: not a fund with a registered office
    assert _levels({"name": "Harbor Systems Inc", "city": "George Town"},
                   {"name": "Harbor Systems Inc", "city": "New York"})["city"] == 3
    # two operating towns of a fund
    assert _levels({"name": "Harbor Fund IV LP", "city": "Boston"}, {"name": "Harbor Fund IV LP", "city": "Chicago"})["city"] == 3


def test_same_tax_id_across_a_domicile_country_is_not_linked_without_review() -> None:
    res = resolve(_frame({"name": "Harbor Fund IV LP", "tax_id": "12-3456789", "country": "KY"},
                         {"name": "Harbor Fund IV LP", "tax_id": "12-3456789", "country": "US"}), "org")
    assert len(res.deterministic_links) == 0


def test_country_m_is_not_learnt_from_anchor_pairs_selected_on_the_country() -> None:
    """Anchor pairs are same-tax-id pairs *in one country*: they never show a country disagreement, so
    counting m there sent "different country" to the floor (-8 bits, a near-veto)."""
    rng = np.random.default_rng(0)
    n = 20_000
    match = rng.random(n) < 0.2
    anchor = match & (rng.random(n) < 0.3)
    levels = {name: np.zeros(n, dtype=np.int8) for name in PARAMETERS["org"] if name != "prior"}
    levels["name"] = np.where(match, 1, 6).astype(np.int8)
    levels["tax_id"] = np.where(anchor, 1, 0).astype(np.int8)
    levels["country"] = np.where(anchor, 1, rng.choice([1, 2], n, p=[0.5, 0.5])).astype(np.int8)
    params = refine_from_anchor(levels, "org", anchor)
    assert params is not PARAMETERS["org"]
    assert params["country"][2][0] == PARAMETERS["org"]["country"][2][0]  # m kept as calibrated
    assert params["country"][2][1] != PARAMETERS["org"]["country"][2][1]  # u still estimated


@pytest.mark.parametrize(("glued", "spaced"), [
    ("Blue Lowland Partners5. Offshore Ltd", "Blue Lowland Partners V Offshore Ltd"),
    ("Martin Bear Partners2019, LLP", "Martin Bear Partners 2019 LLP"),
    ("Liberty Beacon Infra Opportunity fundv Limited Partnership", "Liberty Beacon Infrastructure Opportunities Fund V LP"),
    ("IRON CRYSTAL PTNRSIV GP, LTD", "Iron Crystal Partners IV GP Ltd"),
    ("Halley Real Estate Partners Asia IIOffshore, Ltd", "Halley Real Estate Partners Asia II Offshore Ltd"),
])
def test_a_fund_numeral_run_into_the_next_word_is_still_the_numeral(glued: str, spaced: str) -> None:
    """Without the split the glued side had no numeral and the pair read as a vehicle-mark conflict (veto)."""
    from crmhub.identity.normalize import normalize_org_name, vehicle_marks

    assert normalize_org_name(glued) == normalize_org_name(spaced)
    assert vehicle_marks(glued) == vehicle_marks(spaced)


def test_the_brand_word_is_never_split() -> None:
    from crmhub.identity.normalize import normalize_org_name

    assert normalize_org_name("Fundi Capital") == "fundi capital"
    assert normalize_org_name("Web3 Ventures") == "web3 ventures"


@pytest.mark.parametrize(("typo", "clean"), [
    ("Kelby Alpine bAssoc V, LP", "Kelby Alpine Associates V, L.P."),            # a typo in an abbreviated marker
    ("Red Verdant Real Estate Partners Asai 5 LLP", "Red Verdant Real Estate Partners Asia V LLP"),  # swapped letters
    ("Rosdale Real Estate Partners Latin America Three (Lux), SCSp", "Rosdale Real Estate Partners Latin America III (Lux) SCSp"),
])
def test_a_misspelt_marker_or_a_written_numeral_before_an_abbreviated_marker_keeps_the_vehicle_marks(
        typo: str, clean: str) -> None:
    """Without these the misspelt side lacked a mark the other carried: a vehicle-mark conflict (veto)."""
    from crmhub.identity.normalize import vehicle_marks

    assert vehicle_marks(typo) == vehicle_marks(clean)


def test_ids_of_different_shapes_in_different_countries_stay_a_contradiction() -> None:
    """Two registers of one entity are in one country: a US EIN against a UK company number abroad is a
    namesake's, not a second register."""
    a = {"name": "Harbor Capital Management", "tax_id": "12-3456789", "country": "US"}
    b = {"name": "Harbor Capital Management", "tax_id": "01234567", "country": "GB"}
    assert _levels(a, b)["tax_id"] == 2
    assert _levels(a, {**b, "country": None})["tax_id"] == 3
