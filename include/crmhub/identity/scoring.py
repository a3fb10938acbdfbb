"""Scoring: a Fellegi–Sunter match probability in [0, 1] for each compared pair.

Each comparison level carries ``m`` = P(level | same entity) and ``u`` = P(level | different entities,
among blocked candidate pairs). A pair's evidence is the sum of the levels' log2 Bayes factors
``log2(m/u)`` plus the prior log-odds ``log2(λ/(1-λ))`` that a blocked candidate pair is a match; the
score is the posterior probability ``1 / (1 + 2^-(prior + Σ log2(m/u)))``. Level 0 (missing) weighs 0.

Calibration: the m/u values and λ below were estimated by counting levels on labelled synthetic data
(``benchmarks/bench_identity.py`` ground truth, with :func:`estimate_parameters`), rounded, and
checked with the benchmark's reliability table (share of true matches per score bin is close to the
bin's mean score). So "0.8" means roughly "8 in 10 such pairs are the same entity" on data like it.
Re-estimate with :func:`estimate_parameters` when labelled review decisions accumulate.

Vetoes: a fund-numeral conflict ("Fund II" vs "Fund III", "Fund 2019" vs "Fund 2021") scores 0 so
the pair is neither linked nor queued.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crmhub.identity.comparison import LEVELS

#: ``{kind: {"prior": λ, comparison: [(m, u) per level]}}``; level 0 is (1, 1).
PARAMETERS: dict[str, dict] = {
    "org": {
        "prior": 0.10,
        "name": [(1, 1), (0.55, 0.01), (0.25, 0.02), (0.10, 0.04), (0.04, 0.06), (0.04, 0.17), (0.02, 0.70)],
        "numerals": [(1, 1), (0.12, 0.06), (0.01, 0.12), (0.001, 0.1)],
        "domain": [(1, 1), (0.92, 0.01), (0.08, 0.99)],
        "tax_id": [(1, 1), (0.999, 0.0005), (0.001, 0.9995)],
        "city": [(1, 1), (0.86, 0.25), (0.08, 0.03), (0.06, 0.72)],
        "country": [(1, 1), (0.97, 0.55), (0.03, 0.45)],
    },
    "contact": {
        "prior": 0.05,
        "first_name": [(1, 1), (0.80, 0.05), (0.10, 0.004), (0.05, 0.02), (0.03, 0.02), (0.02, 0.90)],
        "last_name": [(1, 1), (0.86, 0.10), (0.08, 0.01), (0.03, 0.04), (0.03, 0.85)],
        "email": [(1, 1), (0.70, 0.002), (0.05, 0.02), (0.10, 0.01), (0.05, 0.01), (0.10, 0.96)],
        "phone": [(1, 1), (0.75, 0.001), (0.10, 0.002), (0.15, 0.997)],
        "company": [(1, 1), (0.85, 0.05), (0.10, 0.05), (0.05, 0.90)],
        "city": [(1, 1), (0.85, 0.10), (0.07, 0.02), (0.08, 0.88)],
        "postcode": [(1, 1), (0.85, 0.01), (0.15, 0.99)],
        "date_of_birth": [(1, 1), (0.86, 0.002), (0.10, 0.02), (0.04, 0.978)],
    },
}
#: ``(comparison, level)`` combinations that force a score of 0.
VETOES: dict[str, tuple[tuple[str, int], ...]] = {"org": (("numerals", 3),), "contact": ()}


@dataclass
class Scores:
    """Scores of ``n`` pairs: probability, per-comparison weights (bits) and veto flags."""

    probability: np.ndarray
    weights: dict[str, np.ndarray]
    vetoed: np.ndarray
    levels: dict[str, np.ndarray]


def bayes_factors(kind: str, params: dict | None = None) -> dict[str, np.ndarray]:
    """``{comparison: log2(m/u) per level}``."""
    table = params or PARAMETERS[kind]
    return {name: np.log2(np.array([m for m, _ in levels]) / np.array([u for _, u in levels]))
            for name, levels in table.items() if name != "prior"}


def score(levels: dict[str, np.ndarray], kind: str, params: dict | None = None) -> Scores:
    """Match probability per pair from comparison levels (see the module doc for the model)."""
    table = params or PARAMETERS[kind]
    factors = bayes_factors(kind, table)
    n = len(next(iter(levels.values()))) if levels else 0
    prior = float(np.log2(table["prior"] / (1 - table["prior"])))
    total = np.full(n, prior)
    weights = {}
    for name, lv in levels.items():
        w = factors[name][lv]
        weights[name] = w
        total += w
    prob = 1.0 / (1.0 + np.exp2(-np.clip(total, -60, 60)))
    vetoed = np.zeros(n, dtype=bool)
    for name, level in VETOES[kind]:
        vetoed |= levels[name] == level
    prob = np.where(vetoed, 0.0, prob)
    return Scores(probability=prob, weights=weights, vetoed=vetoed, levels=levels)


def explain(scores: Scores, k: int, kind: str) -> dict:
    """Features of pair ``k`` for a reviewer: each comparison's level label and weight, strongest first."""
    items = []
    for name, lv in scores.levels.items():
        level = int(lv[k])
        if level == 0:
            continue
        items.append({"comparison": name, "level": LEVELS[kind][name][level],
                      "weight_bits": round(float(scores.weights[name][k]), 2)})
    items.sort(key=lambda d: -abs(d["weight_bits"]))
    return {"drivers": items, "vetoed": bool(scores.vetoed[k])}


def estimate_parameters(levels: dict[str, np.ndarray], is_match: np.ndarray, kind: str,
                        smoothing: float = 1.0) -> dict:
    """m/u per level and λ counted on labelled candidate pairs (Laplace-smoothed), for calibration."""
    is_match = np.asarray(is_match, dtype=bool)
    out: dict = {"prior": float(max(is_match.mean(), 1e-6)) if len(is_match) else 0.01}
    for name, lv in levels.items():
        n_levels = len(LEVELS[kind][name])
        m_counts = np.bincount(lv[is_match], minlength=n_levels)[1:] + smoothing
        u_counts = np.bincount(lv[~is_match], minlength=n_levels)[1:] + smoothing
        m = m_counts / m_counts.sum()
        u = u_counts / u_counts.sum()
        out[name] = [(1, 1)] + [(round(float(a), 4), round(float(b), 4)) for a, b in zip(m, u, strict=True)]
    return out
