from __future__ import annotations

import numpy as np

from crmhub.identity.scoring import (
    PARAMETERS,
    TF_REFERENCE,
    explain,
    refine_parameters,
    sample_pairs,
    score,
    term_frequency_bits,
    u_from_random_pairs,
    u_sample_size,
)


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


def test_random_pairs_are_deterministic_for_a_seed_and_never_pair_a_record_with_itself() -> None:
    a, b = sample_pairs(50, 10_000, seed=3), sample_pairs(50, 10_000, seed=3)
    assert np.array_equal(a, b) and not np.array_equal(a, sample_pairs(50, 10_000, seed=4))
    assert (a[:, 0] < a[:, 1]).all() and a.min() >= 0 and a.max() <= 49
    assert len(np.unique(a[:, 0] * 50 + a[:, 1])) == 50 * 49 // 2  # every pair reachable
    assert sample_pairs(1, 10).shape == (0, 2)


def _contact_levels(n: int, rng: np.random.Generator, match: np.ndarray) -> dict[str, np.ndarray]:
    """Contact levels where city and postcode move together (one postcode per city), as in real data."""
    town = np.where(match, 1, rng.choice([1, 3], n, p=[0.05, 0.95]))
    return {
        "first_name": np.where(match, rng.choice([1, 3], n, p=[0.8, 0.2]), rng.choice([1, 5], n, p=[0.02, 0.98])),
        "last_name": np.where(match, 1, rng.choice([1, 4], n, p=[0.01, 0.99])),
        "email": np.zeros(n), "phone": np.zeros(n), "company": np.zeros(n),
        "city": town, "postcode": town,  # same city <=> same postcode
        "date_of_birth": np.where(match, rng.choice([1, 2], n, p=[0.9, 0.1]), rng.choice([1, 3], n, p=[0.001, 0.999])),
    }


def _int8(levels: dict) -> dict[str, np.ndarray]:
    return {k: np.asarray(v).astype(np.int8) for k, v in levels.items()}


def test_u_from_random_pairs_is_bounded_and_counts_city_and_postcode_jointly() -> None:
    rng = np.random.default_rng(0)
    levels = _int8(_contact_levels(100_000, rng, np.zeros(100_000, dtype=bool)))
    u = u_from_random_pairs(levels, "contact")
    assert "email" not in u  # missing on every pair: nothing to estimate
    for name, values in u.items():
        assert ((values > 0) & (values < 1)).all() and abs(values.sum() - 1) < 1e-9, name
    assert abs(u["city"][0] - 0.05) < 0.005 and abs(u["postcode"][0] - 0.05) < 0.005
    # the joint term knows "same city and same postcode" is as common as "same city" (not 0.05 * 0.05)
    joint = u["city+postcode"][1 * 4 + 1 - 1]  # combined level city 1 x postcode 1 (level 0 is not listed)
    assert abs(joint - 0.05) < 0.005


def test_refinement_with_random_pair_u_keeps_u_and_estimates_the_random_pair_prior() -> None:
    rng = np.random.default_rng(1)
    n_cand, total_pairs = 20_000, 2_000_000
    match = rng.random(n_cand) < 0.2  # 4,000 matches among 2 M record pairs
    levels = _int8(_contact_levels(n_cand, rng, match))
    u = u_from_random_pairs(_int8(_contact_levels(200_000, rng, np.zeros(200_000, dtype=bool))), "contact")
    params = refine_parameters(levels, "contact", u=u, total_pairs=total_pairs)
    assert "city+postcode" in params and "city" not in params and "postcode" not in params
    assert [b for _, b in params["last_name"][1:]] == list(u["last_name"])  # u fixed
    assert abs(params["prior"] * total_pairs - match.sum()) < 0.05 * match.sum()
    prob = score(levels, "contact", params=params).probability
    assert (prob[match] > 0.7).mean() > 0.98 and (prob[~match] > 0.7).mean() < 0.01
    assert ((prob >= 0) & (prob <= 1)).all()
    # a stranger from the same town: the one coincidence counts once, so the evidence is not doubled
    k = int(np.flatnonzero(~match & (levels["city"] == 1))[0])
    drivers = explain(score(levels, "contact", params=params), k, "contact")["drivers"]
    town = [d for d in drivers if d["comparison"] == "city+postcode"]
    assert town and town[0]["level"] == "same city / same postcode"
    assert town[0]["weight_bits"] < np.log2(params["city+postcode"][5][0] / (u["city"][0] * u["postcode"][0]))
    try:
        refine_parameters(levels, "contact", u=u)
    except ValueError:
        pass
    else:
        raise AssertionError("u without total_pairs must be refused")


def test_random_pair_prior_counts_all_candidates_when_em_runs_on_a_sample(monkeypatch) -> None:
    import crmhub.identity.scoring as scoring

    rng = np.random.default_rng(2)
    n_cand, total_pairs = 40_000, 5_000_000
    match = rng.random(n_cand) < 0.1
    levels = _int8(_contact_levels(n_cand, rng, match))
    u = u_from_random_pairs(_int8(_contact_levels(200_000, rng, np.zeros(200_000, dtype=bool))), "contact")
    monkeypatch.setattr(scoring, "EM_MAX_PAIRS", 8_000)  # EM on a fifth of the candidate pairs
    params = scoring.refine_parameters(levels, "contact", u=u, total_pairs=total_pairs)
    assert abs(params["prior"] * total_pairs - match.sum()) < 0.1 * match.sum()


def test_random_pair_u_leaves_out_the_matches_among_the_random_pairs() -> None:
    # a random pair is a match one time in ~n/d: in a small run the sample holds as many true pairs with the
    # same date of birth as strangers with one, and u counted as if all were strangers doubles
    rng = np.random.default_rng(3)
    n_cand, total_pairs = 20_000, 2_000_000
    match = rng.random(n_cand) < 0.2
    levels = _int8(_contact_levels(n_cand, rng, match))
    strangers = _int8(_contact_levels(200_000, rng, np.zeros(200_000, dtype=bool)))
    matches = _int8(_contact_levels(200, rng, np.ones(200, dtype=bool)))
    random_levels = {k: np.concatenate([strangers[k], matches[k]]) for k in strangers}
    plain = u_from_random_pairs(random_levels, "contact")
    params = refine_parameters(levels, "contact", u=plain, total_pairs=total_pairs, random_levels=random_levels)
    stranger_u = u_from_random_pairs(strangers, "contact")["date_of_birth"][0]
    assert plain["date_of_birth"][0] > 1.5 * stranger_u
    assert abs(params["date_of_birth"][1][1] - stranger_u) < 0.15 * stranger_u


def test_u_sample_grows_with_the_run_between_its_bounds():
    sizes = [u_sample_size(n) for n in (2, 100, 5_000, 10_000, 20_000, 1_000_000)]
    assert sizes[0] == 1 and sizes[1] == 100 * 99 // 2  # never more than all pairs of the run
    assert sizes[2:] == [250_000, 500_000, 1_000_000, 1_000_000]
    assert sizes == sorted(sizes)


def _explain_one_by_one(scores, k: int, kind: str) -> dict:
    """A reviewer's features of pair ``k`` read weight by weight (:meth:`Scores.weight`)."""
    from crmhub.identity.scoring import level_label

    items = [{"comparison": name, "level": level_label(kind, name, int(lv[k])),
              "weight_bits": round(scores.weight(name, k), 2)} for name, lv in scores.levels.items() if int(lv[k])]
    items.sort(key=lambda d: -abs(d["weight_bits"]))
    return {"drivers": items, "vetoed": bool(scores.vetoed[k])}


def test_explaining_many_pairs_at_once_gives_each_pair_its_own_features() -> None:
    from crmhub.identity.scoring import explain_pairs

    rng = np.random.default_rng(3)
    levels, _ = _levels(2_000)
    levels["numerals"] = rng.choice([0, 1, 2, 3], 2_000).astype(np.int8)  # vetoes among them
    levels["legal_form"] = rng.choice([0, 1, 2], 2_000).astype(np.int8)
    levels["words"] = rng.choice([0, 1, 2], 2_000).astype(np.int8)
    # term frequencies on the name, one of them a term of its own that adjusts the name's weight
    bits = {"name": np.where(levels["name"] == 1, rng.normal(0, 2, 2_000), 0.0),
            "name_first_word": np.where(levels["name"] == 2, rng.uniform(-1, 1, 2_000), 0.0)}
    contact = _int8(_contact_levels(2_000, rng, rng.random(2_000) < 0.3))
    params = refine_parameters(contact, "contact", u=u_from_random_pairs(contact, "contact"), total_pairs=10**7)
    for scores, kind in ((score(levels, "org", tf_bits=bits), "org"), (score(contact, "contact", params=params), "contact")):
        idx = np.concatenate([rng.permutation(2_000)[:500], [7, 7]])  # any order, repeats
        assert explain_pairs(scores, idx, kind) == [_explain_one_by_one(scores, k, kind) for k in idx.tolist()]
        assert explain(scores, 11, kind) == _explain_one_by_one(scores, 11, kind)
        assert explain_pairs(scores, np.zeros(0, dtype=np.int64), kind) == []
    assert any(d["vetoed"] for d in explain_pairs(score(levels, "org"), np.arange(2_000), "org"))
