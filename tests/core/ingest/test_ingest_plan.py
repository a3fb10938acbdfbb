"""What the ingest DAG's plan and publish tasks compute (``crmhub.ingest.tasks``)."""

import pytest

from crmhub.ingest.tasks import plan_connectors, publish_summary


def test_plan_every_connector_by_criticality():
    assert plan_connectors() == {"critical": ["fundadmin_lp_contacts", "billing_invoices"],
                                 "default": ["crm_contacts", "crm_companies", "crm_deals", "cdp_events"]}
    assert plan_connectors(["cdp_events"]) == {"critical": [], "default": ["cdp_events"]}
    with pytest.raises(KeyError, match="unknown connector 'nope'"):
        plan_connectors(["nope"])


def test_publish_sums_rows_per_core_table():
    summaries = [{"connector": "a", "targets": ["contact", "commitment"], "loaded": 5, "quarantined": 1, "rejected": 0},
                 {"connector": "b", "targets": ["contact"], "loaded": 2, "quarantined": 0, "rejected": 3}]
    assert publish_summary(summaries) == {"connectors": ["a", "b"], "rows_loaded": {"contact": 7, "commitment": 5},
                                          "quarantined": 1, "rejected": 3}
    assert publish_summary([]) == {"connectors": [], "rows_loaded": {}, "quarantined": 0, "rejected": 0}
