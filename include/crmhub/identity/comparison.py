"""Comparison: for each candidate pair, one *level* per compared field (Fellegi–Sunter / Splink style).

Each normalised column is encoded once per run as integer codes (``-1`` = missing), so equality and
missingness over millions of pairs are plain numpy operations. String similarities are computed
pair-wise and vectorised with :func:`rapidfuzz.process.cpdist` (one C call per scorer), and only for
the pairs whose level is not already decided by equality or missingness. Level 0 always means
"missing on at least one side" and weighs nothing. The level labels in :data:`LEVELS` are what
reviewers see in a queued pair's features.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from crmhub.identity.arrays import unique_ints
from crmhub.identity.normalize import (
    CUT_MARK,
    FUND_LEGAL_FORMS,
    GROUP_WORDS,
    HOLDING_CHAIN_MARKERS,
    NAME_FIELD_LIMITS,
    ORDER_FREE_WORDS,
    ORG_ABBREVIATIONS,
    ORGANISATION_KIND_WORDS,
    REGISTERED_OFFICE_COUNTRIES,
    REGISTERED_OFFICE_TOWNS,
    VEHICLE_MARKERS,
    cut_name_text,
    cut_prefix_of,
    cut_text,
    full_name_text,
    is_written_numeral,
    jurisdiction_first_words,
    jurisdiction_name,
    metro_area_central,
    metro_area_town_names,
    metro_area_towns,
    name_spelling_key,
    order_free_words,
    roman_to_int,
    tax_id_scheme,
    without_inner_and,
    written_numeral_value,
)
from crmhub.identity.parallel import forked_map, slices
from crmhub.identity.short_forms import (
    acronym_of_name,
    acronym_pair,
    brand_word,
    names_in_index_spelt_by,
    spelling_index,
    written_as_acronym,
)

#: Level labels per comparison (index = level).
LEVELS: dict[str, dict[str, tuple[str, ...]]] = {
    "org": {
        "name": ("missing", "exact", "near-exact (>=95, or the same words up to typos and abbreviations)", "similar (>=88)", "subset of tokens", "weak (>=75)",
                 "different"),
        "numerals": ("none", "same fund numerals / vehicle markers", "numeral or marker on one side only",
                     "fund numeral or vehicle conflict"),
        "domain": ("missing", "same domain", "different domain"),
        "tax_id": ("missing", "same tax id", "different tax id", "ids of two registers (different shapes)"),
        "city": ("missing", "same city", "similar city (a typo, or one written short)", "different city",
                 "different city, one a registered-office town (George Town, Luxembourg, Wilmington ...)"),
        "country": ("missing", "same country", "different country", "different country, one a fund domicile"),
        "legal_form": ("missing", "same legal form", "different legal form"),
        "words": ("not checked", "no conflicting word", "a distinctive word differs"),
    },
    "contact": {
        "first_name": ("missing", "exact", "nickname/variant", "similar (>=0.9 or one edit)", "initial only",
                       "different"),
        "last_name": ("missing", "exact", "near-exact (>=0.92)", "similar (>=0.8)", "different"),
        "email": ("missing", "same email", "same role mailbox", "same local part", "similar local part",
                  "different", "work and personal address"),
        "phone": ("missing", "same phone", "same last 7 digits", "different"),
        "company": ("missing", "same company", "similar company", "different company"),
        "city": ("missing", "same city", "similar city (>=0.9 or one edit)", "different city"),
        "postcode": ("missing", "same postcode", "one character differs", "different postcode"),
        "date_of_birth": ("missing", "same date", "one part differs", "different"),
    },
}


class Column:
    """One normalised column as strings (``""`` for missing) and integer codes (``-1`` for missing)."""

    #: processes that judge many pairs of its values (:func:`per_name_pair`; the run's, from :class:`Encoded`)
    workers = 1

    def __init__(self, values: list):
        self.codes, distinct = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        self.values = np.asarray(["" if v is None else v for v in values], dtype=object)
        #: the distinct values, missing left out (index = code)
        self.distinct = np.asarray(distinct, dtype=object)

    def per_value(self, func: Callable, rows: np.ndarray | None = None, dtype=object) -> np.ndarray:
        """``func(value)`` per record (of ``rows``, any shape; all when None), computed once per distinct
        value; ``dtype``'s empty value (None, False) where missing."""
        codes = self.codes if rows is None else self.codes[rows]
        need = np.arange(len(self.distinct)) if rows is None else unique_ints(codes[codes >= 0], len(self.distinct))
        done = np.full(len(self.distinct) + 1, None if dtype is object else 0, dtype=dtype)  # last: code -1
        done[need] = np.fromiter((func(v) for v in self.distinct[need].tolist()), dtype=dtype, count=len(need))
        return done[codes]

    @cached_property
    def lengths(self) -> np.ndarray:
        """Characters per value (0 for missing)."""
        return np.fromiter((len(v) for v in self.values), dtype=np.int64, count=len(self.values))

    @cached_property
    def sorted_words(self) -> np.ndarray:
        """Each value's words sorted and joined by one space, computed once per distinct value:
        ``fuzz.ratio`` of these is ``fuzz.token_sort_ratio`` of the values, without sorting per pair. Words
        that only tell the order (:data:`ORDER_FREE_WORDS`: "University of Michigan" / "Michigan
        University") are left out."""
        done = {v: order_free_words(v) for v in set(self.values.tolist())}
        return np.asarray([done[v] for v in self.values.tolist()], dtype=object)

    @cached_property
    def word_set_letters(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per code (one more row, last, for missing), what :func:`token_set_may_reach` reads of the value's
        set of words as ``fuzz.token_set_ratio`` forms it (split at whitespace, each word once): the length
        of those words joined by single spaces, their letters counted per :data:`LETTER_BUCKETS` buckets
        (code point modulo; a count capped at 127), and the total of those counts. Computed once per
        distinct value. A value with other whitespace than single spaces between words gets no letters,
        so that :func:`token_set_may_reach` lets every pair of it through to rapidfuzz."""
        words = []
        for value in self.distinct.tolist() + [""]:
            split = value.split()
            if " ".join(split) != value:
                words.append("")
            else:  # each word once, as rapidfuzz's set of them (most names repeat none)
                words.append(value if len(set(split)) == len(split) else " ".join(dict.fromkeys(split)))
        joined = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
        points = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
        row = np.repeat(np.arange(len(words), dtype=np.int64) * LETTER_BUCKETS, joined)
        keep = points != ord(" ")
        hist = np.bincount(row[keep] + (points[keep] % LETTER_BUCKETS), minlength=len(words) * LETTER_BUCKETS)
        hist = np.minimum(hist.reshape(len(words), LETTER_BUCKETS), 127).astype(np.int8)
        return joined, hist, hist.sum(axis=1, dtype=np.int64)

    @cached_property
    def frequency(self) -> np.ndarray:
        """Records per code (how common each value is), for term-frequency adjustments."""
        return np.bincount(self.codes[self.codes >= 0], minlength=1)

    @cached_property
    def initials_and_words(self) -> tuple[np.ndarray, np.ndarray]:
        """Per record, its value's first character (as a number; 0 when missing) and its count of spaces,
        computed once per distinct value: cheap tests that rule out most pairs before a string test."""
        _, first = np.unique(self.codes, return_index=True)  # a record per code (-1: missing)
        initial = np.zeros(int(self.codes.max(initial=-1)) + 2, dtype=np.int32)
        spaces = np.zeros_like(initial)
        for r in first.tolist():
            value = self.values[r]
            initial[self.codes[r] + 1], spaces[self.codes[r] + 1] = (ord(value[0]) if value else 0), value.count(" ")
        return initial[self.codes + 1], spaces[self.codes + 1]

    @cached_property
    def sorted_distinct(self) -> list[str]:
        """The column's distinct values, missing left out, sorted: the values that begin with a prefix are one
        slice of it (``bisect``)."""
        _, first = np.unique(self.codes, return_index=True)
        return sorted(v for v in self.values[first].tolist() if v)

    def member_of(self, values: frozenset) -> np.ndarray:
        """Per record, whether its value is one of ``values``; judged once per distinct value and kept for
        the run (a million-record run compares its pairs in chunks, each asking again)."""
        cache = self.__dict__.setdefault("_member_of", {})
        if values not in cache:
            _, first = np.unique(self.codes, return_index=True)  # a record per code (-1: missing)
            per_code = np.zeros(int(self.codes.max(initial=-1)) + 2, dtype=bool)
            per_code[self.codes[first] + 1] = [self.values[r] in values for r in first.tolist()]
            cache[values] = per_code[self.codes + 1]
        return cache[values]

    def missing(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return (self.codes[i] < 0) | (self.codes[j] < 0)

    def equal(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return (self.codes[i] == self.codes[j]) & (self.codes[i] >= 0)

    def similarity(self, i: np.ndarray, j: np.ndarray, scorer, workers: int = 1, scale: float = 1.0,
                   where: np.ndarray | None = None, values: np.ndarray | None = None,
                   score_cutoff: float | None = None) -> np.ndarray:
        """``scorer`` on the pairs selected by ``where`` (others 0), scaled by ``scale``; on ``values``
        (one per record, a function of the value: e.g. :attr:`sorted_words`) instead of the values when
        given; ``score_cutoff`` is rapidfuzz's (scores below it are 0, and cheaper to compute)."""
        out = np.zeros(len(i))
        sel = np.flatnonzero(where) if where is not None else np.arange(len(i))
        if sel.size:
            combo, rep = self.distinct_pairs(i[sel], j[sel])
            out[sel] = self.scores(i[sel[rep]], j[sel[rep]], scorer, workers, values, score_cutoff)[combo] * scale
        return out

    def distinct_pairs(self, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pairs ``(i, j)`` by their two values: each pair's combination number and one representative
        position per combination. Many pairs share the same two values (first names, cities, firms):
        a similarity is computed once per combination and broadcast."""
        a, b = self.codes[i].astype(np.int64), self.codes[j].astype(np.int64)
        width = int(self.codes.max()) + 2
        combo, first = pd.factorize((a + 1) * width + (b + 1))
        rep = np.zeros(len(first), dtype=np.int64)
        rep[combo[::-1]] = np.arange(len(combo))[::-1]  # the first position of each combination
        return combo, rep

    def scores(self, i: np.ndarray, j: np.ndarray, scorer, workers: int = 1, values: np.ndarray | None = None,
               score_cutoff: float | None = None) -> np.ndarray:
        """``scorer`` of the values (or ``values``, see :meth:`similarity`) of records ``i`` and ``j``, pair by pair."""
        strings = self.values if values is None else values
        return np.asarray(process.cpdist(strings[i], strings[j], scorer=scorer, workers=workers,
                                         score_cutoff=score_cutoff), dtype=float)


class Encoded:
    """Columns of a prepared frame, encoded lazily (each at most once per run)."""

    def __init__(self, df: pd.DataFrame, workers: int = 1):
        self.df = df
        self.workers = workers  # the run's (resolve's), passed on to its columns

    def __getattr__(self, name: str) -> Column:
        if name.startswith("n_") and name in self.df.columns:
            col = Column(self.df[name].tolist())
            col.workers = self.workers
            setattr(self, name, col)
            return col
        raise AttributeError(name)

    @cached_property
    def tax_scheme(self) -> Column:
        """The shape of each record's tax id (:func:`crmhub.identity.normalize.tax_id_scheme`)."""
        values = self.df["n_tax_id"].tolist()
        shapes = {v: tax_id_scheme(v) for v in set(values) if isinstance(v, str)}
        return Column([shapes.get(v) if isinstance(v, str) else None for v in values])

    @cached_property
    def fund_vehicle(self) -> np.ndarray:
        """Records that name a fund vehicle: a fund numeral or vehicle marker, or a fund legal form (LP, SCA, SICAV)."""
        marks = self.df["n_numerals"].tolist()
        forms = self.df["n_legal"].tolist()
        return np.fromiter((bool(m) or f in FUND_LEGAL_FORMS for m, f in zip(marks, forms, strict=True)), dtype=bool,
                           count=len(marks))

    @cached_property
    def of_forms(self) -> np.ndarray:
        """Per record, whether its normalised name has "of" after its first word ("... of <place>")."""
        return self.n_name.per_value(lambda v: " of " in v, dtype=bool)

    @cached_property
    def cut_of_forms(self) -> np.ndarray:
        """Per record, whether its cut name (:attr:`cut_names`) is written "... of <place>" (:func:`_cut_of_form`);
        False where there is none."""
        cuts = self.cut_names
        out = np.zeros(len(cuts), dtype=bool)
        rows = np.flatnonzero(cuts != None)  # noqa: E711 - elementwise on an object array
        out[rows] = np.fromiter(map(_cut_of_form, cuts[rows].tolist()), dtype=bool, count=len(rows))
        return out

    @cached_property
    def cut_names(self) -> np.ndarray:
        """Per record, the text of a name that may have been cut at a field length (:func:`cut_name_text`), else None."""
        names = self.df["name"].tolist()
        done = {v: cut_name_text(v) for v in set(names) if isinstance(v, str)}
        return np.asarray([done.get(v) if isinstance(v, str) else None for v in names], dtype=object)

    @cached_property
    def raw_name_codes(self) -> np.ndarray:
        """Per record, a code of its raw name (equal names, equal codes)."""
        return pd.factorize(self.df["name"], use_na_sentinel=False)[0].astype(np.int64)

    def raw_cut_texts(self, rows: np.ndarray) -> np.ndarray:
        """The raw names of records ``rows`` as :func:`cut_from` reads a full name
        (:func:`crmhub.identity.normalize.cut_text`), each distinct name written once per run."""
        if "_raw_cut_texts" not in self.__dict__:
            self._raw_cut_texts = np.full(int(self.raw_name_codes.max(initial=-1)) + 1, None, dtype=object)
        done, codes = self._raw_cut_texts, self.raw_name_codes[rows]
        todo = unique_ints(codes[done[codes] == None])  # noqa: E711 - elementwise on an object array
        if todo.size:
            names = self.df["name"].to_numpy(dtype=object)
            where = np.empty(len(done), dtype=np.int64)
            where[self.raw_name_codes[::-1]] = np.arange(len(self.raw_name_codes))[::-1]
            done[todo] = [cut_text(v) for v in names[where[todo]].tolist()]
        return done[codes]

    @cached_property
    def cut_text_words(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What :func:`_may_be_cut_from` reads of each record's raw name as :func:`cut_from` reads a full name
        (:meth:`raw_cut_texts`), once per distinct name: its first character (a code point; -1 when empty),
        its number of words, and where its words start in two flat arrays, also returned: each word's first
        :data:`_PACKED` characters packed (:func:`_packed`) and its length."""
        codes = self.raw_name_codes
        _, rep = np.unique(codes, return_index=True)  # a record per distinct raw name (index = code)
        named = self.cut_name_lengths[1][rep] >= 0  # no text where there is no name
        texts = np.full(len(rep), "", dtype=object)
        texts[named] = self.raw_cut_texts(rep[named])
        first = np.full(len(rep), -1, dtype=np.int64)
        count = np.zeros(len(rep), dtype=np.int64)
        words: list[str] = []  # every name's words, one after the other
        for code, text in enumerate(texts.tolist()):
            if text:
                first[code] = ord(text[0])
                split = text.split()
                count[code] = len(split)
                words += split
        packed = dict.fromkeys(words)  # each distinct word packed once: names repeat their words
        for word in packed:
            packed[word] = _packed(word)
        start = np.zeros(len(rep), dtype=np.int64)
        np.cumsum(count[:-1], out=start[1:])
        return (first[codes], count[codes], start[codes],
                np.fromiter(map(packed.__getitem__, words), dtype=np.int64, count=len(words)),
                np.fromiter(map(len, words), dtype=np.int64, count=len(words)))

    @cached_property
    def cut_name_ends(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What :func:`_may_be_cut_from` reads of each record's cut name (:attr:`cut_names`): its first
        character (-1 where there is none or it is empty), the words a full name needs (its words, one more
        when it ends with a space), and, where it ends inside a word, that last fragment's first
        :data:`_PACKED` characters packed (:func:`_packed`), a mask of their bits and its length (-1 when
        it ends with a space: the fragment is a whole word there)."""
        cuts = self.cut_names.tolist()
        n = len(cuts)
        first, need = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)
        end, mask, length = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.full(n, -1, dtype=np.int64)
        for r, cut in enumerate(cuts):
            if not cut or not cut.strip():
                continue
            words = cut.split()
            first[r] = ord(cut[0])
            need[r] = len(words) + cut.endswith(" ")
            if not cut.endswith(" "):
                last = words[-1]
                end[r], mask[r], length[r] = _packed(last), (1 << (_CHAR_BITS * min(len(last), _PACKED))) - 1, len(last)
        return first, need, end, mask, length

    @cached_property
    def cut_name_lengths(self) -> tuple[np.ndarray, np.ndarray]:
        """Per record, the length of its cut name (:attr:`cut_names`; a large number where there is none) and
        of its raw name (-1 where there is none)."""
        big = np.iinfo(np.int64).max
        cut = np.fromiter((big if c is None else len(c) for c in self.cut_names.tolist()), dtype=np.int64,
                          count=len(self.cut_names))
        raw = np.fromiter((len(v) if isinstance(v, str) else -1 for v in self.df["name"].tolist()), dtype=np.int64,
                          count=len(self.df))
        return cut, raw

    @cached_property
    def one_short_of_a_field(self) -> np.ndarray:
        """Per record, whether its name has no cut name (:attr:`cut_names`) and is one character short of a
        field length (:data:`_ONE_SHORT_OF_A_FIELD`): a field may have cut it on a space (:func:`cut_on_a_space`)."""
        cut, raw = self.cut_name_lengths
        return (cut == np.iinfo(np.int64).max) & np.isin(raw, _ONE_SHORT_OF_A_FIELD)

    @cached_property
    def name_words(self) -> np.ndarray:
        """Per record, the number of words of its raw name (0 where there is none)."""
        return np.fromiter((len(v.split()) if isinstance(v, str) else 0 for v in self.df["name"].tolist()),
                           dtype=np.int64, count=len(self.df))

    @cached_property
    def phone_tail(self) -> Column:
        return Column([p[-7:] if p else None for p in self.df["n_phone"].tolist()])

    @cached_property
    def first_initial(self) -> tuple[np.ndarray, np.ndarray]:
        firsts = self.df["n_first"].tolist()
        letters = pd.factorize(pd.Series([f[0] if f else None for f in firsts], dtype=object))[0]
        single = np.fromiter((bool(f) and len(f) == 1 for f in firsts), dtype=bool, count=len(firsts))
        return letters, single

    @cached_property
    def dob_parts(self) -> np.ndarray:
        out = np.full((len(self.df), 3), -1, dtype=np.int32)
        for k, d in enumerate(self.df["n_dob"].tolist()):
            if d:
                out[k] = (int(d[:4]), int(d[5:7]), int(d[8:10]))
        return out

    @cached_property
    def email_role(self) -> np.ndarray:
        return np.asarray(self.df["n_email_role"].tolist(), dtype=bool)


def _simple(col: Column, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Levels missing / equal / different."""
    return np.select([col.missing(i, j), col.equal(i, j)], [0, 1], 2).astype(np.int8)


def _tax_id(enc: Encoded, i: np.ndarray, j: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Levels missing / equal / different / different shapes (two registers' numbers, not a contradiction).

    Two registers of one entity are in one country: where the countries differ (``country`` level 2),
    numbers of different shapes are different entities' (a namesake abroad), so stay "different". In one
    country, a register number and the same digits without its register letter are one number
    (:func:`_register_letter_dropped`: "B253372" / "253372", the RCS Luxembourg number as a source keyed it).
    """
    col = enc.n_tax_id
    level = _simple(col, i, j)
    k = np.flatnonzero((level == 2) & (country != 2))
    if k.size:
        scheme = enc.tax_scheme
        k = k[scheme.codes[i[k]] != scheme.codes[j[k]]]
        same = np.fromiter((_register_letter_dropped(a, b) for a, b in zip(col.values[i[k]].tolist(),
                                                                            col.values[j[k]].tolist(), strict=True)),
                           dtype=bool, count=len(k))
        level[k] = np.where(same, 1, 3)
    return level


def _register_letter_dropped(a: str, b: str) -> bool:
    """One normalised tax id is the other's digits after a single register letter ("B253372" / "253372")."""
    if len(a) < len(b):
        a, b = b, a
    return len(a) == len(b) + 1 and a[0].isalpha() and a[1:] == b and b.isdigit()


def one_edit(col: Column, i: np.ndarray, j: np.ndarray, workers: int, where: np.ndarray,
             min_len: int = 3) -> np.ndarray:
    """Pairs (among ``where``) whose values differ by one edit or one swap of adjacent characters.

    Jaro-Winkler punishes a typo in a short value hard ("jade"/"jare" 0.87, "sma"/"sam" 0.56); one
    edit between values of at least ``min_len`` characters is a typo, not a different name.
    """
    where = where & (np.minimum(col.lengths[i], col.lengths[j]) >= min_len)
    dist = col.similarity(i, j, OSA.distance, workers, where=where)
    return where & (dist <= 1)


def _city(col: Column, i: np.ndarray, j: np.ndarray, workers: int) -> np.ndarray:
    missing, equal = col.missing(i, j), col.equal(i, j)
    jw = col.similarity(i, j, JaroWinkler.normalized_similarity, workers, where=~missing & ~equal)
    similar = (jw >= 0.9) | one_edit(col, i, j, workers, ~missing & ~equal & (jw < 0.9))
    return np.select([missing, equal, similar], [0, 1, 2], 3).astype(np.int8)


def town_written_short(a: str, b: str) -> bool:
    """Two normalised towns are one town, one written short: cut ("Phila" / "Philadelphia", "Wash", "Melb",
    or a comma the source put inside the name: "Palo, Alto" read "Palo"), contracted to its consonants
    keeping the last letter ("Sthlm", "Mpls": :func:`_abbreviation_of`), or the other written with a district
    or region after it ("Luxembourg Kirchberg", "Toronto Ontario") or a qualifier before it ("Greater London";
    five letters or more). The short side keeps four letters or more ("New", "To" name many towns), but for
    a town of two or three words written by its initials ("GT" / "George Town", as "SF", "LA" are written)."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    words = long_.split()
    if 2 <= len(short) <= 3 and 2 <= len(words) <= 3 and short == "".join(w[0] for w in words):
        return True
    if len(short.replace(" ", "")) < 4 or short == long_:
        return False
    if long_.startswith(short) or (len(short) >= 5 and long_.endswith(" " + short)):
        return True
    return " " not in long_ and _abbreviation_of(short, long_)


def _towns_written_short(level: np.ndarray, col: Column, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``level`` (:func:`_city`'s) with "different city" read as "similar city" where one town is the other
    written short (:func:`town_written_short`), judged once per distinct pair of towns. CRMs and billing
    systems abbreviate the town a fund administrator writes out; as a typo, it is one town written otherwise."""
    initial, spaces = col.initials_and_words
    # a town cut, contracted or written by its initials keeps its first letter; one with a qualifier or district
    # has more words
    check = (level == 3) & ((initial[i] == initial[j]) | (spaces[i] != spaces[j]))
    if check.any():
        level[name_pair_mask(col, np.stack([i, j], axis=1), check, town_written_short)] = 2
    return level


def _towns_of_one_area(level: np.ndarray, col: Column, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``level`` (:func:`_city`'s) with "different city" read as no evidence (level 0, as a missing town) where
    one town is a US metropolitan area's central city and the other a town of that area
    (:data:`crmhub.identity.normalize.METRO_AREA_TOWNS`: "Los Angeles" / "Santa Monica"): an office in a
    suburb is written by one source as its town and by another as the city the area is known by. Not
    "similar city" either (that is one town written otherwise), and two towns of one area that are
    neither its central city are still two towns."""
    suburb = col.member_of(metro_area_town_names())  # few records: the pairs to read are found on them
    k = np.flatnonzero((suburb[i] | suburb[j]) & (level == 3))  # level 3: both towns named (codes >= 0)
    if not k.size:
        return level
    towns = col.distinct.tolist()
    centre = np.fromiter(map(metro_area_central, towns), dtype=np.int64, count=len(towns))
    member = np.fromiter(map(metro_area_towns, towns), dtype=np.int64, count=len(towns))  # bit k: area k
    a, b = col.codes[i[k]], col.codes[j[k]]

    def of_area(town: np.ndarray, central: np.ndarray) -> np.ndarray:
        return (central >= 0) & (((member[town] >> np.maximum(central, 0)) & 1) == 1)

    one_area = of_area(b, centre[a]) | of_area(a, centre[b])
    level[k[one_area]] = 0
    return level


def _registered_office(level: np.ndarray, col: Column, fund: np.ndarray, i: np.ndarray, j: np.ndarray, differ: int,
                       places: frozenset) -> np.ndarray:
    """``level`` with ``differ`` raised by one where one side is in ``places`` (a registered office) and
    either record is a fund vehicle (``fund``): its administrator's address against its manager's."""
    k = np.flatnonzero(level == differ)
    if k.size:
        flag = col.member_of(places)
        k = k[fund[i[k]] | fund[j[k]]]
        level[k[flag[i[k]] | flag[j[k]]]] = differ + 1
    return level


def _postcode(col: Column, i: np.ndarray, j: np.ndarray, workers: int) -> np.ndarray:
    missing, equal = col.missing(i, j), col.equal(i, j)
    todo = ~missing & ~equal
    dist = col.similarity(i, j, Levenshtein.distance, workers, where=todo)
    return np.select([missing, equal, todo & (dist <= 1)], [0, 1, 2], 3).astype(np.int8)


def compare_orgs(enc: Encoded, pairs: np.ndarray, workers: int = 1) -> tuple[dict[str, np.ndarray], dict]:
    """Levels for organisation pairs, plus the raw name similarity (0-100)."""
    i, j = pairs[:, 0], pairs[:, 1]
    name = enc.n_name
    missing, equal = name.missing(i, j), name.equal(i, j)
    best, tset = _name_similarities(name, i, j, np.flatnonzero(~missing & ~equal), workers)
    name_level = np.select([missing, equal, best >= 95, best >= 88, tset >= 95, best >= 75],
                           [0, 1, 2, 3, 4, 5], 6).astype(np.int8)
    num = enc.n_numerals  # vehicle marks: fund numerals and markers (normalize.vehicle_marks); "" = none
    no_num = num.values == ""
    has_a, has_b = ~no_num[i], ~no_num[j]
    numerals = np.select([~has_a & ~has_b, has_a & has_b & num.equal(i, j), has_a ^ has_b], [0, 1, 2],
                         3).astype(np.int8)
    vintage = enc.n_vintage  # a year written after the fund's numeral: two different ones are two funds
    numerals[~vintage.missing(i, j) & ~vintage.equal(i, j)] = 3
    cut_read = _read_cut_names(enc, i, j, name_level, numerals, no_num)
    country = _simple(enc.n_country, i, j)
    city = _towns_of_one_area(_towns_written_short(_city(enc.n_city, i, j, workers), enc.n_city, i, j),
                              enc.n_city, i, j)
    levels = {
        "name": name_level,
        "numerals": numerals,
        "domain": _simple(enc.n_domain, i, j),
        "tax_id": _tax_id(enc, i, j, country),
        # a fund's registered office (George Town, Luxembourg, Wilmington) in one source and its manager's
        # office in another is not a contradiction as two operating towns are
        "city": _registered_office(city, enc.n_city, enc.fund_vehicle, i, j, 3, REGISTERED_OFFICE_TOWNS),
        "country": _registered_office(country, enc.n_country, enc.fund_vehicle, i, j, 2, REGISTERED_OFFICE_COUNTRIES),
        "legal_form": _simple(enc.n_legal, i, j),
        "words": np.zeros(len(i), dtype=np.int8),  # filled in for the strong candidates (word_levels)
    }
    _partnership_laws_apart(enc, i, j, levels)
    return levels, {"name_similarity": np.where(equal, 100.0, np.round(best, 1)), "cut_name": cut_read,
                    "tf_counts": {"name": np.where(equal, name.frequency[np.maximum(name.codes[i], 0)], 0)}}


#: Where the common-law limited partnerships of a fund family are formed: Delaware, the Cayman Islands,
#: England and Scotland, the Channel Islands, Bermuda, the British Virgin Islands.
COMMON_LAW_FUND_DOMICILES = frozenset({"US", "KY", "GB", "JE", "GG", "BM", "VG"})


def _partnership_laws_apart(enc: Encoded, i: np.ndarray, j: np.ndarray, levels: dict[str, np.ndarray]) -> None:
    """Numerals level 3 (a vehicle conflict: a veto), in place, for a Luxembourg SCSp seated in Luxembourg and
    a common-law L.P. seated in a common-law fund domicile (:data:`COMMON_LAW_FUND_DOMICILES`) without a
    shared tax id (:func:`crmhub.identity.normalize.partnership_law`): the fund's Luxembourg parallel vehicle
    and its Delaware or Cayman flagship ("Harbor Partners IX SCSp" / "Harbor Partners IX, L.P."). A source
    that writes a Luxembourg fund's form as "L.P." keeps its Luxembourg seat or gives its manager's office
    (Zurich, Singapore), and the same register number says one fund: no veto there."""
    law = enc.n_partnership_law  # crmhub.identity.normalize.partnership_law, read when preparing
    k = np.flatnonzero(~law.missing(i, j) & ~law.equal(i, j) & (levels["tax_id"] != 1))
    if not k.size:
        return
    lux = law.values[i[k]] == "luxembourg"
    seat = enc.n_country.values
    lux_seat, lp_seat = seat[np.where(lux, i[k], j[k])], seat[np.where(lux, j[k], i[k])]
    apart = (lux_seat == "LU") & np.fromiter((c in COMMON_LAW_FUND_DOMICILES for c in lp_seat.tolist()), dtype=bool,
                                             count=len(k))
    levels["numerals"][k[apart]] = 3


def _name_similarities(name: Column, i: np.ndarray, j: np.ndarray, sel: np.ndarray,
                       workers: int) -> tuple[np.ndarray, np.ndarray]:
    """For the organisation pairs ``sel`` (0 elsewhere): the better of token-sort ratio and Jaro-Winkler
    (0-100), and where that is below 88 the token-set ratio if at least 95. Each distinct pair of names
    is scored once (:meth:`Column.distinct_pairs`)."""
    best, tset = np.zeros(len(i)), np.zeros(len(i))
    if not sel.size:
        return best, tset
    combo, rep = name.distinct_pairs(i[sel], j[sel])
    a, b = i[sel[rep]], j[sel[rep]]
    sort = name.scores(a, b, fuzz.ratio, workers, values=name.sorted_words)  # = token_sort_ratio
    jw = name.scores(a, b, JaroWinkler.normalized_similarity, workers) * 100.0
    best_once = np.maximum(sort, jw)
    # only "token_set_ratio >= 95" is read: rapidfuzz's cutoff skips the work for the pairs below it, and
    # the pairs whose words' letters rule it out are not scored (nearly all of them)
    low = np.flatnonzero(best_once < 88)
    low = low[token_set_may_reach(name, a[low], b[low], 95)]
    tset_once = np.zeros(len(rep))
    tset_once[low] = name.scores(a[low], b[low], fuzz.token_set_ratio, workers, score_cutoff=95)
    best[sel], tset[sel] = best_once[combo], tset_once[combo]
    return best, tset


#: Buckets :attr:`Column.word_set_letters` counts letters in (code point modulo: a to z apart).
LETTER_BUCKETS = 32
#: Pairs :func:`token_set_may_reach` tests at a time (bounds its temporary arrays).
_TOKEN_SET_BLOCK = 1 << 18


def token_set_may_reach(col: Column, i: np.ndarray, j: np.ndarray, cutoff: float) -> np.ndarray:
    """Per pair of records ``(i, j)``, False where ``fuzz.token_set_ratio`` of their values is certainly
    below ``cutoff``, from what each value's set of words is (:attr:`Column.word_set_letters`), not the
    pair; True leaves the pair to rapidfuzz. Missing values are True.

    rapidfuzz splits both values into sets of words: the common words (joined: ``s`` characters) and each
    side's own (``da``, ``db``: ``A`` and ``B`` characters). It returns 100 when the sets share a word and
    one side has no own word; else the best of the ratio of the two own-word strings (distance ``dist``,
    over ``s_ab + s_ba`` = the two joined word sets' lengths ``La + Lb``) and, where ``s > 0``, each side
    against the common words (``100 - 100 (1 + A) / (2 s + 1 + A)``, with ``s = La - A - 1``). The
    letters the sets' own words differ by are the letters the whole sets differ by (the common words
    cancel): ``D`` letters in all, ``P`` more in ``a``'s (so ``A >= P``), ``N`` more in ``b``'s, and an
    insertion or deletion changes one letter, so ``dist >= D``. Reaching ``cutoff`` (``f = 1 -
    cutoff / 100``) then needs ``P == 0`` or ``N == 0`` (a side with no own word), or ``D <= f (La + Lb)``,
    or ``(A + 1)(1 + f) <= 2 f La`` (so ``(P + 1)(1 + f) <= 2 f La``), or the same for ``b``; each bound is
    tested with one character to spare. Counting letters in buckets or capped only lowers ``D``, ``P``
    and ``N``: never a pair ruled out that reaches ``cutoff``."""
    joined, hist, total = col.word_set_letters
    f = 1.0 - cutoff / 100.0
    out = np.ones(len(i), dtype=bool)
    for start in range(0, len(i), _TOKEN_SET_BLOCK):
        x, y = col.codes[i[start:start + _TOKEN_SET_BLOCK]], col.codes[j[start:start + _TOKEN_SET_BLOCK]]
        # counts of 0-127: no overflow in int8; np.take gathers the rows faster than indexing
        d = np.abs(np.take(hist, x, axis=0) - np.take(hist, y, axis=0)).sum(axis=1, dtype=np.int64)
        own_a, own_b = (d + total[x] - total[y]) // 2, (d - total[x] + total[y]) // 2
        la, lb = joined[x], joined[y]
        out[start:start + _TOKEN_SET_BLOCK] = ((own_a == 0) | (own_b == 0) | (d <= f * (la + lb) + 1)
                                               | ((own_a + 1) * (1 + f) <= 2 * f * la + 1)
                                               | ((own_b + 1) * (1 + f) <= 2 * f * lb + 1))
    return out


def _read_cut_names(enc: Encoded, i: np.ndarray, j: np.ndarray, name_level: np.ndarray, numerals: np.ndarray,
                    no_num: np.ndarray) -> np.ndarray:
    """Levels (in place) of the pairs whose one name is the other cut at a field length (:func:`cut_from`,
    also up to typos and abbreviations: :func:`respelt_cut_from`): the name counts as near-exact, and the
    vehicle marks only the full name carries were cut off, so they are no evidence against ("Kestrel Growth
    Equity Partne" / "Kestrel Growth Equity Partners III"), nor are marks that the cut name's marks are a
    part of. Returns which pairs were read so (their words are not checked for a conflict either: the cut
    name's last word is a fragment, "Employees Re" is no "Real Estate")."""
    read = np.zeros(len(i), dtype=bool)
    # the length of a name without a cut one is that large number
    has_cut = enc.cut_name_lengths[0] < np.iinfo(np.int64).max
    k = np.flatnonzero((has_cut[i] | has_cut[j]) & (name_level >= 2) & (name_level <= 5))
    if k.size:
        _read_field_cuts(enc, i[k], j[k], k, has_cut, name_level, numerals, no_num, read)
    return read


def _read_field_cuts(enc: Encoded, a: np.ndarray, b: np.ndarray, k: np.ndarray, has_cut: np.ndarray,
                     name_level: np.ndarray, numerals: np.ndarray, no_num: np.ndarray, read: np.ndarray) -> None:
    """:func:`_read_cut_names` of the pairs ``k`` (records ``a`` and ``b``), one of which has a cut name."""
    cut_len, raw_len = enc.cut_name_lengths
    # a cut name is shorter than the name it was cut from, or has no more words where the full name is
    # written shorter ("Slerken Infrastructure Fund VIII EU" / "Slerken Infra Fund VIII EUR"): most pairs
    # end at these checks
    words = enc.name_words
    from_a = _cut_from_pairs(enc, a, b, has_cut[a] & ((cut_len[a] < raw_len[b]) | (words[a] <= words[b])))
    from_b = _cut_from_pairs(enc, b, a, ~from_a & has_cut[b] & ((cut_len[b] < raw_len[a]) | (words[b] <= words[a])))
    rest = np.flatnonzero(~(from_a | from_b))
    if rest.size:  # the same name with its place written in the other order, then cut
        moved_a = _place_moved_cut_pairs(enc, a[rest], b[rest], has_cut[a[rest]])
        from_a[rest] = moved_a
        from_b[rest] = _place_moved_cut_pairs(enc, b[rest], a[rest], ~moved_a & has_cut[b[rest]])
    hit = from_a | from_b
    k, a, b = k[hit], a[hit], b[hit]
    short = np.where(from_a[hit], a, b)
    _read_as_cut(enc, k, short, np.where(from_a[hit], b, a), enc.cut_names[short].tolist(), name_level, numerals,
                 no_num, read)


def _read_as_cut(enc: Encoded, k: np.ndarray, short: np.ndarray, full: np.ndarray, cuts: list[str],
                 name_level: np.ndarray, numerals: np.ndarray, no_num: np.ndarray, read: np.ndarray) -> None:
    """Pairs ``k`` read as record ``short``'s name (its cut text in ``cuts``) cut from ``full``'s, in place:
    a near-exact name, and the vehicle marks the cut took are no evidence against (:func:`_cut_marks_agree`)."""
    name_level[k] = 2
    read[k] = True
    marks = enc.n_numerals.values
    texts = enc.raw_cut_texts(full).tolist()
    for p, s, f, cut, text in zip(k.tolist(), short.tolist(), full.tolist(), cuts, texts, strict=True):
        if numerals[p] == 2 and no_num[s]:
            numerals[p] = 0
        elif numerals[p] == 3 and _cut_marks_agree(cut, text, set(marks[s].split()), set(marks[f].split())):
            numerals[p] = 1


#: One less than each field length of :data:`NAME_FIELD_LIMITS`: the length of a name the field cut on the
#: space before a word, its trailing space trimmed.
_ONE_SHORT_OF_A_FIELD = np.array(sorted(limit - 1 for limit in NAME_FIELD_LIMITS), dtype=np.int64)


def cut_on_a_space(enc: Encoded, pairs: np.ndarray, levels: dict[str, np.ndarray], read: np.ndarray) -> np.ndarray:
    """The pairs of one registry number (tax id level 1) whose one name is one character short of a field
    length and the other goes on from it after a whole word (:func:`cut_from` / :func:`respelt_cut_from`
    with the space the cut took): a field cut the name on the space before its next word and the export
    trimmed the space ("Roshaven Infrastructure Partners V" / "... Partners V (Cayman), L.P.", "Wilder &
    Strand Co-Investment Fund" / "... Fund VII, L.P."), read as the other's name cut (:func:`_read_as_cut`:
    ``levels`` and ``read``, the pairs read as cut, in place); returns those pairs. Read once the run's
    parameters are estimated (:func:`crmhub.identity.matching._score_compared`): the registry number's pairs
    are what they are estimated from. Without the shared number such a name is left to the score: a name
    ending on a whole word is as often another entity's whole name (the flagship beside its parallel
    vehicle, the manager beside its fund)."""
    on_space, raw_len = enc.one_short_of_a_field, enc.cut_name_lengths[1]
    i, j, name_level, numerals = pairs[:, 0], pairs[:, 1], levels["name"], levels["numerals"]
    k = np.flatnonzero((levels["tax_id"] == 1) & ~read & (name_level >= 2) & (name_level <= 5))
    k = k[on_space[i[k]] | on_space[j[k]]]  # the records' lengths read for the few shared-number pairs only
    if not k.size:
        return k
    names = enc.df["name"].to_numpy(dtype=object)
    a_short = on_space[i[k]] & (~on_space[j[k]] | (raw_len[i[k]] < raw_len[j[k]]))
    short, full = np.where(a_short, i[k], j[k]), np.where(a_short, j[k], i[k])
    cuts = [cut_text(v) + " " for v in names[short].tolist()]
    texts = enc.raw_cut_texts(full).tolist()
    hit = np.fromiter((_cut_of(c, t) for c, t in zip(cuts, texts, strict=True)), dtype=bool, count=len(k))
    _read_as_cut(enc, k[hit], short[hit], full[hit], [c for c, h in zip(cuts, hit.tolist(), strict=True) if h],
                 name_level, numerals, enc.n_numerals.values == "", read)
    return k[hit]


def _cut_marks_agree(cut: str, full_text: str, cut_marks: set[str], full_marks: set[str]) -> bool:
    """Whether the vehicle marks of a name cut at a field length (``cut``, a :func:`cut_name_text`) and of the
    name it was cut from (``full_text``, as :func:`full_name_text` writes it) agree: the marks the cut left
    are the full name's ("Fund IV (Cay" / "Fund IV (Cayman)"), or the cut's whole words are the full name's
    (their marks with them) and its last fragment begins a word that is no numeral — what the fragment
    reads as is no mark ("Fund VIII - C" / "Fund VIII - Co-Investment": no series C; "Fund 4 (Co-I": no
    fund 1; "Insurance Company of": no "Offshore"). A fragment of a numeral stays a conflict ("Fund I" /
    "Fund IV"), and so does a bracket opened where the full name has no vehicle marker ("Fund 3 (" /
    "Fund 3, L.P.")."""
    if cut_marks <= full_marks:
        return True
    words, others = cut.split(), full_text.split()
    if len(others) < len(words):
        return False
    if not cut.endswith(" ") and is_written_numeral(others[len(words) - 1]):
        return False
    return CUT_MARK not in cut_marks or any(not m.isdigit() for m in full_marks)


#: Characters of a word :func:`_packed` keeps, and the bits of each.
_PACKED, _CHAR_BITS = 3, 21


def _packed(word: str) -> int:
    """The first :data:`_PACKED` characters of ``word`` as one integer (code points of 21 bits each, the
    first lowest): two words begin with the same ``k`` characters when the low ``21 k`` bits agree."""
    return sum(ord(ch) << (_CHAR_BITS * k) for k, ch in enumerate(word[:_PACKED]))


def _may_be_cut_from(enc: Encoded, short: np.ndarray, full: np.ndarray) -> np.ndarray:
    """Per pair, False where record ``short``'s cut name is certainly not ``full``'s raw name cut
    (:func:`cut_prefix_of` and :func:`respelt_cut_of` both false), from what each name is alone
    (:attr:`Encoded.cut_name_ends`, :attr:`Encoded.cut_text_words`); True leaves the pair to them. Both
    readings need the full text to start with the cut's first character and to have as many words as the
    cut (one more when the cut ends with a space: the cut's last word is whole, and the full name goes on),
    and, where the cut ends inside a word, the full text's word at that place to be longer than the cut's
    last fragment and to begin with it (tested on its first :data:`_PACKED` characters)."""
    first, need, end, mask, length = enc.cut_name_ends
    t_first, t_count, t_start, t_packed, t_length = enc.cut_text_words
    ok = (first[short] >= 0) & (first[short] == t_first[full]) & (t_count[full] >= need[short])
    k = np.flatnonzero(ok & (length[short] >= 0))
    at = t_start[full[k]] + need[short[k]] - 1  # the full text's word where the cut's last fragment is
    ok[k] = ((t_packed[at] & mask[short[k]]) == end[short[k]]) & (t_length[at] > length[short[k]])
    return ok


def _cut_from_pairs(enc: Encoded, short: np.ndarray, full: np.ndarray, check: np.ndarray) -> np.ndarray:
    """:func:`cut_from` of the records ``short``'s cut name and ``full``'s raw name, where ``check`` (else
    False); judged once per distinct pair of names, each raw name written once (:meth:`Encoded.raw_cut_texts`),
    and only where the names alone do not rule it out (:func:`_may_be_cut_from`)."""
    out = np.zeros(len(short), dtype=bool)
    sel = np.flatnonzero(check)
    sel = sel[_may_be_cut_from(enc, short[sel], full[sel])]
    if not sel.size:
        return out
    out[sel] = _per_raw_name_pair(enc, short[sel], full[sel], _cut_of)
    return out


def _cut_of(cut: str, text: str) -> bool:
    """:func:`cut_prefix_of` or :func:`respelt_cut_of`; both readings start where the full name starts, so a pair
    of other first letters ends here, without a call."""
    return text[:1] == cut[:1] and (cut_prefix_of(cut, text) or respelt_cut_of(cut, text))


def _per_raw_name_pair(enc: Encoded, short: np.ndarray, full: np.ndarray, judge: Callable[[str, str], bool]) -> np.ndarray:
    """``judge(cut name of short, raw name of full)`` per pair of records ``short`` / ``full``, judged once per
    distinct pair of raw names (a million records repeat the same two spellings across many pairs), each raw
    name written once (:meth:`Encoded.raw_cut_texts`)."""
    codes = enc.raw_name_codes
    code = codes[short] * (int(codes.max()) + 1) + codes[full]
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    cuts = enc.cut_names[short[first]].tolist()
    texts = enc.raw_cut_texts(full[first]).tolist()
    verdict = np.fromiter((judge(c, t) for c, t in zip(cuts, texts, strict=True)), dtype=bool, count=len(first))
    return verdict[inverse.ravel()]


def _place_moved_cut_pairs(enc: Encoded, short: np.ndarray, full: np.ndarray, check: np.ndarray) -> np.ndarray:
    """:func:`place_moved_cut_of` of the records ``short``'s cut name and ``full``'s raw name, where ``check``
    and one of the two is written "... of <place>" and the other is not (:attr:`Encoded.of_forms`,
    :attr:`Encoded.cut_of_forms`); judged once per distinct pair of names."""
    out = np.zeros(len(short), dtype=bool)
    sel = np.flatnonzero(check)
    sel = sel[enc.cut_of_forms[short[sel]] != enc.of_forms[full[sel]]]
    if not sel.size:
        return out
    out[sel] = _per_raw_name_pair(enc, short[sel], full[sel], place_moved_cut_of)
    return out


def _cut_of_form(cut: str) -> bool:
    """Whether a cut name (:func:`cut_name_text`) is written "... of <place>", also where the field cut
    the place or "of" itself ("... System of", "... System o")."""
    return " of " in cut or cut.endswith((" of", " o", " of "))


#: Most words the place of a body named "... of <place>" has ("Teachers' Retirement System of New Mexico").
MAX_MOVED_PLACE_WORDS = 3
#: Fewest letters of its place a cut "<body> of <place>" keeps for :func:`place_moved_cut_of` ("... of Stus").
MIN_KEPT_PLACE = 3


def place_moved_cut_of(cut: str, text: str) -> bool:
    """Whether ``cut`` (a :func:`cut_name_text`) is the name ``text`` (as :func:`full_name_text` writes it)
    with its place written in the other order, then cut (:func:`respelt_cut_of`): a jurisdiction's body is
    "<place> <body>" in one source and "<body> of <place>" in another, and a field cuts the second inside
    its place ("Teachers' Retirement System of Stus" / "Stusbion Teachers' Retirement System") or the first
    inside its body ("Gloumar Public School Employees' Re" / "Public School Employees' Retirement System of
    Gloumar"). The body names two words or more besides the place (:data:`MIN_PLACE_BODY_WORDS`), the place
    one to :data:`MAX_MOVED_PLACE_WORDS`. The cut keeps :data:`MIN_KEPT_PLACE` letters of the place at least: a
    name cut before or just inside its place ("Municipal Employees' Retirement System o", "... of S") is the
    body of many places, and read so it joins the bodies of many places into one proposal.

    >>> place_moved_cut_of("municipal employees retirement system o", "soent municipal employees retirement system")
    False
    >>> place_moved_cut_of("gloumar public school employees re", "public school employees retirement system of gloumar")
    True
    >>> place_moved_cut_of("teachers retirement system of stus", "soent teachers retirement system")
    False
    """
    words = text.split()
    if "of" in words[1:-1]:  # "<body> of <place>" read as "<place> <body>"
        k = len(words) - 1 - words[::-1].index("of")
        place, body = words[k + 1:], words[:k]
        if len(place) > MAX_MOVED_PLACE_WORDS or len(body) < MIN_PLACE_BODY_WORDS:
            return False
        return respelt_cut_of(cut, " ".join(place + body))
    kept = len(cut.rstrip())
    for size in range(1, MAX_MOVED_PLACE_WORDS + 1):  # "<place> <body>" read as "<body> of <place>"
        if len(words) - size < MIN_PLACE_BODY_WORDS:
            break
        moved = " ".join([*words[size:], "of", *words[:size]])
        place_from = len(moved) - len(" ".join(words[:size]))
        if kept - place_from >= MIN_KEPT_PLACE and respelt_cut_of(cut, moved):
            return True
    return False


def respelt_cut_from(cut: str, full: str) -> bool:
    """:func:`cut_from` up to typos and abbreviations: the cut name (a :func:`cut_name_text`) and ``full``
    read word by word, one word against one, each whole word of the cut name ``full``'s word at its place,
    a typo of it or an abbreviation either way (:func:`_respelt`: the first word, the brand, by typos
    only), or one fund numeral in another notation ("Partners 6" / "Partners VI": :func:`_same_numeral`), and its last word, where the field cut it, the start of ``full``'s word at its place ("Celzura
    Public School Employees Ret" / "Celzura Pub School Employees' Retirement System", "Plurlock Coonty
    Employees' Retirement As" / "Plurlock County Employees' Retirement Association"). As with
    :func:`cut_from`, a name that ends where a word of the other ends is another entity's, unless the cut
    kept the space after it."""
    return respelt_cut_of(cut, full_name_text(full))


def respelt_cut_of(cut: str, text: str) -> bool:
    """:func:`respelt_cut_from` with the full name already written as :func:`full_name_text` writes it."""
    stripped = cut.rstrip()
    if not text or text[0] != cut[0] or (stripped == cut and stripped[stripped.rfind(" ") + 1:] not in text):
        return False  # most pairs end here: another first letter, or the cut fragment nowhere in the other
    words, others = stripped.split(), text.split()
    n = len(words)
    if n < 2 or len(others) < n:
        return False
    last, at = words[-1], others[n - 1]
    if cut.endswith(" "):
        if len(others) == n or not (last == at or _respelt(last, at, set()) or _same_numeral(last, at)):
            return False
    elif not (len(at) > len(last) and at.startswith(last)):
        return False
    if words[:-1] == others[:n - 1]:
        return True  # cut_from's own case, or only the fragment's word respelt
    brands = {words[0], others[0]}
    return all(w == o or _respelt(w, o, brands) or _same_numeral(w, o)
               for w, o in zip(words[:-1], others[:n - 1], strict=True))


def _same_numeral(word: str, other: str) -> bool:
    """``word`` and ``other`` are one fund numeral written two ways ("IV" / "4", "X" / "10", "Seven" / "VII")."""
    value = written_numeral_value(word)
    return value is not None and value == written_numeral_value(other)


def _respelt(word: str, other: str, brands: set[str]) -> bool:
    """``word`` and ``other`` are one word up to a typo or an abbreviation (:func:`_word_matches`), neither
    a numeral nor run into one ("IVLP" is no abbreviation of "IV")."""
    return (word.isalpha() and other.isalpha() and roman_to_int(word) is None and roman_to_int(other) is None
            and _word_matches(word, {other}, brands))


def compare_contacts(enc: Encoded, pairs: np.ndarray, workers: int = 1) -> tuple[dict[str, np.ndarray], dict]:
    """Levels for contact pairs. Names are compared in the better of direct and swapped orientation."""
    i, j = pairs[:, 0], pairs[:, 1]
    first, last, canon = enc.n_first, enc.n_last, enc.n_first_canon
    jw = JaroWinkler.normalized_similarity
    f_missing, l_missing = first.missing(i, j), last.missing(i, j)
    f_eq, l_eq = first.equal(i, j), last.equal(i, j)
    both = ~f_missing & ~l_missing
    f_sim = np.where(f_eq, 1.0, first.similarity(i, j, jw, workers, where=~f_missing & ~f_eq))
    l_sim = np.where(l_eq, 1.0, last.similarity(i, j, jw, workers, where=~l_missing & ~l_eq))
    # swapped orientation (first_a vs last_b, last_a vs first_b), only where the direct one is weak
    maybe = both & ((f_sim + l_sim) < 1.8)
    fx = np.zeros(len(i))
    lx = np.zeros(len(i))
    sel = np.flatnonzero(maybe)
    if sel.size:
        fx[sel] = process.cpdist(first.values[i[sel]], last.values[j[sel]], scorer=jw, workers=workers)
        lx[sel] = process.cpdist(last.values[i[sel]], first.values[j[sel]], scorer=jw, workers=workers)
    swapped = maybe & ((fx + lx) > (f_sim + l_sim) + 0.2) & (fx >= 0.85) & (lx >= 0.85)
    f_sim = np.where(swapped, fx, f_sim)
    l_sim = np.where(swapped, lx, l_sim)
    f_exact = np.where(swapped, fx == 1.0, f_eq)
    l_exact = np.where(swapped, lx == 1.0, l_eq)
    canon_eq = canon.equal(i, j) & ~swapped
    letters, single = enc.first_initial
    initial = (single[i] | single[j]) & (letters[i] == letters[j]) & (letters[i] >= 0)
    f_typo = one_edit(first, i, j, workers, ~f_missing & ~f_eq & ~swapped & (f_sim < 0.9))
    first_level = np.select([f_missing, f_exact, canon_eq, (f_sim >= 0.9) | f_typo, initial], [0, 1, 2, 3, 4],
                            5).astype(np.int8)
    last_level = np.select([l_missing, l_exact, l_sim >= 0.92, l_sim >= 0.8], [0, 1, 2, 3], 4).astype(np.int8)

    email, local = enc.n_email, enc.n_email_local
    role = enc.email_role[i]
    e_missing, e_eq, x_eq = email.missing(i, j), email.equal(i, j), local.equal(i, j)
    local_sim = local.similarity(i, j, jw, workers, where=~e_missing & ~e_eq & ~x_eq)
    # a work address on one side and a personal (free-mail) one on the other: one person's two mailboxes is
    # common (a CRM refuses a second contact with the same email, so its duplicates carry another address)
    work = enc.n_org_domain.codes >= 0
    personal = work[i] != work[j]
    email_level = np.select([e_missing, e_eq & ~role, e_eq & role, x_eq & ~role, local_sim >= 0.9, personal],
                            [0, 1, 2, 3, 4, 6], 5).astype(np.int8)

    phone = enc.n_phone
    phone_level = np.select([phone.missing(i, j), phone.equal(i, j), enc.phone_tail.equal(i, j)], [0, 1, 2],
                            3).astype(np.int8)

    company = enc.n_company
    c_missing, c_eq = company.missing(i, j), company.equal(i, j)
    todo = ~c_missing & ~c_eq
    c_sim = np.maximum(company.similarity(i, j, fuzz.token_sort_ratio, workers, where=todo),
                       company.similarity(i, j, jw, workers, scale=100.0, where=todo))
    company_level = np.select([c_missing, c_eq | (c_sim >= 95), c_sim >= 80], [0, 1, 2], 3).astype(np.int8)

    dob = enc.n_dob
    parts = enc.dob_parts
    pa, pb = parts[i], parts[j]
    differing = (pa != pb).sum(axis=1)
    day_month_swapped = (pa[:, 0] == pb[:, 0]) & (pa[:, 1] == pb[:, 2]) & (pa[:, 2] == pb[:, 1])
    dob_level = np.select([dob.missing(i, j), dob.equal(i, j), (differing == 1) | day_month_swapped], [0, 1, 2],
                          3).astype(np.int8)

    levels = {
        "first_name": first_level,
        "last_name": last_level,
        "email": email_level,
        "phone": phone_level,
        "company": company_level,
        "city": _city(enc.n_city, i, j, workers),
        "postcode": _postcode(enc.n_postcode, i, j, workers),
        "date_of_birth": dob_level,
    }
    l_direct = l_eq & ~swapped
    return levels, {"names_swapped": swapped,
                    "tf_counts": {"last_name": np.where(l_direct, last.frequency[np.maximum(last.codes[i], 0)], 0)}}


def _compare_chunk(func: Callable, enc: Encoded, pairs: np.ndarray, chunk: int, start: int) -> tuple[dict, dict]:
    return func(enc, pairs[start:start + chunk], 1)


def compare(df: pd.DataFrame | Encoded, pairs: np.ndarray, kind: str, workers: int = 1,
            chunk: int = 1_000_000) -> tuple[dict[str, np.ndarray], dict]:
    """Levels for ``pairs`` of ``df`` (a prepared frame or its :class:`Encoded` form), in chunks: the first
    here (which also encodes every column the others read), the others in ``workers`` forked processes
    (:func:`crmhub.identity.parallel.forked_map`), each single-threaded."""
    enc = df if isinstance(df, Encoded) else Encoded(df)
    func = compare_orgs if kind == "org" else compare_contacts
    if len(pairs) <= chunk:
        return func(enc, pairs, workers)
    parts = [func(enc, pairs[:chunk], workers)]
    parts += forked_map(_compare_chunk, (func, enc, pairs, chunk), range(chunk, len(pairs), chunk), workers)
    levels = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
    extras = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1] if k != "tf_counts"}
    extras["tf_counts"] = {k: np.concatenate([p[1]["tf_counts"][k] for p in parts]) for k in parts[0][1]["tf_counts"]}
    return levels, extras


#: Letters with diacritics written out ("ä" as "ae", "ø" as "oe", "å" as "aa"): "Gräent" is "Graent" in
#: one source and "Graeent" in another, one word.
_TRANSLITERATIONS = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("aa", "a"))


def _transliterated(word: str) -> str:
    for written, letter in _TRANSLITERATIONS:
        word = word.replace(written, letter)
    return word


def _edits(a: str, b: str, cutoff: int) -> int:
    """Edits (OSA) between two words, diacritics written out or not on either side (:data:`_TRANSLITERATIONS`);
    ``cutoff + 1`` when more than ``cutoff``."""
    return min(OSA.distance(x, y, score_cutoff=cutoff) for x in {a, _transliterated(a)} for y in {b, _transliterated(b)})


#: Edits two records of one organisation can make in its brand word: one typo each.
BRAND_EDITS = 2


def _strict_typo(word: str, other: str, spelt: frozenset[str]) -> bool | None:
    """For a word its own record's web domain spells (``spelt``, so spelt right) or the two names' first
    words (:func:`_brands`): whether ``other`` is the same word up to typos. A spelt word is matched by
    one typo (one edit, two from eight letters with the first letter kept; "Ake" ~ "Lake" at lakeblue.com),
    a brand word by one typo per record (:data:`BRAND_EDITS`),
    diacritics written out or not (:data:`_TRANSLITERATIONS`). None for the other words."""
    if word in spelt or other in spelt:
        limit = 2 if max(len(word), len(other)) >= 8 and word[0] == other[0] else 1
        return min(len(word), len(other)) >= 3 and _edits(word, other, limit) <= limit
    return None


def _word_explained(word: str, others: set[str], spelt: frozenset[str] = frozenset(),
                    brands: frozenset[str] = frozenset()) -> bool:
    """Whether ``word`` can be the same word as one of ``others``: a typo (one edit, two from seven
    letters, three from ten, or Jaro-Winkler >= 0.88), or an abbreviation (same first letter, letters in order: "mgmt" ~ "management";
    or a known one misspelt, :func:`_misspelt_table_abbreviation`: "trs" ~ "partners").
    Stricter between a word its record's web domain spells (``spelt``) and another, or between the two
    names' brand words (``brands``): typos as :func:`_strict_typo` counts them, or an abbreviation as
    sources write one (:func:`_abbreviation_of`, :func:`_misspelt_abbreviation`: "Natl" ~ "National";
    "Crois" is no typo of "Clogis" when clogis.com is the site, "Toion" no abbreviation of "Trormion")."""
    for other in others:
        short, long_ = (word, other) if len(word) <= len(other) else (other, word)
        strict = _strict_typo(word, other, spelt)
        if strict is None and word in brands and other in brands:
            strict = _edits(word, other, BRAND_EDITS) <= BRAND_EDITS
        if strict is not None:
            if strict or _abbreviation_of(short, long_) or _misspelt_abbreviation(short, long_):
                return True
            continue
        limit = 3 if len(long_) >= 10 else (2 if len(long_) >= 7 else 1)
        if OSA.distance(word, other, score_cutoff=limit) <= limit or JaroWinkler.similarity(word, other) >= 0.88:
            return True
        if short[0] == long_[0] and _in_order(short, long_):
            return True
        # an abbreviation with one typo ("Ptrnrs", "Svxcs", "Techs"): one letter left out, then in order
        if len(short) >= 4 and any(_in_order(short[:k] + short[k + 1:], long_) for k in range(len(short))):
            return True
        if _misspelt_table_abbreviation(short, long_):  # "Trs" ~ "Partners", "Vcs" ~ "Services"
            return True
    return False


def _in_order(short: str, long_: str) -> bool:
    """Every letter of ``short`` appears in ``long_`` in the same order."""
    it = iter(long_)
    return all(ch in it for ch in short)


def _brands(wa: list[str], wb: list[str], da: set[str], db: set[str]) -> frozenset[str]:
    """The first words of two names when each is a word the other name lacks (the brands: "Maltar
    Foundation" / "Masar Foundation"), four letters or more and not a name's only word (an acronym, or a
    word a field length may have cut)."""
    fa, fb = wa[0], wb[0]
    if fa in da and fb in db and len(fa) >= 4 and len(fb) >= 4 and len(wa) > 1 and len(wb) > 1:
        return frozenset((fa, fb))
    return frozenset()


def word_conflict(a: str, b: str, spelt: frozenset[str] = frozenset()) -> bool:
    """Two normalised names each carry a word the other cannot explain ("University of Idaho" vs
    "University of Ohio", "Employees' Retirement System of Ohio" vs "... of Virginia"): named after
    different things. Typos, abbreviations, a word split in two, and words or numerals present on one
    side only are not conflicts (numerals and vehicle marks have their own comparison). The brand words
    (:func:`_brands`) and the words of ``spelt`` (each spelt by its own record's web domain) are read
    strictly (:func:`_word_explained`)."""
    if short_form(a, b):
        return False
    wa, wb = a.split(), b.split()
    ta, tb = set(wa), set(wb)
    da = {t for t in ta - tb if t.isalpha() and len(t) >= 3}
    db = {t for t in tb - ta if t.isalpha() and len(t) >= 3}
    if not da or not db:
        return False
    da, db = _run_together(da, db, wb), _run_together(db, da, wa)
    da, db = da - db, db - da
    if not da or not db:
        return False
    brands = _brands(wa, wb, da, db)
    strict = (brands or spelt & (da | db))
    if not strict and OSA.distance("".join(sorted(da)), "".join(sorted(db)), score_cutoff=2) <= 2:
        return False
    if "".join(t for t in wa if t in da) == "".join(t for t in wb if t in db):
        return False
    return (any(not _word_explained(w, db, spelt, brands) for w in da)
            and any(not _word_explained(w, da, spelt, brands) for w in db))


def _run_together(words: set[str], others: set[str], other_words: list[str]) -> set[str]:
    """``words`` with each word that is two adjacent words of the other name run together ("lakestone" =
    "lake stone", "granitecrest" = "granite crest") replaced by those two: one brand written as one word
    or two."""
    joined = {x + y: (x, y) for x, y in zip(other_words, other_words[1:], strict=False) if x in others or y in others}
    out = set()
    for w in words:
        out.update(joined.get(w, (w,)))
    return out


def spelt_words(name: str, domain: str, cut: bool) -> frozenset[str]:
    """The words of a normalised organisation ``name`` (four letters or more) that its own web ``domain``
    begins with ("gleinhura" at gleinhurafs.com, "dinfion" at dinfion.ac.uk): a site is typed and
    tested, so the record spells its brand right. The last word of a name cut at a field length
    (``cut``) is left out: it may be a part of one."""
    site = domain.split(".", 1)[0]
    if len(site) < 4:
        return frozenset()
    words = name.split()
    if cut:
        words = words[:-1]
    return frozenset(w for w in words if len(w) >= 4 and site.startswith(w))


def site_spelt_brand(name: str, domain: str, other: str) -> bool:
    """Whether a record's own web ``domain`` spells the brand of ``other`` (a normalised name) that its own
    ``name`` writes with a typo, the rest of the names the same words: "Kcinlura State University" at
    kainlurastate.edu is "Kainlura State University", also in another word order ("University of Kcinlura")
    and with "Fund" written on one side only ("Relsanne Capital Partners Fund III" at relsanecapital.com /
    "Relsane Capital Partners III"). A site is typed and tested (:func:`spelt_words`), so the name is the
    one misspelt, and with the brand as the site spells it the two names are one."""
    site = domain.split(".", 1)[0]
    spelt = next((w for w in other.split() if len(w) >= 5 and site.startswith(w)), None)
    words = name.split()
    if spelt is None or spelt in words:
        return False
    typos = [k for k, w in enumerate(words) if w[0] == spelt[0] and _edits(w, spelt, BRAND_EDITS) <= BRAND_EDITS]
    if len(typos) != 1 or site.startswith(words[typos[0]]):
        return False
    words[typos[0]] = spelt
    return sorted(w for w in words if w not in _SPELT_BRAND_OPTIONAL) == \
        sorted(w for w in other.split() if w not in _SPELT_BRAND_OPTIONAL)


#: Words two names of one entity write or leave out: "of" ("University of X" / "X University") and "Fund"
#: ("Brand Capital Partners Fund III" / "Brand Capital Partners III").
_SPELT_BRAND_OPTIONAL = ORDER_FREE_WORDS | {"fund"}


def site_spelt_brand_mask(names: Column, domains: Column, pairs: np.ndarray, check: np.ndarray) -> np.ndarray:
    """:func:`site_spelt_brand` either way on the pairs ``check`` (else False), once per distinct pair of
    names and domains."""
    out = np.zeros(len(pairs), dtype=bool)
    seen: dict[tuple, bool] = {}
    nv, dv = names.values, domains.values
    for k in np.flatnonzero(check).tolist():
        a, b = int(pairs[k, 0]), int(pairs[k, 1])
        key = (nv[a], dv[a], nv[b], dv[b])
        if key not in seen:
            seen[key] = bool((dv[a] and site_spelt_brand(nv[a], dv[a], nv[b]))
                             or (dv[b] and site_spelt_brand(nv[b], dv[b], nv[a])))
        out[k] = seen[key]
    return out


def word_levels(names: Column, pairs: np.ndarray, check: np.ndarray, domains: Column | None = None,
                cut: np.ndarray | None = None) -> np.ndarray:
    """The ``words`` level of organisation pairs: computed only where ``check`` (the strong candidates;
    0 = not checked elsewhere), 2 when :func:`word_conflict`, else 1. With ``domains`` (and ``cut``:
    per record, whether its name may have been cut at a field length), the words each record's own
    web domain spells (:func:`spelt_words`) are read strictly."""
    out = np.zeros(len(pairs), dtype=np.int8)
    idx, verdict = per_name_pair(names, pairs, check, word_conflict)
    out[idx] = np.where(verdict, 2, 1)
    if domains is not None and idx.size:
        _spelt_conflicts(names, domains, cut, pairs, idx[~verdict], out)
    return out


def _spelt_conflicts(names: Column, domains: Column, cut: np.ndarray | None, pairs: np.ndarray, idx: np.ndarray,
                     out: np.ndarray) -> None:
    """Level 2 (in place) for the pairs ``idx`` whose names conflict once the words their records' own
    web domains spell are read strictly (:func:`spelt_words`); judged once per distinct pair of names
    and spelt words. Not where the last word of a name cut at a field length differs (a part of a
    word, typo or not, is no word to read strictly against)."""
    idx = idx[(domains.codes[pairs[idx, 0]] >= 0) | (domains.codes[pairs[idx, 1]] >= 0)]
    if not idx.size:
        return
    # per record: its name, the words its site spells and whether the name is cut, as one profile code
    rows = unique_ints(pairs[idx], len(names.values))
    values, sites = names.values, domains.values
    profiles: dict[tuple, int] = {}
    kinds: list[tuple] = []
    profile = np.full(len(values), -1, dtype=np.int64)
    for r in rows.tolist():
        is_cut = cut is not None and cut[r] is not None
        key = (values[r], spelt_words(values[r], sites[r], is_cut), is_cut)
        if key not in profiles:
            profiles[key] = len(kinds)
            kinds.append(key)
        profile[r] = profiles[key]
    spells = np.fromiter((bool(k[1]) for k in kinds), dtype=bool, count=len(kinds))
    pa, pb = profile[pairs[idx, 0]], profile[pairs[idx, 1]]
    sel = spells[pa] | spells[pb]
    idx, pa, pb = idx[sel], pa[sel], pb[sel]
    if not idx.size:
        return
    combos, inverse = np.unique(pa * len(kinds) + pb, return_inverse=True)
    verdict = np.zeros(len(combos), dtype=bool)
    for x, c in enumerate(combos.tolist()):
        (na, own_a, cut_a), (nb, own_b, cut_b) = kinds[c // len(kinds)], kinds[c % len(kinds)]
        wa, wb = na.split(), nb.split()
        spelt = (own_a - set(wb)) | (own_b - set(wa))
        if spelt and not (cut_a and wa[-1] not in wb) and not (cut_b and wb[-1] not in wa):
            verdict[x] = word_conflict(na, nb, spelt)
    out[idx[verdict[inverse.ravel()]]] = 2


def per_name_pair(names: Column, pairs: np.ndarray, check: np.ndarray, predicate) -> tuple[np.ndarray, np.ndarray]:
    """``predicate(name_a, name_b)`` for the pairs selected by ``check``: their indices and verdicts. Each
    distinct pair of names is judged once (a million records repeat the same two spellings across many
    candidate pairs); :data:`PARALLEL_MIN_NAME_PAIRS` or more by the column's worker processes
    (:func:`crmhub.identity.parallel.forked_map`)."""
    idx = np.flatnonzero(check)
    if not idx.size:
        return idx, np.zeros(0, dtype=bool)
    ca, cb = names.codes[pairs[idx, 0]], names.codes[pairs[idx, 1]]
    width = int(max(ca.max(initial=0), cb.max(initial=0))) + 1
    code = np.minimum(ca, cb).astype(np.int64) * width + np.maximum(ca, cb)
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    ends = pairs[idx[first]]
    workers = names.workers if len(ends) >= PARALLEL_MIN_NAME_PAIRS else 1
    parts = forked_map(_verdicts, (predicate, names.values, ends), slices(len(ends), workers), workers)
    return idx, np.concatenate(parts)[inverse.ravel()]


#: Fewest distinct pairs of names :func:`per_name_pair` judges in worker processes (the column's ``workers``).
PARALLEL_MIN_NAME_PAIRS = 200_000


def _verdicts(predicate, values: np.ndarray, ends: np.ndarray, part: slice) -> np.ndarray:
    part = ends[part]
    return np.fromiter((predicate(values[a], values[b]) for a, b in part.tolist()), dtype=bool, count=len(part))


def one_spelling(a: str, b: str) -> bool:
    """Two normalised organisation names are one name spelt twice (one
    :func:`crmhub.identity.normalize.name_spelling_key`), also once an "and" between two words is left out
    (:func:`crmhub.identity.normalize.without_inner_and`; the key of a name with it glued to a word,
    "Okaforand Brandt", keeps it)."""
    if name_spelling_key(a) == name_spelling_key(b):
        return True
    if " and " not in a and " and " not in b:
        return False
    a_, b_ = without_inner_and(a), without_inner_and(b)
    return (a_ != a or b_ != b) and name_spelling_key(a_) == name_spelling_key(b_)


def name_pair_mask(names: Column, pairs: np.ndarray, check: np.ndarray, predicate) -> np.ndarray:
    """:func:`per_name_pair` as a mask over all ``pairs``: ``predicate``'s verdict where ``check``, else False."""
    out = np.zeros(len(pairs), dtype=bool)
    idx, verdict = per_name_pair(names, pairs, check, predicate)
    out[idx] = verdict
    return out


def _typo_of(a: str, b: str) -> bool:
    """One edit or swap of adjacent letters between words of four letters or more; two from eight letters
    when the first letter agrees ("Quijwell" ~ "Quinwell"; not "Yorcroft" ~ "Bercroft")."""
    limit = 2 if max(len(a), len(b)) >= 8 and a[0] == b[0] else 1
    return min(len(a), len(b)) >= 4 and OSA.distance(a, b, score_cutoff=limit) <= limit


_VOWELS = frozenset("aeiou")


def _abbreviation_of(short: str, long_: str) -> bool:
    """``short`` shortens ``long_`` the two ways abbreviations are made: truncation ("Cap", "Univ",
    "Infra") or contraction to consonants keeping the last letter ("Mgmt", "Invt", "Ptnrs", "Hldgs");
    same first letter, letters in order, at least two letters fewer. "Pine" is no abbreviation of
    "Pioneer", nor "Bay" of "Barley"."""
    if len(short) < 2 or len(long_) - len(short) < 2 or short[0] != long_[0]:
        return False
    if long_.startswith(short):
        return True
    return short[-1] == long_[-1] and not (_VOWELS & set(short[1:])) and _in_order(short, long_)


def _brand_typo(a: str, b: str) -> bool:
    """A typo that keeps a brand word (the first word of a name) the same name: in words of five letters
    or more any typo (:func:`_typo_of`); in four-letter words a letter added, left out or swapped with the
    next ("Hgray", "Irno"), never one replaced by another ("Hall" vs "Hill" are two families)."""
    if min(len(a), len(b)) >= 5:
        return True
    return len(a) != len(b) or sorted(a) == sorted(b)


def _word_matches(word: str, others: set[str], brands: set[str]) -> bool:
    """``word`` is a typo or an abbreviation of one of ``others``; with a brand word (the first word of
    a name) on either side only a typo counts (:func:`_brand_typo`)."""
    return any(_word_pair_matches(word, other, word in brands or other in brands) for other in others)


@lru_cache(maxsize=1 << 18)
def _word_pair_matches(word: str, other: str, brand: bool) -> bool:
    """``word`` is a typo or an abbreviation of ``other`` (only a typo when ``brand``:
    :func:`_word_matches`); cached, as the same two words recur across many names."""
    if _typo_of(word, other) and (not brand or _brand_typo(word, other)):
        return True
    if brand:
        return False
    short, long_ = (word, other) if len(word) <= len(other) else (other, word)
    return (_abbreviation_of(short, long_) or _misspelt_abbreviation(short, long_) or _abbreviation_of_typo(short, long_)
            or _misspelt_table_abbreviation(short, long_))


@lru_cache(maxsize=1)
def _table_abbreviations() -> dict[str, tuple[str, ...]]:
    """Each word of the abbreviation table's expansions (:data:`crmhub.identity.normalize.ORG_ABBREVIATIONS`)
    -> its abbreviations of three letters or more ("partners" -> "ptnrs", "prtnrs", "ptrs", "pnrs" ...)."""
    out: dict[str, list[str]] = {}
    for short, long_ in ORG_ABBREVIATIONS.items():
        if " " not in long_ and len(short) >= 3 and short != long_:
            out.setdefault(long_, []).append(short)
    return {long_: tuple(shorts) for long_, shorts in out.items()}


def _misspelt_table_abbreviation(short: str, long_: str) -> bool:
    """``short`` (three letters or more) is an abbreviation of ``long_`` from the name's abbreviation table
    misspelt by one edit anywhere, its first letter too ("Trs", "Utnrs" ~ "Ptrs"; "Apps", "Pps" ~ "Opps";
    "Vcs" ~ "Svcs"; "Nvt" ~ "Invt"), the word in the singular or plural: the rules of :func:`_misspelt_abbreviation` keep the first letter, as
    an abbreviation made up on the spot has nothing else to be read by, where a known one has its spelling."""
    if len(short) < 3:
        return False
    table = _table_abbreviations()
    forms = (long_, long_[:-1] if long_.endswith("s") else long_ + "s")  # "Invt" for "Investment" and "Investments"
    return any(OSA.distance(short, known, score_cutoff=1) <= 1 for form in forms for known in table.get(form, ()))


def _misspelt_abbreviation(short: str, long_: str) -> bool:
    """``short`` (four letters or more) is an abbreviation of ``long_`` up to one typo: without one of its
    letters ("Mptrs", "Gbll", "Ptks", "Infratsr"), with two adjacent letters swapped back ("Tprs", "Pops",
    "Mgtm"), or one edit from a truncation ("Infa" ~ "Infr", "Unvi" ~ "Univ", "Asslc" ~ "Assoc")."""
    n = len(short)
    if n < 4 or len(long_) - n < 2:
        return False
    if any(_abbreviation_of(short[:k] + short[k + 1:], long_) for k in range(n)):
        return True
    if any(_abbreviation_of(short[:k] + short[k + 1] + short[k] + short[k + 2:], long_) for k in range(n - 1)):
        return True
    return any(OSA.distance(short, long_[:m], score_cutoff=1) <= 1 for m in (n - 1, n, n + 1))


def _abbreviation_of_typo(short: str, long_: str) -> bool:
    """``short`` is an initial of ``long_`` (four letters or more: "N. America" = "North America"), or an
    abbreviation of ``long_`` read without one stray letter after its first ("Pub" ~ "Pujblic")."""
    if len(short) == 1:
        return len(long_) >= 4 and short == long_[0]
    return any(_abbreviation_of(short, long_[:k] + long_[k + 1:]) for k in range(1, len(long_)))


#: A name that is one word this short or shorter (an acronym, "CSERS"; a short brand) is another name, not a
#: typo, when a letter differs: "CSERS" / "CRSERS" and "BPFPS" / "TPFPS" are two pension systems.
SHORT_ONE_WORD_NAME = 6


def same_words(a: str, b: str) -> bool:
    """Two normalised names say the same words up to typos and abbreviations: every word one name has
    and the other lacks is a typo or an abbreviation (truncation, contraction) of one of the other's
    missing words, both ways, or the differing words are the same letters split otherwise ("pub
    employees" = "pubemployees"). The first word (the brand: "Bay" vs "Bayside") is matched by typos
    only. Numerals are left to the numeral comparison (a word glued to digits is not judged); a word on
    one side only is information, not variation, so it is never "the same". Two names of one short word
    each (:data:`SHORT_ONE_WORD_NAME`) are never the same up to a typo."""
    wa, wb = a.split(), b.split()
    if not wa or not wb or (len(wa) == len(wb) == 1 and min(len(a), len(b)) <= SHORT_ONE_WORD_NAME):
        return False
    ta, tb = set(wa), set(wb)
    da = {t for t in ta - tb if t.isalpha()}
    db = {t for t in tb - ta if t.isalpha()}
    if not da or not db or any(not t.isalpha() and not t.isdigit() for t in (ta ^ tb)):
        return False
    if "".join(t for t in wa if t in da) == "".join(t for t in wb if t in db):
        return True
    brands = {wa[0], wb[0]}
    da, db = _split_run_together(da, db, brands), _split_run_together(db, da, brands)
    da, db = da - db, db - da
    return all(_word_matches(w, db, brands) for w in da) and all(_word_matches(w, da, brands) for w in db)


#: Words a management company's name is written with and without before "Management" ("Brand Investment
#: Management Company" / "Brand Management Company"): what it manages, not which company it is.
MANAGEMENT_DESCRIPTORS = frozenset({"investment", "investments"})


def investment_management_written_short(a: str, b: str) -> bool:
    """Two normalised names of a management company, one with "Investment" before its last word "Management"
    and the other without it (:data:`MANAGEMENT_DESCRIPTORS`), the rest one name up to typos and abbreviations
    (:func:`same_words`): "triay investment management" / "triay management". Normalising drops "Company",
    so the caller checks that both raw names say it
    (:func:`crmhub.identity.normalize.names_management_company`): "Brand Investment Management, LLC", the
    adviser, is another entity than "Brand Management Company".

    >>> investment_management_written_short("triay investment management", "triay management")
    True
    >>> investment_management_written_short("triay capital management", "triay management")
    False
    """
    wa, wb = a.split(), b.split()
    if len(wa) < len(wb):
        wa, wb = wb, wa
    if len(wa) != len(wb) + 1 or len(wb) < 2 or wa[-1] != "management" or wb[-1] != "management" \
            or wa[-2] not in MANAGEMENT_DESCRIPTORS:
        return False
    rest = wa[:-2] + wa[-1:]
    return rest == wb or same_words(" ".join(rest), " ".join(wb))


def _split_run_together(words: set[str], others: set[str], brands: set[str]) -> set[str]:
    """``words`` with each word that is two of ``others`` run together, one of them as written and the
    other up to a typo or an abbreviation ("maplereal" = "maple real", "cappartners" = "capital
    partners", "lunarfd" = "lunar fund"), split into its two parts."""
    out = set()
    for word in words:
        # a split needs one of the parts among ``others``: most words start and end with none of them
        if not any(2 <= len(o) <= len(word) - 2 and (word.startswith(o) or word.endswith(o)) for o in others):
            out.add(word)
            continue
        for k in range(2, len(word) - 1):
            head, tail = word[:k], word[k:]
            if (head in others and (tail in others or _word_matches(tail, others, brands))) or (
                    tail in others and _word_matches(head, others, brands)):
                out.update((head, tail))
                break
        else:
            out.add(word)
    return out


#: shortest word :func:`typing_slip` reads a slip in
SLIP_WORD = 5
#: shortest word :func:`typing_slip` reads any one typo in: a long compound word ("Pensionskassen",
#: "Zahnärztekammer", "Versorgungswerk") one edit from another is the same word mistyped, not another name
LONG_TYPO_WORD = 10


#: The rows of the QWERTY layout (ISO/IEC 9995-1 alphanumeric section, US/UK letters): a finger that slips
#: strikes a key beside the one meant, in its row.
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_NEIGHBOURS = frozenset((row[k], row[k + d]) for row in _KEY_ROWS for k in range(len(row))
                            for d in (-1, 1) if 0 <= k + d < len(row))


def _slipped(a: str, b: str) -> bool:
    """Whether word ``b`` is ``a`` with two neighbouring letters swapped, one letter typed twice (or a
    doubled letter typed once), or one letter, not the first, struck on the key beside it in its row
    (:data:`_KEY_NEIGHBOURS`: "Hawkridfe", "Vetumo" for "Verumo")."""
    if len(a) == len(b):
        d = [i for i in range(len(a)) if a[i] != b[i]]
        if len(d) == 1:
            return d[0] > 0 and (a[d[0]], b[d[0]]) in _KEY_NEIGHBOURS
        return len(d) == 2 and d[1] == d[0] + 1 and a[d[0]] == b[d[1]] and a[d[1]] == b[d[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(long_) - len(short) != 1:
        return False
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return long_[i + 1:] == short[i:] and i > 0 and long_[i] == long_[i - 1]


def typing_slip(a: str, b: str) -> bool:
    """Whether two names are the same words but one, of :data:`SLIP_WORD` letters or more, written with a
    keyboard slip: two neighbouring letters swapped ("Nozokc Holdings" / "Nozcok Holdings") or a letter
    typed twice ("Sturrren" / "Sturren"). Two different names are rarely spelt a swap apart; a letter
    changed or dropped is as often another name ("Barman" / "Barson", "Tudine" / "Trudine") and is not
    read here, but in a word of :data:`LONG_TYPO_WORD` letters or more — the long compound words of
    German, Dutch and Nordic names, "Pensionskassen" / "Pensonskassen", or an umlaut written out
    once, "Zahnarztekammer" / "Zahnaerztekammer" — any one edit is a typo: such words are not
    one letter from another name."""
    words = one_word_apart(a, b)
    if words is None:
        return False
    u, v = words
    if min(len(u), len(v)) < SLIP_WORD or not (u.isalpha() and v.isalpha()):
        return False
    return _slipped(u, v) or (min(len(u), len(v)) >= LONG_TYPO_WORD and Levenshtein.distance(u, v, score_cutoff=1) == 1)


def kind_words_respelt(a: str, b: str) -> bool:
    """Whether two names are one name whose brand (the first word) and every other distinctive word are
    written alike, and which differ only in how a word of what the organisation is
    (:data:`crmhub.identity.normalize.ORGANISATION_KIND_WORDS`: Capital, Partners, Technology, Employees,
    Office …) is spelt: a typo, a scan's misread letters or an abbreviation of it (:func:`_respelt`:
    "Onyxmark Capitol Management Fund 1" / "Onyxmark Capital Management Fund 1", "State of Whitemark
    Municipal Ernployees Pension Fund" / "… Employees …", "Partncrs", "Tecbnology", "Technolo"). Such a word
    says nothing of which organisation it is, so its spelling does not either; the words that do are equal.
    Not two kind words ("Partners" / "Ventures": two firms of one brand), nor a numeral."""
    x, y = a.split(), b.split()
    if len(x) != len(y) or len(x) < 2 or x[0] != y[0] or a == b:
        return False
    for u, v in zip(x[1:], y[1:], strict=True):
        if u != v and ((u in ORGANISATION_KIND_WORDS) == (v in ORGANISATION_KIND_WORDS) or not _respelt(u, v, set())):
            return False
    return True


def one_word_apart(a: str, b: str) -> tuple[str, str] | None:
    """The two words two names of as many words differ by, where they differ in one word only; else None."""
    x, y = a.split(), b.split()
    if len(x) != len(y):
        return None
    differ = [(u, v) for u, v in zip(x, y, strict=True) if u != v]
    return differ[0] if len(differ) == 1 else None


def same_words_mask(names: Column, pairs: np.ndarray, check: np.ndarray) -> np.ndarray:
    """:func:`same_words` for the pairs selected by ``check`` (others False), once per distinct pair of names."""
    return name_pair_mask(names, pairs, check, same_words)


#: Words that name what a firm is, not who founded it: a name with one of them is no list of partners
#: ("Harbor Capital and Partners" is not "Harbor", "Capital" and "Partners").
_FIRM_WORDS = VEHICLE_MARKERS | frozenset({
    "partners", "partner", "capital", "fund", "funds", "ventures", "investments", "investment", "holdings", "holding",
    "group", "equity", "private", "company", "sons", "brothers", "trust", "bank", "securities", "services", "global"})


#: Letters of the initials a firm named after its two founders is written by ("Rossi & Santos" as "RS & Co."):
#: fewer than an acronym needs (:data:`crmhub.identity.short_forms.MIN_ACRONYM`), so read only where the run's
#: names spell them one way (:func:`crmhub.identity.matching._lift_partner_initials`).
PARTNER_INITIALS = 2


def partner_initials(name: str) -> str | None:
    """The initials of a normalised name that lists two partners' names ("rossi and santos" -> "rs"): two words of
    letters around "and", neither a firm word (:data:`_FIRM_WORDS`); ``None`` for any other name."""
    words = name.split()
    if len(words) != 3 or words[1] != "and" or not all(w.isalpha() and w not in _FIRM_WORDS for w in words[::2]):
        return None
    return words[0][0] + words[2][0]


def written_as_partner_initials(name: str) -> bool:
    """A normalised name of one word of :data:`PARTNER_INITIALS` letters ("rs", from "RS & Co., LLC")."""
    return len(name) == PARTNER_INITIALS and name.isalpha()


def partner_initials_pair(a: str, b: str) -> bool:
    """One normalised name is two letters, the initials of the two partners the other lists ("rs" ~ "rossi and
    santos")."""
    return (written_as_partner_initials(a) and partner_initials(b) == a) or (
        written_as_partner_initials(b) and partner_initials(a) == b)


def partnership_short_form(a: str, b: str) -> bool:
    """One normalised name lists a partnership's names ("wekent glosnell and stalane", from "Wekent,
    Glosnell & Stalane LLP") and the other is its leading names ("wekent glosnell", "wekent") or all of
    them without the "and" ("filbis sholhay"), each up to a typo (:func:`_typo_of`; the first one only
    as :func:`_brand_typo` allows). Law firms and placement agents are known by their first name(s);
    a firm word in the list ("Harbor Capital and Partners") makes it no list of names."""
    wa, wb = a.split(), b.split()
    for long_, short in ((wa, wb), (wb, wa)):
        if "and" not in long_[1:-1] or "and" in short:
            continue
        names = [w for w in long_ if w != "and"]
        if len(short) > len(names) or not all(w.isalpha() and w not in _FIRM_WORDS for w in names + short):
            continue
        if all(s == n or (_typo_of(s, n) and (k or _brand_typo(s, n))) for k, (s, n) in enumerate(zip(short, names, strict=False))):
            return True
    return False


#: Words that never describe what a company does: the kinds of organisation (:data:`ORGANISATION_KIND_WORDS`)
#: and the words naming a firm (:data:`_FIRM_WORDS`).
_NOT_DESCRIPTORS = ORGANISATION_KIND_WORDS | _FIRM_WORDS
#: Fewest letters of a descriptor and of the brand it is added to: shorter words are initials and cut words.
MIN_DESCRIPTOR = 4
#: Fewest letters of a kind word read misspelt by any one edit: shorter ones are a letter replaced from other
#: words ("fonds" / "foods").
MIN_MISSPELT_KIND = 6


@lru_cache(maxsize=50_000)
def industry_descriptor(word: str) -> bool:
    """Whether ``word`` may be what a company does ("logistics", "software", "aerospace"): letters
    (:data:`MIN_DESCRIPTOR` or more), not a kind of organisation or firm word (:data:`_NOT_DESCRIPTORS`),
    nor one of them misspelt by one edit ("Holdngs", "Grroup", "Hlgd"; in words under :data:`MIN_MISSPELT_KIND`
    letters a letter added, left out or swapped, not replaced: "Foods" is no "Fonds"), nor a jurisdiction's
    name (a subsidiary named by its domicile: "Brand Ireland"). The kinds' short forms are kinds ("Hold")."""
    if len(word) < MIN_DESCRIPTOR or not word.isalpha() or word in _NOT_DESCRIPTORS or jurisdiction_name(word):
        return False
    return not any(OSA.distance(word, w, score_cutoff=1) <= 1
                   and (len(w) >= MIN_MISSPELT_KIND or len(w) != len(word) or sorted(w) == sorted(word))
                   for w in _NOT_DESCRIPTORS if len(w) >= MIN_DESCRIPTOR)


def same_word(a: str, b: str) -> bool:
    """Whether two words are one up to a typo or an abbreviation (:func:`_word_pair_matches`): "logistics",
    "logisstics" and "log" are one descriptor written three ways."""
    return a == b or _word_pair_matches(a, b, False)


#: What a company does, in words the abbreviation tables write short ("Sys", "Tech", "Svcs", "Ins") and so list as
#: kinds of organisation (:data:`ORGANISATION_KIND_WORDS`) - for every other rule they stay kind words - but that
#: a portfolio company adds to its brand as its industry ("Cedar Gate Technologies S.A." / "Cedar Gate S.A.",
#: "Belella Systems" / "Belella"), read as descriptors by :func:`descriptor_form` only. "Technologies" is written
#: "technology" by the tables; "insurance" is an insurer's line of business added to its brand ("Brand
#: Insurance Inc." / "Brand Inc.").
KIND_WORDS_DESCRIBING = frozenset({"systems", "technology", "services", "insurance"})


#: Words a portfolio company's name may end on after its descriptor: the group's word and the deal layer's
#: ("Kelamure Logistics Group", "Ingero Energy Parent, Inc.", "Kinire Brands Topco Limited": a layer of the deal is
#: named after the operating company, with or without what it does).
_LAYER_ENDINGS = GROUP_WORDS | HOLDING_CHAIN_MARKERS


def descriptor_form(a: str, b: str) -> tuple[str, str] | None:
    """``(brand, descriptor)`` where one normalised name is the other with one more word, an industry
    descriptor (:func:`industry_descriptor`), after the brand: at its end ("feroova" / "feroova logistics",
    "quarry pine" / "quarry pine health") or before the group's word both names end on (:data:`GROUP_WORDS`:
    "kelamure group" / "kelamure logistics group", the group named after its operating company). A portfolio
    company is recorded by registries with its descriptor and by CRMs and vendors without it; the industry words
    the abbreviation tables list as kinds (:data:`KIND_WORDS_DESCRIBING`) are descriptors here. None where the
    brand has a kind or firm word itself ("Investments Larrain" / "Investments Larrain Vazquez": a second
    surname is another holding of the family) or a first word under :data:`MIN_DESCRIPTOR` letters
    (initials)."""
    wa, wb = a.split(), b.split()
    short, long_ = (wa, wb) if len(wa) < len(wb) else (wb, wa)
    if len(long_) != len(short) + 1 or len(short[0]) < MIN_DESCRIPTOR:
        return None
    at = len(short)
    while at > 1 and short[at - 1] in _LAYER_ENDINGS:
        at -= 1
    if at == len(short) or long_[:at] + long_[at + 1:] != short:
        at = len(short)
        if long_[:-1] != short:
            return None
    brand = short[:at]
    word = long_[at]
    if _NOT_DESCRIPTORS.intersection(brand) or not (word in KIND_WORDS_DESCRIBING or industry_descriptor(word)):
        return None
    return " ".join(brand), long_[at]


def descriptor_dropped(name: str, among: Container[str] | None = None) -> str | None:
    """The normalised name without its industry descriptor: the shorter name of :func:`descriptor_form` of which
    ``name`` is the longer ("feroova logistics" -> "feroova", "kelamure logistics group" -> "kelamure group");
    None where ``name`` has none. ``among``: only a shorter name in it, tested before the descriptor (the
    blocking key asks for the run's names, and most names have no shorter one there)."""
    head, _, last = name.rpartition(" ")
    if last not in _LAYER_ENDINGS:  # most names: the descriptor can only be the last word
        return head if head and (among is None or head in among) and descriptor_form(head, name) else None
    words = name.split()
    at = len(words) - 1
    while at > 1 and words[at] in _LAYER_ENDINGS:
        at -= 1
    for k in dict.fromkeys((at, len(words) - 1)):
        if k < 1:
            continue
        short = " ".join(words[:k] + words[k + 1:])
        if (among is None or short in among) and descriptor_form(short, name) is not None:
            return short
    return None


def descriptor_added(a: str, b: str) -> bool:
    """Whether two normalised names are a company's with and without its industry descriptor
    (:func:`descriptor_form`)."""
    return descriptor_form(a, b) is not None


def listed_names(names: Column, pairs: np.ndarray, check: np.ndarray) -> np.ndarray:
    """The pairs among ``check`` of which one name has an "and" between its first and last words, as a
    partnership's list of names does (:func:`partnership_short_form` is False for the others)."""
    out = np.zeros(len(pairs), dtype=bool)
    idx = np.flatnonzero(check)
    if not idx.size:
        return out
    rows, inverse = np.unique(pairs[idx], return_inverse=True)
    listed = np.fromiter(("and" in v.split()[1:-1] for v in names.values[rows].tolist()), dtype=bool, count=len(rows))
    out[idx] = listed[inverse.reshape(-1, 2)].any(axis=1)
    return out


def short_form(a: str, b: str) -> bool:
    """One normalised name is a short form of the other: its acronym
    (:func:`crmhub.identity.short_forms.acronym_pair`) or a partnership's leading names
    (:func:`partnership_short_form`)."""
    return acronym_pair(a, b) or partnership_short_form(a, b)


def place_acronym_pair(a: str, b: str) -> bool:
    """One normalised name is a jurisdiction and an acronym (:func:`jurisdiction_name`: a US state or a
    country, before or after the acronym: "connecticut psers"), the other a full name that names the same
    place and whose other words the acronym spells (:func:`acronym_of_name`: "connecticut public school
    employees retirement systems", "public school employees retirement systems of connecticut"). A state's
    or a country's public body is written by its place and its initials, and together they name it as its
    full name does; the place's other bodies stay apart, as every word of a name counts in its acronym.

    >>> place_acronym_pair("connecticut psers", "public school employees retirement systems of connecticut")
    True
    >>> place_acronym_pair("connecticut sers", "connecticut public school employees retirement systems")
    False
    """
    wa, wb = a.split(), b.split()
    for short, full in ((wa, wb), (wb, wa)):
        if len(short) < 2 or len(full) <= len(short):
            continue
        for place, acronym in ((short[:-1], short[-1]), (short[1:], short[0])):
            rest = _without_run(full, place)
            if rest is not None and jurisdiction_name(" ".join(place)) and acronym_of_name(acronym, rest):
                return True
    return False


def written_as_place_and_acronym(name: str) -> bool:
    """Whether normalised ``name`` may be the short side of a :func:`place_acronym_pair`: two words or more,
    the first or the second the first word of a jurisdiction's name
    (:func:`crmhub.identity.normalize.jurisdiction_first_words`, a set look-up; :func:`jurisdiction_name` itself
    costs more than the pair check it would spare)."""
    words = name.split()
    first = jurisdiction_first_words()
    return len(words) >= 2 and (words[0] in first or words[1] in first)


#: Fewest words a jurisdiction's body names besides its place for :func:`place_name_reordered`: "Washington
#: University" (St. Louis) and the "University of Washington" (Seattle) are two schools.
MIN_PLACE_BODY_WORDS = 2


def place_name_reordered(a: str, b: str) -> bool:
    """Two normalised names of a jurisdiction's body in its two word orders, the place (a US state or a
    country, :func:`jurisdiction_name`) written first or after "of" ("utah state teachers retirement systems" /
    "state teachers retirement systems of utah"), each without a last word that is its own acronym read in
    either order (:func:`crmhub.identity.short_forms.acronym_of_name`: "... of oregon orepfrs"). The body
    names :data:`MIN_PLACE_BODY_WORDS` words or more besides the place.

    >>> place_name_reordered("utah state teachers retirement systems", "state teachers retirement systems of utah")
    True
    >>> place_name_reordered("washington university", "university of washington")
    False
    >>> place_name_reordered("utah state teachers retirement systems", "teachers retirement systems of utah")
    False
    """
    wa, wb = a.split(), b.split()
    if len(set(wa).symmetric_difference(wb) - {"of"}) > 1:  # the words alike, but for an own acronym
        return False
    wa, wb = _without_own_acronym(wa), _without_own_acronym(wb)
    if wa == wb or sorted(w for w in wa if w != "of") != sorted(w for w in wb if w != "of"):
        return False
    for first, other in ((wa, wb), (wb, wa)):
        for size in range(1, 4):
            place = first[:size]
            if other[-size - 1:] == ["of", *place] and len(first) - size >= MIN_PLACE_BODY_WORDS \
                    and jurisdiction_name(" ".join(place)):
                return other[:-size - 1] == first[size:]
    return False


#: Japanese syllables Kunrei-shiki (ISO 3602) writes otherwise than Hepburn ("Huzinaga" / "Fujinaga", "Siniti" /
#: "Shinichi", "Nitimatu" / "Nichimatsu"), and long vowels written doubled or with "u" ("Oosaka", "Toukyou").
_KUNREI_SYLLABLES = (("si", "shi"), ("ti", "chi"), ("tu", "tsu"), ("hu", "fu"), ("zi", "ji"), ("di", "ji"),
                     ("du", "zu"))
_JAPANESE_LONG_VOWELS = re.compile(r"(?<=o)[ou]|(?<=u)u")
_HEPBURN_OF = dict(_KUNREI_SYLLABLES)
_KUNREI_SYLLABLE = re.compile("|".join(k for k, _ in _KUNREI_SYLLABLES))


def japanese_romanisation(word: str) -> str:
    """One spelling of a word romanised from Japanese: Hepburn's syllables for Kunrei-shiki's
    (:data:`_KUNREI_SYLLABLES`), long vowels written once.

    >>> japanese_romanisation("huzinaga"), japanese_romanisation("siniti"), japanese_romanisation("toukyou")
    ('fujinaga', 'shinichi', 'tokyo')
    """
    return _KUNREI_SYLLABLE.sub(lambda m: _HEPBURN_OF[m.group(0)], _JAPANESE_LONG_VOWELS.sub("", word))


#: Korean consonants the Revised Romanisation writes voiced and McCune-Reischauer voiceless or otherwise
#: ("Geumyong" / "Kumyoung", "Daekwang" / "Taegwang", "Choyong" / "Joyoung", "Dorae" / "Tolae"), and its vowels
#: (eo, eu, o, u, oo, ou: "Yeongsong" / "Youngsung", "Hyeoncho" / "Hyuncho", "Boohwa" / "Puhwa").
_KOREAN_FOLDS = (("ch", "j"), ("k", "g"), ("t", "d"), ("p", "b"), ("r", "l"), ("eo", "u"), ("eu", "u"),
                 ("oo", "u"), ("ou", "u"), ("o", "u"), ("wu", "u"))


def korean_romanisation(word: str) -> str:
    """One spelling of a word romanised from Korean in the Revised, McCune-Reischauer or popular way
    (:data:`_KOREAN_FOLDS`).

    >>> korean_romanisation("geumyong") == korean_romanisation("kumyoung")
    True
    """
    for written, folded in _KOREAN_FOLDS:
        word = word.replace(written, folded)
    return _DOUBLED_LETTER.sub(r"\1", word)


_DOUBLED_LETTER = re.compile(r"(.)\1")
#: Fewest letters of a word read in another romanisation.
MIN_ROMANISED = 4


def romanised_alike(a: str, b: str, fold) -> bool:
    """Two normalised names of as many words, each pair of words equal or, both of :data:`MIN_ROMANISED`
    letters or more, one word in two romanisations (``fold``: :func:`japanese_romanisation`,
    :func:`korean_romanisation`); at least one word differs."""
    wa, wb = a.split(), b.split()
    if len(wa) != len(wb) or wa == wb:
        return False
    return all(x == y or (min(len(x), len(y)) >= MIN_ROMANISED and x.isalpha() and y.isalpha()
                          and fold(x) == fold(y)) for x, y in zip(wa, wb, strict=True))


def _without_own_acronym(words: list[str]) -> list[str]:
    """``words`` without a last word of three letters or more that is the acronym of the words before it in
    one of their readings (:func:`crmhub.identity.short_forms.acronym_of_name`)."""
    if len(words) >= 3 and len(words[-1]) >= 3 and acronym_of_name(words[-1], words[:-1]):
        return words[:-1]
    return words


def _without_run(words: list[str], run: list[str]) -> list[str] | None:
    """``words`` without the first occurrence of ``run`` (consecutive words), or None where it is absent."""
    n = len(run)
    for k in range(len(words) - n + 1):
        if words[k:k + n] == run:
            return words[:k] + words[k + n:]
    return None


def short_form_mask(names: Column, pairs: np.ndarray, check: np.ndarray, predicate=short_form) -> np.ndarray:
    """``predicate`` (:func:`short_form` or one of its parts) for the pairs selected by ``check`` (others
    False), once per distinct pair of names. A predicate of :data:`SHORT_SIDES` only where one name may be
    its short side (tested once per distinct name): most names are not, and a million-record run checks
    millions of pairs."""
    short_side = SHORT_SIDES.get(predicate)
    if short_side is not None:
        idx = np.flatnonzero(check)
        check = np.zeros(len(pairs), dtype=bool)
        check[idx] = names.per_value(short_side, pairs[idx], dtype=bool).any(axis=1)
    return name_pair_mask(names, pairs, check, predicate)


#: Shortest acronym a town in common vouches for (with the full name's own site spelling it): "SIA" in
#: Singapore is an airline as much as an investment authority.
MIN_SITE_ACRONYM = 4


def acronym_site_mask(names: Column, domains: Column, pairs: np.ndarray, check: np.ndarray) -> np.ndarray:
    """Pairs (among ``check``) of a one-word name of :data:`MIN_SITE_ACRONYM` letters or more and a full
    name whose own web domain is that word and of which it is the acronym ("GSERS" ~ "Glancen State
    Employees' Retirement System" at gsers.org): the organisation is known by it."""
    out = np.zeros(len(pairs), dtype=bool)
    idx = np.flatnonzero(check)
    if not idx.size:
        return out
    # per record of the checked pairs: its name where it is one word long enough, and its site's first label
    rows, inverse = np.unique(pairs[idx], return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    word = np.array([v if len(v) >= MIN_SITE_ACRONYM and " " not in v else None for v in names.values[rows].tolist()],
                    dtype=object)
    site = np.array([v.split(".")[0] for v in domains.values[rows].tolist()], dtype=object)
    for s, full in ((0, 1), (1, 0)):
        maybe = np.flatnonzero((word[inverse[:, s]] == site[inverse[:, full]]) & ~out[idx])
        for k in idx[maybe].tolist():
            if acronym_of_name(names.values[pairs[k, s]], names.values[pairs[k, full]].split()):
                out[k] = True
    return out


def names_by_town(names: Column, cities: Column, towns: set[int]) -> dict[int, set[str]]:
    """The distinct names of the records in ``towns`` (town codes), by town."""
    city = cities.codes
    out: dict[int, set[str]] = {}
    for r in np.flatnonzero(np.isin(city, np.fromiter(towns, dtype=np.int64, count=len(towns)))).tolist():
        out.setdefault(int(city[r]), set()).add(names.values[r])
    return out


def _town_acronym_pair(a: str, b: str) -> bool:
    """:func:`acronym_pair` with an acronym of :data:`MIN_SITE_ACRONYM` letters or more, or of fewer where
    the full name lists names with "and" (a firm named after its founders: "QNH" for "Quigley, Nilsen &
    Hale"): there each letter stands for a person's name, where a short acronym's letters ("SIA") stand for
    words that name many organisations (Investment, Advisors)."""
    acronym, full = (a, b) if " " not in a else (b, a)
    return (len(acronym) >= MIN_SITE_ACRONYM or "and" in full.split()[1:-1]) and acronym_pair(a, b)


def acronym_in_town_mask(names: Column, cities: Column, pairs: np.ndarray, check: np.ndarray) -> np.ndarray:
    """Pairs (among ``check``) of an acronym of :data:`MIN_SITE_ACRONYM` letters or more, or of a firm named
    after its founders (:func:`_town_acronym_pair`), and a full name it spells (:func:`acronym_pair`)
    where, among the run's names in the two records' towns, the acronym spells one brand's names only
    (:func:`crmhub.identity.short_forms.brand_word`: "WHAM" / "Wren Hill Asset Management" in Atlanta;
    "RPERA" / "City of Ridgemont Public Employees' Retirement Association" in Chicago; "QNH" / "Quigley,
    Nilsen & Hale" in Austin): a CRM writes an organisation by its initials where it works, and there they
    name nobody else. Where they spell two brands' names in the town nothing is read; three letters of
    other words ("SIA") name too many organisations a run does not hold for a town to vouch."""
    out = short_form_mask(names, pairs, check, _town_acronym_pair)
    idx = np.flatnonzero(out)
    if not idx.size:
        return out
    towns = cities.codes[pairs[idx]]
    index = {town: spelling_index(v) for town, v in names_by_town(names, cities, set(towns[towns >= 0].tolist())).items()}
    for k, (ta, tb) in zip(idx.tolist(), towns.tolist(), strict=True):
        a, b = names.values[pairs[k, 0]], names.values[pairs[k, 1]]
        acronym = a if " " not in a else b
        spelt = set().union(*(names_in_index_spelt_by(acronym, index.get(t, {})) for t in {ta, tb} if t >= 0))
        out[k] = len({brand_word(v.split()) for v in spelt}) == 1
    return out


#: The short-form predicates that hold only where one name passes a cheap test of its own, with that test
#: (:func:`short_form_mask` reads it first, once per distinct name): an acronym
#: (:func:`crmhub.identity.short_forms.written_as_acronym`), a jurisdiction and an acronym.
SHORT_SIDES: dict[Callable[[str, str], bool], Callable[[str], bool]] = {
    acronym_pair: written_as_acronym, _town_acronym_pair: written_as_acronym,
    place_acronym_pair: written_as_place_and_acronym}
