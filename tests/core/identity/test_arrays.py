"""The array primitives of a large run (crmhub.identity.arrays) give numpy's results, and the gain bound of a
name lift (scoring.relevel_bound) bounds every pair's gain, so the pairs it rules out could never cross."""

from __future__ import annotations

import numpy as np
from given_levels import candidate_pairs

from crmhub.identity.arrays import among, any_of, unique_ints
from crmhub.identity.scoring import PARAMETERS, refine_from_anchor, relevel_bits, relevel_bound


def test_unique_ints_is_np_unique_with_and_without_a_bound() -> None:
    rng = np.random.default_rng(0)
    for values in (rng.integers(0, 50, 1000), rng.integers(0, 10**12, 5000), np.array([7]), np.zeros(0, dtype=np.int64)):
        assert np.array_equal(unique_ints(values), np.unique(values))
        assert unique_ints(values).dtype == np.unique(values).dtype
    codes = rng.integers(0, 300, (400, 2))
    assert np.array_equal(unique_ints(codes, 300), np.unique(codes))


def test_any_of_and_among_are_np_isin() -> None:
    rng = np.random.default_rng(1)
    levels = rng.integers(0, 7, 10_000).astype(np.int8)
    for options in ((3, 4), (1, 2), (0, 2), (2, 3, 5), (6,)):
        assert np.array_equal(any_of(levels, options), np.isin(levels, options))
    roots, members = rng.integers(0, 1000, 5000), rng.choice(1000, 300, replace=False)
    assert np.array_equal(among(roots, members, 1000), np.isin(roots, members))


def test_no_pair_gains_more_than_the_relevel_bound() -> None:
    levels, _, anchor = candidate_pairs("legal_form", (0.1, 0.9), (0.5, 0.1, 0.4), (0.1, 0.4, 0.5), 3, 20_000)
    idx = np.arange(len(levels["name"]))
    for params in (None, refine_from_anchor(levels, "org", anchor)):
        for to in (1, 2):
            gains = relevel_bits("org", params, levels, idx, "name", to)
            bound = relevel_bound("org", params, "name", to)
            assert gains.max() <= bound
            assert bound - gains.max() < 10  # a bound, not a guard that lets everything through
    assert relevel_bound("org", PARAMETERS["org"], "name", 1) > 0
