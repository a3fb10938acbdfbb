"""Synthetic candidate pairs for the tests of a comparison's u given the name level (scoring.U_GIVEN)."""

from __future__ import annotations

import numpy as np

from crmhub.identity.scoring import PARAMETERS

#: p of levels 0, 1, 2 of a three-level comparison (missing, same, different)
Levels3 = tuple[float, float, float]


def candidate_pairs(column: str, match_p: tuple[float, float], near_p: Levels3, other_p: Levels3, seed: int = 0,
                    n: int = 80_000) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """``(levels, match, anchor)``: 10 % matches (30 % of them anchors: same tax id), names exact / near-exact /
    similar for matches and near-exact / similar / unlike for strangers; ``column`` is missing or the same
    for matches (``match_p``) and drawn with ``near_p`` among strangers with near-exact names, ``other_p``
    among the other strangers."""
    rng = np.random.default_rng(seed)
    match = rng.random(n) < 0.1
    anchor = match & (rng.random(n) < 0.3)
    levels = {name: np.zeros(n, dtype=np.int8) for name in PARAMETERS["org"] if name != "prior"}
    levels["name"] = np.where(match, rng.choice([1, 2, 3], n, p=[0.5, 0.4, 0.1]),
                              rng.choice([2, 3, 6], n, p=[0.05, 0.15, 0.8])).astype(np.int8)
    near = ~match & (levels["name"] == 2)
    levels[column] = np.where(match, rng.choice([0, 1], n, p=list(match_p)),
                              np.where(near, rng.choice([0, 1, 2], n, p=list(near_p)),
                                       rng.choice([0, 1, 2], n, p=list(other_p)))).astype(np.int8)
    levels["tax_id"] = np.where(anchor, 1, 0).astype(np.int8)
    return levels, match, anchor
