import copy
from pathlib import Path

import pytest
import yaml

from crmhub.cli import main
from crmhub.config import contract_coverage, load_integration_map, validate_integration_map
from crmhub.config.integration_map import duration_seconds
from crmhub.exceptions import ConfigError

MAP_PATH = Path(__file__).resolve().parents[3] / "config" / "integration_map.yaml"


@pytest.fixture(scope="module")
def raw_map() -> dict:
    return yaml.safe_load(MAP_PATH.read_text())


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_shipped_map_is_valid_with_full_coverage():
    imap = load_integration_map(MAP_PATH)
    covered, total = contract_coverage(imap)
    assert total > 0 and covered == total
    assert {c.name for c in imap.connectors} >= {"fundadmin_lp_contacts", "crm_contacts", "crm_companies"}
    fa = imap.connector("fundadmin_lp_contacts")
    assert fa.field_names == ("external_id", "first_name", "last_name", "email", "company", "amount", "updated_at")


def test_connector_without_owner_fails_naming_the_path(raw_map, tmp_path):
    data = copy.deepcopy(raw_map)
    del data["connectors"][1]["owner"]
    with pytest.raises(ConfigError) as err:
        load_integration_map(_write(tmp_path, data))
    msg = str(err.value)
    assert "connectors[1](crm_contacts)" in msg
    assert "no owner" in msg


def test_field_without_owner_fails(raw_map):
    data = copy.deepcopy(raw_map)
    del data["connectors"][0]["fields"][3]["owner"]
    problems = validate_integration_map(data)
    assert any("connectors[0](fundadmin_lp_contacts).fields[3](email)" in p and "no owner" in p for p in problems)


def test_owner_must_be_a_known_person(raw_map):
    data = copy.deepcopy(raw_map)
    data["systems"]["crm"]["owner"] = "nobody.here"
    problems = validate_integration_map(data)
    assert problems == ["systems.crm.owner: owner 'nobody.here' is not a person in `people` (no owner = no deployment)"]


def test_unknown_type_fails(raw_map):
    data = copy.deepcopy(raw_map)
    data["connectors"][0]["fields"][5]["type"] = "currencyish"
    problems = validate_integration_map(data)
    assert len(problems) == 1
    assert "fields[5](amount).type" in problems[0] and "'currencyish' is not one of" in problems[0]


def test_field_map_source_without_contract_fails(raw_map):
    data = copy.deepcopy(raw_map)
    data["field_map"].append({"source": "billing_invoices.discount", "target": "crm.company.discount",
                              "transform": "none", "sla": "billing_to_crm", "owner": "dana.kim"})
    problems = validate_integration_map(data)
    assert any(f"field_map[{len(data['field_map']) - 1}].source" in p and "has no field contract" in p for p in problems)


def test_zero_targets_rejected(raw_map):
    data = copy.deepcopy(raw_map)
    data["connectors"][0]["sla"]["target_latency_s"] = 0
    data["connectors"][1]["sla"]["target_lag_min"] = 0
    problems = validate_integration_map(data)
    assert len(problems) == 2
    assert all("0 is less than or equal to the minimum of 0" in p for p in problems)


def test_every_problem_reported_at_once_with_lines(raw_map, tmp_path):
    data = copy.deepcopy(raw_map)
    del data["connectors"][0]["owner"]
    data["connectors"][2]["fields"][0]["type"] = "uuidish"
    path = _write(tmp_path, data)
    with pytest.raises(ConfigError) as err:
        load_integration_map(path)
    assert len(err.value.problems) == 2
    assert all("(line " in where for where, _ in err.value.problems)


def test_cross_reference_checks(raw_map):
    data = copy.deepcopy(raw_map)
    data["connectors"][0]["primary_key"] = "ext_id"
    data["stages"]["accept_stage"] = "signed"
    data["field_map"][0]["sla"] = "no_such_sla"
    problems = "\n".join(validate_integration_map(data))
    assert "'ext_id' is not a contracted field" in problems
    assert "'signed' is not a fundraising stage" in problems
    assert "unknown SLA 'no_such_sla'" in problems


def test_crm_owner_ids_name_one_person_each_and_owner_fields_map_through_them(raw_map):
    """A CRM contact's owner id names a person through ``people[].crm_owner_id`` (numeric, one person per id);
    a field that sets a record's owner must say so (``person_from``), and only such a field."""
    imap = load_integration_map(MAP_PATH)
    owner = imap.connector("crm_contacts").field("hubspot_owner_id")
    assert owner.target == "contact.owner" and owner.person_from == "people.crm_owner_id"
    assert dict(owner.persons) == {p["crm_owner_id"]: pid for pid, p in imap.people.items() if p.get("crm_owner_id")}
    data = copy.deepcopy(raw_map)
    ids = [p for p in data["people"] if p.get("crm_owner_id")]
    ids[1]["crm_owner_id"] = ids[0]["crm_owner_id"]
    ids[2]["crm_owner_id"] = "sam.ortiz"
    fields = next(c for c in data["connectors"] if c["name"] == "crm_contacts")["fields"]
    next(f for f in fields if f["name"] == "hubspot_owner_id").pop("person_from")
    next(f for f in fields if f["name"] == "jobtitle")["person_from"] = "people.crm_owner_id"
    problems = "\n".join(validate_integration_map(data))
    assert "does not match '^[0-9]+$'" in problems
    data["people"][[p["id"] for p in data["people"]].index(ids[2]["id"])]["crm_owner_id"] = "77"
    problems = "\n".join(validate_integration_map(data))
    assert f"crm owner id {ids[0]['crm_owner_id']!r} is already {ids[0]['id']!r}'s" in problems
    assert "(hubspot_owner_id): a field with target <table>.owner" in problems
    assert "(jobtitle): a field with target <table>.owner" in problems


def test_cli_validate_exit_codes(raw_map, tmp_path, capsys):
    assert main(["map", "validate", str(MAP_PATH)]) == 0
    assert "contract coverage: " in capsys.readouterr().out
    data = copy.deepcopy(raw_map)
    del data["systems"]["billing"]["owner"]
    assert main(["map", "validate", str(_write(tmp_path, data))]) == 2
    assert "systems.billing" in capsys.readouterr().err


def test_invalid_yaml_names_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\npeople: [\n  - broken: {\n")
    with pytest.raises(ConfigError, match=r"line \d+: not valid YAML"):
        load_integration_map(path)


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("15m", 900), ("6h", 21600), ("nightly", 86400)])
def test_duration_seconds(text, seconds):
    assert duration_seconds(text) == seconds


def test_bad_duration():
    with pytest.raises(ValueError, match="invalid duration"):
        duration_seconds("soon")


def test_a_map_is_validated_once_per_process_and_again_when_its_file_changes(tmp_path, monkeypatch):
    import crmhub.config.integration_map as module
    from crmhub import settings

    path = tmp_path / "map.yaml"
    path.write_text((settings.REPO_ROOT / "config" / "integration_map.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    calls = []
    real = module.validate_integration_map
    monkeypatch.setattr(module, "validate_integration_map", lambda *a, **k: calls.append(1) or real(*a, **k))
    first, second = load_integration_map(path), load_integration_map(path)
    assert len(calls) == 1 and first == second and first is not second   # each caller gets its own copy
    second.raw["version"] = 99                                              # which it may change freely
    assert load_integration_map(path).raw["version"] == 1
    path.write_text(path.read_text(encoding="utf-8").replace("crmhub_critical: 4", "crmhub_critical: 5"),
                    encoding="utf-8")
    assert load_integration_map(path).raw["airflow"]["pools"]["crmhub_critical"] == 5 and len(calls) == 2


def test_every_crm_property_the_lp_contacts_sync_writes_is_a_field_map_flow(raw_map):
    """The fund administrator's LP contacts written into the CRM (names, stage) have lineage and an SLA: each
    property the ``lp_contacts`` sync maps (beyond its keys) is a ``field_map`` entry carried by that sync."""
    sync = next(s for s in raw_map["reverse_etl"]["syncs"] if s["name"] == "lp_contacts")
    keys = {k["property"] for k in sync["id_mapping"]["upsert_by"]}
    written = {f"crm.contact.{f['property']}" for f in sync["fields"] if f["property"] not in keys}
    flows = {e["target"] for e in raw_map["field_map"] if e.get("sync") == "lp_contacts"}
    assert written and written <= flows, written - flows
    assert sync["model"].get("source_ts"), "end-to-end SLA lag needs the model's source timestamp"
