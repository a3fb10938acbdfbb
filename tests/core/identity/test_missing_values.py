"""Missing values in the input frame: pandas' string columns hold them as NaN, not ``None``; a blank
organisation name or record id must read as missing, not crash the run or hide the row."""

from __future__ import annotations

import pandas as pd
import pytest

from crmhub.identity import resolve


def test_a_blank_organisation_name_is_a_missing_name() -> None:
    res = resolve(pd.DataFrame([
        {"record_id": "1", "source_system": "crm", "name": "", "country": "IE"},
        {"record_id": "2", "source_system": "crm", "name": "Osprey Court Fund Services Ltd", "country": "IE"},
        {"record_id": "3", "source_system": "crm", "name": "Osprey Court Fund Services Limited", "country": "IE"},
    ]), "org")
    assert res.records["n_name"].tolist()[0] is None
    assert len({res.cluster_ids[1], res.cluster_ids[2]}) == 1 or len(res.review) == 1


def test_the_rows_without_a_record_id_are_named() -> None:
    with pytest.raises(ValueError, match=r"row\(s\) \[0\]"):
        resolve(pd.DataFrame([{"record_id": "", "name": "Osprey"}, {"record_id": "2", "name": "Kinero"}]), "org")
