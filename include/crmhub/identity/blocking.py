"""Blocking: which pairs of records are compared at all.

Comparing every pair costs n²/2 comparisons (5·10¹¹ at one million records). Blocking compares only
pairs that share at least one *blocking key*; several independent keys are used so that a typo or a
missing value in one field does not hide a true pair (a pair is a candidate if ANY key agrees).

Cost stays near-linear because of the per-key cap: inside a block of up to ``max_block`` records every
pair is generated; a larger block (a popular surname, a big firm's domain) is sorted by a secondary
value and only records within ``window`` positions of each other are paired (sorted neighbourhood).
So each record yields at most ``max(max_block, window)`` pairs per key.

A key may ask for a second pass over its oversized blocks (``reverse_pass``): the same window over
the *reversed* sort values. A typo early in a name ("Hartor Capital") sorts it far away from its
twin behind hundreds of equal "Harbor Capital" records; read backwards, the two share their long
common tail and become neighbours. This is the classic multi-pass sorted neighbourhood; it costs at
most another ``window`` pairs per record, and only for records in oversized blocks.

A key may also give a record *several* values (``multi``): the record joins every block it names.
The org key ``name_word_ends`` is one: a typo changes only one end of a word, so a name's first two
words each keep their first or their last letters, and one of the four (up to sixteen) combinations
of word ends is shared by two spellings with a typo in each word ("Lnke Softkare" / "Lake Software").
Its blocks are read in reversed-name order with a smaller cap of their own, so it adds few pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crmhub.identity import normalize as nz
from crmhub.identity.arrays import unique_ints
from crmhub.identity.comparison import descriptor_dropped, partner_initials, written_as_partner_initials
from crmhub.identity.parallel import forked_map
from crmhub.identity.short_forms import (
    acronym_leads,
    acronym_of_name,
    acronym_word,
    brand_word,
    initials,
    is_brand_form,
    lead_and_initials,
)


@dataclass(frozen=True)
class BlockingKey:
    """A named key function over a prepared frame (returns one key or ``None`` per row) and a sort value."""

    name: str
    key: Callable[[pd.DataFrame], list]
    sort: Callable[[pd.DataFrame], list]
    reverse_pass: bool = False
    #: ``key`` gives each row a tuple of keys (or ``None``): the row joins every one of those blocks
    multi: bool = False
    #: this key's own caps (``None``: the caps :func:`candidate_pairs` is called with)
    max_block: int | None = None
    window: int | None = None


def _prefix(values: list, n: int) -> list:
    return [v[:n] if v else None for v in values]


def _join(*parts: list) -> list:
    """Per row, the parts joined by ``|``; ``None`` when any part is missing (``None`` or ``""``)."""
    return ["|".join(row) if all(row) else None for row in zip(*parts, strict=True)]


def _org_first_tokens(df: pd.DataFrame) -> list:
    out = []
    for name in df["n_name"].tolist():
        if not name:
            out.append(None)
            continue
        toks = name.split()
        out.append(toks[0] + ("|" + toks[1][:2] if len(toks) > 1 else ""))
    return out


def _org_sorted_tokens(df: pd.DataFrame) -> list:
    out = []
    for name in df["n_name"].tolist():
        if not name:
            out.append(None)
            continue
        toks = sorted(t for t in name.split() if not t.isdigit() and t not in nz.ORDER_FREE_WORDS)
        out.append(" ".join(toks[:2]) if toks else None)
    return out


def _sorted_words(df: pd.DataFrame) -> list:
    """The name's words in alphabetical order (:data:`~crmhub.identity.normalize.ORDER_FREE_WORDS` left out):
    the two word orders of one name ("Krourcell County Employees Retirement Association" / "County
    Employees Retirement Association of Krourcell") read alike."""
    return [nz.order_free_words(name) if name else "" for name in df["n_name"].tolist()]


def _org_phonetic(df: pd.DataFrame) -> list:
    out = []
    for name in df["n_name"].tolist():
        toks = [t for t in (name or "").split() if not t.isdigit()]
        out.append("".join(nz.soundex(t) or "" for t in toks[:2]) if toks else None)
    return out


def _org_last_token(df: pd.DataFrame) -> list:
    out = []
    for name in df["n_name"].tolist():
        toks = (name or "").split()
        out.append(f"{toks[-1]}|{toks[0][0]}|{len(toks)}" if len(toks) > 1 else None)
    return out


def _org_rest(df: pd.DataFrame) -> list:
    """The name without its first word, when two or more words remain: a typo in the first letters
    ("Bmber Credit Opportunities 5" for "Umber ...") changes every other name key."""
    out = []
    for name in df["n_name"].tolist():
        toks = (name or "").split()
        out.append(" ".join(toks[1:]) if len(toks) > 2 else None)
    return out


def _rest_then_first(df: pd.DataFrame) -> list:
    return [f"{r} {n.split()[0][1:]}" if r else "" for r, n in zip(_org_rest(df), df["n_name"].fillna("x").tolist(),
                                                                      strict=True)]


def _org_spelling_keys(df: pd.DataFrame) -> list:
    """Per row, its name's :func:`crmhub.identity.normalize.name_spelling_key` without spaces and without the
    plural "s" closing each of its runs (once per distinct name): the key of ``name_joined``. The spelling key
    keeps the first word's "s" (a brand's letters), but a name run together into its first word
    ("Towerpartners" / "Tower Partners") has its plural there."""
    names = df["n_name"].tolist()
    done = {v: "".join(nz.singular_word(run) for run in nz.name_spelling_key(v).split()) for v in set(names) if v}
    return [done.get(v) if v else None for v in names]


def _names(df: pd.DataFrame) -> list:
    return df["n_name"].fillna("").tolist()


def _reversed_names(df: pd.DataFrame) -> list:
    return [v[::-1] for v in _names(df)]


#: words skipped when picking a name's first two words (they carry nothing about the organisation)
_NAME_STOP_WORDS = frozenset({"the", "of", "and", "for", "de", "du", "des", "la", "le", "et", "und"})


def word_ends(word: str) -> tuple[str, ...]:
    """Codes of one word that a single typo (a letter changed, dropped or added, two neighbours swapped)
    leaves at least one of unchanged — always from five letters on, and at four letters except for a
    swap of the middle two ("lake" / "lkae"): the first and the last two letters up to six letters, the
    first and last three from five (five and six letters carry both, so that a letter dropped or added
    across that boundary keeps a code). Words under three letters are their own code."""
    n = len(word)
    if n < 3:
        return (word,)
    out = []
    if n <= 6:
        out += ["<" + word[:2], word[-2:] + ">"]
    if n >= 5:
        out += ["<" + word[:3], word[-3:] + ">"]
    return tuple(out)


def _org_word_ends(df: pd.DataFrame, *, glued: bool = False) -> list:
    """Every combination of one end code of the name's first word with one of its second (digits and
    stop words skipped; names of fewer than two words have none): a typo in each of the two words still
    leaves one combination shared ("Lnke Softkare" / "Lake Software": ``<la`` and ``are>``).

    ``glued``: instead, the combinations of the first two words read as one brand with the third word's
    first letters, and of a long first word (:data:`GLUED_BRAND`) with the second word's first letters,
    the brand's codes marked with its length class: a brand that one source splits and another writes as
    one word meets it even with a typo on top ("Tide Boyrne Europe Fund I" / "Tidebourne Europe Fund I":
    ``<tid`` of ten letters and ``<eur``), while a brand with a word more ("Granite Golden Capital" /
    "Granite Capital") does not.

    The combinations are integers (each code numbered once per call), computed once per distinct name.
    """
    code_ids: dict[str, int] = {}
    word_codes: dict[str, tuple[int, ...]] = {}
    by_name: dict[str, tuple[int, ...] | None] = {}

    def codes(word: str) -> tuple[int, ...]:
        got = word_codes.get(word)
        if got is None:
            got = word_codes[word] = tuple(code_ids.setdefault(c, len(code_ids)) for c in word_ends(word))
        return got

    lead_of: dict[str, tuple[int, ...]] = {}
    brand_of: dict[tuple[str, bool], tuple[int, ...]] = {}

    def lead_codes(word: str) -> tuple[int, ...]:  # the codes of the word's first letters only
        got = lead_of.get(word)
        if got is None:
            got = lead_of[word] = tuple(code_ids.setdefault(c, len(code_ids)) for c in word_ends(word) if c[0] == "<")
        return got

    def brand_codes(brand: str, written_as_one: bool) -> tuple[int, ...]:  # its codes, each with a length class
        # a typo changes a brand's length by one at most: a brand written as one word, n letters long, meets
        # the glued readings of n-1 to n+1 letters (length classes n // 2)
        got = brand_of.get((brand, written_as_one))
        if got is None:
            n = len(brand)
            lengths = sorted({(n - 1) // 2, (n + 1) // 2} if written_as_one else {n // 2})
            got = brand_of[brand, written_as_one] = tuple(code_ids.setdefault(f"{c}#{k}", len(code_ids))
                                                          for c in word_ends(brand) for k in lengths)
        return got

    def pairs_of(first: tuple[int, ...], second: tuple[int, ...]) -> list[int]:
        return [(a << 32) | b for a in first for b in second]

    def combinations(name: str) -> tuple[int, ...] | None:
        words = [t for t in name.split() if len(t) > 1 and not t.isdigit() and t not in _NAME_STOP_WORDS]
        if len(words) < 2:
            return None
        if not glued:
            return tuple(pairs_of(codes(words[0]), codes(words[1])))
        out = []
        if len(words[0]) >= GLUED_BRAND:
            out += pairs_of(brand_codes(words[0], True), lead_codes(words[1]))
        if len(words) > 2 and len(words[0]) + len(words[1]) >= GLUED_BRAND:
            out += pairs_of(brand_codes(words[0] + words[1], False), lead_codes(words[2]))
        return tuple(dict.fromkeys(out)) or None

    out = []
    for name in df["n_name"].tolist():
        if not name:
            out.append(None)
            continue
        got = by_name.get(name, False)
        if got is False:
            got = by_name[name] = combinations(name)
        out.append(got)
    return out


#: shortest brand of two words run together that :func:`_org_word_ends` reads glued ("Elmbrook"); also
#: the shortest first word read as such a brand
GLUED_BRAND = 7


def _org_glued_word_ends(df: pd.DataFrame) -> list:
    return _org_word_ends(df, glued=True)


def _reversed_joined_names(df: pd.DataFrame) -> list:
    return [v.replace(" ", "")[::-1] for v in _names(df)]


def _org_partnership_first_word(df: pd.DataFrame) -> list:
    """For a partnership's name ("greiay and shimay") and a one-word name ("greiay"), the end codes of the
    first word (:func:`word_ends`, a typo keeps one) each joined with the town: a firm known by its first
    name meets its full name where it practises (:func:`crmhub.identity.comparison.partnership_short_form`).
    Other names have none. Integers, each distinct (code, town) numbered once per call."""
    ids: dict[str, int] = {}
    out = []
    for name, city in zip(df["n_name"].tolist(), df["n_city"].tolist(), strict=True):
        toks = name.split() if name and city else []
        if not toks or not (len(toks) == 1 or "and" in toks[1:-1]):
            out.append(None)
            continue
        out.append(tuple(ids.setdefault(f"{code}|{city}", len(ids)) for code in word_ends(toks[0])))
    return out


def _org_one_word_or_site(df: pd.DataFrame) -> list:
    """A one-word name ("gsers") and the label of a web domain ("gsers" of gsers.org), each joined with
    the town: an organisation written by its acronym meets the record whose own site spells it. Integers,
    each distinct (word, town) numbered once per call."""
    ids: dict[str, int] = {}
    out = []
    for name, domain, city in zip(df["n_name"].tolist(), df["n_domain"].tolist(), df["n_city"].tolist(), strict=True):
        words = {w for w in (name if name and " " not in name else None, domain.split(".")[0] if domain else None) if w}
        out.append(tuple(ids.setdefault(f"{w}|{city}", len(ids)) for w in sorted(words)) if city and words else None)
    return out


def _org_initials(df: pd.DataFrame) -> list:
    """A one-word name ("htrs") and, in its town, every longer name whose initials spell it
    (:func:`crmhub.identity.short_forms.initials`: "Hawkbourne County Teachers' Retirement System"), or
    letters of its first word and the initials of the others ("AraSIB": :func:`_acronyms_in_town`): an
    organisation written by its acronym meets its full name where neither site spells it. Names whose
    initials no one-word name in their town carries have none. Integers, each distinct (word, town)
    numbered once per call."""
    rows = list(zip(df["n_name"].tolist(), df["n_city"].tolist(), strict=True))
    acronyms = {(name, city) for name, city in rows if name and city and " " not in name}
    towns = {city for _, city in acronyms}  # a name elsewhere has no acronym to meet: its initials are not read
    by_lead: dict[tuple[tuple[str, str], str], list[str]] = {}  # an acronym opening with a longer lead ("AraSIB")
    for name, city in acronyms:
        for key in acronym_leads(name):
            by_lead.setdefault((key, city), []).append(name)
    ids: dict[tuple[str, str], int] = {}
    by_row: dict[tuple[str, str], tuple[int, ...] | None] = {}
    out = []
    for row in rows:
        got = by_row.get(row, False)
        if got is False:
            name, city = row
            if row in acronyms:
                words = [name]
            elif name and city in towns:
                words = _acronyms_in_town(tuple(name.split()), city, acronyms, by_lead)
            else:
                words = []
            got = by_row[row] = tuple(ids.setdefault((w, city), len(ids)) for w in words) or None
        out.append(got)
    return out


def _acronyms_in_town(words: tuple[str, ...], city: str, acronyms: set[tuple[str, str]],
                      by_lead: dict[tuple[tuple[str, str], str], list[str]]) -> list[str]:
    """The one-word names of ``city`` (``acronyms``) that spell the name ``words``: its initials
    (:func:`crmhub.identity.short_forms.initials`) and the acronyms opening with a lead of its first word
    (``by_lead``, :func:`crmhub.identity.short_forms.acronym_leads`: "AraSIB"), checked by
    :func:`crmhub.identity.short_forms.acronym_of_name`."""
    found = {a for a in initials(words) if (a, city) in acronyms}
    found |= {a for key in lead_and_initials(words) for a in by_lead.get((key, city), ())
              if a not in found and acronym_of_name(a, words)}
    return sorted(found)


#: Most words of a place name a public body's name is read by ("texas", "new york", "district of columbia").
MAX_PLACE_WORDS = 3


def _place_and_acronym(words: list[str]) -> tuple[str, str] | None:
    """``(place, acronym)`` of a name written by a jurisdiction and an acronym, the place before or after it
    (:func:`crmhub.identity.normalize.jurisdiction_name`: a US state or a country, "texas sib", "psers
    pennsylvania"), else ``None``."""
    if not 2 <= len(words) <= MAX_PLACE_WORDS + 1:
        return None
    for place, acronym in ((words[:-1], words[-1]), (words[1:], words[0])):
        if acronym_word(acronym) and place[0] in nz.jurisdiction_first_words() \
                and nz.jurisdiction_name(" ".join(place)):
            return " ".join(place), acronym
    return None


def _org_place_acronyms(df: pd.DataFrame) -> list:
    """A name written by its jurisdiction and an acronym ("Texas SIB", "Oklahoma MRS") and, in any town, every
    longer name that names that place and whose other words the acronym spells
    (:func:`crmhub.identity.short_forms.acronym_of_name`: "State Investment Board of Texas", "Oklahoma Municipal
    Retirement System"): a state's or a country's public body is written by its place and its initials, and
    a CRM keeps it without the town as often as with it, so no town or name key is shared (the place-acronym
    lift, :func:`crmhub.identity.matching._lift_place_acronyms`, scores them). Names whose place and
    acronym no short form in the run carries have none. Integers, each distinct (place, acronym) numbered
    once per call."""
    names = df["n_name"].tolist()
    distinct = {name for name in names if name}
    shorts: dict[str, tuple[str, str]] = {}
    by_place: dict[str, set[str]] = {}
    for name in distinct:
        if got := _place_and_acronym(name.split()):
            shorts[name] = got
            by_place.setdefault(got[0], set()).add(got[1])
    read: dict[str, tuple[tuple[str, str], ...]] = {name: (got,) for name, got in shorts.items()}
    if by_place:
        first_words = {place.split()[0] for place in by_place}
        for name in distinct - shorts.keys():
            words = name.split()
            if first_words.isdisjoint(words):
                continue
            found = set()
            for size in range(1, MAX_PLACE_WORDS + 1):
                for k in range(len(words) - size + 1):
                    place = " ".join(words[k:k + size])
                    if words[k] in first_words and place in by_place and len(words) - size >= 2:
                        rest = words[:k] + words[k + size:]
                        found |= {(place, a) for a in by_place[place] if acronym_of_name(a, rest)}
            if found:
                read[name] = tuple(sorted(found))
    ids: dict[tuple[str, str], int] = {}
    return [tuple(ids.setdefault(k, len(ids)) for k in read[name]) if name in read else None for name in names]


def _org_brand_town(df: pd.DataFrame) -> list:
    """A name written by its brand (:func:`crmhub.identity.short_forms.is_brand_form`: "castellano",
    "sunwick employees") and, in its town, every longer name of that brand without a vehicle mark
    (:func:`crmhub.identity.short_forms.brand_word`: "castellano family foundation", "state of sunwick public
    employees retirement association"): an organisation a source writes by its brand meets its full name
    where it sits. Longer names whose brand no brand form in their town carries have none. Integers, each
    distinct (brand, town) numbered once per call."""
    rows = list(zip(df["n_name"].tolist(), df["n_city"].tolist(), df["n_numerals"].tolist(), strict=True))
    read: dict[str, tuple[str | None, bool]] = {}  # name -> (brand, written by its brand), once per name
    for name in {name for name, city, _ in rows if name and city}:
        words = name.split()
        read[name] = (words[0], True) if is_brand_form(words) else (brand_word(words), False)
    forms = {(read[name][0], city) for name, city, _ in rows if name and city and read[name][1]}
    ids: dict[tuple[str, str], int] = {}
    out = []
    for name, city, marks in rows:
        key = None
        if name and city:
            brand, form = read[name]
            if (form or not marks) and (brand, city) in forms:
                key = ids.setdefault((brand, city), len(ids))
        out.append(key)
    return out


def _org_descriptor_forms(df: pd.DataFrame) -> list:
    """A company's name with its industry descriptor and the name without it
    (:func:`crmhub.identity.comparison.descriptor_dropped`: "Feroova Logistics" / "Feroova", "Kelamure
    Logistics Group" / "Kelamure Group"), in any town: no name key is shared (the first words differ in
    number, the second word is missing) and a CRM keeps the brand without the town as often as with it
    (dev3_orgs 100k: 819 of the 4,883 true pairs without a candidate pair were such a pair).
    A name joins the block of its name without the descriptor where the run has that name, and a name of
    the run that another drops its descriptor to joins its own; other names have none (a brand's companies
    with two descriptors, "Feroova Logistics" / "Feroova Software", meet only beside the brand alone).
    Integers, each distinct name numbered once per call."""
    names = df["n_name"].tolist()
    distinct = {name for name in names if name}
    dropped = {name: short for name in distinct if (short := descriptor_dropped(name, distinct))}
    shorts = set(dropped.values())
    ids: dict[str, int] = {}
    out = []
    for name in names:
        keys = [k for k in (dropped.get(name), name if name in shorts else None) if k]
        out.append(tuple(ids.setdefault(k, len(ids)) for k in keys) or None)
    return out


def _org_partner_initials(df: pd.DataFrame) -> list:
    """A firm written by its two founders' initials ("RS & Co.", :func:`crmhub.identity.comparison.written_as_partner_initials`)
    and every name listing two partners with those initials ("Rossi & Santos"), in any town: a CRM writes a
    founder-named firm by its initials as often as by its names, and two letters give no acronym key. Lists whose
    initials no such short name in the run carries have none. Per row the initials or ``None``."""
    names = df["n_name"].tolist()
    shorts = {name for name in set(names) if name and written_as_partner_initials(name)}
    if not shorts:
        return [None] * len(names)
    keys = {}
    for name in set(names):
        if name:
            got = name if name in shorts else partner_initials(name)
            keys[name] = got if got in shorts else None
    return [keys.get(name) if name else None for name in names]


def _org_marked_short_forms(df: pd.DataFrame) -> list:
    """An organisation written by its brand and its vehicle marks only ("Kinisara UK", "Trear Buyer": every
    word after the first is one of the name's ``n_numerals``, none a numeral) and, with those same marks,
    every name of that brand ("Kinisara Corporate Services UK", "Trear Aerospace Buyer"): a subsidiary or
    deal vehicle written by its brand meets its full name. Names whose brand and marks no short form in the
    run carries have none, so a brand's many vehicles add no pairs among themselves. A fund's numeral is no
    such mark: "Monulond III" names a parallel vehicle beside "Monulond Infrastructure Partners III" as
    often as the flagship (dev3_orgs 100k: 62 of the 302 pairs such a key surfaced were two funds of one
    family). Nor are a manager's marks (:data:`MANAGER_MARKS`): "Rairow Management" and "Rairow Capital
    Management" are two firms as often as one (dev_orgs 100k: 49 hard-negative pairs of the key's scored
    above the review threshold, against 1,924 true). Integers, each distinct (brand, marks) numbered once
    per call."""
    keys: list[tuple[str, str] | None] = []
    shorts: set[tuple[str, str]] = set()
    for name, marks in zip(df["n_name"].tolist(), df["n_numerals"].tolist(), strict=True):
        words = name.split() if name else []
        if not marks or len(words) < 2 or len(words[0]) < MIN_MARKED_BRAND or any(c.isdigit() for c in marks) \
                or not MANAGER_MARKS.isdisjoint(marks.split()):
            keys.append(None)
            continue
        keys.append((words[0], marks))
        if set(words[1:]) <= set(marks.split()):
            shorts.add((words[0], marks))
    ids: dict[tuple[str, str], int] = {}
    return [ids.setdefault(k, len(ids)) if k in shorts else None for k in keys]


#: Fewest letters of the brand :func:`_org_marked_short_forms` reads: shorter first words are initials.
MIN_MARKED_BRAND = 4
#: Vehicle marks that name a fund's manager or general partner: with them a brand's short form ("Rairow
#: Management") and a longer name ("Rairow Capital Management") are the contested class of a manager with and
#: without its "Capital" / "Investment" word, left to the score.
MANAGER_MARKS = frozenset({"management", "manager", "advisors", "advisor", "gp"})


ORG_KEYS: tuple[BlockingKey, ...] = (
    BlockingKey("name_prefix", _org_first_tokens, _names),
    # ordered by all the name's words sorted, so that one name in its two word orders sorts together inside
    # a large block ("association county" holds every county employees' retirement association)
    BlockingKey("name_sorted_tokens", _org_sorted_tokens, _sorted_words),
    BlockingKey("name_phonetic", _org_phonetic, _names),
    BlockingKey("name_last_token", _org_last_token, _names),
    BlockingKey("domain", lambda df: df["n_domain"].tolist(), _names, reverse_pass=True),
    BlockingKey("tax_id", lambda df: df["n_tax_id"].tolist(), _names),
    # A popular name (or a firm's domain) makes a block far larger than ``max_block``, where only the
    # sorted window is paired and records with equal names sit in arbitrary order. These keys split such
    # blocks by a second, independent field so same-name records of one place / legal form / domain
    # still meet.
    BlockingKey("name_city", lambda df: _join(df["n_name"].tolist(), df["n_city"].tolist()), _names),
    BlockingKey("name_legal_form", lambda df: _join(df["n_name"].tolist(), df["n_legal"].tolist()), _names),
    BlockingKey("domain_city", lambda df: _join(df["n_domain"].tolist(), df["n_city"].tolist()), _names),
    # a typo breaks the exact keys; the phonetic code survives most, but its blocks are large too
    BlockingKey("name_phonetic_city", lambda df: _join(_org_phonetic(df), df["n_city"].tolist()), _names),
    # ... and a typo that changes the phonetic code (and the first token's key) still leaves the last
    # token: at one million records its blocks hold ~1,000 namesakes, split here by city and windowed
    # in both name orders (the typo'd record and its twin are neighbours read backwards)
    BlockingKey("name_last_token_city", lambda df: _join(_org_last_token(df), df["n_city"].tolist()), _names,
                reverse_pass=True),
    # a typo in the first letters of the first word: the rest of the name in one town (alone, "capital
    # partners 4" is shared by thousands), ordered by the first word without its first letter
    BlockingKey("name_rest_city", lambda df: _join(_org_rest(df), df["n_city"].tolist()), _rest_then_first),
    # a typo in each of the first two words (or one in the first letters of a two-word name) leaves no
    # key above intact: the words' ends do survive (see :func:`word_ends`); blocks of popular word ends
    # are read in reversed-name order (the rest of the name, often intact, sorts the twins together)
    BlockingKey("name_word_ends", _org_word_ends, _reversed_names, multi=True, max_block=8, window=3),
    # a brand split in one source and run together in the other, with a typo besides ("Tide Boyrne Europe
    # Fund I" / "Tidebourne Europe Fund I"): the word ends again, the first two words read as one; blocks
    # of common word pairs are read in the reversed order of the names without spaces, where such twins
    # sort together, in a window of one (each further pair here shifts the run's learned chance agreement)
    BlockingKey("name_glued_word_ends", _org_glued_word_ends, _reversed_joined_names, multi=True, max_block=4,
                window=1),
    # one name spelt otherwise (:func:`crmhub.identity.normalize.name_spelling_key`): two words run together in
    # one source ("Lunarunity Ventures" / "Lunar Unity Ventures"), a plural, a word written short ("Sunwater FS" /
    # "Sunwater Fund Services", "LT" / "Long Term")
    BlockingKey("name_joined", _org_spelling_keys, _names),
    # a firm known by its first name ("Greiay LLP") and its full name ("Greiay & Shimay") in one town
    BlockingKey("partnership_first_word", _org_partnership_first_word, _names, multi=True, max_block=8, window=3),
    # an organisation by its acronym ("GSERS") and the record whose web domain spells it (gsers.org), in one town
    BlockingKey("one_word_or_site", _org_one_word_or_site, _names, multi=True, max_block=8, window=3),
    # ... and the full name whose initials spell it ("HTRS" / "Hawkbourne County Teachers' Retirement System")
    BlockingKey("name_initials", _org_initials, _names, multi=True, max_block=8, window=3),
    # ... and a jurisdiction and an acronym ("Texas SIB") and the full name of that place it spells, in any town
    BlockingKey("place_acronym", _org_place_acronyms, _names, multi=True, max_block=8, window=3),
    # ... and an organisation by its brand ("Castellano", "Sunwick Employees") and its full name, in one town
    BlockingKey("brand_town", _org_brand_town, _names, max_block=8, window=3),
    # ... a company by its brand without and with its industry descriptor ("Feroova" / "Feroova Logistics"), in any town
    BlockingKey("descriptor_form", _org_descriptor_forms, _names, multi=True, max_block=8, window=3),
    # ... and by its brand and vehicle marks only ("Kinisara UK" / "Kinisara Corporate Services UK")
    BlockingKey("marked_short_form", _org_marked_short_forms, _names, max_block=8, window=3),
    # ... and by its two founders' initials ("RS & Co." / "Rossi & Santos")
    BlockingKey("partner_initials", _org_partner_initials, _names, max_block=8, window=3),
)


def _person_sort(df: pd.DataFrame) -> list:
    return _join(df["n_last"].fillna("").tolist(), df["n_first"].fillna("").tolist())


def _last_soundex_first_initial(df: pd.DataFrame) -> list:
    lasts = [nz.soundex(v) if v else None for v in df["n_last"].tolist()]
    return _join(lasts, _prefix(df["n_first_canon"].tolist(), 1))


def _swapped_names(df: pd.DataFrame) -> list:
    out = []
    for first, last in zip(df["n_first"].tolist(), df["n_last"].tolist(), strict=True):
        if not first or not last:
            out.append(None)
            continue
        a, b = nz.soundex(first), nz.soundex(last)
        out.append("|".join(sorted((a, b))))
    return out


def _first_last_prefix(df: pd.DataFrame) -> list:
    return _join(df["n_first_canon"].tolist(), _prefix(df["n_last"].tolist(), 3))


def _phone_tail(df: pd.DataFrame) -> list:
    return [p[-9:] if p else None for p in df["n_phone"].tolist()]


CONTACT_KEYS: tuple[BlockingKey, ...] = (
    BlockingKey("email_local", lambda df: [None if r else v for v, r in
                                          zip(df["n_email_local"].tolist(), df["n_email_role"].tolist(), strict=True)],
                _person_sort),
    BlockingKey("email", lambda df: df["n_email"].tolist(), _person_sort),
    BlockingKey("last_soundex_first_initial", _last_soundex_first_initial, _person_sort),
    BlockingKey("swapped_names_phonetic", _swapped_names, _person_sort),
    BlockingKey("first_canon_last_prefix", _first_last_prefix, _person_sort),
    BlockingKey("phone", _phone_tail, _person_sort),
    BlockingKey("postcode_dob", lambda df: _join(df["n_postcode"].tolist(), df["n_dob"].tolist()), _person_sort),
    BlockingKey("dob_last_initial", lambda df: _join(df["n_dob"].tolist(), _prefix(df["n_last"].tolist(), 1)),
                _person_sort),
    BlockingKey("dob", lambda df: df["n_dob"].tolist(), _person_sort),
    BlockingKey("city_last_soundex",
                lambda df: _join(df["n_city"].tolist(), [nz.soundex(v) if v else None for v in df["n_last"].tolist()]),
                _person_sort),
    BlockingKey("city_first_canon", lambda df: _join(df["n_city"].tolist(), df["n_first_canon"].tolist()),
                _person_sort),
    BlockingKey("postcode_last_initial", lambda df: _join(df["n_postcode"].tolist(), _prefix(df["n_last"].tolist(), 1)),
                _person_sort),
    BlockingKey("postcode_first_initial",
                lambda df: _join(df["n_postcode"].tolist(), _prefix(df["n_first_canon"].tolist(), 1)), _person_sort),
    BlockingKey("org_domain_first_initial",
                lambda df: _join(df["n_org_domain"].tolist(), _prefix(df["n_first_canon"].tolist(), 1)),
                _person_sort),
)


def keys_for(kind: str) -> tuple[BlockingKey, ...]:
    return ORG_KEYS if kind == "org" else CONTACT_KEYS


def pairs_for_key(keys: list, sort_values: list, *, max_block: int = 40, window: int = 10,
                  oversized_only: bool = False) -> np.ndarray:
    """Candidate pairs ``(i, j)`` with ``i < j`` (an ``(m, 2)`` int64 array) for one blocking key.

    ``oversized_only``: pair only inside blocks larger than ``max_block`` (a second sorted pass, whose
    small blocks the first pass already paired completely).
    """
    return _key_pairs(keys, sort_ranks(sort_values), max_block=max_block, window=window,
                      oversized_only=oversized_only)


def sort_ranks(sort_values: list) -> np.ndarray:
    """Integer rank of each sort value (``None`` sorts as ``""``; equal values share a rank): only the
    distinct values are string-sorted, and every key sorted by the same values reuses the ranks."""
    return pd.factorize(pd.Series([v or "" for v in sort_values], dtype=object), sort=True)[0]


def _key_pairs(keys: list, ranks: np.ndarray, *, max_block: int, window: int, oversized_only: bool = False
               ) -> np.ndarray:
    """:func:`pairs_for_key` with the sort values given as their :func:`sort_ranks`."""
    idx = np.fromiter((i for i, k in enumerate(keys) if k is not None), dtype=np.int64)
    if idx.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    # integer codes (only the distinct values are hashed), then one lexsort over integers
    kcodes = pd.factorize(pd.Series([keys[i] for i in idx], dtype=object))[0]
    return _block_pairs(idx, kcodes, ranks[idx], max_block=max_block, window=window, oversized_only=oversized_only)


def _block_pairs(idx: np.ndarray, kcodes: np.ndarray, scodes: np.ndarray, *, max_block: int, window: int,
                 oversized_only: bool = False) -> np.ndarray:
    """The pairs of :func:`pairs_for_key` for entries ``idx`` (record positions, repeats allowed) with
    integer block codes ``kcodes`` and sort ranks ``scodes``."""
    perm = np.lexsort((scodes, kcodes))
    order = idx[perm]
    group = kcodes[perm]
    sizes = np.bincount(group)
    size = sizes[group]
    reach = np.where(size <= max_block, 0 if oversized_only else size - 1, window)
    chunks = []
    span = int(min(reach.max(initial=0), len(order)))
    if span == 0:
        return np.empty((0, 2), dtype=np.int64)
    for d in range(1, span + 1):
        same = (group[:-d] == group[d:]) & (reach[:-d] >= d)
        if not same.any():
            break
        a, b = order[:-d][same], order[d:][same]
        chunks.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    return np.concatenate(chunks)


def _multi_key_pairs(key_values: list, row_rank: np.ndarray, *, max_block: int, window: int) -> np.ndarray:
    """:func:`pairs_for_key` over rows that carry several integer keys each (a tuple or ``None`` per row),
    sorted by ``row_rank`` (:func:`sort_ranks`)."""
    counts = np.fromiter((len(ks) if ks else 0 for ks in key_values), dtype=np.int64, count=len(key_values))
    rows = np.repeat(np.arange(len(key_values), dtype=np.int64), counts)
    if rows.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    flat = np.fromiter((k for ks in key_values if ks for k in ks), dtype=np.int64, count=rows.size)
    kcodes = pd.factorize(flat)[0]
    pairs = _block_pairs(rows, kcodes, row_rank[rows], max_block=max_block, window=window)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]  # two of one record's keys in one block cannot happen; kept safe
    return pairs


#: Fewest records for which :func:`candidate_pairs` makes the keys' pairs in worker processes.
PARALLEL_MIN_RECORDS = 200_000


def candidate_pairs(prepared: pd.DataFrame, kind: str, *, max_block: int = 40, window: int = 10,
                    keys: tuple[BlockingKey, ...] | None = None, workers: int = 1) -> tuple[np.ndarray, dict[str, int]]:
    """Unique candidate pairs over every blocking key of ``kind``; also pairs generated per key. From
    :data:`PARALLEL_MIN_RECORDS` records the keys are worked on by ``workers`` forked processes
    (:func:`crmhub.identity.parallel.forked_map`; -1: one per core), one key at a time each: a key's pairs
    depend on the frame and the shared rankings only, so the result is the same."""
    n = len(prepared)
    keys = tuple(keys or keys_for(kind))
    ranks = _rankings(prepared, keys)
    parts = forked_map(_key_codes, (prepared, keys, ranks, max_block, window), range(len(keys)),
                       workers if n >= PARALLEL_MIN_RECORDS else 1)
    per_key = {bk.name: count for bk, (count, _) in zip(keys, parts, strict=True)}
    # one sort of every key's codes: merging key by key moved the growing union through fresh memory once per
    # key (a million organisations: 23 keys, 42.6M pairs, 18.6 s, 13 s of it the kernel's page zeroing, against
    # 2-3 s); the price is peak memory here of about three times the keys' pairs (~2.5 GB), below the run's peak
    codes = unique_ints(np.concatenate([c for _, c in parts])) if parts else np.empty(0, dtype=np.int64)
    return np.stack([codes // n, codes % n], axis=1), per_key


def _rankings(prepared: pd.DataFrame, keys: tuple[BlockingKey, ...]) -> dict:
    """Per sort function and direction the ``keys`` use: :func:`sort_ranks` of its values, computed once and
    shared by the keys sorted alike (backwards: each value reversed, for a key's reverse pass)."""
    ranks: dict = {}
    for bk in keys:
        for backwards in (False, True) if bk.reverse_pass else (False,):
            if (bk.sort, backwards) not in ranks:
                values = bk.sort(prepared)
                ranks[bk.sort, backwards] = sort_ranks([v[::-1] if v else v for v in values] if backwards else values)
    return ranks


def _key_codes(prepared: pd.DataFrame, keys: tuple[BlockingKey, ...], ranks: dict, max_block: int, window: int,
               k: int) -> tuple[int, np.ndarray]:
    """Key ``k``'s pairs: how many it generates, and their distinct codes ``a * n + b`` (sorted)."""
    bk, n = keys[k], len(prepared)
    key_values = bk.key(prepared)
    cap = {"max_block": bk.max_block or max_block, "window": bk.window or window}
    if bk.multi:
        pairs = _multi_key_pairs(key_values, ranks[bk.sort, False], **cap)
    else:
        pairs = _key_pairs(key_values, ranks[bk.sort, False], **cap)
    if bk.reverse_pass:
        pairs = np.concatenate([pairs, _key_pairs(key_values, ranks[bk.sort, True], oversized_only=True, **cap)])
    return int(len(pairs)), unique_ints(pairs[:, 0] * n + pairs[:, 1])
