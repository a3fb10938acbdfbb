import copy
from pathlib import Path

import pytest
import yaml

from crmhub.config import load_integration_map, validate_integration_map
from crmhub.exceptions import ConfigError
from crmhub.reverse_etl.definitions import get_sync, load_syncs

MAP_PATH = Path(__file__).resolve().parents[3] / "config" / "integration_map.yaml"


@pytest.fixture(scope="module")
def raw_map() -> dict:
    return yaml.safe_load(MAP_PATH.read_text())


def _sync(data: dict, i: int = 0) -> dict:
    return data["reverse_etl"]["syncs"][i]


def test_shipped_syncs_load():
    imap = load_integration_map(MAP_PATH)
    syncs = load_syncs(imap)
    assert {"contact_traits", "company_icp_fit"} <= set(syncs)
    ct = syncs["contact_traits"]
    assert (ct.destination, ct.connector, ct.mode, ct.core_table) == ("crm:contacts", "crm_contacts", "upsert", "contact")
    assert [k.property for k in ct.upsert_by] == ["email", "crmhub_id"]
    assert {"lp_segment", "identity_confidence"} <= set(ct.properties)
    co = syncs["company_icp_fit"]
    assert (co.destination, co.connector, co.id_object, co.core_table) == ("crm:companies", "crm_companies", "company", "entity")
    assert syncs["lp_traits_analytics"].destination == "postgres:marts.lp_traits"
    assert ct.rate_limit == {"requests": 100, "per_seconds": 10}


def test_sync_owner_must_be_a_person(raw_map):
    data = copy.deepcopy(raw_map)
    _sync(data)["owner"] = "nobody.here"
    problems = validate_integration_map(data)
    assert problems == ["reverse_etl.syncs[0](contact_traits).owner: owner 'nobody.here' is not a person in "
                        "`people` (no owner = no deployment)"]


def test_sync_without_owner_fails_schema(raw_map):
    data = copy.deepcopy(raw_map)
    del _sync(data, 1)["owner"]
    problems = validate_integration_map(data)
    assert any("reverse_etl.syncs[1](company_icp_fit)" in p and "no owner" in p for p in problems)


def test_cross_checks(raw_map):
    data = copy.deepcopy(raw_map)
    _sync(data, 0)["destination"]["connector"] = "crm_companies"        # wrong object
    _sync(data, 1)["destination"]["connector"] = "billing_invoices"     # not a CRM connector
    _sync(data, 1)["name"] = "contact_traits"                           # duplicate
    _sync(data, 0)["model"]["sql"] = "SELECT 1 AS crmhub_id; DROP TABLE core.contact"
    del _sync(data, 2)["id_mapping"]
    _sync(data, 2)["fields"].append({"column": "x", "property": "email"})
    problems = "\n".join(validate_integration_map(data))
    assert "carries 'company', not 'contacts'" in problems
    assert "'billing_invoices' is not a CRM connector" in problems
    assert "duplicate sync name 'contact_traits'" in problems
    assert "one SELECT statement" in problems
    assert "property 'email' is mapped twice" in problems


def test_upsert_mode_needs_upsert_keys_and_shape_is_checked(raw_map):
    data = copy.deepcopy(raw_map)
    del _sync(data)["id_mapping"]["upsert_by"]
    assert any("needs id_mapping.upsert_by" in p for p in validate_integration_map(data))
    data = copy.deepcopy(raw_map)
    _sync(data)["mode"] = "replace"
    _sync(data)["model"]["sql"] = "DELETE FROM core.contact"
    _sync(data)["fields"][0]["transform"] = ["rot13"]
    problems = validate_integration_map(data)
    assert len(problems) == 3


def test_unknown_sync_name_lists_known(raw_map):
    imap = load_integration_map(MAP_PATH)
    with pytest.raises(ConfigError, match="known: company_icp_fit, company_invoice_status, contact_intent_score"):
        get_sync("nope", imap)


def test_upsert_by_a_non_unique_crm_property_is_refused(raw_map):
    """HubSpot refuses an upsert by company ``domain`` (not unique); the map used it until the fix."""
    data = copy.deepcopy(raw_map)
    _sync(data, 1)["id_mapping"]["upsert_by"].insert(0, {"property": "domain", "column": "domain"})
    problems = "\n".join(validate_integration_map(data))
    assert "'domain' is not a unique property of companies" in problems and "crmhub_id" in problems
    assert validate_integration_map(raw_map) == []
