"""Short forms of organisation names that no character similarity sees: acronyms ("SPSERS" for "Sliura
Public School Employees' Retirement System", "CalPERS", "NYSCRF", "OMERS") and contractions of
multi-word terms ("ManCo" for "Management Company", "FO" for "Family Office").

Pure functions on normalised name tokens (:func:`crmhub.identity.normalize.org_name_tokens`); the
normaliser and the comparison decide what evidence a short form needs (an acronym alone is ambiguous:
"SIA" names many organisations, so a pair of an acronym and a full name is lifted only where another field
agrees, see :func:`crmhub.identity.matching._lift_short_forms`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

#: Contractions of multi-word terms of private-equity and investor naming, expanded like the word
#: abbreviations of :data:`crmhub.identity.normalize.ORG_ABBREVIATIONS` ("Flailion ManCo" = "Flailion
#: Management Company"; "Company" is a legal word and dropped after the expansion). This module's own
#: short table of the established ones: a management company, a single- or multi-family office.
MULTI_WORD_SHORT_FORMS = {
    "manco": "management company", "fo": "family office",
    "sfo": "single family office", "mfo": "multi family office",
}

#: Words an acronym may skip or spell: "State of Wisconsin Investment Board" is "SWIB", "Police and Fire
#: Pension System" "PFPS" or "PAFPS".
ACRONYM_STOP_WORDS = frozenset({"of", "the", "and", "for", "de", "du", "des", "la", "le", "et", "und", "in"})
#: Shortest acronym considered: two letters name too many organisations to be evidence of anything.
MIN_ACRONYM = 3
#: Letters the first word may give an acronym ("CalPERS", "NYSTRS" spells one per word).
MAX_LEAD_LETTERS = 3


def lead_of(lead: str, word: str) -> bool:
    """``lead`` is how an acronym may open with ``word``: its first letters (a truncation, "Cal" of
    California) or, where the word is a place (:func:`_place_word`), its first letter followed by later letters
    of it in order (a contraction: the USPS state abbreviations of Publication 28, Appendix B, are each the
    state's first letter and a later one, "MO" of Missouri and "NV" of Nevada, written before a system's
    initials in "MOSERS", "NVPERS"). A brand's letters are never read so: "SRAM" spells "Solora River Asset
    Management" only, not "Sarum Asset Management"."""
    if word.startswith(lead):
        return True
    rest = iter(word[1:])
    return lead[:1] == word[:1] and all(ch in rest for ch in lead[1:]) and _place_word(word)


@lru_cache(maxsize=4096)
def _place_word(word: str) -> bool:
    """``word`` names a US state or a country alone (:func:`crmhub.identity.normalize.jurisdiction_name`)."""
    from crmhub.identity.normalize import jurisdiction_name  # the normaliser reads acronyms with this module

    return jurisdiction_name(word)


@lru_cache(maxsize=50_000)
def is_acronym_of(acronym: str, words: Sequence[str]) -> bool:
    """``acronym`` (:data:`MIN_ACRONYM` letters or more) is spelt by ``words`` in order: the first one
    to :data:`MAX_LEAD_LETTERS` letters (:func:`lead_of`: "Cal" of California, "Mo" of Missouri), every
    other word its initial, stop
    words (:data:`ACRONYM_STOP_WORDS`) their initial or nothing. Every other word counts: "SERS" is no
    acronym of "Ohio State Employees Retirement System" (that is "OSERS"), so the states' systems stay
    apart. Names with numerals (funds, vintages) have no acronym here.

    >>> is_acronym_of("calpers", ("california", "public", "employees", "retirement", "systems"))
    True
    >>> is_acronym_of("sers", ("ohio", "state", "employees", "retirement", "systems"))
    False
    """
    words = tuple(words)
    if not acronym_word(acronym) or len(words) < 2 or not all(w.isalpha() for w in words):
        return False
    if words[0] in ACRONYM_STOP_WORDS or acronym[0] != words[0][0]:
        return False
    content = sum(w not in ACRONYM_STOP_WORDS for w in words)
    if not content <= len(acronym) <= len(words) + MAX_LEAD_LETTERS - 1:
        return False

    @cache
    def spell(pos: int, k: int) -> bool:  # acronym[pos:] is spelt by words[k:]
        if k == len(words):
            return pos == len(acronym)
        word = words[k]
        if word in ACRONYM_STOP_WORDS and spell(pos, k + 1):
            return True
        if k == 0:
            return any(lead_of(acronym[:n], word) and spell(n, 1)
                       for n in range(1, min(MAX_LEAD_LETTERS, len(word), len(acronym)) + 1))
        return acronym[pos] == word[0] and spell(pos + 1, k + 1) if pos < len(acronym) else False

    return spell(0, 0)


def acronym_word(word: str) -> bool:
    """A word that may be an acronym: :data:`MIN_ACRONYM` letters or more, letters only."""
    return len(word) >= MIN_ACRONYM and word.isalpha()


def written_as_acronym(name: str) -> bool:
    """A normalised name of one word that may be an acronym (:func:`acronym_word`): the short side of an
    :func:`acronym_pair`."""
    words = name.split()
    return len(words) == 1 and acronym_word(words[0])


#: Words naming what kind of place a public body belongs to, which its acronym often leaves out
#: ("Hawkbourne County Teachers' Retirement System" is "HTRS", "City of Ridgemont Public Employees'
#: Retirement Association" "RPERA") as often as it keeps them ("LACERA": Los Angeles County ...).
PLACE_QUALIFIERS = frozenset({"county", "city", "state", "town"})


@lru_cache(maxsize=50_000)
def name_readings(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The word orders an acronym may spell of a name: as written; with its "of <place>" tail read first
    ("County Employees' Retirement Association of Bungent" is "BUCERA"); the words before "of" (the place
    left out, as in "Teacher Retirement System of Texas", "TRS"); and each of those without the words of
    :data:`PLACE_QUALIFIERS` (and the stop words they leave in front)."""
    readings = [words]
    if "of" in words[1:-1]:
        k = words.index("of", 1)
        tail = tuple(w for w in words[k + 1:] if w not in ACRONYM_STOP_WORDS)
        if tail:
            readings += [tail + words[:k], words[:k]]
    if PLACE_QUALIFIERS.isdisjoint(words):
        return tuple(readings)
    for r in list(readings):
        if not PLACE_QUALIFIERS.isdisjoint(r):
            kept = [w for w in r if w not in PLACE_QUALIFIERS]
            while kept and kept[0] in ACRONYM_STOP_WORDS:
                kept.pop(0)
            if len(kept) >= 2:
                readings.append(tuple(kept))
    return tuple(dict.fromkeys(readings))


def acronym_of_name(acronym: str, words: Sequence[str]) -> bool:
    """:func:`is_acronym_of` of one of the name's :func:`name_readings`."""
    return any(is_acronym_of(acronym, r) for r in name_readings(tuple(words)))


def initials(words: tuple[str, ...]) -> frozenset[str]:
    """The one-letter-per-word acronyms of a name (:func:`name_readings`, stop words left out) of
    :data:`MIN_ACRONYM` letters or more; none for a name with numerals (funds have no acronym here)."""
    if not all(w.isalpha() for w in words):
        return frozenset()
    out = ("".join(w[0] for w in r if w not in ACRONYM_STOP_WORDS) for r in name_readings(words))
    return frozenset(a for a in out if len(a) >= MIN_ACRONYM)


def lead_and_initials(words: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """Per reading of a name (:func:`name_readings`, stop words left out): its first letter and the initials
    of its other words, what an acronym opening with a lead of the first word (:func:`lead_of`) ends on
    ("arizona state investment board" -> ("a", "sib"), matched by "AraSIB"); none for a name with numerals."""
    if not all(w.isalpha() for w in words):
        return frozenset()
    out = ([w for w in r if w not in ACRONYM_STOP_WORDS] for r in name_readings(words))
    return frozenset((r[0][0], "".join(w[0] for w in r[1:])) for r in out if len(r) >= 2)


def acronym_leads(acronym: str) -> frozenset[tuple[str, str]]:
    """The ways :func:`lead_and_initials` may read ``acronym``: its first letter and what follows a lead of one
    to :data:`MAX_LEAD_LETTERS` letters ("arasib" -> ("a", "rasib"), ("a", "asib"), ("a", "sib"))."""
    if not acronym_word(acronym):
        return frozenset()
    return frozenset((acronym[0], acronym[n:]) for n in range(1, min(MAX_LEAD_LETTERS, len(acronym) - 1) + 1))


def drop_own_acronym(tokens: list[str], keep: frozenset[str] = frozenset()) -> list[str]:
    """``tokens`` without a last word that is the acronym of the words before it ("Handine Municipal
    Employees' Retirement System (HMERS)" is the name without "(HMERS)"): the name says the same twice.
    Words in ``keep`` (vehicle markers such as "TEI") are never dropped. Only an acronym of the name as
    written: read off a reordered name ("... Association of Bungent (BUCERA)") the acronym may be all that
    tells two plans apart where a source lost the place.
    """
    if len(tokens) >= 3 and tokens[-1] not in keep and is_acronym_of(tokens[-1], tuple(tokens[:-1])):
        return tokens[:-1]
    return tokens


def acronym_pair(a: str, b: str) -> bool:
    """One normalised name is a single word, the acronym of the other ("spsers" ~ "sliura public school
    employees retirement systems")."""
    wa, wb = a.split(), b.split()
    if len(wa) == 1 and len(wb) > 1:
        return acronym_of_name(wa[0], wb)
    if len(wb) == 1 and len(wa) > 1:
        return acronym_of_name(wb[0], wa)
    return False


def _spelling_keys(words: tuple[str, ...]) -> set[tuple[str, str]]:
    """Index keys of a name for :func:`spelling_index`: per reading :func:`acronym_of_name` tries, the
    first letter and the last word's initial, or the last two words' initials (names of three words or
    more: an acronym spells one letter per word after the first), read with and without its stop words
    (an acronym may skip them: "QNH" is "Quigley, Nilsen and Hale")."""
    readings = name_readings(words)
    without_stop_words = [(r[0], *(w for w in r[1:] if w not in ACRONYM_STOP_WORDS)) for r in readings]
    return {(r[0][0], r[-1][0] if len(r) == 2 else r[-2][0] + r[-1][0])
            for r in (*readings, *without_stop_words) if len(r) >= 2}


def names_spelt_by(acronyms: Iterable[str], names: Iterable[str]) -> dict[str, list[str]]:
    """For each of ``acronyms`` the ``names`` (normalised) it is an acronym of (:func:`acronym_of_name`):
    an acronym names every organisation whose words spell it ("DPFPS": every "D… Police & Fire Pension
    System"). Acronyms without such a name are left out."""
    index = spelling_index(names)
    out: dict[str, list[str]] = {}
    for acronym in set(acronyms):
        if found := names_in_index_spelt_by(acronym, index):
            out[acronym] = sorted(found)
    return out


def spelling_index(names: Iterable[str]) -> dict[tuple[str, str], list[str]]:
    """``names`` (normalised, of two words or more) under the keys an acronym is looked up by
    (:func:`_spelling_keys`, :func:`_acronym_keys`): by first letter and last initials, so each acronym is
    checked against the few names that could spell it."""
    index: dict[tuple[str, str], list[str]] = {}
    for name in set(names):
        words = tuple(name.split())
        if len(words) >= 2:
            for key in _spelling_keys(words):
                index.setdefault(key, []).append(name)
    return index


def _acronym_keys(acronym: str) -> set[tuple[str, str]]:
    """The :func:`spelling_index` keys the names ``acronym`` may spell are under: its first letter with its
    last letter or its last two (none for a word too short or not all letters to be an acronym)."""
    if not acronym_word(acronym):
        return set()
    return {(acronym[0], acronym[-1]), (acronym[0], acronym[-2:])}


def names_in_index_spelt_by(acronym: str, index: dict[tuple[str, str], list[str]]) -> set[str]:
    """The names of a :func:`spelling_index` that ``acronym`` is an acronym of (:func:`acronym_of_name`)."""
    return {n for key in _acronym_keys(acronym) for n in index.get(key, ()) if acronym_of_name(acronym, n.split())}


#: Words a public body's name may open with before its brand ("State of Sunwick Public Employees'
#: Retirement Association" is Sunwick's): "the" and a place qualifier followed by "of".
_LEAD_WORDS = frozenset({"the"})


def brand_word(words: Sequence[str]) -> str | None:
    """The brand of a normalised name: its first word, after a leading "the" or "<place qualifier> of"
    (:data:`PLACE_QUALIFIERS`: "state of sunwick public employees ..." -> "sunwick")."""
    k = 0
    while k < len(words) and words[k] in _LEAD_WORDS:
        k += 1
    if k + 1 < len(words) and words[k] in PLACE_QUALIFIERS and words[k + 1] == "of":
        k += 2
    return words[k] if k < len(words) else None


#: Shortest brand a name written by its brand alone is read by: shorter words are initials and acronyms.
MIN_BRAND = 4
#: Most words of a brand short form: the brand alone or with one descriptor ("Castellano", "Sunwick Employees").
MAX_BRAND_FORM_WORDS = 2


def is_brand_form(words: Sequence[str]) -> bool:
    """A name that may be an organisation written by its brand: the brand (:data:`MIN_BRAND` letters or
    more) alone or with one descriptor, letters only ("Castellano", "Sunwick Employees")."""
    return (0 < len(words) <= MAX_BRAND_FORM_WORDS and len(words[0]) >= MIN_BRAND
            and all(w.isalpha() for w in words))


def _same_word(a: str, b: str) -> bool:
    return a == b or a + "s" == b or b + "s" == a


def brand_short_form(short: Sequence[str], full: Sequence[str]) -> bool:
    """``short`` is ``full`` written by its brand (:func:`is_brand_form`): the brand of ``full``
    (:func:`brand_word`), alone or with one of ``full``'s other words, singular or plural ("Castellano",
    "Castellano Foundation" ~ "Castellano Family Foundation"; "Sunwick Employees" ~ "State of Sunwick
    Public Employees' Retirement Association"). A descriptor ``full`` lacks ("Greystone Endowment" /
    "Greystone University") is another name, not a short form of this one; so is the brand with the
    word ``full`` ends on (:func:`kind_form`), and a partnership's first name ("Vance Thornton" / "Vance and
    Thornton Energy Services": the brand is both names). Alone it is no evidence: a
    brand names a family of organisations (:func:`crmhub.identity.matching._lift_brand_forms` asks the town
    and the run's other names of that brand)."""
    if not is_brand_form(short) or len(full) <= len(short) or short[0] != brand_word(full) or kind_form(short, full):
        return False
    if partnership_of(short[0], full):
        return False
    rest = list(full[list(full).index(short[0]) + 1:])
    return all(any(_same_word(w, v) for v in rest) for w in short[1:])


def kind_form(short: Sequence[str], full: Sequence[str]) -> bool:
    """``short`` is a brand and the word ``full`` ends on, the kind of organisation ("Darant Foundation" /
    "Darant Family Foundation", "Spestion Investment" / "Spestion Investment Authority" is not one: its
    word is not the last): a complete name of its own, which a family gives a second organisation."""
    return len(short) == 2 and len(full) > 2 and _same_word(short[1], full[-1])


def partnership_of(brand: str, full: Sequence[str]) -> bool:
    """``full`` lists ``brand`` and another name with "and" ("vance and thornton energy services"): the
    firm is known by both names, and its first name alone is a partnership's short form
    (:func:`crmhub.identity.comparison.partnership_short_form`), not a brand's."""
    words = list(full)
    return brand in words and words[words.index(brand) + 1:][:1] == ["and"]


#: What a single-family office is called after the family's name: "The Goldberg Family Office" and "Goldberg
#: Family Investments" are the two ways a family names its office (the trading name and the investment
#: holding it invests through). "Foundation", "Trust" and "Holdings" are not among them: a family's
#: foundation or trust is another organisation of the family (a hard negative), and so is the holding of an
#: operating business.
FAMILY_OFFICE_KINDS = frozenset({"office", "investments", "investment", "invts"})


def family_office_alias(a: str, b: str) -> bool:
    """Two normalised names of one family's office: the same words before "family", one going on with
    "office", the other with "investments" ("goldberg family office" / "goldberg family investments",
    "kingsley calloway family invts"). Another first name or initial is another branch's office
    ("j smith family office" / "smith family investments": not one).

    >>> family_office_alias("goldberg family office", "goldberg family investments")
    True
    >>> family_office_alias("goldberg family office", "goldberg family foundation")
    False
    >>> family_office_alias("j goldberg family office", "goldberg family investments")
    False
    """
    wa, wb = a.split(), b.split()
    if len(wa) < 3 or len(wb) < 3 or wa[-2] != "family" or wb[-2] != "family" or wa[:-2] != wb[:-2]:
        return False
    ends = {wa[-1], wb[-1]}
    return len(ends) == 2 and ends <= FAMILY_OFFICE_KINDS and "office" in ends
