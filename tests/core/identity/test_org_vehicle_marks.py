"""Fund numerals, series, vintages and vehicle marks as private-equity sources write them (issue #17).

One fund vehicle is written "3A", "3-a", "III-A" or "3 A"; one vintage fund "Fd '18", "Fund - 2018",
"(2018)" or "Vintage 2018"; a feeder "(TEI)", "[TEI]" or "- TEI"; and source fields cut names short
("(Paral", "Fee", "(T"). Each test reads such spellings as one vehicle, and its guards keep different
funds, series, vintages and vehicles (a fund's euro or TEI vehicle, a deal's Topco and Bidco, an
insurer's New York subsidiary) apart.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crmhub.identity import resolve
from crmhub.identity.normalize import CUT_MARK, legal_form, normalize_org_name, vehicle_marks


def same_vehicle(a: str, b: str) -> bool:
    return vehicle_marks(a) == vehicle_marks(b)


# ------------------------------------------------------------------------------------------ vintages

@pytest.mark.parametrize("other", ["Laibeth Select Fund - 2018 L.P.", "Laibeth Select Fund (2018)",
                                   "LAIBETH SELECT FUND VINTAGE 2018", "Laibeth Select Fund 2018"])
def test_a_vintage_written_short_after_an_apostrophe_is_the_year(other: str) -> None:
    short = "Laibeth\tSelect Fund '18,L.P."
    assert vehicle_marks(short) == vehicle_marks(other) == {"2018"}
    assert normalize_org_name(short) == normalize_org_name(other) == "laibeth select fund 2018"


def test_vintages_stay_apart_and_a_bare_two_digit_number_stays_a_fund_numeral() -> None:
    assert vehicle_marks("Shasen Hill Credit Opportunities '14") == {"2014"}
    assert vehicle_marks("Shasen Hill Credit Opportunities \u201914") == {"2014"}   # typographic apostrophe
    assert not same_vehicle("Shasen Hill Credit Opportunities '14", "Shasen Hill Credit Opportunities (2016)")
    assert vehicle_marks("Harbor Fund 15") == {"15"}               # no apostrophe: fund number fifteen
    assert vehicle_marks("Harbor Fund '98") == {"1998"}
    assert normalize_org_name("Harbor Vintage Partners") == "harbor vintage partners"   # a word, not a label


# ------------------------------------------------------------------------------------ series letters

@pytest.mark.parametrize(("a", "b"), [
    ("The Skesick Point Intl. Ptrs 3A", "Skesick Point International Partners 3-a LP"),
    ("Skesick Point International Partners III-A", "Skesick Point International Partners 3 A"),
    ("Chourkura Real Estate Partners V B,L.P", "Chourkura Real Estate Partners 5B,L.P."),
    ("Hackis Europe Fund IIB Ltd. Partner", "Hackis Europe II-B LP."),
    ("Queaneth Peak Opportunities Fund IXA", "Queaneth Peak Opportunities Fund 9-A"),
    ("Wolrine European 6A", "Wolrine Europe VI-A LP."),
    ("TRAREN PEAK REAL ESTATE PARTNERS V-BLP", "Traren Peak Real Estate Ptrs V-B, L.P."),
    ("REITHENT LANE EUROPE FIVE-ALP", "Reithent Lane Europe 5A"),
])
def test_one_series_vehicle_written_glued_hyphenated_or_spaced(a: str, b: str) -> None:
    assert same_vehicle(a, b)
    assert any(m.startswith("series ") for m in vehicle_marks(a))


@pytest.mark.parametrize(("a", "b"), [
    ("Hackis Europe II-A LP", "Hackis Europe II-B LP"),
    ("Hackis Europe IIB", "Hackis Europe II"),
    ("Chourkura Real Estate Partners 5B", "Chourkura Real Estate Partners 6B"),
    ("Wolrine Europe VIA", "Wolrine Europe VII"),
])
def test_different_series_and_funds_stay_apart(a: str, b: str) -> None:
    assert not same_vehicle(a, b)


@pytest.mark.parametrize(("short", "full"), [("Stannis Real Est Pts VIB", "Stannis Real Estate Partners VI-B, L.P."),
                                            ("Mgeura Fund Invs VIA", "Mgeura Fund Investors VI-A"),
                                            ("Farkar Hill Opport VIB", "Farkar Hill Opportunities VI B")])
def test_a_series_glued_to_the_numeral_after_a_shortened_fund_word(short: str, full: str) -> None:
    assert same_vehicle(short, full)


def test_a_word_that_looks_like_a_numeral_with_a_letter_is_no_series() -> None:
    assert vehicle_marks("Harbor Via Capital") == frozenset()       # not after a fund word
    assert vehicle_marks("Harbor Bay VIA") == vehicle_marks("Harbor Hills Via") == frozenset()
    assert vehicle_marks("Harbor Partners LA") == frozenset()
    assert normalize_org_name("Harbor Ventures VC") == "harbor ventures ventures"


@pytest.mark.parametrize(("cut", "whole"), [
    ("Plouxeth Opportunities Fund IX, S.", "Plouxeth Opportunities Fund IX SCA SICAV-RAIF"),   # "S.C.A." cut
    ("SKIINE ENERGY PARTNERS 10 LIMITED P", "Skiine Energy Partners X, L.P."),
    ("Pystane Point Real Estate Partners III L", "PYSTANE POINT RE PARTNERS III, LP."),
    ("THE GROURMICK INTERNATIONAL PARTNERS VI (CAYMAN) L", "Grourmick International Partners VI (Cayman)"),
])
def test_a_legal_form_cut_to_its_first_letter_is_no_series_and_no_fund_fifty(cut: str, whole: str) -> None:
    assert same_vehicle(cut, whole)
    assert "50" not in vehicle_marks(cut)


# ------------------------------------------------------------------------ numerals run into other words

@pytest.mark.parametrize(("glued", "spaced", "marks", "form"), [
    ("Trefant Fund Investors VISCSp", "Trefant Fund Investors VI, S.C.Sp", {"6"}, "lp"),
    ("Sunwar Real Estate Partners XLP", "Sunwar Real Estate Partners X LP", {"10"}, "lp"),
    ("Clyxane Energy Partners XI EURSCSp", "Clyxane Energy Partners XI EUR SCSp", {"11", "eur"}, "lp"),
    ("Kirnora Bay Select Fund '23LLP", "Kirnora Bay Select Fund 2023 LLP", {"2023"}, "llp"),
    ("Danren Co-Investment Fund - 2016Pte Ltd", "Danren Co-Investment Fund 2016 Pte Ltd", {"2016", "coinvestment"}, "ltd"),
    ("The Gluock Infrastructure Fund II - LuxSCSp", "Gluock Infrastructure Fund 2 (Lux) SCSp", {"2", "luxembourg"}, "lp"),
])
def test_a_legal_form_run_into_the_numeral_or_marker_before_it(glued: str, spaced: str, marks: set, form: str) -> None:
    assert vehicle_marks(glued) == vehicle_marks(spaced) == marks
    assert legal_form(glued) == legal_form(spaced) == form
    assert normalize_org_name(glued) == normalize_org_name(spaced)


def test_funds_eleven_and_twelve_written_out() -> None:
    assert same_vehicle("Stopay Growth Fund Eleven Parallel ,", "Stopay Growth Fund XI - Parallel LP")
    assert vehicle_marks("Breident Energy Partners Twelve SCA") == {"12"}
    assert not same_vehicle("Breident Energy Partners Twelve", "Breident Energy Partners Eleven")


# ---------------------------------------------------------------------------------- vehicle markers

@pytest.mark.parametrize("tei", ["Creislick Energy Partners VI [TEI] LLC", "Creislick Energy Partners VI (TEI), LLC",
                                 "Creislick Energy Partners 6 - TEI", "Creislick Energy Ptrs 6 TEI"])
def test_a_tax_exempt_investor_feeder_is_its_own_vehicle(tei: str) -> None:
    assert vehicle_marks(tei) == {"6", "tei"}
    assert not same_vehicle(tei, "Creislick Energy Partners VI, L.P.")


def test_an_executive_fund_is_its_own_vehicle() -> None:
    assert vehicle_marks("Skilkura Harbour Real Estate Partners II (Executive Fund), L.P.") == {"2", "executive"}
    assert not same_vehicle("Skilkura Harbour Real Estate Partners II Executive Fund", "Skilkura Harbour Real Estate Partners II")
    assert vehicle_marks("Harbor Executive Search LLC") == frozenset()   # a firm, no fund's vehicle


def test_a_currency_after_the_numeral_is_a_parallel_vehicle_and_eur_before_it_is_europe() -> None:
    assert vehicle_marks("Craicion Energy Partners IX EUR") == vehicle_marks("Craicion Energy Partners 9 EUR,S.C.Sp.") \
        == {"9", "eur"}
    assert not same_vehicle("Craicion Energy Partners IX EUR", "CRAICION ENERGY PARTNERS IX, L.P.")
    assert not same_vehicle("Craicion Energy Partners IX EUR", "Craicion Energy Partners IX USD")
    assert vehicle_marks("WANBAY EUR X L.P.") == vehicle_marks("Wanbay European 10") == vehicle_marks("Wanbay Europe X") \
        == {"10", "europe"}
    assert not same_vehicle("Wanbay Europe X EUR", "Wanbay Europe X")


def test_a_region_and_its_adjective_are_one_mark() -> None:
    assert same_vehicle("Soesora European 2, S.C.Sp.", "Soesora Europe II SCSp")
    assert same_vehicle("Harbor Asian Partners III", "Harbor Asia Partners 3")
    assert not same_vehicle("Harbor Asia Partners 3", "Harbor Europe Partners 3")


@pytest.mark.parametrize(("a", "b"), [("Stimeth Midco AG", "Stimeth Bidco AG"), ("Stimeth Topco", "Stimeth Midco"),
                                      ("Stimeth Bidco Limited", "Stimeth Technologies Ltd"),
                                      ("Heicken Holdco Ltd", "Heicken Propco Ltd")])
def test_the_layers_of_a_deals_holding_chain_are_different_companies(a: str, b: str) -> None:
    assert not same_vehicle(a, b)


def test_manco_is_the_management_company() -> None:
    assert normalize_org_name("Skestay Investment ManCo") == normalize_org_name("Skestay Investment Management Company")
    assert vehicle_marks("Trexane ManCo, LLC") == vehicle_marks("Trexane Management Company") == {"management"}


def test_an_insurers_subsidiary_named_by_its_domicile_is_not_the_insurer() -> None:
    sub = "Kexura Life Insurance Company of New York, Inc."
    assert not same_vehicle(sub, "Kexura Life Insurance Co.")
    assert same_vehicle(sub, "Kexura Life Ins. Co. of NY")
    assert same_vehicle(sub, "KEXURA LIFE INSURANCE COMPANY OF N.Y.")
    assert same_vehicle("Fucen Life Assurance of New York Inc.", "FUCEN LIFE ASSURANCE OF NEW YO")
    assert vehicle_marks("Teachers' Retirement System of Ohio") == frozenset()   # not an insurer: word order only
    # a group named after its country or continent is the group itself
    assert same_vehicle("Guardian Life Insurance Company of America", "Guardian Life Insurance Co.")
    assert same_vehicle("Pinewood Insurance Co. of North America", "Pinewood Insurance Company")


# -------------------------------------------------------------------------------------- names cut short

@pytest.mark.parametrize(("cut", "marker"), [
    ("Drandell Private Equity Fd. VIII (T", "tei"),
    ("Grourmick Energy Partners 3 (Paral", "parallel"),
    ("Slerken Infrastructure Fund V Paral", "parallel"),
    ("Thavls Lane Opportunities Fund VII (Offs", "offshore"),
    ("Traren Peak Real Estate Partners VI (CAY", "cayman"),
    (" HENRINE INFRASTRUCTURE FUND VI FEE", "feeder"),
    ("Creislick Private Eq Fund 9 Co-Inve", "coinvestment"),
    ("Rerkane Opportunities Fd. 4 - Co In", "coinvestment"),
])
def test_a_marker_cut_at_the_field_length_is_still_the_marker(cut: str, marker: str) -> None:
    assert marker in vehicle_marks(cut)


@pytest.mark.parametrize(("cut", "fund"), [("Slosmen Bay Intl. Partners Fund 3 (", "Slosmen Bay Intl. Partners Fund 3"),
                                           ("The Stelbane Real Estate Prtnrs XI-", "Stelbane Real Estate Partners XI"),
                                           ("Harbor Fund 4 (E", "Harbor Fund 4")])
def test_a_name_cut_where_its_marker_began_is_a_vehicle_but_no_known_one(cut: str, fund: str) -> None:
    assert CUT_MARK in vehicle_marks(cut)
    assert not same_vehicle(cut, fund)
    assert not same_vehicle(cut, fund + " (Lux)")


def test_what_a_cut_name_ends_with_is_not_always_a_marker() -> None:
    assert same_vehicle("Slalssick Peak Priv Eq Fund II Ltd. Par", "Slalsick Peak Private Equity Fund II")  # Ltd. Partnership
    assert same_vehicle("Heriatge Stone Associates 6 - ", "Heritage Stone Associates VI, L.P.")  # stray hyphen
    assert vehicle_marks("Harbor Fund 4 (Lux") == {"4", "luxembourg"}
    assert vehicle_marks("Stanar County Employees' Retirement Association (S") == frozenset()   # not after a numeral


# ------------------------------------------------------------------------------------- in the resolver

def _frame(*names: str) -> pd.DataFrame:
    return pd.DataFrame([{"record_id": str(k), "source_system": "crm", "name": n, "domain": "craicionpartners.com",
                          "country": "LU"} for k, n in enumerate(names)])


@pytest.mark.parametrize("vehicle", ["Craicion Energy Partners IX EUR", "Craicion Energy Partners IX (TEI)",
                                     "Craicion Energy Partners IX Co-Inve", "Craicion Energy Partners IXA"])
def test_a_funds_vehicle_is_neither_linked_nor_proposed_with_the_fund(vehicle: str) -> None:
    res = resolve(_frame("Craicion Energy Partners IX, L.P.", vehicle), "org")
    assert len(set(res.cluster_ids)) == 2 and len(res.proposals) == 0


def test_one_vintage_fund_in_two_spellings_is_surfaced() -> None:
    res = resolve(_frame("Mokine Secondaries Fund '20", "MOKINE SECONDARIES FUND 2020 LP"), "org")
    assert len(set(res.cluster_ids)) == 1 or len(res.proposals) == 1


def test_the_currency_mark_does_not_depend_on_what_the_abbreviation_table_makes_of_eur(monkeypatch) -> None:
    from crmhub.identity import normalize

    monkeypatch.setitem(normalize.ORG_ABBREVIATIONS, "eur", "europe")
    normalize._org_parts.cache_clear()
    try:
        assert vehicle_marks("Craicion Energy Partners IX EUR") == {"9", "eur"}
        assert not same_vehicle("Craicion Energy Partners IX EUR", "Craicion Europe IX")
        assert not same_vehicle("Fisbis Hill Infrastructure Fd IV EUR", "Fisbis Hill Europe IV EUR")
        assert vehicle_marks("Wanbay Eur X") == vehicle_marks("Wanbay Europe 10") == {"10", "europe"}
    finally:
        monkeypatch.undo()
        normalize._org_parts.cache_clear()


# ------------------------------------------------------------------- a numeral run into "Co-Investment"

@pytest.mark.parametrize(("glued", "spaced"), [
    ("Sterling Capital Partners IVCo-Investment LLP", "Sterling Capital Partners IV Co-Investment L.L.P."),
    ("Heritage Coastal RE Partners North America IICo-Investment, Sarl",
     "Heritage Coastal Real Estate Partners North America II Co-Investment S.a r.l."),
    ("Cox Zenith Credit Opportunities 5co-investment, S.a r.l.", "Cox Zenith Credit Opportunities 5 Co-Investment Sarl"),
])
def test_a_numeral_run_into_co_investment_is_the_numbered_co_investment_vehicle(glued: str, spaced: str) -> None:
    # the space before "Co-Investment" dropped: the same fund numeral and co-investment vehicle, not a name
    # without marks (which the proposal step reads as the firm beside its carved-out vehicle)
    assert vehicle_marks(glued) == vehicle_marks(spaced) >= {"coinvestment"}
    assert normalize_org_name(glued).split()[-2:] == normalize_org_name(spaced).split()[-2:]


def test_a_word_ending_in_co_before_investments_stays_a_word() -> None:
    assert vehicle_marks("Harbor ICO Investments") == frozenset()       # a lone letter only at a fund's numeral
    assert normalize_org_name("Disco Investment Ltd") == "disco investment"
    assert vehicle_marks("Harbor Fund ICo-Investment") == {"1", "coinvestment"}
