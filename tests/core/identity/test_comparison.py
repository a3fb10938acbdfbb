from __future__ import annotations

import numpy as np
import pandas as pd

from crmhub.identity.comparison import compare
from crmhub.identity.records import prepare


def _levels(left: dict, right: dict) -> dict[str, int]:
    base = {"record_id": "", "source_system": "s", "first_name": None, "last_name": None, "email": None,
            "phone": None, "company": None, "city": None, "postcode": None, "date_of_birth": None}
    df = pd.DataFrame([{**base, **left, "record_id": "a"}, {**base, **right, "record_id": "b"}])
    levels, _ = compare(prepare(df, "contact"), np.array([[0, 1]], dtype=np.int64), "contact")
    return {k: int(v[0]) for k, v in levels.items()}


def test_one_typo_in_a_short_first_name_is_similar_not_different() -> None:
    # Jaro-Winkler: jade/jare 0.87, sam/sma 0.56 -- below the 0.9 "similar" cut, but one edit apart
    assert _levels({"first_name": "Jade"}, {"first_name": "Jare"})["first_name"] == 3
    assert _levels({"first_name": "Sam"}, {"first_name": "Sma"})["first_name"] == 3
    assert _levels({"first_name": "Kyle"}, {"first_name": "Kydan"})["first_name"] == 5
    assert _levels({"first_name": "Al"}, {"first_name": "Ed"})["first_name"] == 5  # too short to call a typo


def test_one_typo_in_a_city_is_similar_not_different() -> None:
    assert _levels({"city": "Yenda"}, {"city": "Yehda"})["city"] == 2  # Jaro-Winkler 0.89
    assert _levels({"city": "Yenda"}, {"city": "Ryde"})["city"] == 3


def test_column_per_value_is_the_function_of_each_record_value() -> None:
    from crmhub.identity.comparison import Column

    col = Column(["ab cd", None, "ef", "ab cd"])
    assert col.per_value(lambda v: v.upper()).tolist() == ["AB CD", None, "EF", "AB CD"]
    rows = np.array([[0, 1], [2, 3]])
    assert col.per_value(lambda v: " " in v, rows, dtype=bool).tolist() == [[True, False], [False, True]]


def test_acronym_short_form_mask_reads_as_its_predicate_on_every_pair() -> None:
    """The acronym pre-test of short_form_mask (one name may be an acronym) leaves every verdict as it was."""
    from crmhub.identity.comparison import ACRONYM_PAIRS, Column, name_pair_mask, short_form_mask

    names = Column(["spsers", "sliura public school employees retirement systems", "quigley nilsen and hale",
                    "qnh", "qn", "sp sers", None, "wham", "wren hill asset management", "s1rs"])
    pairs = np.array([(a, b) for a in range(10) for b in range(a + 1, 10)])
    check = np.ones(len(pairs), dtype=bool)
    for predicate in ACRONYM_PAIRS:
        expected = name_pair_mask(names, pairs, check, predicate)
        assert expected.any()
        assert (short_form_mask(names, pairs, check, predicate) == expected).all()
