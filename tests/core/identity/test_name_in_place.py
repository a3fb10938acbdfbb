"""An exact organisation name is rare evidence in its own place even when namesakes abroad make it common
in the run (scoring.count_in_place): registers keep one name per jurisdiction, so the other carriers of a
crowded name are strangers elsewhere, not in the city the pair shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmhub.identity import resolve
from crmhub.identity.scoring import count_in_place


def test_a_name_is_narrowed_to_its_place_only_when_its_carriers_sit_elsewhere() -> None:
    counts = np.array([100.0, 100.0, 3.0])
    # 2 of 100 carriers in the place, strangers share a place 10 % of the time: 20 records to be confused with
    # 60 of 100 in the place: the name is crowded there too (never above the run's count)
    # 3 of 3 (a rare name, all its own records): unchanged
    assert count_in_place(counts, np.array([2.0, 60.0, 3.0]), 0.1).tolist() == [20.0, 100.0, 3.0]


def _records(namesakes: int) -> pd.DataFrame:
    rows = [{"name": "Quinby College Endowment Fund", "city": "Boston", "country": "", "tax_id": None},
            {"name": "QUINBY COLLEGE ENDOWMENT FUND", "city": "Boston", "country": "", "tax_id": None}]
    # the same name carried by unrelated entities in other towns (each its own place)
    rows += [{"name": "Quinby College Endowment Fund", "city": f"Town {k}", "country": "", "tax_id": None}
             for k in range(namesakes)]
    df = pd.DataFrame(rows)
    df.insert(0, "record_id", [str(i) for i in range(len(df))])
    df.insert(1, "source_system", "crm")
    return df


def _proposed_together(res, a: str, b: str) -> bool:
    return any({a, b} <= {m["record_id"] for m in p.members} for p in res.proposals)


def test_same_name_same_city_reaches_review_however_many_namesakes_abroad() -> None:
    # 100 records carry the name: measured on the run it weighs -4.5 bits and the Boston pair scored 0.62
    # (never shown); in Boston only the pair carries it
    res = resolve(_records(98), "org")
    assert _proposed_together(res, "0", "1")
    # the namesakes, each in its own town, are not proposed with the pair
    assert not any(_proposed_together(res, "0", str(k)) for k in range(2, 100))
