"""Heavily respelt organisation names (issue #17, surfaced recall): one test per class of respelling that
CRM free text and scanned fund-administration files show, and for each the pairs that must stay apart.
"""

from __future__ import annotations

import pytest

from crmhub.identity.comparison import same_words
from crmhub.identity.normalize import fund_numerals, legal_form, normalize_org_name, vehicle_marks


def _same_name(a: str, b: str) -> bool:
    return normalize_org_name(a) == normalize_org_name(b) and vehicle_marks(a) == vehicle_marks(b)


@pytest.mark.parametrize(("stray", "clean"), [
    ("Birch Heritage Invt Mgm.t Inc.", "Birch Heritage Invt Mgmt Inc."),
    ("West Cobalt Capital Mgm.t AG", "West Cobalt Capital Management AG"),
])
def test_a_dot_inside_a_word_is_a_stray_mark(stray: str, clean: str) -> None:
    assert _same_name(stray, clean)


def test_a_dot_after_a_fund_numeral_still_parts_numeral_and_series() -> None:
    assert vehicle_marks("Harbor Fund IV.A, L.P.") == {"4", "series a"}


@pytest.mark.parametrize(("dotted", "clean"), [
    ("Ocean Golden Associates, V. L.P.", "Ocean Golden Associates V LP"),
    ("Norson Bellwether Partners III-A. L.P", "Norson Bellwether Partners III-A LP"),
    ("Harbor Fund I. L.P..", "Harbor Fund I, L.P."),
])
def test_a_numeral_or_series_letter_before_a_dotted_legal_form_stays_a_word(dotted: str, clean: str) -> None:
    assert _same_name(dotted, clean)
    assert legal_form(dotted) == "lp"


def test_spaced_dotted_legal_forms_are_still_one_form() -> None:
    assert legal_form("Harbor Capital L. P.") == "lp"
    assert legal_form("Harbor Capital S. A.") == "sa"


@pytest.mark.parametrize(("misspelt", "digits"), [
    ("Cedar Vertex Private Equity Fund Sgven Feeder, L.P.", "Cedar Vertex Private Equity Fund VII Feeder, L.P."),
    ("Crescent Red Equity Partners Fokur, L.P.", "Crescent Red Equity Partners IV, L.P."),
    ("Titan Ventures Ofur LP", "Titan Ventures IV LP"),
    ("Dordale Infrastructure Opportunities Fund Ecght Parallel, LP", "Dordale Infrastructure Opportunities Fund VIII Parallel LP"),
    ("Onyx Castle Partners rFive, L.P.", "Onyx Castle Partners V, L.P."),
])
def test_a_written_out_numeral_with_one_typo_is_that_numeral(misspelt: str, digits: str) -> None:
    assert _same_name(misspelt, digits)


@pytest.mark.parametrize("name", [
    "Harbor Capital Fire",         # a word one edit from "five"
    "Riviera Partners Nice",       # a town one edit from "nine"
    "Harbor Capital There",        # one swap from "three"
    "Harbor Capital Sven",         # a given name one edit from "seven"
    "Harbor Partners For Change",  # "For" not closing the name
    "Our Tree Partners LP",        # not after a fund word
])
def test_a_word_one_edit_from_a_number_word_is_no_numeral(name: str) -> None:
    assert fund_numerals(name) == frozenset()


@pytest.mark.parametrize(("typo", "digit", "other"), [
    ("Cedar Private Equity Fund Sgven", "7", "Cedar Private Equity Fund VI"),
    ("Harbor Partners Fve GP LP", "5", "Harbor Partners IV GP LP"),  # a short typo, closing the name
])
def test_a_misspelt_numeral_is_still_a_different_fund_from_another_numeral(typo: str, digit: str, other: str) -> None:
    assert fund_numerals(typo) == {digit}
    assert fund_numerals(typo) != fund_numerals(other)


@pytest.mark.parametrize(("glued", "spaced"), [
    ("'bailey kestrelgp iii LLC", "Bailey Kestrel GP 3, LLC"),
    ("KELSON LAKEASSOCIATES II,L.P.", "Kelson Lake Associates II, L. P."),
    ("Harbor Valleyoffshore Fund IV", "Harbor Valley Offshore Fund IV"),
])
def test_a_vehicle_marker_run_into_the_word_before_it(glued: str, spaced: str) -> None:
    assert _same_name(glued, spaced)


def test_a_word_that_only_ends_like_a_marker_is_not_split() -> None:
    assert vehicle_marks("Harbor Postmaster Partners") == frozenset()  # "master" is never split off
    assert vehicle_marks("Offshoreline Capital") == frozenset()          # never the brand


@pytest.mark.parametrize(("glued", "spaced"), [
    ("Lunar GP3., Ltd", "Lunar GP 3, Ltd"),
    ("Beacon Trinity GPIV LLC.", "Beacon Trinity GP 4 LLC"),
    ("Keystone East Growth Eq - FdIII L.P.", "Keystone East Growth Equity Fund III L.P."),
])
def test_a_numeral_run_into_gp_or_fd(glued: str, spaced: str) -> None:
    assert _same_name(glued, spaced)


def test_two_swapped_letters_in_a_contracted_marker() -> None:
    assert vehicle_marks("Harbour Royal Inv. Mgtm. Societe Anonyme") == {"management"}
    assert vehicle_marks("Gate Regent Avds, Inc.") == {"advisors"}


@pytest.mark.parametrize(("misspelt", "clean"), [
    ("Kelley Mutual Ins. Commany LP", "Kelley Mutual Insurance Company L.P."),
    ("Berman Life Insurance oCmpany", "Berman Life Insurance Company"),
])
def test_a_misspelt_company_closing_the_name_is_the_legal_word(misspelt: str, clean: str) -> None:
    assert normalize_org_name(misspelt) == normalize_org_name(clean)


@pytest.mark.parametrize(("a", "b"), [
    ("Bay Capital Tprs V", "Bay Capital Partners V"),               # two letters swapped
    ("Cooper Harbor Real Estate Mptrs US I", "Cooper Harbor Real Estate Partners US I"),  # a letter too many
    ("Garton Global Svsc AB", "Garton Global Services AB"),
    ("Oak Infa Opportunities Fund VII", "Oak Infrastructure Opportunities Fund VII"),  # a truncation with a typo
    ("Quarry Alpine Unvi Investment Office", "Quarry Alpine University Investment Office"),
])
def test_an_abbreviation_with_one_typo(a: str, b: str) -> None:
    assert same_words(normalize_org_name(a), normalize_org_name(b))


@pytest.mark.parametrize(("a", "b"), [
    ("Irno Associates IV, Ltd", "Iron Associates IV Ltd"),       # swapped
    ("Hgray Bear Partners V Ltd", "Gray Bear Partners V Ltd"),   # a letter added
    ("Spen Marble Ventures III", "Aspen Marble Ventures III"),   # a letter left out
])
def test_a_four_letter_brand_with_a_letter_added_left_out_or_swapped(a: str, b: str) -> None:
    assert same_words(normalize_org_name(a), normalize_org_name(b))


@pytest.mark.parametrize(("a", "b"), [
    ("CSERS", "CRSERS"),    # two pension systems known by their acronyms, a letter apart
    ("BPFPS", "TPFPS"),
    ("Aria", "Arix"),
])
def test_a_name_of_one_short_word_with_a_letter_otherwise_is_another_name(a: str, b: str) -> None:
    assert not same_words(normalize_org_name(a), normalize_org_name(b))


def test_a_name_of_one_long_word_keeps_its_brand_typo() -> None:
    assert same_words(normalize_org_name("Castellano"), normalize_org_name("Castelano"))


@pytest.mark.parametrize(("a", "b"), [
    ("Hall Family Office", "Hill Family Office"),   # one letter replaced: two families
    ("Ward Lake Fund II", "Word Lake Fund II"),
])
def test_a_four_letter_brand_with_a_letter_replaced_is_another_brand(a: str, b: str) -> None:
    assert not same_words(normalize_org_name(a), normalize_org_name(b))


@pytest.mark.parametrize(("a", "b"), [
    ("Valcroft Cappartners 2019", "Valcroft Capital Partners 2019"),
    ("WALKER LUNARFD III (LUX)", "Walker Lunar Fund III (Lux)"),
    ("jones trinitycap partners iii", "Jones Trinity Capital Partners III"),
])
def test_two_words_run_together_each_up_to_an_abbreviation(a: str, b: str) -> None:
    assert same_words(normalize_org_name(a), normalize_org_name(b))


@pytest.mark.parametrize(("misspelt", "digits"), [
    ("Mitchell Legacy Partners Fve GP, L.P.", "Mitchell Legacy Partners V GP, L.P."),
    ("Frontier Partners For (Cayman), L.P.", "Frontier Partners IV (Cayman), L.P."),
    ("Jones Quarry RE Partners Europe For SCSp", "Jones Quarry RE Partners Europe IV SCSp"),
    ("Halcyon-Lion Associates Tree L.P.", "Halcyon-Lion Associates III L.P."),
    ("Keystone GP There, Limited Partnership", "Keystone GP III L.P."),
    ("Juniper Credit Opportunities Nie (Cayman) L.P.", "Juniper Credit Opportunities IX (Cayman) L.P."),
])
def test_a_short_or_real_word_numeral_typo_between_a_fund_word_and_a_legal_form_or_marker(misspelt: str,
                                                                                          digits: str) -> None:
    assert _same_name(misspelt, digits)


@pytest.mark.parametrize(("glued", "spaced"), [
    ("GUARDIAN PARTNERSTWO (CAYMAN), L.P.", "Guardian Partners Two (Cayman) L.P."),
    ("Zenith River Fundsix L.P.", "Zenith River Fund VI L.P."),
    ("Castle RE Ptnrsasia 7, Co-Investment, SARL", "Castle Real Estate Partners Asia VII Co-Investment S.à r.l."),
])
def test_a_number_word_or_region_run_into_the_fund_word(glued: str, spaced: str) -> None:
    assert _same_name(glued, spaced)


@pytest.mark.parametrize("typo", ["Aia", "sia", "Astia", "Asqa", "Asaia"])
def test_a_region_marker_with_one_typo_between_fund_word_and_numeral(typo: str) -> None:
    assert vehicle_marks(f"Berstead Real Estate Partners {typo} 5 Feeder, S.à r.l.") == {"5", "asia", "feeder"}


def test_a_word_near_a_region_elsewhere_is_no_marker() -> None:
    assert vehicle_marks("Harbor Aria Partners V LP") == {"5"}
    assert vehicle_marks("Harbor Partners Alia") == frozenset()


def test_a_real_word_is_no_misspelt_marker() -> None:
    assert vehicle_marks("Harbor Coin Partners") == frozenset()
    assert vehicle_marks("Harbor Coinv Partners") == {"coinvestment"}


@pytest.mark.parametrize(("a", "b"), [
    ("Harbor N. America Partners", "Harbor North America Partners"),
    ("Ohio Pub Employees Retirement System", "Ohio Pujblic Employees Retirement System"),
])
def test_an_initial_or_an_abbreviation_of_a_misspelt_word(a: str, b: str) -> None:
    assert same_words(normalize_org_name(a), normalize_org_name(b))


def test_an_initial_of_another_word_is_not_the_same_words() -> None:
    assert not same_words(normalize_org_name("Harbor S. America Partners"), normalize_org_name("Harbor North America Partners"))
