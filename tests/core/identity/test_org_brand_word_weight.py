"""A near-exact organisation name is weighed by how common its brand word is in the run
(:func:`crmhub.identity.matching._first_word_counts`), not by a leading place qualifier."""

from __future__ import annotations

import pandas as pd
import pytest

from crmhub.identity import resolve


def orgs(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{"record_id": str(i + 1), "source_system": "crm", **r} for i, r in enumerate(rows)])


def scores(res) -> dict[tuple[str, str], float]:
    ids = res.records["record_id"].tolist()
    return {(ids[a], ids[b]): p for (a, b), p in zip(res.scored_pairs.tolist(), res.pair_probability.tolist(),
                                                       strict=True)}


def test_a_city_plan_name_is_weighed_by_its_brand_word_not_by_city() -> None:
    # "City of ..." starts every city's plan: the near-exact pair is weighed by how common "Stonehurst" is,
    # as the same pair without the place qualifier is by "Stonewick"
    names = ["City of Stonehurst Public Employees' Retirement Association",
             "City Of Stonehurst Pub. Employee Retirement Association",
             "Stonewick Public Employees' Retirement Association", "Stonewick Pub. Employee Retirement Association",
             "City of Ashford Police Pension Fund", "City of Brenton Fire and Police Pension Fund",
             "City of Carlow Water Authority", "City of Dunmore Transit Authority", "City of Elmhurst Housing Authority"]
    res = resolve(orgs(*({"name": n} for n in names)), "org")
    p = scores(res)
    assert p[("1", "2")] == pytest.approx(p[("3", "4")]), p
