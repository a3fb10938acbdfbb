"""Short forms of organisation names (issue #17): contractions of multi-word terms ("ManCo", "FO"). Each
positive case is missed on the code before short forms.
"""

from __future__ import annotations

import pandas as pd
import pytest

from crmhub.identity import resolve
from crmhub.identity.normalize import normalize_org_name


def _resolve(*records: dict):
    df = pd.DataFrame([{"record_id": str(k), "source_system": f"src{k}", **r} for k, r in enumerate(records)])
    return resolve(df, "org")


def surfaced(a: dict, b: dict) -> bool:
    """Linked, or proposed together for review."""
    res = _resolve(a, b)
    return len(set(res.cluster_ids)) == 1 or len(res.review) == 1


# ------------------------------------------------------------------------------ multi-word short forms

@pytest.mark.parametrize(("short", "long"), [
    ("Flailion ManCo", "Flailion Management Company"),
    ("Thavis Lane ManCo, LLC", "Thavis Lane Mgmt Co"),
    ("Woulgane FO", "Woulgane Family Office"),
    ("Harbor MFO", "Harbor Multi Family Office"),
])
def test_contractions_of_multi_word_terms(short: str, long: str) -> None:
    assert normalize_org_name(short) == normalize_org_name(long)


def test_a_family_office_by_its_contraction_is_proposed() -> None:
    assert surfaced({"name": "Woulgane FO", "domain": "https://www.woulganefo.com", "city": "Geneva"},
                    {"name": "Woulgane Family Office", "city": "Geneva"})
