"""Words of an organisation's name that a source wrote short and the reader misread (issue #17, tuning set
at 100k): "Assoc." of an association read as a firm's "Associates", the institution of "<University> of
<place> Endowment" misspelt, a known abbreviation misspelt by one edit at its first letter. Each positive
case is missed on the code before these rules; each guard keeps two names apart.
"""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.comparison import same_words, word_conflict
from crmhub.identity.normalize import normalize_org_name, vehicle_marks

# ------------------------------------------------------------- "Assoc." of a pension or benefit association


@pytest.mark.parametrize("short", [
    "Arctic Cnty Employees Retirement Assoc.",
    "ARCTIC COUNTY EMPLOYEES RET ASSOC.",
    "Arctic County Emps Retirement Arsoc.",  # the abbreviation misspelt
])
def test_assoc_after_a_plan_word_is_the_association(short):
    full = "Arctic County Employees Retirement Association"
    assert normalize_org_name(short) == normalize_org_name(full)
    assert vehicle_marks(short) == vehicle_marks(full) == frozenset()


def test_assoc_after_a_misspelt_plan_word_is_the_association():
    name = "Arctic County Employees Rsetirement Assoc"
    assert normalize_org_name(name).endswith(" association") and vehicle_marks(name) == frozenset()


@pytest.mark.parametrize("name", ["Salwell Assoc. V LLC", "Harbor Capital Assocs", "Wolf Arsoc II"])
def test_assoc_after_a_brand_is_still_the_associates(name):
    assert "associates" in vehicle_marks(name)


def test_a_retirement_association_written_short_reaches_review():
    assert surfaced({"name": "Verdant South County Employees Retirement Association", "city": "Saint Peter Port"},
                    {"name": "VERDANT SOUTH COUNTY EMPLOYEES RET ASSOC.", "city": "Saint Peter Port"})


# ------------------------------------------------------ the institution of an endowment misspelt or cut


@pytest.mark.parametrize(("written", "plain"), [
    ("Univezsity of Halley Frontier Endowment", "University of Halley Frontier"),
    ("Uinversity of Ardent Castle Endowment", "University of Ardent Castle Endowment"),
    ("Uinv. of Hughes Stellar Endow", "University of Hughes Stellar Endowment"),  # "Univ." misspelt
    ("niv of Sterling Iron Endow", "University of Sterling Iron"),
    ("Univ. of Doworth Enow", "University of Doworth Endowment"),  # "Endow" misspelt
    ("University of North Umber Enrow", "University of North Umber"),
    ("Colelge of Harbor Investment Office", "College of Harbor"),
])
def test_a_misspelt_institution_or_endowment_is_the_institution(written, plain):
    assert normalize_org_name(written) == normalize_org_name(plain)


@pytest.mark.parametrize(("a", "b"), [
    ("Unit of Harbor Endowment", "University of Harbor"),  # a word of its own, not "Univ" misspelt
    ("Ohio Univ Endowment", "Ohio University"),  # not "<institution> of <place>": a name of its own
])
def test_other_words_before_an_endowment_stay(a, b):
    assert normalize_org_name(a) != normalize_org_name(b)


# ------------------------------------------- a known abbreviation misspelt, its first letter too


@pytest.mark.parametrize(("short", "long"), [
    ("Ward Bay Credit Apps III", "Ward Bay Credit Opp III"),  # "Opps" with its first letter replaced
    ("Lunar Sterling Infrastr pps Fd VII", "Lunar Sterling Infrastructure Opportunities Fund VII"),
    ("Bay Cap. Trs V", "Bay Capital Partners V"),  # "Ptrs" without its first letter
    ("Lion Bridge Cap Utnrs VI", "Lion Bridge Capital Partners VI"),
    ("Wesdale Health Care Vcs", "Wesdale Health Care Services"),  # "Svcs"
    ("Jones Beacon Nvt Management", "Jones Beacon Investment Management"),  # "Invt", the word in the singular
])
def test_a_known_abbreviation_misspelt_is_the_word(short, long):
    a, b = normalize_org_name(short), normalize_org_name(long)
    assert same_words(a, b)
    assert not word_conflict(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Ward Bay Credit Xyps III", "Ward Bay Credit Opportunities III"),  # two edits from "Opps"
    ("Trs Capital Partners", "Partners Capital Partners"),  # the brand is read by typos only
    ("Harbor Ads", "Harbor Services"),  # an abbreviation of another word
])
def test_other_words_are_no_misspelt_abbreviation(a, b):
    assert not same_words(normalize_org_name(a), normalize_org_name(b))


def test_a_fund_with_its_partners_misspelt_short_reaches_review():
    assert surfaced({"name": "Calmore Real Estate Partners North America V L.P.", "city": "Paris"},
                    {"name": "CALMORE RE TRS NORTH AMERICA 5 L.P", "city": "Paris"})


# --------------------------------------------------- a numeral in digits run into the marker after it


@pytest.mark.parametrize(("glued", "spaced"), [
    ("Zanwell Legacy Infrastructure Opportunities Fund 4Feeder, Ltd", "Zanwell Legacy Infrastructure Opportunities Fund IV Feeder Ltd"),
    ("Northstar Harbor Partners 3GP Ltd.", "Northstar Harbor Partners III GP Ltd"),
    ("Sterling Heritage Fund 2gp, Ltd.", "Sterling Heritage Fund II GP, Limited"),
])
def test_a_numeral_in_digits_run_into_its_marker_is_the_numeral_and_the_marker(glued, spaced):
    assert normalize_org_name(glued) == normalize_org_name(spaced)
    assert vehicle_marks(glued) == vehicle_marks(spaced)


def test_digits_run_into_another_word_stay_one_word():
    assert normalize_org_name("Harbor 3M Partners") == "harbor 3m partners"
