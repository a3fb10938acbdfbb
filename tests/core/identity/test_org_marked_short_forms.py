"""A service provider's local entity written by the group's brand and its jurisdiction only (issue #17,
dev3_orgs): "Kinvale UK" for "Kinvale Trust (UK) Limited", "Sarant Cayman" for "Sarant Corporate Services
(Cayman) Ltd"; where the run has more than one organisation of that brand and jurisdiction the short name
says which brand, not which of them."""

from __future__ import annotations

from org_pairs import resolve_orgs, surfaced


def _joined(res, a: int, b: int) -> bool:
    keys = {(f"src{a}", str(a)), (f"src{b}", str(b))}
    return res.cluster_ids[a] == res.cluster_ids[b] or any(keys <= set(p.keys) for p in res.proposals)


def test_the_brand_and_jurisdiction_is_the_local_entity() -> None:
    assert surfaced({"name": "Kinvale UK", "city": "London", "country": "GB"},
                    {"name": "Kinvale Trust (UK) Limited", "city": "London", "country": "United Kingdom"})
    assert surfaced({"name": "Sarant Cayman"},
                    {"name": "Sarant Corporate Services (Cayman) Ltd", "city": "George Town", "country": "KY"})


def test_two_organisations_of_the_brand_and_jurisdiction_keep_the_short_name_apart() -> None:
    res = resolve_orgs({"name": "Kinvale UK", "city": "London", "country": "GB"},
                       {"name": "Kinvale Trust (UK) Limited", "city": "London", "country": "GB"},
                       {"name": "Kinvale Fund Administration (UK) Limited", "city": "London", "country": "GB"})
    assert not _joined(res, 0, 1)


def test_another_jurisdiction_or_a_managers_mark_is_no_short_form() -> None:
    assert not surfaced({"name": "Kinvale Ireland", "city": "Dublin", "country": "IE"},
                        {"name": "Kinvale Trust (UK) Limited", "city": "London", "country": "GB"})
    assert not surfaced({"name": "Rairow Management", "city": "Boston", "country": "US"},
                        {"name": "Rairow Capital Management", "city": "Boston", "country": "US"})


def test_a_brand_of_two_words_and_its_jurisdiction_is_the_local_entity() -> None:
    assert surfaced({"name": "Copper Ridge (Cayman)", "city": "George Town", "country": "Cayman"},
                    {"name": "Copper Ridge Fund Solutions (Cayman) Limited", "city": "George Town", "country": "KY"})
