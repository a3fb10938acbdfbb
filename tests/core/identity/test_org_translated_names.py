"""An institution's name in its own language and in English (issue #17, dev3_orgs: the translated names):
the kind words are translated (:data:`crmhub.identity.name_noise.OTHER_LANGUAGE_WORDS`), the distinctive
words (a place, a family, a brand) kept, and a kind the other language writes first is read after the name,
in the English order. Checked on names of their own (not the development set's word lists)."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.normalize import legal_form, normalize_org_name


@pytest.mark.parametrize(("own", "english"), [
    ("Pensionskasse des Kantons Appenzell", "Canton of Appenzell Pension Fund"),
    ("Pensionskasse Kanton Appenzell", "Canton of Appenzell Pension Fund"),
    ("Pensionskasse der Stadt Olten", "City of Olten Pension Fund"),
    ("Kongsberg kommunale pensjonskasse", "Kongsberg Municipal Pension Fund"),
    ("Keskinäinen Työeläkevakuutusyhtiö Pihlaja", "Pihlaja Mutual Pension Insurance Company"),
    ("Keskinäinen Vakuutusyhtiö Pihlaja", "Pihlaja Mutual Insurance Company"),
    ("Fundación Ocampo Ybarra", "Ocampo Ybarra Foundation"),
    ("Fundação Teixeira Lobo", "Teixeira Lobo Foundation"),
])
def test_a_name_translated_word_by_word_is_one_name(own: str, english: str) -> None:
    assert normalize_org_name(own).replace(" of ", " ") == normalize_org_name(english).replace(" of ", " ")


def test_the_norwegian_in_is_no_numeral() -> None:
    assert normalize_org_name("Pensjonskassen i Kongsberg kommune") == "kongsberg municipality pension fund"


def test_a_legal_form_stays_last_when_the_kind_is_read_after_the_name() -> None:
    assert normalize_org_name("Pensionskasse Kanton Appenzell (Stiftung)") == "canton appenzell pension fund"
    assert legal_form("Pensionskasse Kanton Appenzell (Stiftung)") == "stiftung"
    assert normalize_org_name("Fundación Ocampo Ybarra S.A.") == "ocampo ybarra foundation"


@pytest.mark.parametrize("name", ["Inversiones Ocampo Ybarra", "Participações Teixeira Lobo"])
def test_a_companys_kind_stays_first(name: str) -> None:
    assert normalize_org_name(name).split()[0] in ("investments", "holdings")


def test_a_foundation_is_surfaced_with_its_english_name() -> None:
    assert surfaced({"name": "Fundación Ocampo Ybarra", "city": "Santiago", "country": "CL"},
                    {"name": "Ocampo Ybarra Foundation", "city": "Santiago", "country": "Chile"})


def test_a_mutual_pension_insurer_is_surfaced_with_its_english_name() -> None:
    assert surfaced({"name": "Keskinäinen Työeläkevakuutusyhtiö Pihlaja", "city": "Helsinki", "country": "FI"},
                    {"name": "Pihlaja Mutual Pension Insurance Company", "city": "Helsinki", "country": "Finland"})


def test_a_numeral_after_another_other_language_word_stays_a_numeral() -> None:
    assert normalize_org_name("Harbor Partenaires I SCSp") == normalize_org_name("Harbor Partners I")


@pytest.mark.parametrize(("short", "full"), [
    ("PK Kanton Appenzell", "Pensionskasse des Kantons Appenzell"),
    ("PK Stadt Olten (Stiftung)", "Pensionskasse der Stadt Olten"),
])
def test_pk_before_a_canton_or_city_is_its_pensionskasse(short: str, full: str) -> None:
    assert normalize_org_name(short) == normalize_org_name(full)


@pytest.mark.parametrize("name", ["PK Capital Partners", "PK Holdings"])
def test_pk_elsewhere_is_a_brands_letters(name: str) -> None:
    assert normalize_org_name(name).startswith("pk ")


@pytest.mark.parametrize("variant", [
    "Fundação Serra Azul de Seguridade Social", "Fundacao Serra Azul de Seguridade Social",
    "Serra Azul Social Security Foundation", "Fundación Serra Azul de Seguridad Social",
])
def test_a_foundations_pension_plans_are_its_pension_in_any_language(variant: str) -> None:
    assert normalize_org_name(variant) == normalize_org_name("Serra Azul Pension Foundation")


@pytest.mark.parametrize("cut", ["FUNDAÇÃO IPÊ DE SEGURIDADE SOC", "Fundação Ipê de Seguridade Socia"])  # 30, 32
def test_a_pension_foundation_cut_inside_social_is_its_name(cut: str) -> None:
    assert normalize_org_name(cut) == normalize_org_name("Ipê Pension Foundation")


def test_social_security_outside_a_foundations_name_is_left_as_written() -> None:
    assert normalize_org_name("Instituto Nacional de Seguridade Social") == "instituto nacional de seguridade social"
    assert normalize_org_name("Social Security Foundation") == "social security foundation"  # no name besides


def test_a_brazilian_pension_foundation_and_its_english_name_are_surfaced() -> None:
    assert surfaced({"name": "Fundação Serra Azul de Seguridade Social", "city": "Rio de Janeiro", "country": "BR"},
                    {"name": "Serra Azul Pension Foundation", "city": "Rio de Janeiro", "country": "Brazil"})
