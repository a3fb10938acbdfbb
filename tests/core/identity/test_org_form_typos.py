"""Typos inside the forms the organisation-name normaliser knows (issue #17): a misspelt state in a
jurisdiction descriptor ("a Delawaye limited partnership"), a misspelt word of a legal form of several
words ("Limited Libility"), a misspelt "ManCo" ("MnnCo"). Each positive case is missed on the code before
these rules; each guard keeps a word that is no typo, or a vehicle that differs, apart.
"""

from __future__ import annotations

import pytest
from org_pairs import surfaced_from_own_sources

from crmhub.identity.normalize import legal_form, org_name_tokens, vehicle_marks


def surfaced(a: str, b: str) -> bool:
    """The two names linked, or proposed together for review."""
    return surfaced_from_own_sources({"name": a}, {"name": b})


@pytest.mark.parametrize(("typo", "plain"), [
    ("Vingar Fund VIII, a Delawaye limited partnership", "Vingar Fund VIII"),
    ("Vingar Fund VIII, a Delwaare limited liability company", "Vingar Fund VIII"),
    ("Harbor Fund IV, L.P., a Delawre limited partnership", "Harbor Fund IV"),
    ("Kestrel Holdings, a Luxembourgh societe anonyme", "Kestrel Holdings"),
])
def test_misspelt_state_in_a_jurisdiction_descriptor_is_the_descriptor(typo, plain):
    assert org_name_tokens(typo) == org_name_tokens(plain)
    assert vehicle_marks(typo) == vehicle_marks(plain)  # no "delaware" vehicle, no "series a"


@pytest.mark.parametrize("name", [
    "Harbor Fund, a Delawaye",  # no legal form after it: not the descriptor's frame
    "Harbor Fund, a Texan limited partnership",  # a word one edit from "Texas", too short to read as a typo
])
def test_a_word_near_a_state_outside_the_frame_is_kept(name):
    assert org_name_tokens(name)[-1] in ("delawaye", "texan")


@pytest.mark.parametrize(("typo", "plain"), [
    ("TRORGOCK FAMILY OFFICE LIMITED LIBILITY ", "Trorgock Family Office"),  # cut at 40 characters
    ("Kestrel Holdings Limted Liability Company", "Kestrel Holdings"),
])
def test_misspelt_word_of_a_legal_form_is_the_legal_form(typo, plain):
    assert org_name_tokens(typo) == org_name_tokens(plain)


def test_legal_word_typo_needs_a_legal_word_beside_it():
    assert org_name_tokens("Harbor Libility Partners") == ("harbor", "libility", "partners")


@pytest.mark.parametrize("typo", ["Charkow Investment MnnCo", "Trexane ManoC", "Trexane Mannco"])
def test_misspelt_manco_is_a_management_company(typo):
    brand = typo.rsplit(" ", 1)[0]
    assert org_name_tokens(typo) == org_name_tokens(brand + " Management Company")
    assert surfaced(typo, brand + " ManCo")


@pytest.mark.parametrize("name", ["Harbor Masco", "Harbor Marco", "Harbor Minco", "Mnnco Partners"])
def test_names_near_manco_are_no_management_company(name):
    assert "management" not in org_name_tokens(name)


def test_fund_gp_is_still_a_gp_vehicle():
    assert "gp" in vehicle_marks("Harbor Fund II GP")
    assert vehicle_marks("Harbor Fund II GP") != vehicle_marks("Harbor Fund II")


@pytest.mark.parametrize(("with_form", "plain"), [
    ("Sterling North Investments, Limited", "Sterling North Investments"),
    ("Stroud Investments, LLP", "Stroud Investments"),
    ("Adler Investments Private Limited", "Adler Investments"),
])
def test_a_plural_beside_a_legal_form_is_no_misspelt_legal_word(with_form, plain):
    # "investments" is one edit from the "investment" of "Open-ended Investment Company", but a word of the
    # name: read as that form's misspelt word it made the name singular whenever a legal form followed it
    assert org_name_tokens(with_form) == org_name_tokens(plain)


@pytest.mark.parametrize(("written", "plain"), [
    ("Syvent Holdings Limited Liability Co.", "Syvent Holdings LLC"),  # "Company" written short
    ("THAELL BAY MANAGEMENT COMPANY LIMITED LIABILITY CO", "Thaell Bay Management Company, LLC"),
    ("DOUCKINE SQUARE MANAGEMENT COMPANYLLC", "Douckine Square Management Company LLC"),  # run into its word
    ("Harbor Capitalltd", "Harbor Capital Ltd"),
])
def test_a_legal_form_written_short_or_run_into_its_word_is_the_legal_form(written, plain):
    assert org_name_tokens(written) == org_name_tokens(plain)
    assert legal_form(written) == legal_form(plain)


@pytest.mark.parametrize("name", ["Harbor Bioinc", "Zinc Holdings", "Harbor Partnerslp"])
def test_a_brand_ending_in_a_forms_letters_keeps_them(name):
    assert org_name_tokens(name) == tuple(name.lower().split())
