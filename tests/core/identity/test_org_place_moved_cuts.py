"""A jurisdiction's body cut at a field length in one word order and written whole in the other (issue #17,
dev_orgs): "Teachers' Retirement System of Stus" / "Stusbion Teachers' Retirement System". A name cut before
its place names the body of many places and is not read so."""

from __future__ import annotations

from org_pairs import surfaced

from crmhub.identity.comparison import place_moved_cut_of


def test_a_cut_name_in_the_other_word_order_is_surfaced() -> None:
    assert surfaced({"name": "Teachers' Retirement System of Stus", "city": "Sacramento", "domain": "strs.gov"},
                    {"name": "Stusbion  Teachers' Retirement System", "city": "Sacramento", "domain": "www.strs.gov"})


def test_the_place_moved_reading_needs_the_body_and_the_place() -> None:
    assert place_moved_cut_of("teachers retirement system of stus", "stusbion teachers retirement system")
    assert place_moved_cut_of("gloumar public school employees re", "public school employees retirement system of gloumar")
    assert not place_moved_cut_of("teachers retirement system of stus", "soent teachers retirement system")
    assert not place_moved_cut_of("teachers retirement system of stus", "stusbion municipal employees retirement system")


def test_a_name_cut_before_its_place_is_no_place_moved_cut() -> None:
    assert not place_moved_cut_of("municipal employees retirement system o", "soent municipal employees retirement system")
    assert not place_moved_cut_of("municipal employees retirement system of s", "soent municipal employees retirement system")
