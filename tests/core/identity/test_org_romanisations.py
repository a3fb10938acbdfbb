"""A Japanese or Korean organisation's name written in two romanisations (issue #17, dev3 recall): Kunrei-shiki
and Hepburn ("Huzinaga" / "Fujinaga", "Siniti" / "Shinichi"), the Revised Romanisation, McCune-Reischauer and
popular spellings ("Geumyong" / "Kumyoung", "Yeongsong" / "Youngsung", "Dorae" / "Tolae"). The folds join
letters that English words keep apart ("Porter" / "Border"), so they are read for that country's records only."""

from __future__ import annotations

import pytest
from org_pairs import resolve_orgs
from org_pairs import surfaced_from_own_sources as surfaced

from crmhub.identity.comparison import japanese_romanisation, korean_romanisation, romanised_alike


def apart(*records: dict) -> bool:
    res = resolve_orgs(*records)
    return len(set(res.cluster_ids)) == len(records) and res.review == []


@pytest.mark.parametrize("kunrei, hepburn", [("huzinaga", "fujinaga"), ("siniti", "shinichi"),
                                             ("nitimatu", "nichimatsu"), ("yotiba", "yochiba"), ("toukyou", "tokyo")])
def test_kunrei_shiki_reads_as_hepburn(kunrei: str, hepburn: str) -> None:
    assert japanese_romanisation(kunrei) == japanese_romanisation(hepburn)


@pytest.mark.parametrize("a, b", [("geumyong", "kumyoung"), ("yeongsong", "youngsung"), ("choyong", "joyoung"),
                                  ("dorae", "tolae"), ("daekwang", "taegwang"), ("boohwa", "puhwa")])
def test_korean_romanisations_read_alike(a: str, b: str) -> None:
    assert korean_romanisation(a) == korean_romanisation(b)


def test_only_a_word_in_two_romanisations_may_differ() -> None:
    assert romanised_alike("huzinaga shinkin bank", "fujinaga shinkin bank", japanese_romanisation)
    assert not romanised_alike("huzinaga shinkin bank", "fujinaga trust bank", japanese_romanisation)
    assert not romanised_alike("fujinaga shinkin bank", "fujinaga shinkin bank", japanese_romanisation)


def test_a_name_in_two_romanisations_is_proposed_in_its_country() -> None:
    assert surfaced({"name": "Huzinaga Shinkin Bank", "city": "Osaka", "country": "JP"},
                    {"name": "Fujinaga Shinkin Bank", "city": "Osaka", "country": "Japan"})
    assert surfaced({"name": "Dorae Savings Bank", "city": "Busan"},
                    {"name": "Tolae Savings Bank", "city": "Busan", "country": "KR"})


def test_the_folds_are_not_read_for_names_of_other_countries() -> None:
    assert apart({"name": "Porter Savings Bank", "city": "Boston", "country": "US"},
                 {"name": "Border Savings Bank", "city": "Boston", "country": "US"})
