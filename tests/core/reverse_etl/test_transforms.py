import datetime as dt
from decimal import Decimal

import pytest

from crmhub.reverse_etl.definitions import payload_hash
from crmhub.reverse_etl.transforms import apply, same, wire


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), (True, "true"), (False, "false"), (3, "3"), (72.5, "72.5"),
    (Decimal("72.50"), "72.5"), (Decimal("90.00"), "90"), (Decimal("-0.0"), "0"), (1e7, "10000000"),
    (dt.date(2026, 1, 2), "2026-01-02"),
    (dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC), "2026-01-02T03:04:05.678Z"),
    ("anchor", "anchor"),
])
def test_wire_is_canonical(value, expected):
    assert wire(value) == expected


def test_same_value_in_different_forms_hashes_the_same():
    assert payload_hash({"a": wire(Decimal("72.50")), "b": "x"}) == payload_hash({"b": "x", "a": wire(72.5)})
    assert payload_hash({"a": "1"}) != payload_hash({"a": "2"})
    assert same("72.50", "72.5") and same("", None) and not same("1", "2") and same("anchor", "anchor")


def test_transform_chain():
    bucket = {"bucket": [[50_000_000, "anchor"], [10_000_000, "core"], [1, "emerging"], [0, "prospect"]]}
    assert apply(Decimal("60000000"), [bucket]) == "anchor"
    assert apply(Decimal("12000000"), [bucket]) == "core"
    assert apply(0, [bucket]) == "prospect"
    assert apply(-5, [bucket]) is None
    assert apply(Decimal("87.456"), [{"round": 1}]) == "87.5"
    assert apply(Decimal("87.5"), [{"round": 0}]) == "88"
    assert apply("  Limited Partner ", ["trim", {"enum_map": {"limited partner": "lp"}}]) == "lp"
    assert apply(None, [{"default": "unknown"}, "upper"]) == "UNKNOWN"
    assert apply(0.25, [{"scale": {"from_min": 0, "from_max": 1}}]) == "25"
    assert apply("yes", ["bool"]) == "true"
    assert apply("abcdef", [{"truncate": 3}]) == "abc"


def test_bad_value_raises_for_that_record():
    with pytest.raises(ValueError):
        apply("maybe", ["bool"])
    with pytest.raises(ValueError, match="'n/a' is not a number"):
        apply("n/a", [{"round": 0}])
    with pytest.raises(ValueError, match="unknown transform"):
        apply("x", ["rot13"])
