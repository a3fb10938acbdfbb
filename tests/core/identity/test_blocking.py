"""Organisation blocking: a true pair must share a key even when typos or glued words break the
name keys, while the number of pairs per record stays bounded."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from crmhub.identity.blocking import ORG_KEYS, candidate_pairs, word_ends
from crmhub.identity.records import prepare


def orgs(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame([{"record_id": str(i + 1), "source_system": "crm", **r} for i, r in enumerate(rows)])


def _pairs(*rows: dict) -> set[tuple[int, int]]:
    pairs, _ = candidate_pairs(prepare(orgs(*rows), "org"), "org")
    return {tuple(p) for p in pairs.tolist()}


def _single_typos(word: str) -> set[str]:
    out = set()
    for i in range(len(word)):
        out.add(word[:i] + word[i + 1:])
        out.add(word[:i] + "q" + word[i + 1:])
    for i in range(len(word) + 1):
        out.add(word[:i] + "q" + word[i:])
    for i in range(len(word) - 1):
        out.add(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    return out - {word}


@pytest.mark.parametrize("word", ["eagle", "harbor", "keling", "trinity", "software", "infrastructure"])
def test_every_single_typo_of_a_word_keeps_one_of_its_end_codes(word: str) -> None:
    codes = set(word_ends(word))
    assert all(codes & set(word_ends(v)) for v in _single_typos(word))


def test_a_typo_in_each_of_the_first_two_words_is_still_a_candidate() -> None:
    # "Lnke Softkare" shares no first word, prefix, sorted tokens, soundex or last word with
    # "Lake Software", and has no third word for the rest-of-name key; the ends of its words do
    pairs = _pairs({"name": "Lake Software Inc", "city": "Boston"},
                   {"name": "Lnke Softkare, Inc.", "city": "Boston"},
                   {"name": "Morgan Arctic Ventures II", "city": "Geneva"},
                   {"name": "Jorgan Arctic Vetures 2", "city": "Geneva"})
    assert (0, 1) in pairs
    assert (2, 3) in pairs


def test_a_typo_in_the_first_letter_of_a_two_word_name_is_a_candidate() -> None:
    # the last-token key carries the first letter and the rest-of-name key needs three words
    assert (0, 1) in _pairs({"name": "Keling Software", "city": "Hong Kong"},
                            {"name": "Reling Software Ltd", "city": "Hong Kong"})


def test_two_words_run_together_are_a_candidate() -> None:
    assert (0, 1) in _pairs({"name": "Lunarunity Ventures VI"}, {"name": "Lunar Unity Ventures 6"})


def test_doubly_misspelt_twin_among_hundreds_of_namesakes_stays_bounded() -> None:
    # 300 "Lake Software" records fill every word-ends block of the name far beyond its cap, where only a
    # reversed-name window is paired: the misspelt record still meets records of its name, and the pairs
    # per record stay bounded (not 300²/2)
    rng = random.Random(11)
    rows = [{"name": f"Lake Software {rng.choice(['Inc', 'LLC', 'Ltd', 'GmbH'])}",
             "city": f"City{rng.randrange(80)}"} for _ in range(300)]
    rows.append({"name": "Lnke Softkare Inc", "city": "City1"})
    pairs = _pairs(*rows)
    assert any(b == 300 for _, b in pairs)
    assert len(pairs) < 40 * len(rows)


def test_a_brand_split_in_one_source_and_misspelt_is_a_candidate() -> None:
    # "Tide Boyrne" / "Tidebourne": the glued-word key misses the typo, the word-ends key the split; read
    # as one word, the first two words keep the brand's end codes beside the next word's
    assert (0, 1) in _pairs({"name": "TIDE BOYRNE EUROPE FUND I LP"}, {"name": "Tidebourne Europe Fund I LP"})
    assert (0, 1) in _pairs({"name": "Gtaniterock Parent, SLP"}, {"name": "GraniteRock Parent SLP"})


def test_reading_two_words_as_one_brand_stays_bounded() -> None:
    # glued, "<x>land Intermediate" ends in "ate>" beside "Holdings" for every such name: two hundred holding
    # companies share those blocks, read in a window of one, so each record meets a few neighbours (one per
    # block it joins), not all 200
    rng = random.Random(3)
    rows = [{"name": f"{''.join(rng.choices('bcdfghklmnprstvz', k=3))}{rng.choice('aeiou')}land Intermediate Holdings"}
            for _ in range(200)]
    _, per_key = candidate_pairs(prepare(orgs(*rows), "org"), "org")
    assert per_key["name_glued_word_ends"] < 5 * len(rows)


def test_an_acronym_that_skips_county_or_city_of_meets_the_full_name_in_its_town() -> None:
    # "HTRS" at htrs.org for "Hawkbourne County Teachers' Retirement System", "RPERA" for "City of
    # Ridgemont Public Employees' Retirement Association": no name key is shared; the full name's initials
    # without the place words are the one-word name in the same town
    assert (0, 1) in _pairs({"name": "HTRS", "domain": "htrs.org", "city": "Los Angeles"},
                            {"name": "Hawkbourne County Teachers' Retirement System", "city": "Los Angeles"})
    assert (0, 1) in _pairs({"name": "ZZ - DO NOT USE - Rpera", "city": "Chicago"},
                            {"name": "City of Ridgemont Public Employees' Retirement Association", "city": "Chicago"})
    # in another town, or with other initials, the acronym is no key
    assert (0, 1) not in _pairs({"name": "HTRS", "city": "Boston"},
                                {"name": "Hawkbourne County Teachers' Retirement System", "city": "Los Angeles"})
    assert (0, 1) not in _pairs({"name": "HPRS", "city": "Los Angeles"},
                                {"name": "Hawkbourne County Teachers' Retirement System", "city": "Los Angeles"})


def test_a_brand_with_a_word_more_is_no_glued_reading() -> None:
    # "Granite Golden" read as one brand is thirteen letters, "Granite" seven: another brand (the glued key
    # would otherwise pair every "<brand> <word> Capital" with "<brand> Capital")
    glued = tuple(k for k in ORG_KEYS if k.name == "name_glued_word_ends")
    rows = ({"name": "Granite Golden Capital Partners VI LLP"}, {"name": "Granite Capital Partners VI"},
            {"name": "TIDE BOYRNE EUROPE FUND I LP"}, {"name": "Tidebourne Europe Fund I LP"})
    pairs, _ = candidate_pairs(prepare(orgs(*rows), "org"), "org", keys=glued)
    assert {tuple(p) for p in pairs.tolist()} == {(2, 3)}


def test_a_name_written_by_its_brand_meets_the_full_name_in_its_town() -> None:
    # "Sunwick Employees" (an IR spreadsheet) for "State of Sunwick Public Employees' Retirement Association",
    # "Castellano" for "Castellano Family Foundation": no name key is shared; the brand and the town are
    assert (0, 1) in _pairs({"name": "Sunwick Employees", "city": "Austin"},
                            {"name": "State of Sunwick Public Employees' Retirement Association", "city": "Austin"})
    assert (0, 1) in _pairs({"name": "CASTELLANO", "city": "Zuerich"},
                            {"name": "Castellano, Family Foundation", "city": "Zürich"})
    # in another town, or against a fund of the brand (a vehicle mark), the brand is no key
    brand_town = tuple(k for k in ORG_KEYS if k.name == "brand_town")
    for rows in (({"name": "Sunwick Employees", "city": "Dallas"},
                  {"name": "State of Sunwick Public Employees' Retirement Association", "city": "Austin"}),
                 ({"name": "Sorovo", "city": "Boston"}, {"name": "Sorovo Healthcare Partners III Feeder", "city": "Boston"})):
        pairs, _ = candidate_pairs(prepare(orgs(*rows), "org"), "org", keys=brand_town)
        assert len(pairs) == 0


def test_longer_names_of_a_brand_join_its_block_only_beside_a_brand_form() -> None:
    # a fund family's town: its longer names share the brand but no record writes the brand alone, so
    # the key adds no pairs among them
    names = [f"Flintmark {w} Partners" for w in ("Growth", "Credit", "Infrastructure", "Buyout", "Venture")]
    df = prepare(orgs(*({"name": n, "city": "Palo Alto"} for n in names)), "org")
    key = next(k for k in ORG_KEYS if k.name == "brand_town")
    assert key.key(df) == [None] * len(names)


def test_one_name_in_its_two_word_orders_meets_inside_a_large_sorted_tokens_block() -> None:
    # two hundred county associations share the sorted-tokens block "association county"; ordered by all
    # their words sorted, "X County Employees ..." and "County Employees ... of X" are neighbours
    rng = random.Random(5)
    rows = [{"name": f"{''.join(rng.choices('bcdfgklmnprstvz', k=4))}ell County Employees Retirement Association",
             "city": f"City{rng.randrange(30)}"} for _ in range(200)]
    rows += [{"name": "Krourcell County Employees Retirement Association", "city": "Boston"},
             {"name": "County Employees Retirement Association of Krourcell"}]
    assert (200, 201) in _pairs(*rows)


@pytest.mark.parametrize("a, b", [
    ("SUNWATER FS (USA) ATTN LEGAL", "Sunwater Fund Services (USA) L.L.C."),  # a word written short
    ("Ridgehaven LT Fund II L.P.", "Ridge Haven Long-Term Fd II, LP"),  # a strategy's short form, a space
    ("Towerpartners S.A.S.", "Tower Partners SAS"),  # a name run together into its first word keeps its plural
])
def test_one_name_spelt_otherwise_is_a_candidate(a: str, b: str) -> None:
    # different towns, no other field: only the name's spelling key can bring them together
    assert (0, 1) in _pairs({"name": a, "city": "Washington"}, {"name": b, "city": "Boston"})


def test_a_company_with_and_without_its_industry_descriptor_meets_in_any_town() -> None:
    # "Feroova" (a CRM's record, no town) and "Feroova Logistics Inc." share no name key: the brand alone is one
    # word, the full name two
    assert (0, 1) in _pairs({"name": "Feroova"}, {"name": "Feroova Logistics Inc.", "city": "Boston"})
    assert (0, 1) in _pairs({"name": "Kelamure Group", "city": "Paris"}, {"name": "Kelamure Logistics Group SA"})


def test_two_descriptors_of_a_brand_meet_only_beside_the_brand_alone() -> None:
    key = tuple(k for k in ORG_KEYS if k.name == "descriptor_form")
    rows = ({"name": "Feroova Logistics"}, {"name": "Feroova Software"}, {"name": "Feroova Capital"})
    pairs, _ = candidate_pairs(prepare(orgs(*rows), "org"), "org", keys=key)
    assert len(pairs) == 0
    pairs, _ = candidate_pairs(prepare(orgs(*rows, {"name": "Feroova Inc."}), "org"), "org", keys=key)
    # a kind of firm ("Capital") is no descriptor: that name stays out of the brand's block
    assert {tuple(p) for p in pairs.tolist()} == {(0, 1), (0, 3), (1, 3)}


def test_a_vehicle_written_by_its_brand_and_marks_meets_its_full_name() -> None:
    # "Kinisara UK" (the subsidiary by its brand and domicile) and "Kinisara Corporate Services (UK) Limited",
    # "Trear Buyer" and "Trear Aerospace Buyer SAS" share the brand and the marks only
    assert (0, 1) in _pairs({"name": "Kinisara (UK) Ltd"}, {"name": "Kinisara Corporate Services (UK) Limited",
                                                           "city": "London"})
    assert (0, 1) in _pairs({"name": "Trear Buyer", "city": "Paris"}, {"name": "Trear Aerospace Buyer SAS"})


def test_the_marked_short_form_key_pairs_a_brands_vehicles_only_beside_a_short_form_and_reads_no_numeral() -> None:
    key = tuple(k for k in ORG_KEYS if k.name == "marked_short_form")
    rows = ({"name": "Trear Aerospace Buyer"}, {"name": "Trear Health Buyer"}, {"name": "Trear Aerospace Holdco"})
    assert key[0].key(prepare(orgs(*rows), "org")) == [None] * 3
    pairs, _ = candidate_pairs(prepare(orgs(*rows, {"name": "Trear Buyer"}), "org"), "org", keys=key)
    assert {tuple(p) for p in pairs.tolist()} == {(0, 1), (0, 3), (1, 3)}
    # "Monulond III" names a parallel vehicle beside the flagship as often as the flagship itself
    funds = prepare(orgs({"name": "Monulond III SCSp"}, {"name": "Monulond Infrastructure Partners III SCSp"}), "org")
    assert key[0].key(funds) == [None, None]
    # nor a manager's mark: "Rairow Management" and "Rairow Capital Management" are two firms as often as one
    managers = prepare(orgs({"name": "Rairow Management"}, {"name": "Rairow Capital Management"}), "org")
    assert key[0].key(managers) == [None, None]
