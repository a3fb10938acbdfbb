"""Comparison: for each candidate pair, one *level* per compared field (Fellegi–Sunter / Splink style).

Similarities are computed pair-wise and vectorised with :func:`rapidfuzz.process.cpdist` over the
candidate pairs (one C call per scorer instead of a Python loop per pair). Each comparison maps its
similarity to a small integer level; level 0 always means "missing on at least one side" and weighs
nothing. The level labels in :data:`LEVELS` are what reviewers see in a queued pair's features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

#: Level labels per comparison (index = level).
LEVELS: dict[str, dict[str, tuple[str, ...]]] = {
    "org": {
        "name": ("missing", "exact", "near-exact (>=95)", "similar (>=88)", "subset of tokens", "weak (>=75)",
                 "different"),
        "numerals": ("none", "same fund numerals", "numeral on one side only", "fund numeral conflict"),
        "domain": ("missing", "same domain", "different domain"),
        "tax_id": ("missing", "same tax id", "different tax id"),
        "city": ("missing", "same city", "similar city", "different city"),
        "country": ("missing", "same country", "different country"),
    },
    "contact": {
        "first_name": ("missing", "exact", "nickname/variant", "similar (>=0.9)", "initial only", "different"),
        "last_name": ("missing", "exact", "near-exact (>=0.92)", "similar (>=0.8)", "different"),
        "email": ("missing", "same email", "same role mailbox", "same local part", "similar local part",
                  "different"),
        "phone": ("missing", "same phone", "same last 7 digits", "different"),
        "company": ("missing", "same company", "similar company", "different company"),
        "city": ("missing", "same city", "similar city", "different city"),
        "postcode": ("missing", "same postcode", "different postcode"),
        "date_of_birth": ("missing", "same date", "one part differs", "different"),
    },
}


def _pairwise(values: list, i: np.ndarray, j: np.ndarray) -> tuple[list, list, np.ndarray]:
    arr = np.asarray(values, dtype=object)
    a, b = arr[i], arr[j]
    missing = np.fromiter(((x is None or y is None) for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a))
    return [x or "" for x in a], [y or "" for y in b], missing


def _sim(a: list, b: list, scorer, workers: int) -> np.ndarray:
    if not a:
        return np.empty(0)
    return np.asarray(process.cpdist(a, b, scorer=scorer, workers=workers), dtype=float)


def _equal(a: list, b: list) -> np.ndarray:
    return np.fromiter((x == y for x, y in zip(a, b, strict=True)), dtype=bool, count=len(a))


def _simple(values: list, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Levels missing / equal / different."""
    a, b, missing = _pairwise(values, i, j)
    return np.select([missing, _equal(a, b)], [0, 1], 2).astype(np.int8)


def _city(values: list, i: np.ndarray, j: np.ndarray, workers: int) -> np.ndarray:
    a, b, missing = _pairwise(values, i, j)
    jw = _sim(a, b, JaroWinkler.normalized_similarity, workers)
    return np.select([missing, _equal(a, b), jw >= 0.9], [0, 1, 2], 3).astype(np.int8)


def compare_orgs(df: pd.DataFrame, pairs: np.ndarray, workers: int = 1) -> tuple[dict[str, np.ndarray], dict]:
    """Levels for organisation pairs, plus raw similarities (``name_similarity`` 0-100)."""
    i, j = pairs[:, 0], pairs[:, 1]
    a, b, missing = _pairwise(df["n_name"].tolist(), i, j)
    sort = _sim(a, b, fuzz.token_sort_ratio, workers)
    jw = _sim(a, b, JaroWinkler.normalized_similarity, workers) * 100
    tset = _sim(a, b, fuzz.token_set_ratio, workers)
    best = np.maximum(sort, jw)
    name = np.select([missing, _equal(a, b), best >= 95, best >= 88, tset >= 95, best >= 75],
                     [0, 1, 2, 3, 4, 5], 6).astype(np.int8)
    na, nb, _ = _pairwise(df["n_numerals"].tolist(), i, j)
    has_a = np.fromiter((bool(x) for x in na), dtype=bool, count=len(na))
    has_b = np.fromiter((bool(x) for x in nb), dtype=bool, count=len(nb))
    numerals = np.select([~has_a & ~has_b, has_a & has_b & _equal(na, nb), has_a ^ has_b], [0, 1, 2], 3).astype(np.int8)
    levels = {
        "name": name,
        "numerals": numerals,
        "domain": _simple(df["n_domain"].tolist(), i, j),
        "tax_id": _simple(df["n_tax_id"].tolist(), i, j),
        "city": _city(df["n_city"].tolist(), i, j, workers),
        "country": _simple(df["n_country"].tolist(), i, j),
    }
    return levels, {"name_similarity": np.round(np.where(missing, 0, best), 1)}


def compare_contacts(df: pd.DataFrame, pairs: np.ndarray, workers: int = 1) -> tuple[dict[str, np.ndarray], dict]:
    """Levels for contact pairs. Names are compared in the better of direct and swapped orientation."""
    i, j = pairs[:, 0], pairs[:, 1]
    fa, fb, f_missing = _pairwise(df["n_first"].tolist(), i, j)
    la, lb, l_missing = _pairwise(df["n_last"].tolist(), i, j)
    ca, cb, _ = _pairwise(df["n_first_canon"].tolist(), i, j)
    jw = JaroWinkler.normalized_similarity
    f_sim = _sim(fa, fb, jw, workers)
    l_sim = _sim(la, lb, jw, workers)
    # swapped orientation: first_a vs last_b and last_a vs first_b
    fx = _sim(fa, lb, jw, workers)
    lx = _sim(la, fb, jw, workers)
    swapped = (~f_missing & ~l_missing) & ((fx + lx) > (f_sim + l_sim) + 0.2) & (fx >= 0.9) & (lx >= 0.9)
    f_sim = np.where(swapped, fx, f_sim)
    l_sim = np.where(swapped, lx, l_sim)
    f_exact = np.where(swapped, _equal(fa, lb), _equal(fa, fb))
    l_exact = np.where(swapped, _equal(la, fb), _equal(la, lb))
    canon_eq = _equal(ca, cb) & ~swapped
    initial = np.fromiter(((len(x) == 1 or len(y) == 1) and x[:1] == y[:1] for x, y in zip(fa, fb, strict=True)),
                          dtype=bool, count=len(fa))
    first = np.select([f_missing, f_exact, canon_eq, f_sim >= 0.9, initial], [0, 1, 2, 3, 4], 5).astype(np.int8)
    last = np.select([l_missing, l_exact, l_sim >= 0.92, l_sim >= 0.8], [0, 1, 2, 3], 4).astype(np.int8)

    ea, eb, e_missing = _pairwise(df["n_email"].tolist(), i, j)
    role = np.asarray(df["n_email_role"].tolist(), dtype=bool)[i]
    xa, xb, _ = _pairwise(df["n_email_local"].tolist(), i, j)
    local_sim = _sim(xa, xb, jw, workers)
    e_equal = _equal(ea, eb)
    email = np.select([e_missing, e_equal & ~role, e_equal & role, _equal(xa, xb) & ~role, local_sim >= 0.9],
                      [0, 1, 2, 3, 4], 5).astype(np.int8)

    pa, pb, p_missing = _pairwise(df["n_phone"].tolist(), i, j)
    tail = np.fromiter((x[-7:] == y[-7:] for x, y in zip(pa, pb, strict=True)), dtype=bool, count=len(pa))
    phone = np.select([p_missing, _equal(pa, pb), tail], [0, 1, 2], 3).astype(np.int8)

    cpa, cpb, cp_missing = _pairwise(df["n_company"].tolist(), i, j)
    c_sim = np.maximum(_sim(cpa, cpb, fuzz.token_sort_ratio, workers), _sim(cpa, cpb, jw, workers) * 100)
    company = np.select([cp_missing, _equal(cpa, cpb) | (c_sim >= 95), c_sim >= 80], [0, 1, 2], 3).astype(np.int8)

    da, db, d_missing = _pairwise(df["n_dob"].tolist(), i, j)
    one_part = np.fromiter((sum(p != q for p, q in zip(x.split("-"), y.split("-"), strict=False)) == 1
                            or (x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7])
                            for x, y in zip(da, db, strict=True)), dtype=bool, count=len(da))
    dob = np.select([d_missing, _equal(da, db), one_part], [0, 1, 2], 3).astype(np.int8)

    levels = {
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": phone,
        "company": company,
        "city": _city(df["n_city"].tolist(), i, j, workers),
        "postcode": _simple(df["n_postcode"].tolist(), i, j),
        "date_of_birth": dob,
    }
    return levels, {"names_swapped": swapped, "first_name_similarity": np.round(f_sim, 3),
                    "last_name_similarity": np.round(l_sim, 3)}


def compare(df: pd.DataFrame, pairs: np.ndarray, kind: str, workers: int = 1) -> tuple[dict[str, np.ndarray], dict]:
    if kind == "org":
        return compare_orgs(df, pairs, workers)
    return compare_contacts(df, pairs, workers)
