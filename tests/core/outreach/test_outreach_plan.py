"""What the outreach DAG's plan and approval tasks compute (``crmhub.outreach.tasks``)."""

import pytest

from crmhub.outreach.tasks import awaiting_approval, needs_approval, plan_automations


def test_plan_by_criticality_and_unknown_names():
    assert plan_automations() == {"critical": [], "default": ["reinstate_interest"]}
    with pytest.raises(KeyError, match="unknown automation 'nope'"):
        plan_automations(["nope"])


def test_approval_over_groups_of_results():
    capped = {"automation": "a", "outcome": "needs_approval", "pending": 7}
    sent = {"automation": "b", "outcome": "sent", "pending": 0}
    assert not needs_approval(None, [sent]) and needs_approval([sent], [capped])
    assert awaiting_approval([capped, sent], None) == {"a": 7}
