"""compare() measures on small frames, and the reconciliation section's config cross-checks."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from crmhub.config.integration_map import validate_integration_map
from crmhub.reconcile.engine import compare
from crmhub.reconcile.rules import Measure, Rule, Side, load_rules


def _frame(rows):
    return pd.DataFrame(rows, columns=["key", "ref", "amount", "stage", "lp"], dtype=object)


def test_compare_measures():
    fields = {"amount": "amount", "stage": "stage", "lp": "lp"}
    rule = Rule("r", "x", Side("a", None, "o", fields), Side("b", None, "o", fields), (
        Measure("count"), Measure("sum", "amount", by=("lp",)), Measure("count_by", "stage"),
        Measure("equal", fields=("amount", "stage"))))
    left = _frame([["k1", "A1", "100.00", "accepted", "Harbor"], ["k2", "A2", "50.00", "prospect", "Harbor"],
                   ["k3", "A3", "30.00", None, "Oak"], ["k4", "A4", "20.00", "closed", "Oak"]])
    right = _frame([["k1", "B1", "100", "accepted", "Harbor"], ["k2", "B2", "55.00", "contacted", "Harbor"],
                    ["k3", "B3", "30.00", None, "Oak"], ["k5", "B5", "7.00", "closed", "Elm"]])
    res = compare(rule, left, right)
    count, total, stages, equal = res["measures"]
    assert (count["left_total"], count["right_total"], count["delta_pct"]) == (4, 4, 0.0)
    assert {g["group"]: (g["left"], g["right"]) for g in total["groups"]} == {
        "lp=Elm": (0.0, 7.0), "lp=Harbor": (150.0, 155.0), "lp=Oak": (50.0, 30.0)}
    assert total["delta_pct"] == pytest.approx((7 + 5 + 20) / 200 * 100)
    assert {g["group"]: (g["left"], g["right"]) for g in stages["groups"]} == {
        "(none)": (1, 1), "accepted": (1, 1), "closed": (1, 1), "contacted": (0, 1), "prospect": (1, 0)}
    assert stages["delta_pct"] == pytest.approx(2 / 4 * 100)
    # k2 differs (amount and stage), k4 missing right, k5 missing left; k1 equal (100 == 100.00), k3 equal (nulls)
    assert equal["delta_pct"] == pytest.approx(3 / 5 * 100) and equal["mismatched"] == 1
    records = {(d["kind"], d["field"], d["crmhub_id"], d["left_value"], d["right_value"]) for d in res["diffs"]
               if d["kind"] != "group"}
    assert records == {("missing_right", None, "k4", None, None), ("missing_left", None, "k5", None, None),
                       ("mismatch", "amount", "k2", "50.00", "55.00"), ("mismatch", "stage", "k2", "prospect",
                                                                         "contacted")}
    assert res["delta_pct"] == equal["delta_pct"]


def test_a_null_on_one_side_of_a_mismatch_is_stored_as_null_not_nan():
    """The equal measure's diff rows carried pandas' NaN for a missing value, stored and shown as 'nan'."""
    fields = {"amount": "amount", "stage": "stage", "lp": "lp"}
    rule = Rule("r", "x", Side("a", None, "o", fields), Side("b", None, "o", fields),
                (Measure("equal", fields=("stage",)),))
    left = _frame([["k1", "A1", "10", None, "Oak"], ["k2", "A2", "10", "closed", "Oak"]])
    right = _frame([["k1", "B1", "10", "accepted", "Oak"], ["k2", "B2", "10", None, "Oak"]])
    diffs = {d["crmhub_id"]: (d["left_value"], d["right_value"]) for d in compare(rule, left, right)["diffs"]}
    assert diffs == {"k1": (None, "accepted"), "k2": ("closed", None)}


def test_config_cross_checks(imap):
    data = copy.deepcopy(imap.raw)
    rules = data["reconciliation"]["rules"]
    rules[0]["owner"] = "nobody"
    rules[1]["left"]["connector"] = "no_such_connector"
    rules[2]["right"]["fields"]["email"] = "not_a_field"
    rules[2]["measures"].append({"kind": "sum", "field": "tax"})
    data["reconciliation"]["parallel_run"]["system"] = "mainframe"
    problems = "\n".join(validate_integration_map(data, text=yaml.safe_dump(data)))
    assert "owner 'nobody' is not a person" in problems
    assert "unknown connector 'no_such_connector'" in problems
    assert "'not_a_field' is not a field of connector 'crm_contacts'" in problems
    assert "'tax' is not mapped in left.fields" in problems
    assert "unknown system 'mainframe'" in problems
    bad = copy.deepcopy(imap.raw)
    bad["reconciliation"]["rules"][0]["measures"] = [{"kind": "sum"}]
    assert any("measures[0]: missing required key 'field'" in p for p in validate_integration_map(bad))


def test_shipped_rules_load(imap):
    rules = {r.name: r for r in load_rules(imap)}
    assert set(rules) == {"fund_admin_commitments", "crm_pipeline_stages", "fund_admin_contacts_vs_crm"}
    assert rules["crm_pipeline_stages"].threshold_pct == 0.6  # the default
    assert rules["fund_admin_contacts_vs_crm"].threshold_pct == 2.0
