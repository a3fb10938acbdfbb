"""The organisation-name parse's shortcuts give what the direct reading gives: on the names of the benchmark's
organisation generators and on hand-written names that exercise each rule, a word tried only against the word
loop's rules that read it, patterns skipped where the text lacks what they need, a legal tail and a
dangling mark read without scanning, a partnership form looked for only where one can begin."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from crmhub.identity import name_noise as nn
from crmhub.identity import normalize as nz

_BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_identity.py"

#: Names that take the word loop's rules, the guarded patterns and the cut marks.
_HAND_NAMES = [
    "Harbor Co-Investment Fund II LP", "Harbor Co Invest Partners", "Harbor Fund No. 4", "Harbor Partners Nr 2",
    "Harbor Fund V Alternative Investment Vehicle", "Harbor Special Purpose Vehicle I", "Harbor Fund Invs V",
    "Brand CV I", "Brand Cont. Vehicle", "Brand Side Car Fund", "Euro Fd 2", "Ohio St. Teachers' Retirement System",
    "Harbor Family Office (SFO)", "County Employees Retirement Assoc.", "Salwell Assoc. V", "Brand MnnCo",
    "Brand Mano C", "U. of Michigan", "Harbor Real Est. Partners", "Ohio State U.", "Brand Insurance Gp",
    "Fenure Rock Gp Ltd", "Harbor Partners Gp Iv", "Harbor 21st Century Fund", "Harbor Fund Three",
    "Harbor Fund Thre", "Harbor Fund Vintage 2018", "Harbor Partners III L", "Harbor Fund VlI", "I Squared Capital",
    "Harbor Fund L, L.P.", "Harbor Fund XL", "AlMansoori Holdings", "ElSayed Capital", "Alder Partners",
    "Müller GmbH u. Co. KG", "Müller GmbH und Co KG", "Harbor Select Fund '18", "Harbor Opportunities ’14,L.P.",
    "Employees'15 Fund", "Harbor Partners IX S.C.Sp.", "Harbor Partners IX, L.P.", "Harbor Fund IV SCSp LP",
    "Harbor Partners Societe en Commandite Speciale", "Kyobo Life Insurance Co., Ltd. - Private Markets",
    "Norland Super (Alts)", "Harbor Advisors - Placement, LLC", "Harbor Advisors – Placement, LLC",
    "Harbor Advisors / Alternatives", "Harbor Fund III (Co-Investment)", "Harbor Fund 3 (", "Harbor Partners XI-",
    "Harbor Partners XI -", "Harbor Fund VIII (T", "Ins. Commany LP", "Harbor Capital Limited Partnership Ltd",
    "Harbor Fund IV, L.P., a Delaware limited partnership", "Capita1 Partners", "5tate Teachers", "Techno1ogies Inc",
]


@pytest.fixture(scope="module")
def names() -> list[str]:
    spec = importlib.util.spec_from_file_location("bench_identity_for_name_tests", _BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = list(_HAND_NAMES)
    for gen in (bench.gen_orgs, bench.load_dev_orgs, bench.load_dev2_orgs, bench.load_dev3_orgs):
        out += gen(1500, 11)["name"].dropna().tolist()
    return list(dict.fromkeys(out))


def _clear() -> None:
    for func in (nz._org_parts, nz._written_tokens, nn.clean_org_name, nz._rules_reading, nz._misread_word):
        func.cache_clear()


def test_word_loop_tries_the_rules_that_read_a_word_in_their_order() -> None:
    """A rule declares the words it reads, and only those reach it: most words reach none and are kept as
    written; a word two rules read is tried against them in the loop's order ("U." of "U. of Michigan"
    before the "U." closing "Ohio State U.")."""
    assert nz._rules_reading("harbor") == () and nz._read_words(["harbor", "capital"], "") == ["harbor", "capital"]
    assert nz._rules_reading("u") == (nz._university_of, nz._university_closing)
    assert nz._rules_reading("3rd") == (nz._ordinal,) and nz._read_words(["harbor", "3rd"], "") == ["harbor", "3"]
    assert nz._read_words(["u", "of", "michigan"], "") == ["university", "of", "michigan"]
    assert nz._read_words(["brand", "side", "car", "fund"], "") == ["brand", "sidecar", "fund"]
    assert nz._read_words(["fund", "v", "alternative", "investment", "vehicle"], "") == ["fund", "5", "aiv"]


def _tokens_unguarded(text: str) -> list[str]:
    """:func:`crmhub.identity.normalize._tokens` with every pattern applied."""
    text = nz.fold(nz._GLUED.sub(" ", nz._GLUED_ARTICLE.sub(r"\1 ", text))).replace("&", " and ").replace("+", " and ")
    text = nz._GERMAN_AND.sub(r"\1 and ", text)
    text = nz._SHORT_VINTAGE.sub(nz._full_vintage, text)
    text = nz._SARL.sub(" sarl ", text)
    if "." in text:
        text = nz._DOTTED_ABBREV.sub(lambda m: m.group(0).replace(".", "").replace(" ", "") + " ", text)
        text = nz._STRAY_DOT.sub(nz._join_stray_dot, text)
    text = text.replace("'", "").replace(".", " ")
    return nz._NON_WORD.sub(" ", text).split()


def test_name_tokens_skip_only_patterns_that_cannot_match(names: list[str]) -> None:
    for v in names:
        assert nz._tokens(v) == _tokens_unguarded(v), v
    assert nz._tokens("AlMansoori Holdings")[:2] == ["al", "mansoori"]
    assert "2018" in nz._tokens("Harbor Select Fund '18") and "2014" in nz._tokens("Harbor Opportunities ’14,L.P.")


def test_department_read_only_after_its_marks(names: list[str]) -> None:
    for v in names:
        if nn._DEPARTMENT_MARKS.isdisjoint(v):
            assert nn._DEPARTMENT.search(v) is None, v
    assert nn.strip_department("Norland Super (Alts)") == "Norland Super"
    assert nn.strip_department("Harbor Advisors – Placement, LLC") == "Harbor Advisors, LLC"


@pytest.mark.parametrize("text", ["Fund 3 (", "Fund 3 [ ", "Partners XI-", "Partners XI -", "Partners XI_-",
                                  "Fund é-\u00a0", "Fund 3 (\u2003\n", "Fund-a", "-", "(", "", "   ", "Fund 3 (T",
                                  "Fund 3 )", "Fund ½-", "Fund \u0663-", "Fund --"])
def test_dangling_mark_read_as_the_pattern_reads_it(text: str) -> None:
    assert nz._dangling(text) == bool(nz._DANGLING.search(text))


def test_dangling_mark_on_the_generated_names(names: list[str]) -> None:
    for v in names:
        for cut in (v, v[:30], v[:35], v[:30] + " ", v[:12]):
            assert nz._dangling(cut) == bool(nz._DANGLING.search(cut)), cut


def test_legal_tail_start() -> None:
    assert nz._legal_tail_start(["harbor", "capital", "lp"]) == 2
    assert nz._legal_tail_start(["harbor", "capital", "ltd", "co"]) == 2
    assert nz._legal_tail_start(["harbor", "capital"]) == 2
    assert nz._legal_tail_start(["lp", "ltd"]) == 0
    assert nz._legal_tail_start([]) == 0
    for tokens in (["a", "lp", "b", "ltd", "inc"], ["x", "y"], ["inc"]):
        for i in range(len(tokens)):
            assert (i + 1 >= nz._legal_tail_start(tokens)) == all(t in nz.LEGAL_SUFFIXES for t in tokens[i + 1:])


def _partnership_law_every_position(name: str) -> str | None:
    tokens = nz._written_tokens(name)
    laws = {nz.PARTNERSHIP_LAWS[form] for size in nz._PARTNERSHIP_FORM_SIZES for k in range(1, len(tokens) - size + 1)
            if (form := tokens[k:k + size]) in nz.PARTNERSHIP_LAWS}
    return laws.pop() if len(laws) == 1 else None


def test_partnership_law_looked_for_where_a_form_begins(names: list[str]) -> None:
    found = [nz.partnership_law(v) for v in names]
    assert found == [_partnership_law_every_position(v) for v in names]
    assert {"luxembourg", "common law", None} <= set(found)


def test_misread_word_cached_per_word() -> None:
    assert re.fullmatch(r"[a-z]+", nz._misread_word("5tate"))
    assert nz._misread_word("Partners5") == "Partners5" and nz._misread_word("capita1") == "capital"


def test_series_word_whole_after_any_word(names: list[str]) -> None:
    words = {w for v in names for w in nz._written_tokens(v)} | {"iva", "9a", "xlp", "viscsp", "2016pte", "eurscsp",
                                                                 "blp", "via", "llp", "vc"}
    whole = [w for w in words if nz._series_word_whole(w)]
    split = [w for w in words if not nz._series_word_whole(w)]
    assert whole and split
    for prev in ("harbor", "fund", "4", "iv", "partners", "a", "europe"):
        for w in whole:
            assert nz._split_series_word(prev, w) == (w,), (prev, w)


def _clean_org_name_both_passes(text: str) -> str:
    """:func:`crmhub.identity.name_noise.clean_org_name` with the housekeeping marks always read twice."""
    if "&" in text and ("amp" in text.lower() or ";" in text):
        text = nn.html.unescape(nn._ESCAPED_AMPERSAND.sub("&", text))
    text = nn.strip_housekeeping(nn.repair_mojibake(text))
    text = nn.strip_department(nn.alternate_names(nn.strip_mailing_route(nn.trust_named(nn.beneficial_owner(text))))[0])
    text = nn._OTHER_LANGUAGE_PHRASES.sub("private equity", text) if "apital" in text else text
    return nn.strip_housekeeping(text)


@pytest.mark.parametrize("text", ["ZZ - DO NOT USE - Acme Bank as custodian FBO Norland Teachers Pension c/o Acme Trust",
                                  "zz_Harbor Capital *", "Harbor Capital [OLD]", "ZZ Top Capital", "Harbor Capital",
                                  "Harbor Capital (Private Markets) [DUPLICATE]", "* Harbor Capital c/o Acme *",
                                  "Harbor Capital &amp; Co", "Harbor Capital - Private Equity - DNU"])
def test_housekeeping_read_once_where_nothing_changes(text: str) -> None:
    nn.clean_org_name.cache_clear()
    assert nn.clean_org_name(text) == _clean_org_name_both_passes(text)


def test_housekeeping_read_once_on_the_generated_names(names: list[str]) -> None:
    nn.clean_org_name.cache_clear()
    assert [nn.clean_org_name(v) for v in names] == [_clean_org_name_both_passes(v) for v in names]


def _token_marks_pass_by_pass(tokens: tuple[str, ...]) -> set[str]:
    from itertools import pairwise

    marks = {t for t in tokens if t.isdigit()}
    marks |= {t for t in tokens[1:] if t in nz.VEHICLE_MARKERS}
    marks |= {nz._MISSPELT_MARKERS[t] for t in tokens[1:] if t in nz._MISSPELT_MARKERS}
    marks |= {nz._REGION_TYPOS[t] for p, t, n in zip(tokens, tokens[1:], tokens[2:], strict=False)
              if t in nz._REGION_TYPOS and p in nz._FUNDISH and n.isdigit()}
    marks |= {f"series {b}" for a, b in pairwise(tokens) if a.isdigit() and b in nz.SERIES_LETTERS}
    return marks


def test_token_marks_in_one_pass(names: list[str]) -> None:
    cases = [nz.org_name_tokens(v) for v in names] + [
        ("3", "a"), ("harbor", "fund", "aia", "5"), ("harbor", "partners", "aia"), ("aia", "5"), ("cayman",),
        ("harbor", "cayman", "feeder"), ("harbor", "4", "b", "offshore"), ()]
    assert any(nz._token_marks(t) for t in cases)
    for tokens in cases:
        assert nz._token_marks(tokens) == _token_marks_pass_by_pass(tokens), tokens


def _currency_marks_eagerly(marks: set[str], raw: list[str]) -> set[str]:
    first = next((k for k, t in enumerate(raw) if k and nz._is_numeral(t)), len(raw))
    currencies = {t for t in raw[first + 1:] if t in nz._CURRENCIES}
    region = {"eur", "europe", "european"} & set(raw[1:first]) or {"europe", "european"} & set(raw[first + 1:])
    if "eur" in currencies and not region:
        marks = marks - {"europe"}
    if "eur" in raw[1:first]:
        marks = marks | {"europe"}
    return marks | currencies


@pytest.mark.parametrize("raw", [["infrastructure", "fund", "iv", "eur"], ["brand", "eur", "vii"],
                                 ["brand", "europe", "fund", "9", "eur"], ["fund", "9", "usd", "eur"], ["eur"],
                                 ["brand", "fund", "ix"], ["brand", "europe", "ix", "european", "eur"]])
def test_currency_marks_region_read_only_for_a_euro_vehicle(raw: list[str]) -> None:
    for marks in (set(), {"europe"}, {"4", "europe"}):
        assert nz._currency_marks(set(marks), raw) == _currency_marks_eagerly(set(marks), raw)


def test_currency_marks_on_the_generated_names(names: list[str]) -> None:
    for v in names:
        raw = list(nz._written_tokens(v))
        assert nz._currency_marks({"europe"}, raw) == _currency_marks_eagerly({"europe"}, raw), v
