"""Automation rules: trigger conditions, declarative audience filters, templates and config validation."""

from __future__ import annotations

import copy

import psycopg
import pytest
import yaml

from crmhub.config.integration_map import validate_integration_map
from crmhub.outreach.masking import mask_email
from crmhub.outreach.rules import Cap, Trigger
from crmhub.settings import integration_map_path


@pytest.mark.parametrize(("condition", "old", "new", "fires"), [
    ({"becomes": True}, "false", "true", True),
    ({"becomes": True}, None, "TRUE", True),
    ({"becomes": True}, "true", "true", False),
    ({"becomes": True}, "true", "false", False),
    ({"changed_to": ["soft_circle", "accepted"]}, "interested", "Accepted", True),
    ({"changed_to": ["soft_circle"]}, "soft_circle", "soft_circle", False),
    ({"increased": True}, "1,000,000.00", "2500000", True),
    ({"increased": True}, "2500000", "1000000", False),
    ({"increased": True}, None, "1000000", False),
    ({"decreased": True}, "5", "4.5", True),
    ({"changed": True}, "a", "b", True),
    ({"changed": True}, "a", "a", False),
])
def test_trigger_conditions(condition, old, new, fires):
    assert Trigger("contact", "interested", condition).matches(old, new) is fires


def test_cap_is_the_lower_of_absolute_and_percent():
    assert Cap(50, 2).limit(10_000) == 50
    assert Cap(50, 2).limit(1_000) == 20
    assert Cap(50, 2).limit(10) == 0


def test_audience_values_are_bound_never_spliced(db, automations):
    import dataclasses

    from crmhub.outreach.rules import AudienceRule

    evil = "lp'); DROP TABLE core.contact; --"
    auto = dataclasses.replace(automations["reinstate_interest"],
                               audience=(AudienceRule("entity.entity_type", "in", values=(evil, "lp")),
                                         AudienceRule("contact.country", "not_in", values=("US",))))
    where, params = auto.audience_sql()
    with psycopg.connect(db) as conn:
        text = where.as_string(conn)
        assert evil not in text and "%s" in text and params[0] == [evil, "lp"]
        conn.execute(f"SELECT count(*) FROM core.contact c LEFT JOIN core.entity e ON e.crmhub_id = c.entity_id WHERE {text}",
                     params)
        assert conn.execute("SELECT to_regclass('core.contact')").fetchone()[0] is not None


def test_demo_automation_renders_all_three_parts(automations, imap):
    auto = automations["reinstate_interest"]
    assert auto.flag == "outreach.reinstate_interest" and auto.owner in imap.people
    subject, html, text = auto.render({
        "contact": {"first_name": "Ada <b>", "last_name": "L", "title": None, "crmhub_id": "x"},
        "entity": {"name": "Calpers & Co", "entity_type": "lp"}, "owner": {"name": "Sam Ortiz", "email": "s@f.example"},
        "fund": "Fund IV", "automation": auto.name, "event": {"field": "interested", "old": "false", "new": "true"},
    })
    assert subject == "Thank you for your interest, Ada <b>"
    assert "Ada &lt;b&gt;" in html and "Calpers &amp; Co" in html and "Fund IV" in html   # HTML is escaped
    assert "Ada <b>" in text and "unsubscribe" in text


def _map_data():
    return yaml.safe_load(integration_map_path().read_text())


def test_automation_owner_must_be_a_person_and_names_unique():
    data = _map_data()
    assert validate_integration_map(data) == []
    bad = copy.deepcopy(data)
    bad["automations"][0]["owner"] = "nobody.here"
    twin = copy.deepcopy(bad["automations"][0])
    twin["owner"] = "sam.ortiz"
    bad["automations"].append(twin)
    problems = validate_integration_map(bad)
    assert any(p.startswith("automations[0](reinstate_interest).owner") and "not a person" in p for p in problems)
    assert any("duplicate automation name" in p for p in problems)
    assert any("already gates automation" in p for p in problems)


def test_schema_rejects_raw_sql_and_unknown_fields():
    data = _map_data()
    auto = data["automations"][0]
    auto["audience"].append({"field": "contact.email) OR (1=1", "op": "in", "values": ["x"]})
    auto["audience"].append({"field": "contact.country", "op": "in"})                 # values missing
    auto["sql"] = "SELECT * FROM core.contact"
    del auto["cap"]
    problems = validate_integration_map(data)
    assert any("audience" in p and "is not one of" in p for p in problems)
    assert any("audience[3]: missing required key 'values'" in p for p in problems)
    assert any("Additional properties" in p and "sql" in p for p in problems)
    assert any("missing required key 'cap'" in p for p in problems)


def test_map_without_automations_is_still_valid():
    data = _map_data()
    del data["automations"]
    assert validate_integration_map(data) == []


def test_mask_email():
    assert mask_email("jane.doe@fund.example") == "j***e@f***.example"
    assert mask_email("a@b.co") == "a***@b***.co"
    assert mask_email(None) == "<none>"
