"""Array primitives of a large run, written for the sizes a million records give.

numpy 2.4's ``np.unique`` without ``return_index`` / ``return_inverse`` / ``return_counts`` hashes its
input and is 10-100x slower on millions of integers than one sort (2M int64: 1.9 s against 0.02 s), and
``np.isin`` against a tuple of a few small integers builds a lookup table over an int64 copy of its input
(42.6M int8 levels: 0.44 s against 0.03 s for two comparisons). The identity stages call both on every
candidate pair, many times per run; these are the same results, computed the cheap way.
"""

from __future__ import annotations

import numpy as np


def unique_ints(values: np.ndarray, bound: int | None = None) -> np.ndarray:
    """``np.unique(values)`` for integers: sorted, each once. With ``bound`` (every value in
    ``[0, bound)``, as record indices or value codes are), by marking them; else by one sort."""
    values = np.asarray(values).ravel()
    if bound is not None:
        seen = np.zeros(bound, dtype=bool)
        seen[values] = True
        return np.flatnonzero(seen).astype(values.dtype, copy=False)
    if values.size == 0:
        return values
    values = np.sort(values)
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def any_of(values: np.ndarray, options: tuple) -> np.ndarray:
    """``np.isin(values, options)`` for a few ``options`` (comparison levels): one comparison each."""
    out = values == options[0]
    for option in options[1:]:
        out |= values == option
    return out


def among(values: np.ndarray, members: np.ndarray, bound: int) -> np.ndarray:
    """``np.isin(values, members)`` for integers in ``[0, bound)`` (record indices, cluster roots): by marking
    the members, one pass instead of a sort of both."""
    mark = np.zeros(bound, dtype=bool)
    mark[members] = True
    return mark[values]
