"""The u of the legal-form comparison is estimated per name level (scoring.refine_from_anchor, scoring.U_GIVEN).

Strangers with near-exact names are mostly names without legal forms (a family office, a pension plan
and its namesakes elsewhere), and where both carry one they share it less often than strangers overall;
one pooled u per level weighed that agreement as if it were as common as anywhere, and a near-exact
name with the same numerals and legal form and nothing else to compare scored well under its share of
true pairs (tuning orgs 300k: 0.635 while 93 % true).
"""

from __future__ import annotations

import numpy as np
from given_levels import candidate_pairs

from crmhub.identity.scoring import (
    explain_pairs,
    refine_from_anchor,
    relevel_bits,
    rescore,
    score,
    u_of_pairs,
)


def _levels(seed: int = 0, n: int = 80_000) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Among strangers with near-exact names legal forms are mostly absent and rarely agree, among the others
    they agree often."""
    return candidate_pairs("legal_form", (0.1, 0.9), (0.5, 0.1, 0.4), (0.1, 0.4, 0.5), seed, n)


def test_near_exact_name_with_the_same_legal_form_scores_its_share_of_true_pairs() -> None:
    levels, match, anchor = _levels()
    params = refine_from_anchor(levels, "org", anchor)
    prob = score(levels, "org", params=params).probability
    near = (levels["name"] == 2) & (levels["legal_form"] == 1)
    assert near.sum() > 2000
    # the pairs without a tax id score what the class is, true or not (a missing tax id weighs nothing)
    assert abs(prob[near & ~anchor].mean() - match[near].mean()) < 0.05  # share 0.88; one pooled u per level: 0.72
    # "same legal form" is rarer among near-exact strangers than among the others
    row = np.flatnonzero(levels["name"] == 2)[:1]
    far = np.flatnonzero(levels["name"] == 6)[:1]
    assert u_of_pairs(params, "legal_form", 1, levels, row)[0] < 0.3 < u_of_pairs(params, "legal_form", 1, levels, far)[0]


def test_a_name_level_lift_gains_what_rescoring_gives() -> None:
    levels, _, anchor = _levels(seed=1, n=20_000)
    params = refine_from_anchor(levels, "org", anchor)
    idx = np.flatnonzero((levels["name"] == 3) & (levels["numerals"] != 3))[:200]
    before = score({k: v[idx] for k, v in levels.items()}, "org", params=params).probability
    lifted = {k: v[idx].copy() for k, v in levels.items()}
    lifted["name"][:] = 2
    after = score(lifted, "org", params=params).probability
    logit = np.log2(after / (1 - after)) - np.log2(before / (1 - before))
    assert np.allclose(relevel_bits("org", params, levels, idx, "name", 2), logit, atol=1e-6)


def test_a_rescored_pair_explains_its_legal_form_at_its_new_name_level() -> None:
    # a lift moves a pair's name level and rescores it in place; the weights a reviewer sees must be the
    # new ones, and with the prior they sum to the new score
    levels, _, anchor = _levels(seed=2, n=20_000)
    params = refine_from_anchor(levels, "org", anchor)
    k = np.flatnonzero((levels["name"] == 3) & (levels["legal_form"] == 1) & (levels["numerals"] != 3))[:50]
    scores = score(levels, "org", params=params)
    levels["name"][k] = 2
    rescore(scores, levels, "org", k, params=params)
    fresh = score(levels, "org", params=params)
    assert explain_pairs(scores, k, "org") == explain_pairs(fresh, k, "org")
    prior = np.log2(params["prior"] / (1 - params["prior"]))
    for x, features in zip(k.tolist(), explain_pairs(scores, k, "org"), strict=True):
        bits = prior + sum(d["weight_bits"] for d in features["drivers"])
        assert abs(bits - np.log2(scores.probability[x] / (1 - scores.probability[x]))) < 0.1
