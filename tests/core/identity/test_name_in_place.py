"""An exact organisation name is rare evidence in its own place even when namesakes abroad make it common
in the run (scoring.count_in_place): registers keep one name per jurisdiction, so the other carriers of a
crowded name are strangers elsewhere, not in the city the pair shares."""

from __future__ import annotations

import math

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


def test_the_pairs_own_records_are_not_namesakes_in_its_place() -> None:
    # 2 of 100 carriers in the place, both the pair's own: no stranger there carries the name -> 2 (not 2 / u)
    # 5 in the place, 2 the pair's: 3 strangers there, scaled as strangers are -> 2 + 3 / 0.1
    counts = np.array([100.0, 100.0, 3.0])
    assert count_in_place(counts, np.array([2.0, 5.0, 3.0]), 0.1, own=2.0).tolist() == [2.0, 32.0, 3.0]


def test_namesakes_abroad_do_not_weaken_a_name_only_the_pair_carries_in_its_town() -> None:
    # a family office's or a state fund's name is carried by ever more unrelated entities as the run grows
    # (tuning orgs 300k: 20-30 records); two records of it in one town that no other record there carries
    # are as strong evidence as a name unique in the run (before: 2 / u of the town, ~30 at the calibrated u)
    alone, abroad = resolve(_records(0), "org", refine=False), resolve(_records(98), "org", refine=False)
    assert abs(_probability(alone, 0, 1) - _probability(abroad, 0, 1)) < 1e-9


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


def _near_exact_pairs(crowd: int) -> pd.DataFrame:
    rows = [{"name": "Quinwell Harbor Capital", "city": "Boston", "country": "US"},
            {"name": "Quinwell Harbor Capitl", "city": "Boston", "country": "US"},
            {"name": "Oakmont Ridge Capital", "city": "Denver", "country": "US"},
            {"name": "Oakmont Ridge Capitl", "city": "Denver", "country": "US"}]
    # a fund family's other entities: the brand word "Oakmont" is common in Denver
    rows += [{"name": f"Oakmont {word} Lending", "city": "Denver", "country": "US"}
             for word in ("Cedar", "Maple", "Birch", "Aspen", "Willow", "Spruce", "Alder", "Hazel")[:crowd]]
    df = pd.DataFrame(rows)
    df.insert(0, "record_id", [str(i) for i in range(len(df))])
    df.insert(1, "source_system", "crm")
    return df


def _probability(res, a: int, b: int) -> float:
    pairs = res.scored_pairs.tolist()
    return float(res.pair_probability[pairs.index([a, b])])


def _log_odds(p: float) -> float:
    return math.log2(p / (1 - p))


def test_a_near_exact_name_weighs_less_where_its_brand_word_is_common_in_the_town() -> None:
    # both pairs: near-exact name, same city and country, nothing else; one class with one score before,
    # now spread by how many records in the town carry the first word
    res = resolve(_near_exact_pairs(8), "org")
    assert res.pair_levels["name"][res.scored_pairs.tolist().index([0, 1])] == 2
    rare, crowded = _probability(res, 0, 1), _probability(res, 2, 3)
    assert _log_odds(rare) > _log_odds(crowded) + 1.0  # bits: the term is ±1 bit around the run's centre
    # without the crowd both pairs are the same evidence
    res = resolve(_near_exact_pairs(0), "org")
    assert abs(_probability(res, 0, 1) - _probability(res, 2, 3)) < 1e-9
