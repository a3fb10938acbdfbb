"""A near-exact organisation name no third organisation of the run comes near is stronger evidence than one
several organisations come near (:func:`crmhub.identity.matching._near_name_counts`, the referenced term
frequency ``name_near``), whatever the run's size; records one deterministic link joins count once."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmhub.identity import resolve
from crmhub.identity.matching import _near_name_carriers


def orgs(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{"record_id": str(i + 1), "source_system": "crm", **r} for i, r in enumerate(rows)])


def scores(res) -> dict[tuple[str, str], tuple[int, float]]:
    ids = res.records["record_id"].tolist()
    return {(ids[a], ids[b]): (int(lv), p) for (a, b), lv, p in zip(
        res.scored_pairs.tolist(), res.pair_levels["name"].tolist(), res.pair_probability.tolist(), strict=True)}


def test_a_lone_near_exact_name_outweighs_one_other_organisations_come_near() -> None:
    # both brand words are carried by five records; "Tamsin Ridge Partners" is also the name of three
    # other organisations (three different tax ids), "Qorvel Ridge Partners" of none
    rows = [{"name": "Qorvel Ridge Partners"}, {"name": "Qorvel Ridgo Partners"},
            {"name": "Qorvel Bay Capital"}, {"name": "Qorvel Lake Holdings"}, {"name": "Qorvel Peak Advisors"},
            {"name": "Tamsin Ridge Partners"}, {"name": "Tamsin Ridgo Partners"}]
    rows += [{"name": "Tamsin Ridge Partners", "tax_id": f"98-765432{i}", "country": "US"} for i in range(3)]
    p = scores(resolve(orgs(*rows), "org"))
    assert p[("1", "2")][0] == p[("6", "7")][0] == 2, p  # near-exact, nothing else compared
    assert p[("1", "2")][1] > p[("6", "7")][1], p


def test_records_one_deterministic_link_joins_count_as_one_organisation() -> None:
    # records 0-1 near-exact; 2 and 3 near record 0 but one organisation (the deterministic rule joins them)
    pairs = np.array([[0, 1], [0, 2], [0, 3], [2, 3]])
    levels = {"name": np.array([2, 2, 2, 1]), "numerals": np.array([0, 0, 0, 0])}
    anchor = np.array([False, False, False, True])
    carriers = _near_name_carriers(4, pairs, levels, anchor)
    assert carriers.tolist() == [3, 2, 2, 2]
