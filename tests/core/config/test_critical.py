"""``critical:`` on connectors, reverse-ETL syncs, reconciliation rules and automations; pool sizes."""

import copy
from pathlib import Path

import pytest
import yaml

from crmhub.config import (
    is_critical,
    load_integration_map,
    map_item,
    pool_slots,
    split_by_criticality,
    validate_integration_map,
)
from crmhub.health.incidents import resolve_owner

MAP_PATH = Path(__file__).resolve().parents[3] / "config" / "integration_map.yaml"


@pytest.fixture(scope="module")
def raw_map() -> dict:
    return yaml.safe_load(MAP_PATH.read_text())


@pytest.fixture(scope="module")
def imap():
    return load_integration_map(MAP_PATH)


def _load(tmp_path: Path, data: dict):
    path = tmp_path / "map.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_integration_map(path)


def test_flags_of_the_shipped_map(imap):
    assert is_critical(imap, "connector", "fundadmin_lp_contacts") and is_critical(imap, "connector", "billing_invoices")
    assert not is_critical(imap, "connector", "crm_contacts")  # absent = false
    assert is_critical(imap, "sync", "contact_traits") and not is_critical(imap, "sync", "company_icp_fit")
    assert is_critical(imap, "rule", "fund_admin_commitments") and not is_critical(imap, "rule", "crm_pipeline_stages")
    assert not is_critical(imap, "automation", "reinstate_interest")
    assert imap.connector("billing_invoices").critical


def test_split_keeps_order_and_checks_names(imap):
    names = ["crm_contacts", "billing_invoices", "cdp_events", "fundadmin_lp_contacts"]
    assert split_by_criticality(imap, "connector", names) == {
        "critical": ["billing_invoices", "fundadmin_lp_contacts"], "default": ["crm_contacts", "cdp_events"]}
    with pytest.raises(KeyError, match="unknown sync 'nope'; known: contact_traits"):
        split_by_criticality(imap, "sync", ["nope"])
    with pytest.raises(KeyError, match="unknown map item kind"):
        map_item(imap, "dag", "x")


@pytest.mark.parametrize("path", [("connectors", 0), ("reverse_etl", "syncs", 0), ("reconciliation", "rules", 0),
                                  ("automations", 0)])
def test_critical_must_be_a_boolean(raw_map, path):
    data = copy.deepcopy(raw_map)
    item = data
    for key in path:
        item = item[key]
    item["critical"] = "yes"
    problems = validate_integration_map(data)
    assert any("critical" in p and "boolean" in p for p in problems), problems


def test_pool_sizes_from_the_map_with_defaults(raw_map, tmp_path, imap):
    assert pool_slots(imap) == {"crmhub_critical": 4, "crmhub_default": 4}
    data = copy.deepcopy(raw_map)
    data["airflow"] = {"pools": {"crmhub_critical": 2}}
    assert pool_slots(_load(tmp_path, data)) == {"crmhub_critical": 2, "crmhub_default": 4}
    data["airflow"] = {"pools": {"crmhub_critical": 0}}
    assert validate_integration_map(data)


def test_owner_of_syncs_rules_and_automations(imap):
    assert resolve_owner(imap, "contact_traits")[0] == "lena.vogel"
    assert resolve_owner(imap, "crm_pipeline_stages")[0] == "sam.ortiz"
    assert resolve_owner(imap, "reinstate_interest")[0] == "sam.ortiz"
    with pytest.raises(ValueError, match="is not a connector, system or SLA"):
        resolve_owner(imap, "nothing_of_that_name")
