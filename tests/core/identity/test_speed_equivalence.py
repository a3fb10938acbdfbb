"""The resolver's speed-ups change no result: on a generated organisation set (the benchmark's tuning
generator), each shortcut gives exactly what the direct computation gives — normalising each distinct
value once, sharing sort ranks between blocking keys and merging their pairs (in worker processes too), and the name similarities
computed on presorted words / with a score cutoff."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz, process

from crmhub.identity import blocking
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
                              ("tax_id", "n_tax_id", nz.normalize_tax_id), ("country", "n_country", nz.normalize_country)):
        expected = [func(v) if v is not None else None for v in prepared[raw].tolist()]
        assert prepared[column].tolist() == expected, column
    # a town is read with the record's country: any town in a city state is its seat (nz.town_in_country)
    towns = [nz.town_in_country(nz.normalize_city(t), nz.stated_country(c)) if t is not None else None
             for t, c in zip(prepared["city"].tolist(), prepared["country"].tolist(), strict=True)]
    assert prepared["n_city"].tolist() == towns
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


def test_candidate_pairs_made_by_worker_processes_are_the_same(prepared: pd.DataFrame, monkeypatch) -> None:
    one, per_key_one = candidate_pairs(prepared, "org", workers=1)
    monkeypatch.setattr(blocking, "PARALLEL_MIN_RECORDS", 0)
    two, per_key_two = candidate_pairs(prepared, "org", workers=2)
    assert np.array_equal(one, two) and per_key_one == per_key_two
    assert list(per_key_two) == [bk.name for bk in keys_for("org")]


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


def test_name_similarities_once_per_distinct_pair_equal_the_scorers_per_pair(prepared: pd.DataFrame) -> None:
    from rapidfuzz.distance import JaroWinkler

    from crmhub.identity.comparison import _name_similarities

    pairs, _ = candidate_pairs(prepared, "org")
    pairs = np.concatenate([pairs, pairs[::7]])  # repeated pairs share one computation
    i, j = pairs[:, 0], pairs[:, 1]
    name = Encoded(prepared).n_name
    todo = ~name.missing(i, j) & ~name.equal(i, j)
    best, tset = _name_similarities(name, i, j, np.flatnonzero(todo), workers=1)
    sort = name.similarity(i, j, fuzz.ratio, where=todo, values=name.sorted_words)
    jw = name.similarity(i, j, JaroWinkler.normalized_similarity, scale=100.0, where=todo)
    direct_best = np.maximum(sort, jw)
    direct_set = name.similarity(i, j, fuzz.token_set_ratio, where=todo & (direct_best < 88), score_cutoff=95)
    assert np.array_equal(best, direct_best) and np.array_equal(tset, direct_set)
    assert (tset >= 95).any() and ((best >= 95) & todo).any() and (best[todo] < 75).any()


def test_cut_text_of_ascii_text_is_the_folded_text_without_punctuation() -> None:
    import random
    import re

    def direct(text: str) -> str:  # what every text that is not ASCII takes
        return " ".join(re.sub(r"[^\w\s]+", "", nz.fold(text)).split())

    rng = random.Random(7)
    ascii_chars = [chr(c) for c in range(128)]
    texts = ["".join(rng.choice(ascii_chars) for _ in range(rng.randint(0, 40))) for _ in range(20_000)]
    texts += ["Blue Ridge Infrastructure Opp.", "Harbor Capital Partners Fund  ", "ABC`s & Co. (Cay", "x\x1cy\tz_1",
              "Société Générale Private Equity"]
    assert [nz.cut_text(t) for t in texts] == [direct(t) for t in texts]


#: Pairs of names at the edges of what ``fuzz.token_set_ratio`` reads: one word set inside the other, a word
#: repeated, no common word but the same letters, long common words beside a short own word (the common
#: words' ratio), one letter apart, digits, accents and other scripts, a tab, double and leading spaces, one
#: letter many times (over the capped count), empty and one-word names.
_TOKEN_SET_EDGES = [
    ("harbor capital partners", "harbor capital"), ("harbor harbor capital", "capital harbor"),
    ("quinwell stone", "stone quinwell"), ("stonequinwell", "quinwell stone"), ("abc def", "fed cba"),
    ("northgate real assets infrastructure opportunities fund x", "northgate real assets infrastructure opportunities fund y"),
    ("northgate real assets infrastructure opportunities fund", "northgate real assets infrastructure opportunities fund 2"),
    ("northgate real assets infrastructure opportunities ab", "northgate real assets infrastructure opportunities abc"),
    ("blue ridge partners", "blue ridge partner"), ("blue ridge partners", "blue ridge partnrs"),
    ("fund 2 lp", "fund 3 lp"), ("fund 12", "fund 21"), ("société générale", "societe generale"),
    ("北京 资本", "北京 资本 管理"), ("москва капитал", "москва капитал групп"), ("harbor\tcapital", "harbor capital"),
    ("harbor  capital", "harbor capital"), (" harbor capital", "harbor capital"), ("a" * 300, "a" * 299),
    ("a" * 200 + " b", "a" * 200 + " c"), ("", "harbor"), ("harbor", ""), ("x", "y"), ("x", "x y"), ("ab", "ba"),
]


@pytest.mark.parametrize("cutoff", [95, 90, 80, 100])
def test_token_set_pre_test_never_rules_out_a_pair_that_reaches_the_cutoff(prepared: pd.DataFrame, cutoff: int) -> None:
    from crmhub.identity.comparison import Column, token_set_may_reach

    rng = np.random.default_rng(cutoff)
    words = ["harbor", "harbour", "capital", "cap", "partners", "partner", "fund", "funds", "ii", "2", "lp", "a", "ab", "ba"]
    drawn = [" ".join(rng.choice(words, int(rng.integers(1, 7)))) for _ in range(600)]
    values = [v for v in prepared["n_name"].tolist() if v][:600]
    left = [a for a, _ in _TOKEN_SET_EDGES] + drawn + values + drawn
    right = [b for _, b in _TOKEN_SET_EDGES] + drawn[::-1] + values[::-1] + [v + " x" for v in drawn]
    col = Column(left + right)
    i = np.arange(len(left))
    j = i + len(left)
    may = token_set_may_reach(col, i, j, cutoff)
    reach = np.asarray(process.cpdist(left, right, scorer=fuzz.token_set_ratio, score_cutoff=cutoff)) >= cutoff
    assert not (reach & ~may).any(), [(left[k], right[k]) for k in np.flatnonzero(reach & ~may)]
    assert reach.any() and (~may).sum() > (len(left) // 4 if cutoff >= 95 else 0)  # it does rule pairs out
    assert may[[left.index("harbor\tcapital"), left.index(" harbor capital")]].all()  # odd spacing: rapidfuzz's
    missing = Column([None, "harbor capital"])
    assert token_set_may_reach(missing, np.array([0, 1]), np.array([1, 0]), cutoff).all()


#: Names as sources cut them at a field length (30, 35, 40 characters), beside the full names: cuts within a
#: word, just after a word (a trailing space), at a word's end, with accents and punctuation the cut text
#: drops, repeated names and a missing one.
_FULL_NAMES = ["Blue Ridge Infrastructure Opportunities Fund II LP", "Harbor Capital Partners Fund IV, L.P.",
               "Société Générale Private Equity Partners Fund III", "Kestrel Growth Equity Partners III (Cayman)",
               "Harbor Capital Partners", "Quinwell Stone Investment Management Co", "Northgate Real Assets Fund I"]


def test_cut_from_pairs_equal_cut_from_per_pair() -> None:
    from crmhub.identity.comparison import _cut_from_pairs

    names = [*_FULL_NAMES, *(n[:k] for n in _FULL_NAMES for k in (30, 35, 40) if len(n) > k),
             "Blue Ridge Infrastructure Opp.", "Harbor Capital Partners Fund  ", "BLUE RIDGE INFRASTRUCTURE OPPO",
             _FULL_NAMES[0], None]
    enc = Encoded(pd.DataFrame({"name": names}))
    cut, raw = enc.cut_names, enc.df["name"].to_numpy(dtype=object)
    short, full = (a.ravel() for a in np.meshgrid(np.arange(len(names)), np.arange(len(names)), indexing="ij"))
    check = np.array([cut[s] is not None and isinstance(raw[f], str) for s, f in zip(short, full, strict=True)])
    expected = [bool(c) and nz.cut_from(cut[s], raw[f]) for s, f, c in zip(short, full, check, strict=True)]
    for _ in range(2):  # the second pass reads the texts written in the first
        assert _cut_from_pairs(enc, short, full, check).tolist() == expected
    assert 5 < sum(expected) < check.sum()


#: Full names and the same names respelt (typos, abbreviations either way, accents, case, punctuation): cut at
#: the field lengths below, within a word, just after one and at its end, they are read against each other.
_RESPELT_NAMES = [*_FULL_NAMES, "Celzura Public School Employees' Retirement System",
                  "Celzura Pub School Employees Retirement Sys", "Plurlock County Employees' Retirement Association",
                  "Plurlock Coonty Employees Retirement Association", "Slerken Infrastructure Fund VIII EUR",
                  "Slerken Infra Fund VIII EUR SCSp", "KESTREL GROWTH EQUITY PTNRS III (CAYMAN) L.P.",
                  "Kestrel Growth Equity Partners III (Cay) LP", "Société Générale Priv. Equity Partners Fund III",
                  "Blue Ridge Infrastrcture Opportunities Fund II LP", "Quinwell Stone Invt Mgmt Company Limited",
                  "Harbor Capital Partners Fund IV, L.P. (Delaware)", "A.B.C. Capital Partners Fund IV L.P. (Del",
                  "------------------------------", "Harbor Capital Partners Fund & Co", "Harbor Capital Partners Fd"]


def test_cut_name_pre_test_never_rules_out_a_pair_either_reading_accepts() -> None:
    from unittest import mock

    from crmhub.identity import comparison as c

    names = list(_RESPELT_NAMES)
    for name in _RESPELT_NAMES:
        for k in sorted(nz.NAME_FIELD_LIMITS):
            if len(name) > k:
                names += [name[:k], name[:k - 1] + " "]  # cut within or after a word, and just after one
    names += [None, names[3]]
    enc = c.Encoded(pd.DataFrame({"name": names}))
    cut, texts = enc.cut_names, enc.raw_cut_texts(np.arange(len(names) - 2))
    short, full = (a.ravel() for a in np.meshgrid(np.arange(len(names)), np.arange(len(names) - 2), indexing="ij"))
    has_cut = np.array([cut[s] is not None for s in short])
    short, full = short[has_cut], full[has_cut]
    may = c._may_be_cut_from(enc, short, full)
    read = np.array([texts[f][:1] == cut[s][:1] and (nz.cut_prefix_of(cut[s], texts[f]) or c.respelt_cut_of(cut[s], texts[f]))
                     for s, f in zip(short.tolist(), full.tolist(), strict=True)])
    assert not (read & ~may).any(), [(cut[s], texts[f]) for s, f in zip(short[read & ~may], full[read & ~may], strict=True)]
    assert read.sum() > 20 and (~may).sum() > len(may) // 2  # both readings accept pairs, and most are ruled out
    check = np.ones(len(short), dtype=bool)
    with mock.patch.object(c, "_may_be_cut_from", lambda enc, s, f: np.ones(len(s), dtype=bool)):
        every = c._cut_from_pairs(c.Encoded(pd.DataFrame({"name": names})), short, full, check)
    assert (c._cut_from_pairs(enc, short, full, check) == every).all() and (every == read).all()


def test_cut_text_words_are_each_word_of_each_raw_name_packed(prepared: pd.DataFrame) -> None:
    from crmhub.identity import comparison as c

    df = prepared.copy()
    df.loc[:2, "name"] = [None, " ", "Fund  IV (Cay"]  # no name, a blank one, runs of spaces
    enc = c.Encoded(df)
    first, count, start, packed, lengths = enc.cut_text_words
    texts = [enc.raw_cut_texts(np.array([r]))[0] if isinstance(v, str) else "" for r, v in enumerate(df["name"])]
    for r, text in enumerate(texts):
        words = text.split()
        assert first[r] == (ord(text[0]) if text else -1) and count[r] == len(words)
        at = slice(start[r], start[r] + count[r])
        assert packed[at].tolist() == [c._packed(w) for w in words] and lengths[at].tolist() == [len(w) for w in words]


def _split_run_together_word_by_word(words: set, others: set, brands: set) -> set:
    """:func:`crmhub.identity.comparison._split_run_together` trying every split of every word."""
    from crmhub.identity.comparison import _word_matches

    out = set()
    for word in words:
        for k in range(2, len(word) - 1):
            head, tail = word[:k], word[k:]
            if (head in others and (tail in others or _word_matches(tail, others, brands))) or (
                    tail in others and _word_matches(head, others, brands)):
                out.update((head, tail))
                break
        else:
            out.add(word)
    return out


def _word_matches_uncached(word: str, others: set, brands: set) -> bool:
    from crmhub.identity import comparison as c

    for other in others:
        brand = word in brands or other in brands
        if c._typo_of(word, other) and (not brand or c._brand_typo(word, other)):
            return True
        if brand:
            continue
        short, long_ = (word, other) if len(word) <= len(other) else (other, word)
        if c._abbreviation_of(short, long_) or c._misspelt_abbreviation(short, long_) or \
                c._abbreviation_of_typo(short, long_) or c._misspelt_table_abbreviation(short, long_):
            return True
    return False


@pytest.mark.parametrize(("words", "others", "brands"), [
    ({"maplereal"}, {"maple", "real"}, {"maple"}), ({"cappartners"}, {"capital", "partners"}, set()),
    ({"lunarfd"}, {"lunar", "fund"}, {"lunar"}), ({"pubemployees", "mgmt"}, {"pub", "employees", "management"}, set()),
    ({"ab"}, {"a", "b"}, set()), ({"abc"}, {"ab", "c", "bc"}, set()), ({"harborcap"}, {"harbor", "cap"}, {"harborcap"}),
    ({"investmentsco"}, {"co", "invst"}, set()), ({"bayside"}, {"bay", "sidee"}, {"bay"}), ({"quinwell"}, {"quijwell"}, set()),
])
def test_split_and_word_checks_equal_the_word_by_word_ones(words: set, others: set, brands: set) -> None:
    from crmhub.identity.comparison import _split_run_together, _word_matches

    assert _split_run_together(words, others, brands) == _split_run_together_word_by_word(words, others, brands)
    for w in words | {"mgmt", "invt", "ptnrs", "cap", "hgray", "irno", "hall"}:
        for o in (others, {"management", "investment", "partners", "capital", "hill", "grey"}):
            for b in (brands, {w}, set()):
                assert _word_matches(w, o, b) == _word_matches_uncached(w, o, b), (w, o, b)


def test_same_words_on_the_generated_names_equal_the_word_by_word_check(prepared: pd.DataFrame) -> None:
    from unittest import mock

    from crmhub.identity import comparison as c

    pairs, _ = candidate_pairs(prepared, "org")
    values = Encoded(prepared).n_name.values
    names = [(values[a], values[b]) for a, b in pairs[:20_000].tolist() if values[a] and values[b]]
    fast = [c.same_words(a, b) for a, b in names]
    with mock.patch.object(c, "_split_run_together", _split_run_together_word_by_word), \
            mock.patch.object(c, "_word_matches", _word_matches_uncached):
        slow = [c.same_words(a, b) for a, b in names]
    assert fast == slow and 10 < sum(fast) < len(fast)


def _strip_trailing_forms_trying_every_tail(tokens: list[str]) -> str | None:
    """:func:`crmhub.identity.normalize._strip_trailing_forms` looking every tail up, without its pre-test."""
    form, found = None, True
    while found and len(tokens) > 1 and tokens[-1] in nz._TRAILING_LAST_WORDS:
        found = False
        for size in range(min(nz._TRAILING_MAX, len(tokens) - 1), 0, -1):
            tail = tuple(tokens[-size:])
            if tail in nz._TRAILING_FORMS:
                form = form or nz._form_class(tail)
                del tokens[-size:]
                nz._strip_jurisdiction_descriptor(tokens)
                found = True
                break
    return form


def test_trailing_form_pre_test_never_skips_a_form_the_lookup_finds(prepared: pd.DataFrame) -> None:
    assert all(form[0] in nz._TRAILING_FIRST_WORDS for form in nz._TRAILING_FORMS)
    words = [list(nz.org_name_tokens(v)) for v in prepared["name"].dropna().tolist()]
    # every form closing a name, also after another form and after a jurisdiction ("a Delaware ...")
    words += [["harbor", "capital", *extra, *form] for form in sorted(nz._TRAILING_FORMS)
              for extra in ([], ["lp"], ["a", "delaware"], list(form))]
    for tokens in words:
        fast, slow = list(tokens), list(tokens)
        assert (nz._strip_trailing_forms(fast), fast) == (_strip_trailing_forms_trying_every_tail(slow), slow), tokens


def _currency_marks_read_in_full(marks: set[str], raw: list[str]) -> set[str]:
    """:func:`crmhub.identity.normalize._currency_marks` without its pre-test (every name read in full)."""
    first = next((k for k, t in enumerate(raw) if k and nz._is_numeral(t)), len(raw))
    currencies = {t for t in raw[first + 1:] if t in nz._CURRENCIES}
    if "eur" in currencies and not ({"eur", "europe", "european"} & set(raw[1:first])
                                    or {"europe", "european"} & set(raw[first + 1:])):
        marks = marks - {"europe"}
    if "eur" in raw[1:first]:
        marks = marks | {"europe"}
    return marks | currencies


def test_currency_pre_test_never_skips_a_name_the_full_reading_changes(prepared: pd.DataFrame) -> None:
    names = [*prepared["name"].dropna().tolist(), "Harbor Eur Fund VII", "Harbor Fund IX EUR", "Harbor Europe Fund 9 EUR",
             "Harbor Fund 9 USD", "Harbor Infrastructure Fund IV EUR", "Harbor European Partners III"]
    for name in names:
        raw = list(nz._written_tokens(name))
        marks = nz._token_marks(nz.org_name_tokens(name))
        assert nz._currency_marks(set(marks), raw) == _currency_marks_read_in_full(set(marks), raw), name
    assert nz.vehicle_marks("Harbor Fund IX EUR") >= {"9", "eur"} and "europe" in nz.vehicle_marks("Harbor Eur Fund VII")


def test_the_partnership_law_is_read_with_the_other_name_features(prepared: pd.DataFrame) -> None:
    # read once when preparing (the parse of the name is cached then), not by a second parse at comparison
    expected = [nz.partnership_law(v) for v in prepared["name"].tolist()]
    assert prepared["n_partnership_law"].tolist() == expected
    assert {"luxembourg", "common law"} <= set(expected)


def test_membership_of_a_set_of_places_is_the_elementwise_one(prepared: pd.DataFrame) -> None:
    city = Encoded(prepared).n_city
    places = nz.REGISTERED_OFFICE_TOWNS
    expected = np.array([v in places for v in city.values.tolist()])
    assert expected.any() and (city.member_of(places) == expected).all()
    assert city.member_of(places) is city.member_of(places)  # judged once per run, not once per chunk


def test_one_spelling_is_one_spelling_key(prepared: pd.DataFrame) -> None:
    from crmhub.identity.comparison import one_spelling

    names = [v for v in prepared["n_name"].tolist() if v][:400]
    pairs = [(a, b) for a, b in zip(names, names[1:], strict=False)] + [("lake line ventures", "lakeline venture")]
    assert [one_spelling(a, b) for a, b in pairs] == [nz.name_spelling_key(a) == nz.name_spelling_key(b) for a, b in pairs]
    assert one_spelling("lake line ventures", "lakeline venture")


def test_names_parsed_in_worker_processes_are_parsed_as_in_this_one(prepared: pd.DataFrame) -> None:
    from crmhub.identity.parallel import processes
    from crmhub.identity.records import _map_org_names

    names = prepared["name"].tolist() + [None]
    if processes(2) < 2:
        pytest.skip("this process cannot start worker processes")
    assert _map_org_names(names, 2, min_parallel=1) == _map_org_names(names, 1)


def test_a_daemonic_worker_parses_in_its_own_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # Celery's prefork pool runs tasks in daemonic processes, which may not start children
    import multiprocessing

    from crmhub.identity.parallel import forked_map, processes

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert processes(-1) == 1 and processes(4) == 1
    assert forked_map(lambda x, part: x * part, (3,), [1, 2], -1) == [3, 6]  # computed here


def test_pairs_compared_in_worker_processes_are_compared_as_in_this_one(prepared: pd.DataFrame) -> None:
    from crmhub.identity.comparison import compare
    from crmhub.identity.parallel import processes

    if processes(2) < 2:
        pytest.skip("this process cannot start worker processes")
    pairs, _ = candidate_pairs(prepared, "org")
    chunk = len(pairs) // 3 + 1  # three chunks: the first here, two in worker processes
    one_levels, one_extras = compare(Encoded(prepared), pairs, "org", workers=1, chunk=chunk)
    levels, extras = compare(Encoded(prepared), pairs, "org", workers=2, chunk=chunk)
    assert all((levels[k] == one_levels[k]).all() for k in one_levels)
    assert (extras["name_similarity"] == one_extras["name_similarity"]).all()
    assert (extras["cut_name"] == one_extras["cut_name"]).all()


def test_name_pairs_judged_in_worker_processes_are_judged_as_in_this_one(prepared: pd.DataFrame,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from crmhub.identity import comparison
    from crmhub.identity.parallel import processes

    if processes(2) < 2:
        pytest.skip("this process cannot start worker processes")
    pairs, _ = candidate_pairs(prepared, "org")
    check = np.ones(len(pairs), dtype=bool)
    alone = comparison.per_name_pair(Encoded(prepared).n_name, pairs, check, comparison.same_words)
    monkeypatch.setattr(comparison, "PARALLEL_MIN_NAME_PAIRS", 1)
    names = Encoded(prepared, workers=2).n_name
    assert names.workers == 2
    shared = comparison.per_name_pair(names, pairs, check, comparison.same_words)
    assert (shared[0] == alone[0]).all() and (shared[1] == alone[1]).all() and alone[1].any()
