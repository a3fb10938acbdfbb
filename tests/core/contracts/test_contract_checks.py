"""Vectorised contract checks: types, transforms, null handling, masking, formula neutralisation."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from crmhub.config.integration_map import Connector, FieldContract
from crmhub.contracts import check_frame, mask_values, neutralise_formula, neutralise_frame
from crmhub.contracts.iso_codes import countries, currencies
from crmhub.contracts.parsers import parse_datetime, parse_money


def connector(*fields: dict) -> Connector:
    return Connector(
        name="t", system="crm", object="thing", owner="lena.vogel", source={"kind": "csv", "path": "x"},
        primary_key=fields[0]["name"], timestamp_source=fields[0]["name"], targets=("contact",), sla={},
        fields=tuple(FieldContract.from_dict({"owner": "lena.vogel", "null_handling": "allow", **f}) for f in fields),
    )


def frame(**cols) -> pd.DataFrame:
    return pd.DataFrame({k: pd.array(v, dtype="str") for k, v in cols.items()})


def test_money_parsing():
    s = pd.Series(["$1,200.50", "1.200,50 €", "EUR 1 200,50", "(1,200.00)", "1,200", "12,5", "abc", None], dtype="str")
    values, ok = parse_money(s)
    assert values.tolist()[:6] == [1200.5, 1200.5, 1200.5, -1200.0, 1200.0, 12.5]
    assert ok.tolist() == [True] * 6 + [False, True]


def test_mixed_datetimes_and_ambiguity():
    s = pd.Series(["2025-03-14", "03/14/2025", "14.03.2025", "1741946400000", "2025-03-14T10:00:00Z",
                   "14/03/2025", "03/04/2025", "2025-03-14T12:00:00+02:00", "31.02.2025", "soon"], dtype="str")
    values, ok = parse_datetime(s)
    iso = [v.isoformat() if not pd.isna(v) else None for v in values]
    assert iso[:6] == ["2025-03-14T00:00:00+00:00"] * 3 + ["2025-03-14T10:00:00+00:00"] * 2 + ["2025-03-14T00:00:00+00:00"]
    assert iso[6] == "2025-03-04T00:00:00+00:00"  # ambiguous slash date is read US month-first
    assert iso[7] == "2025-03-14T10:00:00+00:00"
    assert ok.tolist() == [True] * 8 + [False, False]


def test_every_type_validates():
    c = connector(
        {"name": "id", "type": "string"},
        {"name": "n", "type": "integer"},
        {"name": "d", "type": "decimal"},
        {"name": "b", "type": "boolean"},
        {"name": "day", "type": "date", "transform": ["parse_date"]},
        {"name": "email", "type": "email"},
        {"name": "country", "type": "country", "transform": ["trim", "upper"]},
        {"name": "cur", "type": "currency"},
        {"name": "dom", "type": "domain"},
        {"name": "phone", "type": "phone"},
        {"name": "tax", "type": "tax_id"},
        {"name": "url", "type": "url"},
    )
    f = frame(
        id=["a", "b"], n=["42", "4.2"], d=["0.5", "x"], b=["Yes", "maybe"], day=["2025-01-31", "2025-02-31"],
        email=["a.b@c.io", "not-an-email"], country=[" de ", "XX"], cur=["EUR", "EURO"],
        dom=["example.com", "http://example.com"], phone=["+1 (212) 555-0100", "12"], tax=["12-3456789", "??"],
        url=["https://x.example/a?b=1", "ftp//x"],
    )
    r = check_frame(f, c)
    assert r.quarantined.tolist() == [False, True]
    bad = set(r.violations.loc[r.violations["row"] == 1, "field"])
    assert bad == {"n", "d", "b", "day", "email", "country", "cur", "dom", "phone", "tax", "url"}
    row0 = r.typed.iloc[0]
    assert row0["n"] == 42 and row0["d"] == 0.5 and bool(row0["b"]) is True and row0["country"] == "DE"
    assert str(row0["day"].date()) == "2025-01-31"
    assert len(countries()) == 249 and "US" in countries() and "EU" not in countries()
    assert {"EUR", "USD", "JPY"} <= currencies()


def test_null_handling_allowed_range_enum_map_scale():
    c = connector(
        {"name": "id", "type": "string", "null_handling": "quarantine"},
        {"name": "email", "type": "email", "null_handling": "flag_low_confidence", "sensitive": True},
        {"name": "stage", "type": "enum", "allowed": ["lp", "gp"], "null_handling": "default", "default": "lp",
         "transform": ["trim", "lower", {"enum_map": {"limited partner": "lp"}}]},
        {"name": "score", "type": "decimal", "range": {"min": 0, "max": 1},
         "transform": [{"scale": {"from_min": 0, "from_max": 1, "to_min": 0, "to_max": 100}}]},
        {"name": "amount", "type": "money", "range": {"min": 0}, "transform": ["parse_money"]},
    )
    f = frame(
        id=["1", "2", None, "4"],
        email=["jane.doe@x.com", None, "bad@", None],
        stage=[" Limited Partner ", None, "GP", "vendor"],
        score=["0.25", "2", "0.5", None],
        amount=["$10", "(5.00)", "1", None],
    )
    r = check_frame(f, c)
    assert r.quarantined.tolist() == [False, True, True, True]
    assert r.typed["stage"].tolist()[:3] == ["lp", "lp", "gp"]  # enum_map, default, lower
    assert r.typed["score"].iloc[0] == 25.0  # scale applied after typing
    assert r.confidence.tolist() == [100.0, 80.0, 100.0, 80.0]
    v = r.violations
    row1 = set(zip(v.loc[v.row == 1, "field"], v.loc[v.row == 1, "rule"], strict=True))
    assert row1 == {("email", "null"), ("score", "range"), ("amount", "range")}
    row2 = v[v.row == 2]
    assert set(row2["rule"]) == {"null", "type:email"}
    assert row2.loc[row2.field == "email", "value"].iloc[0] == "b***@"  # sensitive value masked
    assert set(v.loc[v.row == 3, "rule"]) == {"allowed", "null"}
    assert r.reasons() == {"range": 2, "null": 1, "type:email": 1, "allowed": 1}
    assert r.clean.index.tolist() == [0]


def test_enrichment_illegal_value_flags_instead_of_quarantining():
    c = connector(
        {"name": "id", "type": "string", "null_handling": "quarantine"},
        {"name": "country", "type": "country", "enrichment": True},
    )
    r = check_frame(frame(id=["1", "2"], country=["US", "Narnia"]), c)
    assert r.quarantined.tolist() == [False, False]
    assert r.confidence.tolist() == [100.0, 80.0]
    assert pd.isna(r.typed["country"].iloc[1])
    assert r.stats["country"].illegal == 1


def test_checks_are_vectorised_fast_enough():
    n = 200_000
    c = connector(
        {"name": "id", "type": "string", "null_handling": "quarantine", "transform": ["trim"]},
        {"name": "email", "type": "email", "transform": ["trim", "lower"]},
        {"name": "amount", "type": "money", "transform": ["parse_money"]},
        {"name": "ts", "type": "datetime", "transform": ["parse_datetime"]},
    )
    ids = np.arange(n).astype(str)
    f = frame(id=ids, email=np.char.add(ids, "@x.com"), amount=np.char.add("$", ids), ts=["2025-03-14T10:00:00Z"] * n)
    t0 = time.perf_counter()
    r = check_frame(f, c)
    elapsed = time.perf_counter() - t0
    assert not r.quarantined.any()
    assert elapsed < 5, f"{n} rows took {elapsed:.2f}s: something is looping per cell"


def test_masking():
    s = pd.Series(["jane@x.com", "DE123456789", "abc", None], dtype="str")
    assert mask_values(s).tolist()[:3] == ["j***@x.com", "***6789", "***"]
    assert pd.isna(mask_values(s).iloc[3])


@pytest.mark.parametrize(
    "value, expected",
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
     ("Jane", "Jane"), (5, 5), (None, None)],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def test_neutralise_frame_vectorised():
    f = pd.DataFrame({"a": pd.array(["=1+1", "ok", None], dtype="str"), "n": [1, 2, 3]})
    out = neutralise_frame(f)
    assert out["a"].tolist()[:2] == ["'=1+1", "ok"] and out["n"].tolist() == [1, 2, 3]
    assert f["a"].iloc[0] == "=1+1"  # input untouched
