"""A legal form written by its consonants closing the name (issue #17): "Cmpny" for "Company", "Prtnrshp" for
"Partnership", as "Mgmt" writes "Management"."""

from __future__ import annotations

import pytest

from crmhub.identity.normalize import normalize_org_name


@pytest.mark.parametrize(("a", "b"), [
    ("Ridgehill Life Insurance Cmpny", "Ridgehill Life Insurance Company"),
    ("Harbor Capital Prtnrshp", "Harbor Capital Partnership"),
])
def test_a_legal_form_written_by_its_consonants_is_the_form(a: str, b: str) -> None:
    assert normalize_org_name(a) == normalize_org_name(b)


def test_a_contraction_that_is_not_the_last_word_stays() -> None:
    assert normalize_org_name("Harbor Cmpny Holdings") == "harbor cmpny holdings"
