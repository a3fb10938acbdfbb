"""Every incident trigger has a runbook with its four sections, and alerts link to it."""

from __future__ import annotations

import copy
import dataclasses

import psycopg
import pytest

from crmhub.config.integration_map import validate_integration_map
from crmhub.health import incidents

SECTIONS = ("## What it means", "## How to confirm", "## How to fix", "## How to prove it is fixed")


@pytest.mark.parametrize("trigger", incidents.TRIGGERS)
def test_every_trigger_has_a_runbook_with_four_sections(trigger):
    path = incidents.runbook_path(trigger)
    assert path.is_file(), f"no runbook for incident trigger {trigger!r}: write docs/runbooks/{trigger}.md"
    text = path.read_text()
    missing = [s for s in SECTIONS if s not in text]
    assert not missing, f"{path.name} lacks {missing}"


def test_incident_links_point_at_the_runbook_file_under_the_configured_base(db, imap):
    with psycopg.connect(db) as conn:
        inc = incidents.open_incident(conn, "crm_contacts", "schema_drift", {}, imap=imap)
    assert inc.runbook_url == "docs/runbooks/schema_drift.md"
    assert (incidents.runbook_path("schema_drift").parents[2] / inc.runbook_url).is_file()
    hosted = dataclasses.replace(imap, raw={**imap.raw, "runbook_base_url": "https://git.firm.example/crmhub/docs/runbooks/"})
    assert incidents.runbook_for(hosted, "crm_contacts", "lag") == "https://git.firm.example/crmhub/docs/runbooks/lag.md"
    without = dataclasses.replace(imap, raw={k: v for k, v in imap.raw.items() if k != "runbook_base_url"})
    assert incidents.runbook_for(without, "crm_contacts", "lag") == "docs/runbooks/lag.md"


def test_map_has_no_free_text_alert_conditions(imap):
    assert "runbooks.crmhub.example" not in imap.path.read_text()
    raw = copy.deepcopy(imap.raw)
    raw["slas"][0]["alert_condition"] = "delay > 1h"
    problems = validate_integration_map(raw)
    assert any("alert_condition" in p for p in problems)
