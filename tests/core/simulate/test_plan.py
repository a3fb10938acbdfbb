"""The rollout plan: stages by day, and a short run keeps every stage and every planted event in order."""

from crmhub.simulate.plan import RolloutPlan


def test_the_21_day_plan():
    plan = RolloutPlan()
    assert [plan.flag_rollout(d) for d in (1, 7, 8, 14, 15, 21)] == [0, 0, 10, 10, 50, 50]
    assert plan.cadence_min(3) == 18 and plan.cadence_min(4) == 5
    assert not plan.owners_close_incidents(3) and plan.owners_close_incidents(4)
    assert plan.steward_decisions(2) == 0 and plan.steward_decisions(3) == 40


def test_three_days_keep_every_stage_and_event():
    plan = RolloutPlan().scaled(3)
    assert plan.world_events == {1: "bulk_import", 2: "schema_drift", 3: "amount_after_accept"}
    assert plan.flag_rollout(1) == 0 and plan.flag_rollout(2) == 10 and plan.flag_rollout(3) == 50
    assert plan.cadence_min(1) == 18 and plan.cadence_min(2) == 5


def test_a_one_day_run_drops_the_events_that_do_not_fit():
    assert RolloutPlan().scaled(1).world_events == {1: "bulk_import"}


def test_health_is_enforced_and_owners_on_call_from_the_sla_day():
    plan = RolloutPlan()
    assert not plan.health_enforced(3) and plan.health_enforced(4)
    assert not plan.on_call(3, 10)   # nobody on call before the SLAs are wired
    assert [h for h in range(24) if plan.on_call(4, h)] == list(range(8, 19))


def test_syncs_run_around_the_clock():
    # every 2 hours in the on-call hours, every 4 hours at night: no night goes without a sync
    assert RolloutPlan().quiet_hours() == [0, 4, 8, 10, 12, 14, 16, 18, 20]
    assert RolloutPlan(night_every_h=3).quiet_hours() == [0, 3, 6, 8, 10, 12, 14, 16, 18, 21]
