"""The resolver's speed-ups change no result: on a generated organisation set (the benchmark's tuning
generator), each shortcut gives exactly what the direct computation gives — normalising each distinct
value once, sharing sort ranks between blocking keys and merging their pairs, and the name similarities
computed on presorted words / with a score cutoff."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz, process

from crmhub.identity import normalize as nz
from crmhub.identity.blocking import candidate_pairs, keys_for, pairs_for_key
from crmhub.identity.comparison import Encoded
from crmhub.identity.records import prepare

_BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_identity.py"


@pytest.fixture(scope="module")
def prepared() -> pd.DataFrame:
    spec = importlib.util.spec_from_file_location("bench_identity_for_tests", _BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    df = bench.gen_orgs(3000, 7).drop(columns=["entity", "family", "role"], errors="ignore")
    # blocks far over the cap (one firm's domain, a popular last word in one town) exercise the sorted
    # windows in both reading directions
    df.loc[:199, "domain"] = "bigfirm.com"
    rng = np.random.default_rng(7)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    df.loc[200:399, "name"] = [f"H{''.join(rng.choice(letters, 6))} Capital Partners" for _ in range(200)]
    df.loc[200:399, "city"] = "Boston"
    return prepare(df, "org")


def test_prepare_gives_each_record_its_own_normalised_values(prepared: pd.DataFrame) -> None:
    for raw, column, func in (("name", "n_name", nz.normalize_org_name), ("name", "n_legal", nz.legal_form),
                              ("domain", "n_domain", nz.organisation_domain),
                              ("tax_id", "n_tax_id", nz.normalize_tax_id), ("city", "n_city", nz.normalize_city),
                              ("country", "n_country", nz.normalize_country)):
        expected = [func(v) if v is not None else None for v in prepared[raw].tolist()]
        assert prepared[column].tolist() == expected, column
    marks = [" ".join(sorted(nz.vehicle_marks(v))) if v else "" for v in prepared["name"].tolist()]
    assert prepared["n_numerals"].tolist() == marks
    assert prepared["name"].duplicated().any()  # the set repeats values, so the per-value cache is exercised


def test_fold_of_ascii_text_is_the_full_fold() -> None:
    import unicodedata

    def full_fold(text: str) -> str:  # the NFKD path every non-ASCII text takes
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
        return text.lower().translate(nz._FOLD)

    ascii_text = "".join(chr(c) for c in range(128))
    assert nz.fold(ascii_text) == full_fold(ascii_text)
    assert nz.fold("Zürich Straße\tØstfold") == full_fold("Zürich Straße\tØstfold") == "zurich strasse ostfold"


def _pairs_key_by_key(prepared: pd.DataFrame) -> np.ndarray:
    """Candidate pairs the direct way: each key's pairs over its own records, sorted by its own values,
    then all keys' pairs made unique with one sort."""
    n = len(prepared)
    codes = []
    for bk in keys_for("org"):
        key_values, sort_values = bk.key(prepared), bk.sort(prepared)
        cap = {"max_block": bk.max_block or 40, "window": bk.window or 10}
        if bk.multi:
            rows = [(r, k) for r, ks in enumerate(key_values) if ks for k in ks]
            idx = np.array([r for r, _ in rows])
            local = pairs_for_key([k for _, k in rows], [sort_values[r] for r in idx], **cap)
            local = local[idx[local[:, 0]] != idx[local[:, 1]]]
            found = [idx[local]]
        else:
            idx = np.array([i for i, k in enumerate(key_values) if k is not None])
            keys = [key_values[i] for i in idx]
            found = [idx[pairs_for_key(keys, [sort_values[i] for i in idx], **cap)]]
            if bk.reverse_pass:
                backwards = [sort_values[i][::-1] if sort_values[i] else sort_values[i] for i in idx]
                found.append(idx[pairs_for_key(keys, backwards, oversized_only=True, **cap)])
        for f in found:
            f = np.sort(f.reshape(-1, 2), axis=1)
            codes.append(f[:, 0] * n + f[:, 1])
    codes = np.unique(np.concatenate(codes))
    return np.stack([codes // n, codes % n], axis=1)


def test_candidate_pairs_are_the_union_of_each_keys_own_pairs(prepared: pd.DataFrame) -> None:
    pairs, _ = candidate_pairs(prepared, "org")
    assert np.array_equal(pairs, _pairs_key_by_key(prepared))


def test_name_similarity_shortcuts_equal_the_direct_scorers(prepared: pd.DataFrame) -> None:
    pairs, _ = candidate_pairs(prepared, "org")
    i, j = pairs[:, 0], pairs[:, 1]
    name = Encoded(prepared).n_name
    todo = ~name.missing(i, j) & ~name.equal(i, j)
    sel = np.flatnonzero(todo)
    a, b = name.values[i[sel]], name.values[j[sel]]
    # the sorted-words shortcut sets word order aside, so it also leaves out the words that only tell it
    ordered = [np.asarray([" ".join(w for w in v.split() if w not in nz.ORDER_FREE_WORDS) for v in side], dtype=object)
               for side in (a, b)]
    assert any("of" in v.split() for v in a), "the set has names with 'of'"
    direct_sort = np.asarray(process.cpdist(*ordered, scorer=fuzz.token_sort_ratio), dtype=float)
    direct_set = np.asarray(process.cpdist(a, b, scorer=fuzz.token_set_ratio), dtype=float)
    fast_sort = name.similarity(i, j, fuzz.ratio, where=todo, values=name.sorted_words)[sel]
    fast_set = name.similarity(i, j, fuzz.token_set_ratio, where=todo, score_cutoff=95)[sel]
    assert np.array_equal(fast_sort, direct_sort)
    assert np.array_equal(fast_set >= 95, direct_set >= 95)
    assert (direct_set >= 95).any() and (direct_set < 95).any()
