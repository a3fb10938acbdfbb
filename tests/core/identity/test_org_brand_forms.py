"""An organisation written by its brand (issue #17): "Castellano" or "Sunwick Employees" in a CRM or an IR
spreadsheet for "Castellano Family Foundation", "State of Sunwick Public Employees' Retirement
Association". The brand alone is evidence only where it names one organisation in the town; a fund or
manager of the brand, a second organisation of it in the town, or a complete name of its own kind
("Darant Foundation" beside "Darant Family Foundation") keep the records apart or out of review.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from org_pairs import resolve_orgs
from org_pairs import surfaced_from_own_sources as surfaced

from crmhub.identity.comparison import Encoded, compare
from crmhub.identity.matching import REVIEW_THRESHOLD, _demote_ambiguous_brand_forms
from crmhub.identity.records import prepare
from crmhub.identity.scoring import score
from crmhub.identity.short_forms import brand_short_form, brand_word, kind_form


def _words(name: str) -> list[str]:
    return name.lower().split()


def test_the_brand_of_a_public_body_follows_its_place_qualifier() -> None:
    assert brand_word(_words("state of sunwick public employees retirement association")) == "sunwick"
    assert brand_word(_words("the gupta foundation")) == "gupta"
    assert brand_word(_words("castellano family foundation")) == "castellano"


@pytest.mark.parametrize(("short", "full", "expected"), [
    ("castellano", "castellano family foundation", True),
    ("sunwick employees", "state of sunwick public employee retirement association", True),  # plural
    ("greystone endowment", "greystone university", False),  # a descriptor the full name lacks
    ("darant foundation", "darant family foundation", False),  # a complete name of its own kind
    ("castellano", "castellano", False),
    ("vance thornton", "vance and thornton energy services", False),  # a partnership: the brand is both names
    ("sunwick", "state of sunwick", True),
    ("sia", "sia airline group", False),  # three letters: an acronym, not a brand
])
def test_brand_short_form(short: str, full: str, expected: bool) -> None:
    assert brand_short_form(_words(short), _words(full)) is expected


def test_a_kind_form_is_the_brand_and_the_last_word() -> None:
    assert kind_form(_words("darant foundation"), _words("darant family foundation"))
    assert not kind_form(_words("spestion investment"), _words("spestion investment authority"))


@pytest.mark.parametrize(("a", "b"), [
    ({"name": "CASTELLANO", "city": "Zuerich", "country": "Switzerland"},
     {"name": "castellano family foundation", "city": "Zürich"}),
    ({"name": "Sunwick Employees", "city": "Austin"},
     {"name": "State of Sunwick Public Employees Retirement Association", "city": "Austin", "country": "USA"}),
    ({"name": "Zenisis", "city": "Frankfurt"}, {"name": "Zenisis Private Equity", "city": "Frankfurt am Main"}),
])
def test_a_brand_alone_in_its_town_is_its_one_organisation(a: dict, b: dict) -> None:
    assert surfaced(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ({"name": "Castellano", "city": "Dallas"}, {"name": "Castellano Capital Fund II", "city": "Dallas"}),
    ({"name": "Castellano", "city": "Dallas"}, {"name": "Castellano Family Foundation", "city": "Houston"}),
    ({"name": "Darant Foundation", "city": "Paris"}, {"name": "The Darant Family Foundation", "city": "Paris"}),
    # one word more is as often a sibling's complete name (parent and subsidiary)
    ({"name": "Wexulum Solutions", "city": "Denver"}, {"name": "Wexulum Solutions Group", "city": "Denver"}),
    # a name with its legal form is a registered name, not a brand written alone
    ({"name": "Spestion Investment Corporation", "city": "Sydney"},
     {"name": "Spestion Investment Authority", "city": "Sydney"}),
])
def test_a_fund_another_town_or_a_name_of_its_own_stays_apart(a: dict, b: dict) -> None:
    assert not surfaced(a, b)


def test_a_brand_with_two_organisations_in_its_town_is_no_evidence() -> None:
    res = resolve_orgs({"name": "Gupta", "city": "Zurich"}, {"name": "Gupta Family Office", "city": "Zurich"},
                       {"name": "Gupta Foundation", "city": "Zurich"})
    assert res.review == [] and len(set(res.cluster_ids)) == 3


def test_a_strong_brand_form_pair_is_demoted_where_the_brand_names_two_organisations() -> None:
    # "Gupta" scored above the threshold against "Gupta Family Office" (a run's learnt weights: a shared
    # town and country) while "Gupta Foundation" sits in the same town: the brand does not say which
    rows = [{"name": n, "city": "Zurich", "country": "CH"} for n in ("Gupta", "Gupta Family Office", "Gupta Foundation")]
    df = prepare(pd.DataFrame([{"record_id": str(k), "source_system": "crm", **r} for k, r in enumerate(rows)]), "org")
    enc, pairs = Encoded(df), np.array([[0, 1], [0, 2]], dtype=np.int64)
    levels, _ = compare(enc, pairs, "org")
    scores = score(levels, "org")
    scores.probability[:] = 0.9
    _demote_ambiguous_brand_forms(enc, pairs, levels, scores, "org", None, {}, REVIEW_THRESHOLD)
    assert (scores.probability <= REVIEW_THRESHOLD).all() and (levels["words"] == 2).all()


def test_a_partnership_s_first_name_is_not_demoted_as_a_brand_form() -> None:
    # "Ralten" for the law firm "Ralten and Vocen" is a partnership's short form (its own rule), even with
    # "Ralten Capital" in the same town
    rows = [{"name": n, "city": "New York", "country": "US"} for n in ("Ralten", "Ralten and Vocen", "Ralten Capital")]
    df = prepare(pd.DataFrame([{"record_id": str(k), "source_system": "crm", **r} for k, r in enumerate(rows)]), "org")
    enc, pairs = Encoded(df), np.array([[0, 1]], dtype=np.int64)
    levels, _ = compare(enc, pairs, "org")
    scores = score(levels, "org")
    scores.probability[:] = 0.9
    _demote_ambiguous_brand_forms(enc, pairs, levels, scores, "org", None, {}, REVIEW_THRESHOLD)
    assert (scores.probability > REVIEW_THRESHOLD).all()
