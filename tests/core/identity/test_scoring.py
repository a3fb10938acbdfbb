from __future__ import annotations

import numpy as np

from crmhub.identity.scoring import PARAMETERS, TF_REFERENCE, refine_parameters, score, term_frequency_bits


def _levels(n: int, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Synthetic org levels: 10 % matches with exact names and same domain, the rest mostly different."""
    rng = np.random.default_rng(seed)
    match = rng.random(n) < 0.1
    name = np.where(match, rng.choice([1, 2], n, p=[0.8, 0.2]), rng.choice([3, 5, 6], n))
    return {
        "name": name.astype(np.int8),
        "numerals": np.zeros(n, dtype=np.int8),
        "domain": np.where(match, 1, rng.choice([0, 2], n)).astype(np.int8),
        "tax_id": np.zeros(n, dtype=np.int8),
        "city": np.where(match, 1, rng.choice([1, 3], n, p=[0.1, 0.9])).astype(np.int8),
        "country": np.ones(n, dtype=np.int8),
    }, match


def test_em_refinement_is_skipped_on_small_runs_and_sane_on_large_ones() -> None:
    small, _ = _levels(100)
    assert refine_parameters(small, "org") is PARAMETERS["org"]
    levels, match = _levels(20_000)
    params = refine_parameters(levels, "org")
    assert 0.05 < params["prior"] < 0.15  # close to the 10 % of true matches
    for name, table in params.items():
        if name != "prior":
            assert all(0 < m <= 1 and 0 < u <= 1 for m, u in table[1:])
    prob = score(levels, "org", params=params).probability
    assert (prob[match] > 0.7).mean() > 0.95 and (prob[~match] > 0.7).mean() < 0.01


def test_fund_numeral_conflict_is_a_veto_whatever_the_evidence() -> None:
    levels = {"name": np.array([1, 1]), "numerals": np.array([3, 1]), "domain": np.array([1, 1]),
              "tax_id": np.array([1, 1]), "city": np.array([1, 1]), "country": np.array([1, 1])}
    s = score({k: v.astype(np.int8) for k, v in levels.items()}, "org")
    assert s.probability[0] == 0.0 and s.vetoed[0]
    assert s.probability[1] > 0.99


def test_term_frequency_favours_rare_exact_values() -> None:
    bits = term_frequency_bits({"last_name": np.array([2, 2, 40, 0])})["last_name"]
    assert bits[0] > 0 > bits[2] and bits[3] == 0
    assert abs(bits[:3].sum()) < 1e-9  # surnames: averages to zero over the exact pairs (no clipping here)
    assert term_frequency_bits({"last_name": np.array([1, 10**6])})["last_name"].max() == 3.0  # clipped


def test_org_name_term_frequency_is_measured_against_a_fixed_reference() -> None:
    ref = TF_REFERENCE["name"]
    small = term_frequency_bits({"name": np.array([2, ref, 0])})["name"]
    crowded = term_frequency_bits({"name": np.array([ref, 90, 90, 90, 0])})["name"]
    assert small[0] > 0 and abs(small[1]) < 1e-9 and small[2] == 0
    # the same count weighs the same whatever else is in the run (no re-centring on a crowded run) ...
    assert abs(crowded[0]) < 1e-9
    # ... and a name carried by 90 records is ~4.3 bits weaker evidence than the reference count
    assert abs(crowded[1] - np.log2(ref / 90)) < 1e-9 and crowded[1] < -4
