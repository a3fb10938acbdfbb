"""Organisation runs learn m from their own same-tax-id pairs and u/λ by EM (scoring.refine_from_anchor).

The calibrated organisation m/u/λ were counted on the tuning generator; a source that spells names
differently from it (here: two typos per duplicate name, a similarity of 88-95 that the calibrated table
(here: a typo in the name and another legal form, as a CRM that files every firm as "Inc." while the
fund administrator keeps the register's "LLC"; the calibrated table counts a different legal form as
evidence against a match) must still be surfaced when the run's own tax-id-linked pairs show that its
duplicates look like that.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd

from crmhub.identity import resolve
from crmhub.identity.scoring import PARAMETERS, refine_from_anchor, score

WORDS_TEXT = """harbor summit granite birch cedar maple willow aspen atlas vertex meridian horizon beacon keystone
falcon kestrel juniper lantern marble palisade quarry rampart saffron tamarack verdant yarrow zenith halcyon garnet
indigo cobalt driftwood ember fairway bellwether crescent sterling regent sentinel"""
WORDS = WORDS_TEXT.split()
TYPES = ("Capital", "Holdings", "Ventures", "Advisors", "Foundation", "Investments")
CITIES = ("Boston", "London", "Zurich", "Dublin", "Toronto")


FORMS = ("LLC", "Inc.", "Ltd")


def _typo(rng: random.Random, name: str) -> str:
    words = name.split()
    k = rng.randrange(2)  # one distinctive word loses an inner letter
    i = rng.randrange(1, len(words[k]) - 1)
    words[k] = words[k][:i] + words[k][i + 1:]
    return " ".join(words)


def _run(entities: int = 2400, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = random.Random(seed)
    rows, truth, used = [], [], set()
    while len(used) < entities:
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {rng.choice(TYPES)}"
        if name in used:
            continue
        used.add(name)
        e, city, form = len(used), rng.choice(CITIES), rng.choice(FORMS)
        tax = f"{rng.randint(10, 99)}-{rng.randint(1_000_000, 9_999_999)}"
        rows.append({"name": f"{name} {form}", "city": city, "country": "", "tax_id": tax})
        truth.append(e)
        for _ in range(rng.choice([0, 1, 1, 2])):
            other = rng.choice([f for f in FORMS if f != form])
            rows.append({"name": f"{_typo(rng, name)} {other}", "city": city, "country": "",
                         "tax_id": tax if rng.random() < 0.5 else None})
            truth.append(e)
    df = pd.DataFrame(rows)
    df.insert(0, "record_id", [str(i) for i in range(len(df))])
    df.insert(1, "source_system", "crm")
    return df, np.asarray(truth)


def test_org_run_learns_how_its_duplicates_are_spelt_from_its_tax_id_pairs() -> None:
    df, truth = _run()
    res = resolve(df, "org")
    assert res.parameters is not None  # the run's own parameters, not the calibrated table
    pairs, prob = res.scored_pairs, res.pair_probability
    same = truth[pairs[:, 0]] == truth[pairs[:, 1]]
    fuzzy = same & ~res.pair_deterministic & (res.pair_levels["legal_form"] == 2)
    assert fuzzy.sum() > 1000
    assert (prob[fuzzy] > 0.7).mean() > 0.95  # the calibrated table: 2 % (a different legal form weighs -1.9 bits)
    assert (prob[~same] > 0.7).mean() < 0.005  # strangers of one town stay out of review


def test_anchor_m_is_the_anchor_pairs_level_distribution_and_vetoed_pairs_teach_no_u() -> None:
    rng = np.random.default_rng(0)
    n = 40_000
    match = rng.random(n) < 0.2
    anchor = match & (rng.random(n) < 0.3)
    levels = {name: np.zeros(n, dtype=np.int8) for name in PARAMETERS["org"] if name != "prior"}
    levels["name"] = np.where(match, rng.choice([1, 3], n, p=[0.5, 0.5]), rng.choice([3, 6], n, p=[0.05, 0.95]))
    levels["city"] = np.where(match, rng.choice([1, 3], n, p=[0.95, 0.05]), rng.choice([1, 3], n, p=[0.2, 0.8]))
    levels["tax_id"] = np.where(anchor, 1, 0)
    vetoed = ~match & (rng.random(n) < 0.3)
    levels["numerals"] = np.where(vetoed, 3, 0)
    levels["name"] = np.where(vetoed, 2, levels["name"]).astype(np.int8)  # siblings: near-equal names, one town
    levels["city"] = np.where(vetoed, 1, levels["city"]).astype(np.int8)
    params = refine_from_anchor(levels, "org", anchor)
    m = [m for m, _ in params["name"][1:]]
    assert abs(m[2] - 0.5) < 0.05 and abs(m[0] - 0.5) < 0.05  # level 3 ("similar") as often as exact
    assert abs(params["prior"] - match.sum() / (~vetoed).sum()) < 0.02
    u = [u for _, u in params["name"][1:]]
    assert u[1] < 0.01  # near-equal names among non-vetoed strangers are rare; the siblings were vetoed
    prob = score(levels, "org", params=params).probability
    assert (prob[match & (levels["name"] == 3) & (levels["city"] == 1)] > 0.5).all()
    assert refine_from_anchor(levels, "org", anchor & (rng.random(n) < 0.01)) is PARAMETERS["org"]  # too few
