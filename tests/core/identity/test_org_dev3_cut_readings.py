"""A name cut at a field length before the fund numeral or vehicle part (issue #17; missed pairs of the
fourth development set, ``dev3_orgs``): a field that cut the name on the space before its next word leaves
it one character short of the field's length once the export trims the space; with the registry number of
the full name it is that name cut, not a fund vintage or layer of its own."""

from __future__ import annotations

import pandas as pd
import pytest
from org_pairs import resolve_orgs

from crmhub.identity.comparison import Encoded
from crmhub.identity.records import prepare


def _linked(a: dict, b: dict) -> bool:
    return len(set(resolve_orgs(a, b).cluster_ids)) == 1


@pytest.mark.parametrize(("full", "cut"), [
    ("ROSHAVEN INFRASTRUCTURE PARTNERS V (CAYMAN), L.P.", "ROSHAVEN INFRASTRUCTURE PARTNERS V"),  # 34 of 35
    ("Wilder & Strand Co-Investment Fund VII, L.P.", "Wilder & Strand Co-Investment Fund"),
    ("Estbrook Oak Intermediate Holdings II Corp", "Estbrook Oak Intermediate Holdings"),
])
def test_a_name_cut_on_a_space_under_the_same_registry_number_is_linked(full, cut):
    assert _linked({"name": full, "tax_id": "84-1234567"}, {"name": cut, "tax_id": "84-1234567"})


def test_without_the_registry_number_a_whole_word_end_is_left_to_the_score():
    """A name ending on a whole word may be the flagship's whole name beside its Cayman vehicle."""
    assert not _linked({"name": "ROSHAVEN INFRASTRUCTURE PARTNERS V (CAYMAN), L.P."},
                       {"name": "ROSHAVEN INFRASTRUCTURE PARTNERS V"})


@pytest.mark.parametrize(("full", "short"), [
    ("Roshaven Infra Partners V (Cayman), L.P.", "Roshaven Infra Partners V"),  # no field's length
    ("ROSHAVEN INFRASTRUCTURE PARTNERS VI (CAYMAN), L.P.", "ROSHAVEN INFRASTRUCTURE PARTNERS V"),  # fund V is no VI
])
def test_other_names_under_one_registry_number_stay_apart(full, short):
    assert not _linked({"name": full, "tax_id": "84-1234567"}, {"name": short, "tax_id": "84-1234567"})


def test_one_short_of_a_field_is_read_once_per_record():
    enc = Encoded(prepare(pd.DataFrame(
        {"record_id": ["1", "2", "3"], "source_system": ["a", "a", "a"],
         "name": ["ROSHAVEN INFRASTRUCTURE PARTNERS V", "ROSHAVEN INFRASTRUCTURE PARTNERS V (", "Roshaven"]}), "org"))
    assert enc.one_short_of_a_field.tolist() == [True, False, False]  # the second is at the field's length: cut
