"""What CRM and fund-administration systems write around an organisation's name (issue #17, surfaced recall;
:mod:`crmhub.identity.name_noise`): one test per class, each with the pairs that must stay apart.
"""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.normalize import legal_form, normalize_org_name, vehicle_marks, vintage_year


def _same_name(a: str, b: str) -> bool:
    return normalize_org_name(a) == normalize_org_name(b) and vehicle_marks(a) == vehicle_marks(b)


# ------------------------------------------------------------------------------------- vintage years

@pytest.mark.parametrize(("annotated", "plain"), [
    ("Harbor Capital Partners III (2019)", "Harbor Capital Partners III"),
    ("Harbor Capital Partners III, L.P. - 2019", "Harbor Capital Partners 3 LP"),
    ("Harbor Growth Fund I 2019", "Harbor Growth Fund I"),
    ("Harbor Growth Partners 1 S.C.Sp. (2008)", "Harbor Growth Partners I SCSp"),
    ("Harbor Fund II (Vintage 2016)", "Harbor Fund II"),
    ("Yardley & Delgado Growth Partners II L.P. (2014) -", "Yardley and Delgado Growth Partners 2 LP"),
    ("Merante Capital Gestion VI Société de Libre Partenariat (2012)", "Merante Capital Gestion VI SLP"),
])
def test_a_vintage_year_after_the_funds_numeral_only_dates_the_fund(annotated: str, plain: str) -> None:
    assert _same_name(annotated, plain)
    assert legal_form(annotated) == legal_form(plain)
    assert vintage_year(annotated) is not None and vintage_year(plain) is None


def test_a_fund_with_a_vintage_annotation_is_surfaced_with_the_plain_record() -> None:
    assert surfaced({"name": "Ardosis Infra Partners I, L.P. (2010)", "city": "Wilmington", "country": "US"},
                    {"name": "Ardosis Infrastructure Partners I LP", "city": "Wilmington", "country": "US"})


def test_a_year_that_is_the_funds_only_numeral_names_the_fund() -> None:
    assert vintage_year("Harbor Vintage Fund 2019") is None
    assert vehicle_marks("Harbor Fund 2019") == {"2019"}
    assert not _same_name("Harbor Fund 2019", "Harbor Fund 2021")
    assert not surfaced({"name": "Harbor Growth Fund 2019 LP", "city": "Boston", "domain": "harbor.com"},
                        {"name": "Harbor Growth Fund 2021 LP", "city": "Boston", "domain": "harbor.com"})


def test_two_different_vintage_years_are_two_funds() -> None:
    assert not surfaced({"name": "Harbor Capital Partners III (2019)", "city": "Boston", "domain": "harbor.com"},
                        {"name": "Harbor Capital Partners III (2021)", "city": "Boston", "domain": "harbor.com"})


def test_a_vintage_year_does_not_hide_a_numeral_conflict() -> None:
    assert not surfaced({"name": "Harbor Capital Partners III (2019)", "city": "Boston", "domain": "harbor.com"},
                        {"name": "Harbor Capital Partners IV", "city": "Boston", "domain": "harbor.com"})


# -------------------------------------------------------------------------------- housekeeping marks

@pytest.mark.parametrize("marked", [
    "ZZ - DO NOT USE - Harbor Capital Partners LLC", "zz_Harbor Capital Partners LLC", "xx-Harbor Capital Partners LLC",
    "(DUPLICATE) Harbor Capital Partners LLC", "*Harbor Capital Partners LLC", "Harbor Capital Partners LLC [OLD]",
    "Harbor Capital Partners LLC (inactive)", "Harbor Capital Partners LLC - dup", "Harbor Capital Partners LLC *",
    "ZZZ DO NOT USE Harbor Capital Partners LLC", "Harbor Capital Partners LLC - DO NOT USE",
    "[Archived] Harbor Capital Partners LLC",
])
def test_housekeeping_marks_are_not_part_of_the_name(marked: str) -> None:
    assert _same_name(marked, "Harbor Capital Partners LLC")
    assert legal_form(marked) == "llc"


@pytest.mark.parametrize("name", ["ZZ Top Capital", "Old Mutual Capital", "XX Investments", "Old Harbor Partners"])
def test_a_name_that_only_looks_like_a_mark_is_kept(name: str) -> None:
    assert normalize_org_name(name) == normalize_org_name(name.lower())
    assert normalize_org_name(name).split()[0] == name.split()[0].lower()


def test_a_housekeeping_mark_does_not_hide_a_numeral_conflict() -> None:
    assert not surfaced({"name": "(DUPLICATE) Rourke Bancroft Fund II", "city": "Boston"},
                        {"name": "Rourke Bancroft Fund III", "city": "Boston"})


# ------------------------------------------------------------------------------------ mailing routes

@pytest.mark.parametrize("routed", [
    "Norland Teachers Pension Plan c/o Acme Trust", "Norland Teachers Pension Plan Attn: Private Equity",
    "Norland Teachers Pension Plan ATTN ACCOUNTS PAYABLE", "Norland Teachers Pension Plan, Attention: Legal",
    "Norland Teachers Pension Plan Attn. PE Dept", "Norland Teachers Pension Plan C/O Acme Bank",
])
def test_a_mailing_route_after_the_name_is_not_part_of_it(routed: str) -> None:
    assert _same_name(routed, "Norland Teachers Pension Plan")


def test_a_route_cut_at_a_field_length_is_still_a_route() -> None:
    assert _same_name("Cedre Credit Opportunities Fund III LP ATTN", "Cedre Credit Opportunities Fund III LP")


@pytest.mark.parametrize("name", ["Senior Care of Texas Holdings", "Harbor Attention Partners"])
def test_words_of_a_name_are_no_route(name: str) -> None:
    assert normalize_org_name(name) == name.lower()


# ----------------------------------------------------------------------------------- custody wrappers

@pytest.mark.parametrize("wrapped", [
    "Acme Trust Company as custodian FBO Norland Teachers Pension Plan",
    "Acme Trust Co Cust FBO Norland Teachers Pension Plan",
    "Acme Bank f/b/o Norland Teachers Pension Plan",
    "ACME BANK AS CUSTODIAN FOR THE BENEFIT OF NORLAND TEACHERS PENSION PLAN",
    "Acme Trust Company, N.A. as Trustee for Norland Teachers Pension Plan",
    "Norland Teachers Pension Plan - Acme Bank as custodian",
    "Acme Bank ITF Norland Teachers Pension Plan",
    "norland teachers pension plan - acme trust company as custodian..",  # stray marks close the line
    "Acme Bank Cust F8O Norland Teachers Pension Plan",  # a scan's 8 for the B
])
def test_a_custody_wrapper_names_the_beneficial_owner(wrapped: str) -> None:
    assert _same_name(wrapped, "Norland Teachers Pension Plan")


def test_a_custody_record_in_the_custodians_town_is_surfaced_with_the_investor() -> None:
    assert surfaced({"name": "Oakbrook Trust Company as custodian FBO Pinebrook Life Insurance Company",
                     "city": "Boston", "country": "US", "tax_id": "59-3727651"},
                    {"name": "Pinebrook Life Insurance Company", "city": "Greenwich", "country": "US",
                     "domain": "pinebrookins.com"})


def test_the_custodian_under_its_own_name_stays_the_custodian() -> None:
    assert normalize_org_name("Acme Trust Company") == "acme trust"
    assert not surfaced({"name": "Acme Bank as custodian FBO Norland Teachers Pension Plan", "city": "Boston"},
                        {"name": "Acme Bank", "city": "Boston"})


# ------------------------------------------------------------------------------------ alternate names

@pytest.mark.parametrize("named", [
    "Elmland Equity Partners LP f/k/a River Bridge Capital LP", "Elmland Equity Partners LP (formerly River Bridge)",
    "Elmland Equity Partners LP, formerly known as River Bridge Capital", "Elmland Equity Partners LP F/K/A River Bridge",
    "Elmland Equity Partners LP dba Elmland", "Elmland Equity Partners LP d/b/a Elmland Capital",
    "Elmland Equity Partners LP a/k/a Elmland", "Elmland Equity Partners LP (fka River Bridge Capital LP)",
])
def test_a_record_with_a_second_name_is_compared_by_its_first(named: str) -> None:
    assert _same_name(named, "Elmland Equity Partners LP")
    assert legal_form(named) == "lp"


# --------------------------------------------------------------------------------- mis-decoded text

@pytest.mark.parametrize(("garbled", "clean"), [
    ("SociÃ©tÃ© GÃ©nÃ©rale Capital Partenaires", "Société Générale Capital Partenaires"),
    ("MÃ©rante Phoenix Holdings", "Mérante Phoenix Holdings"),
    ("Ã‰toile Real Estate Partners III", "Étoile Real Estate Partners III"),
    ("MÃ¼ller Beteiligungen GmbH", "Müller Beteiligungen GmbH"),
    ("Harbor Capital Partnersâ€™ Fund II", "Harbor Capital Partners’ Fund II"),
])
def test_utf8_read_as_windows_1252_is_read_again(garbled: str, clean: str) -> None:
    assert _same_name(garbled, clean)


def test_genuine_accented_text_is_left_as_written() -> None:
    assert normalize_org_name("Société Générale Ã Paris") == "societe generale a paris"


@pytest.mark.parametrize(("garbled", "clean"), [
    ("MÃ¼ller\u00a0Beteiligungen GmbH", "Müller Beteiligungen GmbH"),  # a no-break space typed in later
    ("Société GÃ©nÃ©rale Capital Partenaires", "Société Générale Capital Partenaires"),  # one word retyped
    ("cã¨dre buyer, s.a.s.", "Cèdre Buyer SAS"),  # the mis-decoded name lower-cased: "Ã" became "ã"
    ("Sociã©Tã© En Commandite Spã©Ciale Harbor", "Société en Commandite Spéciale Harbor"),
    ("ã‰lan global partners fund x gmbh u. co. kg", "Élan Global Partners Fund X GmbH & Co. KG"),  # "Ã‰" = "É"
])
def test_mis_decoded_runs_in_mixed_or_recased_text_are_read_again(garbled: str, clean: str) -> None:
    assert _same_name(garbled, clean)


@pytest.mark.parametrize("name", ["São Paulo Partners", "Irmã” Holdings", "Irmã’s Holdings", "Café–Bar Holdings",
                                  "Strauß’s Capital Partners", "Weiß’ Family Office"])
def test_genuine_letters_before_typographic_marks_are_left_as_written(name: str) -> None:
    from crmhub.identity.name_noise import repair_mojibake

    assert repair_mojibake(name) == name


@pytest.mark.parametrize("name", ["みずほ銀行", "日本生命保険", "삼성전자", "Αθήνα Capital", "Москва Capital", "Łódź Nguyễn"])
def test_mis_decoded_names_of_any_script_are_read_again(name: str) -> None:
    from crmhub.identity.name_noise import repair_mojibake

    for codec in ("cp1252", "latin-1"):
        try:
            garbled = name.encode("utf-8").decode(codec)
        except UnicodeError:  # a byte the code page lacks
            continue
        assert repair_mojibake(garbled) == name


def test_escaped_html_is_read() -> None:
    assert _same_name("Rourke &amp; Bancroft Capital", "Rourke & Bancroft Capital")


# ---------------------------------------------------------------------------- other-language words

@pytest.mark.parametrize(("local", "english"), [
    ("Etoile Real Estate Partenaires III SCSp", "Etoile Real Estate Partners III SCSp"),
    ("Merante Capital Gestion SAS", "Merante Capital Management SAS"),
    ("Merante Investissements", "Merante Investments"),
    ("Merante Participations", "Merante Holdings"),
    ("Müller Beteiligungen GmbH", "Müller Holdings GmbH"),
    ("Merante Capital-Investissement", "Merante Private Equity"),
    ("Merante Associés", "Merante Associates"),
])
def test_other_language_forms_of_fund_words_are_the_english_word(local: str, english: str) -> None:
    assert _same_name(local, english)


def test_a_translated_management_company_is_still_not_the_fund() -> None:
    assert vehicle_marks("Merante Capital Gestion") == {"management"}
    assert not surfaced({"name": "Merante Capital Gestion", "city": "Paris"}, {"name": "Merante Capital", "city": "Paris"})
