"""Short forms of organisation names (issue #17): an investor known by its acronym ("SPSERS", "CalPERS"),
a name with its acronym in brackets, contractions of multi-word terms ("ManCo", "FO"), and a law firm or
placement agent known by its first name(s) ("Greiay LLP" for "Greiay & Shimay"). Each positive case is
missed on the code before short forms; each guard is a pair of strangers that must stay apart.
"""

from __future__ import annotations

import pytest
from org_pairs import resolve_orgs
from org_pairs import surfaced_from_own_sources as surfaced

from crmhub.identity import short_forms
from crmhub.identity.comparison import partnership_short_form, short_form, word_conflict
from crmhub.identity.normalize import normalize_org_name
from crmhub.identity.short_forms import acronym_pair, drop_own_acronym, is_acronym_of


def apart(a: dict, b: dict) -> bool:
    res = resolve_orgs(a, b)
    return len(set(res.cluster_ids)) == 2 and res.review == []


# ------------------------------------------------------------------------------------------- acronyms

@pytest.mark.parametrize(("acronym", "name"), [
    ("calpers", "California Public Employees' Retirement System"),
    ("calstrs", "California State Teachers' Retirement System"),
    ("nyscrf", "New York State Common Retirement Fund"),
    ("omers", "Ontario Municipal Employees Retirement System"),
    ("spsers", "Sliura Pub School Employees' Retirement Sys."),
    ("swib", "State of Wisconsin Investment Board"),
    ("napfps", "Nanell Police & Fire Pension System"),
])
def test_acronym_of_a_name(acronym: str, name: str) -> None:
    assert is_acronym_of(acronym, tuple(normalize_org_name(name).split()))


@pytest.mark.parametrize(("acronym", "name"), [
    ("sers", "Ohio State Employees Retirement System"),  # the state's letter left out: another state's SERS
    ("oserb", "Ohio State Employees Retirement System"),
    ("hm", "Handine Municipal"),  # two letters name too many organisations
    ("hf", "Harbor Fund 2"),
    ("hfi", "Harbor Fund 2"),  # funds (numerals) have no acronym here
])
def test_no_acronym(acronym: str, name: str) -> None:
    assert not is_acronym_of(acronym, tuple(normalize_org_name(name).split()))


def test_a_name_with_its_acronym_in_brackets_is_the_name() -> None:
    assert normalize_org_name("Handine Municipal Employees' Retirement System (HMERS)") == \
        normalize_org_name("Handine Municipal Employees' Retirement System")
    assert normalize_org_name("Trirkane Investment Auth (TIA)") == normalize_org_name("Trirkane Investment Authority")
    # a last word that is no acronym of the name stays, and so does a protected word
    assert normalize_org_name("Ohio Employees Retirement System SERS").endswith("sers")
    assert drop_own_acronym(["pacific", "energy", "infrastructure", "pei"], frozenset({"pei"}))[-1] == "pei"


def test_an_acronym_with_the_place_of_the_name_first_or_left_out() -> None:
    assert acronym_pair("bucera", normalize_org_name("County Employees' Retirement Association of Bungent"))
    assert acronym_pair("trs", normalize_org_name("Teacher Retirement System of Texas"))


@pytest.mark.parametrize(("acronym", "name"), [
    ("htrs", "Hawkbourne County Teachers' Retirement System"),
    ("hpfrs", "Highshore County Police & Fire Retirement System"),
    ("rpera", "City of Ridgemont Public Employees' Retirement Association"),
    ("spera", "State of Sunwick Public Employees Retirement Association"),
    ("lacera", "Los Angeles County Employees Retirement Association"),  # the county kept: still its acronym
])
def test_an_acronym_that_leaves_out_county_city_of_or_state_of(acronym: str, name: str) -> None:
    assert acronym_pair(acronym, normalize_org_name(name))


def test_the_first_word_of_a_name_is_never_left_out() -> None:
    # "Ohio State ...": the state's own name gives the first letter; only the place words may go
    assert not acronym_pair("sers", normalize_org_name("Ohio State Employees Retirement System"))
    assert not acronym_pair("trs", normalize_org_name("Hawkbourne County Teachers' Retirement System"))


def test_an_acronym_is_no_word_conflict() -> None:
    name = normalize_org_name("Sliura Public School Employees' Retirement System")
    assert word_conflict("spsers", name) is False
    assert word_conflict("tmers", name) is True  # not its acronym: two organisations


def test_an_investor_and_its_acronym_on_the_same_site_are_proposed() -> None:
    assert surfaced({"name": "SPSERS", "domain": "https://www.spsers.org", "city": "Austin"},
                    {"name": "Sliura Pub School Employees' Retirement Sys.", "domain": "www.spsers.org", "city": "Austin"})
    assert surfaced({"name": "NAPFPS", "domain": "j.smith@napfps.gov", "city": "Washington"},
                    {"name": "Nanell Police & Fire Pension Sys.", "domain": "https://www.napfps.gov/contact-us",
                     "city": "Washington, D.C."})


@pytest.mark.parametrize(("acronym", "name"), [
    ("mosers", "Missouri State Employees' Retirement System"),  # the USPS "MO" before the initials
    ("nvpers", "Nevada Public Employees Retirement System"),
    ("maeic", "Maine Investment Council"),  # the place contracted to three letters
    ("ioamrs", "Municipal Retirement System of Iowa"),  # ... with its "of <place>" tail read first
])
def test_an_acronym_opening_with_its_place_contracted(acronym: str, name: str) -> None:
    assert short_forms.acronym_of_name(acronym, tuple(normalize_org_name(name).split()))


def test_a_contracted_lead_keeps_the_first_letter_and_the_order() -> None:
    words = tuple(normalize_org_name("Missouri State Employees' Retirement System").split())
    assert not is_acronym_of("omsers", words)  # not the first letter
    assert not is_acronym_of("mzsers", words)  # a letter the place does not have
    assert not is_acronym_of("oimsers", words)  # letters out of order
    assert not is_acronym_of("moers", words)  # every other word spelt: "State" left out is another system
    assert not is_acronym_of("sram", ("sarum", "asset", "management"))  # a brand's letters are no contraction


def test_an_investor_by_its_contracted_acronym_on_the_same_site_is_proposed() -> None:
    assert surfaced({"name": "MaeIC", "domain": "maeic.org", "country": "US"},
                    {"name": "Maine Investment Council", "domain": "https://www.maeic.org/", "country": "USA"})
    assert surfaced({"name": "MOSERS", "domain": "mosers.org", "city": "Jefferson City"},
                    {"name": "Missouri State Employees' Retirement System", "domain": "https://www.mosers.org/",
                     "city": "Jefferson City, MO"})


def test_an_investor_by_its_contracted_acronym_meets_its_full_name_in_its_town() -> None:
    # no site, no word in common: the acronym key of the town (blocking.name_initials) makes them candidates
    res = resolve_orgs({"name": "AraSIB", "city": "Phoenix", "country": "US"},
                       {"name": "Arizona State Investment Board", "city": "Phoenix, AZ", "country": "US"})
    assert res.pairs_per_key["name_initials"] == 1 and len(res.review) == 1


def test_an_acronym_in_the_same_town_without_the_same_site_is_not_proposed() -> None:
    # "SIA" names many organisations: a town in common is no evidence
    assert apart({"name": "SIA", "domain": "www.sia.jp", "city": "Tokyo"},
                 {"name": "Sakura Investment Advisors", "domain": "sakura-advisors.jp", "city": "Tokyo"})
    assert apart({"name": "SIA", "city": "Tokyo"}, {"name": "Sakura Investment Advisors", "city": "Tokyo"})


def test_an_investor_by_its_acronym_in_the_town_of_the_site_that_spells_it_is_proposed() -> None:
    # the full name's own site is the acronym: the organisation is known by it
    assert surfaced({"name": "GSERS", "city": "Chicago"},
                    {"name": "Glancen State Employees' Retirement Sys", "domain": "gsers.org", "city": "Chicago, IL"})


def test_a_short_acronym_or_another_town_is_not_enough_without_the_same_site() -> None:
    assert apart({"name": "SIA", "city": "Singapore"},
                 {"name": "Sluscick Investment Authority", "domain": "finance@sia.sg", "city": "Singapore"})
    assert apart({"name": "GSERS", "city": "Boston"},
                 {"name": "Glancen State Employees' Retirement Sys", "domain": "gsers.org", "city": "Chicago, IL"})


# ------------------------------------------------------------------------------ multi-word short forms

@pytest.mark.parametrize(("short", "long"), [
    ("Flailion ManCo", "Flailion Management Company"),
    ("Thavis Lane ManCo, LLC", "Thavis Lane Mgmt Co"),
    ("Woulgane FO", "Woulgane Family Office"),
    ("Harbor MFO", "Harbor Multi Family Office"),
])
def test_contractions_of_multi_word_terms(short: str, long: str) -> None:
    assert normalize_org_name(short) == normalize_org_name(long)


def test_a_family_office_by_its_contraction_is_proposed() -> None:
    assert surfaced({"name": "Woulgane FO", "domain": "https://www.woulganefo.com", "city": "Geneva"},
                    {"name": "Woulgane Family Office", "city": "Geneva"})


# ------------------------------------------------------------------------------ partnerships of names

@pytest.mark.parametrize(("a", "b"), [
    ("Wekent, Glosnell and Stalane", "WEKENT GLOSNELL"),
    ("Greiay and Shimay", "GREIAY, LLP"),
    ("Filbis & Sholhay, LLP", "flibis sholhay"),  # the "&" dropped and a typo
    ("SLZRCION AND CRUSLORA", "Slercion LLP"),
])
def test_a_partnership_by_its_leading_names(a: str, b: str) -> None:
    assert partnership_short_form(normalize_org_name(a), normalize_org_name(b))
    assert short_form(normalize_org_name(b), normalize_org_name(a))


@pytest.mark.parametrize(("a", "b"), [
    ("Davis Polk & Wardwell", "Davis Wright"),  # another firm of the same first name
    ("Greiay and Shimay", "Greiay and Brant"),
    ("Harbor Capital and Partners", "Harbor"),  # firm words, no list of names
    ("Greiay and Shimay", "Greiay Capital"),
    ("Wekent Glosnell & Stalane (UK)", "Wekent"),  # a regional office is a vehicle of its own
])
def test_no_partnership_short_form(a: str, b: str) -> None:
    assert not partnership_short_form(normalize_org_name(a), normalize_org_name(b))


def test_a_firm_by_its_first_name_in_its_town_is_proposed() -> None:
    assert surfaced({"name": "Greiay and Shimay", "domain": "www.greiays.com", "city": "Greenwich"},
                    {"name": "GREIAY,LLP", "domain": "TBD", "city": "Greenwich"})
    assert surfaced({"name": "Wekent, Glosnell and Stalane", "domain": "wekentgs.com", "city": "Chicago"},
                    {"name": "WEKENT GLOSNELL", "domain": "TBD", "city": "Chicago"})


def test_firms_sharing_a_first_name_stay_apart() -> None:
    # the same first name in another town, and two firms of one founder in one town
    assert apart({"name": "Greiay and Shimay LLP", "city": "Greenwich"}, {"name": "Greiay LLP", "city": "Chicago"})
    assert apart({"name": "Greiay and Shimay LLP", "city": "Boston"}, {"name": "Greiay & Brant LLP", "city": "Boston"})


def test_an_acronym_names_every_name_its_letters_spell_and_no_other() -> None:
    """``names_spelt_by`` reads the names through one index (:func:`short_forms.spelling_index`): an acronym
    finds every name it spells, a word too short or not all letters finds none."""
    names = ["dallas police and fire pension system", "denver police and fire pension system",
             "dallas public fire pension society", "harbor capital partners", "dallas police pension"]
    spelt = short_forms.names_spelt_by({"dpfps", "hcp", "dp", "d2p"}, names)
    assert sorted(spelt) == ["dpfps", "hcp"]
    assert spelt["dpfps"] == ["dallas police and fire pension system", "dallas public fire pension society",
                              "denver police and fire pension system"]
    assert spelt["hcp"] == ["harbor capital partners"]
