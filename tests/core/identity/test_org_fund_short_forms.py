"""A fund written by its brand and numeral only ("Joris Bridge IX", as Form D filers and CRMs write it) against
the fund of the one strategy programme its brand runs (issue #17): one fund, not a flagship against a
programme — while beside a flagship or a second programme of the brand the short form stays ambiguous."""

from __future__ import annotations

from org_pairs import resolve_orgs


def _together(res, a: str = "0", b: str = "1") -> bool:
    ids = dict(zip(res.records["record_id"], res.cluster_ids, strict=True))
    return ids[a] == ids[b] or any({a, b} <= {m["record_id"] for m in p.members} for p in res.proposals)


SHORT = {"name": "Joris Bridge IX LP", "city": "Seattle", "country": "US"}
PROGRAMME = {"name": "JORIS BRIDGE SECONDARIES FUND IX, L.P.", "city": "Seattle", "country": "U.S.A.",
             "domain": "jorisbridge.com"}


def test_a_short_form_is_the_fund_of_the_brands_one_programme() -> None:
    assert _together(resolve_orgs(SHORT, PROGRAMME, {"name": "Joris Bridge Secondaries Fund VIII, L.P.",
                                                      "city": "Seattle", "country": "US"}))


def test_beside_a_flagship_fund_of_the_brand_the_short_form_stays_apart() -> None:
    assert not _together(resolve_orgs(SHORT, PROGRAMME, {"name": "Joris Bridge Fund VIII, L.P.", "city": "Seattle",
                                                          "country": "US"}))


def test_beside_a_second_programme_the_short_form_stays_apart() -> None:
    assert not _together(resolve_orgs(SHORT, PROGRAMME, {"name": "Joris Bridge Growth Fund III, L.P.",
                                                          "city": "Seattle", "country": "US"}))


def test_a_flagship_written_with_its_fund_word_is_no_short_form() -> None:
    assert not _together(resolve_orgs({"name": "Joris Bridge Partners IX LP", "city": "Seattle", "country": "US"},
                                      {"name": "Joris Bridge Growth Partners IX LP", "city": "Seattle", "country": "US",
                                       "domain": "jorisbridge.com"}))
