"""Pension institutions under the names sources write for them (issue #17): a German professional pension scheme
(Versorgungswerk) as "Versorgungswerk der <Profession>kammer <Land>", "<Land's adjective> <Profession>versorgung" or
"<Profession>versorgung <Land>", umlauts written or transliterated; a Dutch pension fund's foundation written short and
its word order; a German scheme under its English names; a Danish profession's pension fund under its Danish and
English names; a Latin American AFP. Different
professions or Länder stay different schemes."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.normalize import legal_form, normalize_org_name


@pytest.mark.parametrize("variant", [
    "Versorgungswerk der Zahnärztekammer Baden-Württemberg", "Versorgungswerk Zahnärztekammer Baden-Württemberg",
    "Baden-Württembergische Zahnärzteversorgung", "Baden-Wuerttembergische Zahnaerzteversorgung KdöR",
    "BADEN-WÜRTTEMBERGISCHE ZAHNÄRZTEVERSORGUNG", "Zahnärzteversorgung Baden-Württemberg",
    "Zahnaerzteversorgung Baden-Wuerttemberg (KdöR)",
])
def test_a_schemes_three_names_read_as_one(variant: str) -> None:
    assert normalize_org_name(variant) == normalize_org_name("Versorgungswerk der Zahnärztekammer Baden-Württemberg")


@pytest.mark.parametrize(("adjective_form", "chamber_form"), [
    ("Bayerische Apothekerversorgung", "Versorgungswerk der Apothekerkammer Bayern"),
    ("Mecklenburg-Vorpommersche Ingenieurversorgung", "Versorgungswerk der Ingenieurkammer Mecklenburg-Vorpommern"),
    ("Thüringer Steuerberaterversorgung", "Versorgungswerk der Steuerberaterkammer Thüringen"),
    ("Westfälisch-Lippische Ärzteversorgung", "Ärzteversorgung Westfalen-Lippe"),
    ("Saechsische Rechtsanwaltsversorgung", "Versorgungswerk der Rechtsanwaltskammer Sachsen"),
    ("Sachsen-Anhaltinische Architektenversorgung", "Architektenversorgung Sachsen-Anhalt"),
])
def test_the_lands_adjective_names_the_land(adjective_form: str, chamber_form: str) -> None:
    assert normalize_org_name(adjective_form) == normalize_org_name(chamber_form)


@pytest.mark.parametrize(("one", "other"), [
    ("Bayerische Ärzteversorgung", "Bayerische Zahnärzteversorgung"),
    ("Versorgungswerk der Apothekerkammer Sachsen", "Versorgungswerk der Apothekerkammer Sachsen-Anhalt"),
    ("Niedersächsische Ärzteversorgung", "Ärzteversorgung Sachsen"),
])
def test_another_profession_or_land_is_another_scheme(one: str, other: str) -> None:
    assert normalize_org_name(one) != normalize_org_name(other)


@pytest.mark.parametrize("name", ["Bayerische Versorgungskammer", "Harbor Versorgung Partners", "Bayerische Landesbank"])
def test_other_names_are_left_as_written(name: str) -> None:
    assert normalize_org_name(name) == " ".join(name.lower().split())


def test_the_public_law_form_stays_the_legal_form() -> None:
    assert legal_form("Baden-Wuerttembergische Zahnaerzteversorgung KdöR") == "kdör"


def test_a_scheme_written_by_its_adjective_is_surfaced_with_its_chamber_name() -> None:
    assert surfaced({"name": "Mecklenburg-Vorpommersche Apothekerversorgung", "city": "Schwerin", "country": "DE"},
                    {"name": "Versorgungswerk der Apothekerkammer Mecklenburg-Vorpommern (KdöR)", "city": "Schwerin",
                     "country": "Germany", "tax_id": "n/a"})


@pytest.mark.parametrize(("cut", "scheme"), [
    ("VERSORGUNGSWERK DER RECHTSANWALTSKA", "Rechtsanwaltsversorgung"),
    ("Versorgungswerk der Steuerberaterka", "Steuerberaterversorgung"),
    ("VERSORGUNGSWERK DER ARCHITEKTENKAMM", "Architektenversorgung"),
    ("Versorgungswerk der Zahnärztekam", "Zahnärzteversorgung"),
])
def test_a_scheme_cut_before_its_region_is_its_profession_s_scheme(cut: str, scheme: str) -> None:
    assert normalize_org_name(cut) == normalize_org_name(scheme)


def test_a_cut_chamber_is_read_only_as_a_cut_chamber() -> None:
    assert normalize_org_name("Versorgungswerk der Zahnärztekam") != normalize_org_name("Versorgungswerk der Ärztekam")
    assert normalize_org_name("Versorgungswerk der Rechtsanwaltsko") == "versorgungswerk der rechtsanwaltsko"


def test_a_scheme_cut_before_its_region_is_surfaced_in_its_town_only() -> None:
    cut = {"name": "VERSORGUNGSWERK DER RECHTSANWALTSKA", "city": "Bremen", "country": "DE"}
    assert surfaced(cut, {"name": "Rechtsanwaltsversorgung Bremen", "city": "Bremen", "country": "Germany"})
    assert not surfaced(cut, {"name": "Rechtsanwaltsversorgung Hamburg", "city": "Hamburg", "country": "DE"})
    assert not surfaced(cut, {"name": "Tierärzteversorgung Bremen", "city": "Bremen", "country": "DE"})


# ---------------------------------------------------------------- other countries' pension institutions

@pytest.mark.parametrize("variant", ["Stg. Pensioenfonds Hoogland Bouw", "Stg Pensioenfonds Hoogland Bouw",
                                     "Stichting Hoogland Bouw Pensioenfonds", "Pensioenfonds Hoogland Bouw"])
def test_a_dutch_pension_funds_foundation_and_word_order_are_one_name(variant: str) -> None:
    assert normalize_org_name(variant) == normalize_org_name("Stichting Pensioenfonds Hoogland Bouw")


@pytest.mark.parametrize("name", ["STG Partners", "STG Capital Partners", "Stg Hoogland Bouw"])
def test_stg_before_another_word_is_a_brands_letters(name: str) -> None:
    assert normalize_org_name(name).startswith("stg ")
    assert legal_form(name) != "stichting"


@pytest.mark.parametrize("variant", ["AFP Quetzal S.A.", "Quetzal AFP", "Administradora de Fondos de Pensiones Quetzal",
                                     "Administradora de Fondos de Pensiones Quetzal S.A."])
def test_a_pension_fund_administrator_is_afp_and_its_brand(variant: str) -> None:
    assert normalize_org_name(variant) == "afp quetzal"


@pytest.mark.parametrize("name", ["Bedrijfstakpensioenfonds voor de Schoonmaak", "Ondernemingspensioenfonds Hoogland"])
def test_stg_opening_an_industry_or_company_pension_funds_name_is_its_stichting(name: str) -> None:
    assert normalize_org_name(f"Stg. {name}") == normalize_org_name(f"Stichting {name}")
    assert legal_form(f"Stg. {name}") == "stichting"


def test_a_dutch_pension_fund_written_short_is_surfaced_with_its_registered_name() -> None:
    assert surfaced({"name": "Stg. Pensioenfonds Hoogland Bouw", "city": "Zeist", "country": "NL"},
                    {"name": "Stichting Pensioenfonds Hoogland Bouw", "city": "Zeist", "country": "NLD",
                     "domain": "www.pfhooglandbouw.nl"})


@pytest.mark.parametrize(("english", "german"), [
    ("Pension Fund of the Nordrhein Bar Association", "Versorgungswerk der Rechtsanwaltskammer Nordrhein"),
    ("Nordrhein Lawyers' Pension Fund", "Rechtsanwaltsversorgung Nordrhein"),
    ("Hessen Chamber of Pharmacists Pension Fund", "Versorgungswerk der Apothekerkammer Hessen"),
    ("Tax Advisers' Pension Scheme Sachsen-Anhalt", "Steuerberaterversorgung Sachsen-Anhalt"),
    ("Bavarian Physicians' Pension Fund", "Bayerische Ärzteversorgung"),
    ("WESTFALEN-LIPPE MEDICAL ASSOCIATION PEN FD", "Ärzteversorgung Westfalen-Lippe"),
    ("Pension Fund of the Lower Saxony Chamber of Engineers", "Niedersächsische Ingenieurversorgung"),
])
def test_a_scheme_translated_into_english_reads_as_its_german_name(english: str, german: str) -> None:
    assert normalize_org_name(english) == normalize_org_name(german)


@pytest.mark.parametrize(("one", "other"), [
    ("Nordrhein Lawyers' Pension Fund", "Nordrhein Dentists' Pension Fund"),
    ("Pension Fund of the Sachsen Bar Association", "Versorgungswerk der Rechtsanwaltskammer Sachsen-Anhalt"),
])
def test_an_english_name_keeps_its_profession_and_land(one: str, other: str) -> None:
    assert normalize_org_name(one) != normalize_org_name(other)


@pytest.mark.parametrize("name", ["Berlin Pension Fund", "Hamburg Harbor Engineers Pension Fund",
                                  "Pension Fund of the Lawyers of Texas"])
def test_other_english_pension_funds_are_left_as_written(name: str) -> None:
    assert "versorgung" not in normalize_org_name(name)


def test_a_scheme_under_its_english_name_is_surfaced_with_its_chamber_name() -> None:
    assert surfaced({"name": "Pension Fund of the Bremen Veterinary Association", "city": "Bremen", "country": "DE"},
                    {"name": "Versorgungswerk der Tierärztekammer Bremen (KdöR)", "city": "Bremen",
                     "country": "Germany"})


@pytest.mark.parametrize("variant", [
    "Pensionskassen for Psykologer", "PENSIONSKASSEN FOR PSYKOLOGER", "Psykologernes Pension", "Psykologers Pension",
    "Psychologists' Pension Fund", "Psychologists' Pens Fund", "Pension Fund for Psychologists",
])
def test_a_danish_professions_pension_fund_reads_as_one_name(variant: str) -> None:
    assert normalize_org_name(variant) == normalize_org_name("Pensionskassen for Psykologer")


@pytest.mark.parametrize(("danish", "english"), [
    ("Lægernes Pension", "Doctors' Pension Fund"), ("Pensionskassen for Laerere", "The Pension Fund for Teachers"),
    ("Pensionskassen for Ingenioerer", "Engineers' Pension Fund"),
    ("Socialraadgiveres Pension", "Pension Fund for Social Workers"),
])
def test_the_danish_letters_written_out_are_the_same_profession(danish: str, english: str) -> None:
    assert normalize_org_name(danish) == normalize_org_name(english)


@pytest.mark.parametrize(("one", "other"), [
    ("Pensionskassen for Tandlæger", "Pensionskassen for Dyrlæger"), ("Lægernes Pension", "Lærernes Pension"),
])
def test_another_profession_is_another_fund(one: str, other: str) -> None:
    assert normalize_org_name(one) != normalize_org_name(other)


def test_a_danish_fund_is_surfaced_with_its_english_name() -> None:
    assert surfaced({"name": "Pensionskassen for Arkitekter", "city": "Copenhagen", "country": "DK"},
                    {"name": "Arkitekternes Pension", "country": "Danmark"})
