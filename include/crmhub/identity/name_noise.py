"""What CRM and fund-administration systems write around an organisation's name, taken off before it is read.

:func:`clean_org_name` is the one place of these rules; :func:`crmhub.identity.normalize` reads every
organisation name through it, so the name, its legal form and its vehicle marks all see the cleaned text.

* **Mis-decoded text** (:func:`repair_mojibake`): UTF-8 bytes read as Windows-1252 or Latin-1 by one
  system on the way ("SociÃ©tÃ©" for "Société", "â€™" for "’"). The text is encoded back with the code page
  it was wrongly read with and decoded as UTF-8; a name that does not survive that round trip (genuine
  accented text: "é" alone is no UTF-8 sequence) is left as written. HTML character references an export
  left escaped ("&amp;") are read too.
* **Housekeeping marks** (:func:`strip_housekeeping`): what users type into a record's name to retire it
  without deleting it — sort-to-the-bottom prefixes ("zz_", "ZZ -", "xx-", "zzz "), flags in brackets or
  after a dash ("(DUPLICATE)", "[OLD]", "(inactive)", "- dup", "DO NOT USE", "DNU", "archived", "merged",
  "deleted", "obsolete"), and a leading or trailing asterisk. The record still names the organisation.
* **Mailing routes** (:func:`strip_mailing_route`): "<LP> c/o <agent>", "<LP> Attn: Private Equity" — an
  address line pasted into the name; the organisation is what comes before it.
* **Custody wrappers** (:func:`beneficial_owner`): "<Custodian> as custodian FBO <LP>", "f/b/o", "for the
  benefit of", "as trustee for", "ITF", "<LP> - <Custodian> as custodian": the custodian is the nominee
  holder of record, the investor (the beneficial owner) is the organisation the record is about.
* **Alternate names** (:func:`alternate_names`): "X f/k/a Y", "X (formerly Y)", "X, formerly known as Y",
  "X dba Y", "X a/k/a Y", "X t/a Y": the record carries two names of one organisation; the first is the
  current (or legal) one and is the name compared.
* **Departments** (:func:`strip_department`): "<LP> - Private Markets Group", "<LP> (Private Equity)", "<LP> /
  PE Team", "<LP> - Investment Office": the team a CRM user deals with, written after the organisation's
  name behind a dash, slash or in brackets. The organisation is what comes before it; a fund's name (one
  with a numeral) keeps its words ("Fund III (Co-Investment)" is another vehicle).
* **Other-language word forms** (:data:`OTHER_LANGUAGE_WORDS`): the French, German, Dutch, Spanish,
  Portuguese, Italian and romanised Japanese words a bilingual or foreign registration uses for the common fund words
  ("Partenaires" = Partners, "Gestion" = Management, "Beteiligungen" = Holdings), read as the English word
  by the name's abbreviation table.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

#: Characters that Windows-1252/Latin-1 decoding makes of a UTF-8 lead byte (0xC2-0xF4): "Ã" (0xC3) begins
#: every mis-decoded Latin-1 letter, "Â" (0xC2) a mis-decoded no-break space or sign, "â" (0xE2) a
#: mis-decoded typographic quote or dash, "Å"/"Ä" Central European letters.
#: The characters Windows-1252/Latin-1 decoding makes of a UTF-8 continuation byte (0x80-0xBF).
_CONTINUATION = ("[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
                 "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4]{_CONTINUATION}")


def repair_mojibake(text: str) -> str:
    """``text`` with UTF-8 that was decoded as Windows-1252 (else Latin-1) decoded again.

    Genuine text can hold a lead byte's character before a continuation byte's ("Strauß’s": "ß’" decodes to
    an N'Ko letter): a reading that writes one word in two scripts (:func:`_one_script_per_word`) is no
    repair, and the name is read run by run instead.

    >>> repair_mojibake("SociÃ©tÃ© GÃ©nÃ©rale"), repair_mojibake("Société Générale")
    ('Société Générale', 'Société Générale')
    >>> repair_mojibake("Strauß’s Capital"), repair_mojibake("Î‘Î¸Î®Î½Î± Capital")
    ('Strauß’s Capital', 'Αθήνα Capital')
    """
    if text.isascii() or not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            read = text.encode(codec).decode("utf-8")
        except UnicodeError:  # a character the code page lacks, or bytes that are no UTF-8: try the next
            continue
        if _one_script_per_word(read):
            return read
        break
    return _MOJIBAKE_RUN.sub(_repair_run, text)  # a name of mixed text: each mis-decoded run on its own


def _one_script_per_word(text: str) -> bool:
    """Whether the letters of each word of ``text`` belong to one script (:func:`_script`): a decoding that
    mixes scripts inside a word has read genuine text as bytes."""
    return all(len({_script(ch) for ch in word if ch.isalpha()}) <= 1 for word in text.split())


#: First words of the Unicode names of the letters Japanese writes in one word (kanji, kana, the long-vowel mark).
_JAPANESE_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA", "IDEOGRAPHIC"})


def _script(ch: str) -> str:
    """A letter's script, read as the first word of its Unicode name (``unicodedata``: "LATIN", "GREEK",
    "CYRILLIC", "NKO"; after "HALFWIDTH" / "FULLWIDTH" the next word), Japanese's scripts as one."""
    words = unicodedata.name(ch, "").split()
    first = words[1] if len(words) > 1 and words[0] in ("HALFWIDTH", "FULLWIDTH") else (words or [""])[0]
    return "CJK" if first in _JAPANESE_SCRIPTS else first


#: A run of mis-decoded UTF-8 sequences: a lead byte's character (or a lead "Ã" a case change made "ã")
#: and the continuation bytes' characters after it.
_MOJIBAKE_RUN = re.compile(f"(?:[\u00c2-\u00f4]{_CONTINUATION}+)+")


def _repair_run(match: re.Match) -> str:
    """One run of :data:`_MOJIBAKE_RUN` decoded again, else as written.

    A name's text can mix mis-decoded runs with characters no round trip survives (a no-break space, a
    genuine "é" typed into the record later), and a source that changes the case of the whole name turns
    the lead "Ã" of every mis-decoded Latin-1 letter into "ã" ("cÃ¨dre" -> "cã¨dre", "SociÃ©tÃ©" ->
    "Sociã©Tã©"): "ã" before a character of a Latin-1 letter's second byte (0xA0-0xBF) is read as "Ã", and so
    is an "ã" opening a word before any continuation byte's character ("Ã‰lan" -> "ã‰lan": the second bytes
    0x80-0x9F of the capitals "À"-"ß" are Windows-1252's typographic signs, which have no case); not a
    genuine "ã" closing a word before a typographic apostrophe or dash ("Irmã’s").

    >>> repair_mojibake("HÃ¶HENBERG\u00a0EDUCATION") == "HöHENBERG\u00a0EDUCATION", repair_mojibake("cã¨dre")
    (True, 'cèdre')
    >>> repair_mojibake("ã‰lan global partners"), repair_mojibake("Irmã’s Capital")
    ('Élan global partners', 'Irmã’s Capital')
    """
    run = match.group(0)
    cased = _CASED_LEAD.sub("\u00c3", run)
    if match.start() == 0 or not match.string[match.start() - 1].isalpha():
        cased = _CASED_OPENING_LEAD.sub("\u00c3", cased)
    for candidate in (run, cased):
        for codec in ("cp1252", "latin-1"):
            try:
                read = candidate.encode(codec).decode("utf-8")
            except UnicodeError:
                continue
            if _LATIN_OR_PUNCTUATION.fullmatch(read):  # not "Strauß’s" read as "Strau" + an N'Ko letter + "s"
                return read
    return run


#: A lower-cased "Ã" (0xC3) before the character of a continuation byte 0xA0-0xBF ("ã¨" for "Ã¨" = "è").
_CASED_LEAD = re.compile("\u00e3(?=[\u00a0-\u00bf])")
#: A lower-cased "Ã" opening a run before the character of any continuation byte ("ã‰" for "Ã‰" = "É").
_CASED_OPENING_LEAD = re.compile(f"^\u00e3(?={_CONTINUATION})")
#: What a run may decode to in mixed text: Latin letters and signs, typographic punctuation, "€", "™".
_LATIN_OR_PUNCTUATION = re.compile("[\u00a0-\u024f\u2010-\u2044\u20ac\u2122]+")


_FLAG_WORDS = r"(?:do\s+not\s+use|dnu|duplicate|dupe?|old|inactive|archived?|deleted?|merged|obsolete|closed|" \
              r"defunct|do\s+not\s+contact|use\s+other(?:\s+record)?)"
_SEP = r"\s*[_\-:;.,*~#!]+\s*"
#: A retired record's marks at the start: sort-to-the-bottom letters ("zz_", "ZZZ -", "xx-"; followed by a
#: separator or a flag, so "ZZ Capital" keeps its name), a flag in brackets or before a dash/colon, an asterisk.
_HOUSE_START = re.compile(
    rf"^(?:\s*(?:(?:zz+|xx+)(?:{_SEP}|(?=\s*[(\[]?{_FLAG_WORDS}\b))|[(\[{{]\s*{_FLAG_WORDS}\s*[)\]}}]|"
    rf"{_FLAG_WORDS}\s*(?:[-:;]|\s-)|(?:do\s+not\s+use|dnu)\s|[*~#!_]+))+\s*", re.IGNORECASE)
#: ... and at the end: a flag in brackets or after a dash, an asterisk.
_HOUSE_END = re.compile(
    rf"(?:\s*(?:[(\[{{]\s*{_FLAG_WORDS}\s*[)\]}}]|[-:;]\s*{_FLAG_WORDS}\s*[-:;.]?|(?<=\s)(?:do\s+not\s+use|dnu)|"
    rf"[*~#!_]+))+\s*$", re.IGNORECASE)


#: The first letters of the flags and the marks a retired record's name begins or ends with (a cheap test
#: before the patterns).
_FLAG_STEM = re.compile("zz|xx|do not|dnu|dup|old|inactiv|archiv|delet|merged|obsolete|closed|defunct|use other")
_MARK_CHARS = frozenset("*~#!_([{)]}")
#: How far from its end a retired record's trailing marks reach (" - DO NOT USE - [DUPLICATE] *" and less).
_HOUSE_END_REACH = 48


def strip_housekeeping(text: str) -> str:
    """``text`` without the marks a user writes into a retired record's name.

    >>> strip_housekeeping("ZZ - DO NOT USE - Harbor Capital LP"), strip_housekeeping("Harbor Capital [OLD]")
    ('Harbor Capital LP', 'Harbor Capital')
    >>> strip_housekeeping("zz_Harbor Capital *"), strip_housekeeping("ZZ Top Capital")
    ('Harbor Capital', 'ZZ Top Capital')
    """
    low = text.lower().strip()
    start = _HOUSE_START.match(text) if low[:1] in _MARK_CHARS or _FLAG_STEM.match(low) else None
    out = text[start.end():] if start else text
    if low[-1:] in _MARK_CHARS or _FLAG_STEM.search(low, max(len(low) - _HOUSE_END_REACH, 0)):
        end = _HOUSE_END.search(out, max(len(out) - _HOUSE_END_REACH, 0))  # marks are short: read the tail only
        out = out[:end.start()] if end else out
    return out if out.strip() else text


#: An address line pasted after the name: "c/o <agent>", "Attn: <department>", "Attention: <person>" ("Senior
#: Care of Texas" and "Attention Capital" keep their words: "care of" and "attention" need the route's marks).
_MAILING_ROUTE = re.compile(r"(?:,|\s-)?\s+(?:c/o|attn\b|att:|attention:)(?:[\s:.].*)?$", re.IGNORECASE)


def strip_mailing_route(text: str) -> str:
    """``text`` before a "c/o" or "Attn" line (also the word alone, the line cut at a field length).

    >>> strip_mailing_route("Norland Teachers Pension c/o Acme Trust"), strip_mailing_route("Norland Fdn ATTN PE Dept")
    ('Norland Teachers Pension', 'Norland Fdn')
    """
    if "/" not in text and "tt" not in text.lower():  # every route has one ("c/o", "attn", "att:"): most names neither
        return text
    match = _MAILING_ROUTE.search(text)
    return text[:match.start()] if match and match.start() > 0 else text


#: The link between a custodian (or trustee, nominee) and the investor it holds for: the investor follows
#: ("F8O": a scan's 8 for the B of "FBO").
_FOR_OWNER = re.compile(
    r"\s(?:(?:as\s+)?(?:custodian|cust\.?|trustee|ttee|nominee|agent)\s+)?"
    r"(?:f\.?/?[b8]\.?/?o\.?|for\s+(?:the\s+)?benefit\s+of|in\s+trust\s+for|itf)\s+"
    r"|\sas\s+(?:custodian|cust\.?|trustee|ttee|nominee)\s+(?:for|of)\s+", re.IGNORECASE)
#: "<Investor> - <Custodian> as custodian": the investor comes first (stray marks may close the line: "custodian..").
_OWNER_FIRST = re.compile(r"\s[-,]\s.+\s(?:as\s+)?(?:custodian|nominee|trustee)[\s.,;:*-]*$", re.IGNORECASE)


#: Some of these letters are in every custody wrapper (a cheap test before the patterns).
_CUSTODY_WORDS = re.compile(r"fbo|f/b|f\.b|benefit|trust for|itf|cust|ttee|trustee|nominee")


def beneficial_owner(text: str) -> str:
    """The investor a custodian's registration line names, else ``text``.

    >>> beneficial_owner("Acme Trust Company as custodian FBO Norland Pension Fund")
    'Norland Pension Fund'
    >>> beneficial_owner("Norland Pension Fund - Acme Bank as custodian"), beneficial_owner("Norland Fund - Acme as custodian..")
    ('Norland Pension Fund', 'Norland Fund')
    """
    if not _CUSTODY_WORDS.search(text.lower()):
        return text
    match = _FOR_OWNER.search(text)
    if match and match.end() < len(text):
        return text[match.end():]
    match = _OWNER_FIRST.search(text)
    return text[:match.start()] if match and match.start() > 0 else text


#: A trust written by its trustee: "The Trustee for X" opening the name (the Australian Business Register's
#: name of every trust), "X Pty Ltd as trustee" closing it after the trustee company's legal form, also cut
#: by a field ("... Pty Ltd as t", "AS TR"). The trustee company is the trust's own: it names the trust.
_TRUSTEE_OPENING = re.compile(r"^\s*(?:the\s+)?trustee\s+(?:for|of)\s+(?:the\s+)?(?=\S)", re.IGNORECASE)
_TRUSTEE_CLOSING = re.compile(r"\b(ltd|limited)\.?\s+as(?:\s+t[a-z]*)?\s*$", re.IGNORECASE)


def trust_named(text: str) -> str:
    """``text`` without the words that name a trust by its trustee (:data:`_TRUSTEE_OPENING`,
    :data:`_TRUSTEE_CLOSING`).

    >>> trust_named("The Trustee for Harbor Super"), trust_named("Harbor Super Pty Ltd as t")
    ('Harbor Super', 'Harbor Super Pty Ltd')
    """
    if "rustee" not in text and "RUSTEE" not in text and " as" not in text.lower():
        return text
    return _TRUSTEE_CLOSING.sub(r"\1", _TRUSTEE_OPENING.sub("", text))


def held_by_custodian(text: str) -> bool:
    """Whether ``text`` is a custodian's registration line for an investor (:func:`beneficial_owner`): the
    address such a record carries is the custodian's office, not the investor's."""
    return beneficial_owner(repair_mojibake(text)) != repair_mojibake(text)


def _words(text: str) -> list[str]:
    """Whitespace-separated words of a constant."""
    return text.split()


#: Words an investor's department is named by after its organisation's name: the asset classes and
#: functions investors' teams cover (the private-markets asset classes of ILPA's reporting templates and the
#: investor profiles of Preqin / PitchBook: private equity, private markets, alternatives, real estate,
#: infrastructure, private credit / debt, venture, co-investments, secondaries, placement) and the nouns a
#: team is called by (group, team, office, desk, division, department, unit, programme). "Co-Investments" is
#: a team; "Co-Investment" / "Co-Invest" after a fund's name is a vehicle of its own, and stays.
_DEPARTMENT_WORDS = frozenset(_words("""private public markets market equity equities alternatives alternative alts alt
    investments investment invest co-investments coinvestments pe vc venture real estate
    assets asset infrastructure infra credit debt direct secondaries placement placements portfolio strategies
    group team office desk division department dept unit programme program"""))
#: ... of which these are only the team's noun (a department names something besides).
_DEPARTMENT_NOUNS = frozenset(_words("group team office desk division department dept unit programme program"))
#: A phrase of department words behind " - ", " – ", " / " or in brackets, closing the name or before a
#: comma and a short tail (the legal form: "Harbor Advisors - Placement, LLC").
_DEPARTMENT = re.compile(r"(?:\s+[-–—/]\s+|\s*[(\[]\s*)((?:[a-z][a-z-]*\.?\s*){1,4}?)\s*[)\]]?"
                         r"(?=\s*$|\s*,\s*[^,/()\[\]\d-]{1,24}$)", re.IGNORECASE)
#: The characters :data:`_DEPARTMENT` needs before a department (a dash or slash, a bracket).
_DEPARTMENT_MARKS = frozenset("-\u2013\u2014/([")
#: A roman numeral word (a fund's numeral: "Fund III").
_ROMAN_WORD = re.compile(r"\s[ivx]+\b", re.IGNORECASE)


def strip_department(text: str) -> str:
    """``text`` without the investor's department written after its name (this module's docstring).

    >>> strip_department("Kyobo Life Insurance Co., Ltd. - Private Markets"), strip_department("Norland Super (Alts)")
    ('Kyobo Life Insurance Co., Ltd.', 'Norland Super')
    >>> strip_department("Harbor Advisors - Placement, LLC"), strip_department("Harbor Fund III (Co-Investment)")
    ('Harbor Advisors, LLC', 'Harbor Fund III (Co-Investment)')
    """
    if _DEPARTMENT_MARKS.isdisjoint(text):
        return text  # most names: no dash, slash or bracket for a department to follow
    match = _DEPARTMENT.search(text)
    if not match or match.start() == 0:
        return text
    words = [w.rstrip(".").lower() for w in match.group(1).split()]
    if not all(w in _DEPARTMENT_WORDS for w in words) or all(w in _DEPARTMENT_NOUNS for w in words):
        return text
    head = text[:match.start()]
    if any(ch.isdigit() for ch in head) or _ROMAN_WORD.search(head):
        return text  # a fund's name: what follows its numeral marks a vehicle
    return head + text[match.end():].rstrip(")] ")


#: The connectors of a second name: former (f/k/a, formerly, formerly known as), trade (dba, d/b/a, t/a,
#: trading as), also-known-as (a/k/a, aka), and "successor to" / "now" spellings.
_ALTERNATE = re.compile(
    r"\s*(?:[(\[]\s*|,\s*|\s-\s*|\s)"
    r"(?:f\.?/?k\.?/?a\.?|formerly(?:\s+known\s+as|\s+called|\s+named)?|previously(?:\s+known\s+as)?|"
    r"d\.?/?b\.?/?a\.?|doing\s+business\s+as|t/a|trading\s+as|a\.?/?k\.?/?a\.?|also\s+known\s+as|"
    r"n\.?/?k\.?/?a\.?|now\s+known\s+as|successor\s+(?:in\s+interest\s+)?to)[\s:]+",
    re.IGNORECASE)


#: Some of these letters are in every connector of a second name (a cheap test before the pattern).
_ALTERNATE_WORDS = re.compile(r"k/a|k\.a|fka|aka|nka|formerly|previously|b/a|b\.a|dba|business as|t/a|trading as|"
                              r"known as|successor")


def alternate_names(text: str) -> tuple[str, str | None]:
    """The name a record is compared by and its other name, if it carries one (``None`` otherwise).

    >>> alternate_names("Harbor Capital Partners LP f/k/a Harbor Ventures LP")
    ('Harbor Capital Partners LP', 'Harbor Ventures LP')
    >>> alternate_names("Harbor Capital (formerly Bay Capital)")
    ('Harbor Capital', 'Bay Capital')
    """
    if not _ALTERNATE_WORDS.search(text.lower()):
        return text, None
    match = _ALTERNATE.search(text)
    if not match or match.start() == 0:
        return text, None
    other = text[match.end():].strip()
    if match.group(0).lstrip()[:1] in "([":
        other = other.removesuffix(")").removesuffix("]").strip()
    return text[:match.start()].rstrip(" ,-"), other or None


#: Other-language forms of the common fund words (French, German, Dutch, Spanish, Portuguese, Italian), as the
#: English word the name's abbreviation table (``normalize.ORG_ABBREVIATIONS``) makes of them. Accents are
#: folded before the table is read ("Associés" = "associes"). A word shared with English ("Capital",
#: "Partner") needs none.
OTHER_LANGUAGE_WORDS = {
    "partenaires": "partners", "associes": "associates", "gestion": "management", "gestao": "management",
    "gestione": "management", "verwaltung": "management", "beheer": "management",
    "investissements": "investments", "investissement": "investment", "inversiones": "investments",
    "investimentos": "investments", "investimenti": "investments", "beteiligungen": "holdings",
    "participations": "holdings", "participaciones": "holdings", "participacoes": "holdings",
    "partecipazioni": "holdings", "deelnemingen": "holdings", "fonds": "fund", "fondo": "fund", "fundo": "fund",
    "infrastructures": "infrastructure",
    # Dutch compound words of pension funds: "Pensioenfonds" is "Pension Fund", "SPF" the "Stichting
    # Pensioenfonds" (the stichting is its legal form), "BPF" a "Bedrijfstakpensioenfonds" (industry-wide)
    "pensioenfonds": "pension fund", "spf": "pension fund", "bpf": "bedrijfstakpensioenfonds",
    # Japanese type words romanised (Hepburn, with the long vowel written "ou" / "uu" or left out): 銀行 ginkō
    # bank, 証券 shōken securities, 生命 seimei life, 保険 hoken insurance, 信託 shintaku trust, 年金 nenkin
    # pension, 基金 kikin fund, 企業 kigyō corporate, 相互 sōgo mutual, 海上 kaijō marine, 火災 kasai fire
    "ginko": "bank", "ginkou": "bank", "shoken": "securities", "shouken": "securities", "seimei": "life",
    "hoken": "insurance", "shintaku": "trust", "nenkin": "pension", "kikin": "fund", "kigyo": "corporate",
    "kigyou": "corporate", "sogo": "mutual", "sougo": "mutual", "kaijo": "marine", "kaijou": "marine",
    "kasai": "fire",
    # Pension and welfare institutions' type words, as dictionaries give them in English: German / Swiss
    # "Pensionskasse", Danish "Pensionskasse(n)", Norwegian "Pensjonskasse(n)" (pension fund); Swiss "Kanton" /
    # "kantonale" (canton), German "Stadt"
    # (city); Norwegian "kommune" / "kommunale" (municipality / municipal); Finnish "keskinäinen" (mutual),
    # "työeläkevakuutusyhtiö" / "työeläkeyhtiö" (earnings-related pension insurance company), "vakuutusyhtiö"
    # (insurance company); Spanish "Fundación", Portuguese "Fundação" (foundation)
    "pensionskasse": "pension fund", "pensionskassen": "pension fund", "pensjonskasse": "pension fund",
    "pensjonskassen": "pension fund", "kanton": "canton", "kantons": "canton",
    "kantonale": "canton", "stadt": "city", "kommune": "municipality", "kommunale": "municipal",
    "keskinainen": "mutual", "tyoelakevakuutusyhtio": "pension insurance", "tyoelakeyhtio": "pension insurance",
    "vakuutusyhtio": "insurance", "fundacion": "foundation", "fundacao": "foundation",
}
#: Multi-word forms, read on the text before its words are: "capital-investissement" is private equity.
_OTHER_LANGUAGE_PHRASES = re.compile(r"\bcapital[\s-]+investissement\b|\bcapital\s+privado\b", re.IGNORECASE)


#: An escaped ampersand in any case and without its semicolon ("&Amp;", "&amp "): a reference html.unescape
#: reads only as "&amp;" / "&AMP;".
_ESCAPED_AMPERSAND = re.compile(r"&amp;?", re.IGNORECASE)


@lru_cache(maxsize=200_000)
def clean_org_name(text: str) -> str:
    """``text`` with the noise described in this module's docstring taken off; the name compared.

    >>> clean_org_name("ZZ - DO NOT USE - Acme Bank as custodian FBO Norland Teachers Pension c/o Acme Trust")
    'Norland Teachers Pension'
    """
    if "&" in text and ("amp" in text.lower() or ";" in text):
        text = html.unescape(_ESCAPED_AMPERSAND.sub("&", text))
    read = repair_mojibake(text)
    text = strip_housekeeping(read)
    kept = text == read
    text = strip_department(alternate_names(strip_mailing_route(trust_named(beneficial_owner(text))))[0])
    text = _OTHER_LANGUAGE_PHRASES.sub("private equity", text) if "apital" in text else text
    if kept and text == read:
        return text  # nothing taken off anywhere: the second pass would read what the first left as it was
    return strip_housekeeping(text)


#: A year closing the name, bracketed, after a dash or comma, or bare, also labelled ("(Vintage 2019)").
_TRAILING_YEAR = re.compile(r"(?:\s*[-,;]\s*|\s+|\s*(?=[(\[]))[(\[]?\s*(?:vintage\s+)?((?:19|20)\d\d)\s*[)\]]?[\s.,;-]*$",
                            re.IGNORECASE)


def vintage_annotation(text: str) -> tuple[str, str | None]:
    """``text`` without the year that closes it, and that year (``None`` when none does). Whether the year is
    a vintage written after the fund's name or the fund's own numeral, the caller decides
    (``normalize._org_parts``: only a name with a numeral of its own has an annotation).

    >>> vintage_annotation("Harbor Fund III, L.P. (2019)"), vintage_annotation("Harbor Fund III")
    (('Harbor Fund III, L.P.', '2019'), ('Harbor Fund III', None))
    """
    if not text.rstrip(" \t.,;-)]")[-4:].isdigit():  # most names end otherwise
        return text, None
    match = _TRAILING_YEAR.search(text, max(len(text) - 32, 0))
    if not match or match.start() == 0:
        return text, None
    return text[:match.start()], match.group(1)
