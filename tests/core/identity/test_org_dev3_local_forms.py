"""Name classes of the third development set (issue #17, dev3_orgs 10k seed 42: the largest classes of true
pairs left out) that are one organisation in the real world: a Dutch stichting written "Stg." and its pension
fund's Dutch words; an Australian superannuation fund written by its short name, its registered name or its
trustee's; the Arabic article run into the family name; a typo in a long compound word. Each checked on names
of its own (not the set's word lists)."""

from __future__ import annotations

import pytest
from org_pairs import surfaced

from crmhub.identity.normalize import legal_form, normalize_org_name

# ------------------------------------------------------------------------- Dutch pension funds


@pytest.mark.parametrize("written", ["Stg. Pensioenfonds Hoogveld Bouw", "Stg Pensioenfonds Hoogveld Bouw",
                                     "STG. PENSIOENFONDS HOOGVELD BOUW"])
def test_stg_is_the_stichting_written_short(written: str) -> None:
    assert normalize_org_name(written) == normalize_org_name("Stichting Pensioenfonds Hoogveld Bouw")
    assert legal_form(written) == "stichting"


@pytest.mark.parametrize("written", ["SPF Hoogveld Bouw", "Pensioenfonds Hoogveld Bouw", "Stg. SPF Hoogveld Bouw",
                                     "Pension Fund Hoogveld Bouw"])
def test_a_dutch_pension_funds_words_are_read_in_english(written: str) -> None:
    assert normalize_org_name(written) == normalize_org_name("Stichting Pensioenfonds Hoogveld Bouw")


def test_bpf_is_an_industry_pension_fund() -> None:
    assert normalize_org_name("BPF Zeevisserij") == normalize_org_name("Bedrijfstakpensioenfonds Zeevisserij")
    assert normalize_org_name("bpfZeevisserij") == normalize_org_name("Bedrijfstakpensioenfonds Zeevisserij")


def test_a_stichting_written_short_is_surfaced_with_its_full_form() -> None:
    assert surfaced({"name": "Stg Hoogveld Logistiek Pensioenfonds", "city": "Zeist", "country": "NL"},
                    {"name": "Stichting Hoogveld Logistiek Pensioenfonds", "city": "Zeist", "country": "Netherlands"})
