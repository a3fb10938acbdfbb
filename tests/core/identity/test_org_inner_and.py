"""A holding or partnership named after two families written with and without the "and" between the names
(issue #17, dev3_orgs): "Participações González e Méndez" / "Participações Gonzalez Mendez"."""

from __future__ import annotations

from org_pairs import surfaced

from crmhub.identity.comparison import one_spelling
from crmhub.identity.normalize import normalize_org_name, without_inner_and


def test_a_holding_of_two_families_with_and_without_the_and_is_surfaced() -> None:
    assert surfaced({"name": "Inversiones Peralta y Ordóñez S.A.", "city": "Madrid", "country": "ES"},
                    {"name": "Inversiones Peralta Ordonez", "country": "Spain"})


def test_two_names_apart_by_an_inner_and_are_one_spelling() -> None:
    assert one_spelling(normalize_org_name("Participações Sarmento e Lobo"), normalize_org_name("Participacoes Sarmento Lobo"))
    assert one_spelling("okafor and brandt partners", "okaforand brandt partners")  # "and" glued to a name


def test_only_an_and_between_two_words_is_left_out() -> None:
    assert without_inner_and("peralta and ordonez") == "peralta ordonez"
    assert without_inner_and("and peralta") == "and peralta"
    assert not one_spelling("peralta and ordonez", "peralta ordonez lobo")
