"""The rollout's interventions by simulated day (1-based), and the world's planted events.

The seed's 21-day rollout (CRM integration map: ownership, contracts, SLAs wired with alerting, identity gate,
staged outreach) names what happens, not on which day; this plan spreads it over three weeks the way the
playbook orders it, and the report prints it next to the results:

* days 1..``sla_day``-1, baseline: CDC runs every ``baseline_cadence_min`` (the pre-rollout batch cadence), no
  health score is enforced (no SLAs are wired yet: no health incidents, no freezes), no one reviews the
  identity queue, nobody closes incidents, outreach flags are off;
* ``sla_day``: SLAs wired: ``crmhub_health`` scores every connector against its own ``sla`` targets in the map
  (the documented lever; the formula is the seed's) and opens incidents / freezes; CDC follows the map's
  ``sla.schedule`` (``*/5`` for the CRM); the owners are on call in business hours (``on_call_hours``): after
  each cycle on the hour they close incidents that have proof, release and catch up frozen connectors, and
  the LP contacts the fund administrator has and the CRM lacks (the last reconciliation's report) are entered
  in the CRM by IR;
* ``review_day``: a steward starts deciding ``steward_capacity`` review clusters a day (``crmhub.identity.review``);
* ``flag_10_day`` / ``flag_50_day``: the outreach flags go to 10 %, then 50 % (Unleash bootstrap strategies).
  On ``flag_10_day`` RevOps also takes the automations out of control mode: before the busy window it marks
  the control list's friendly LP interested (the automation mails only the control list), and at the next
  on-call review it checks the control send and promotes (``crmhub.outreach.control.promote``, by
  ``sim.revops``); from then on the flag's rollout decides who is mailed.

Syncs run around the clock (the DAGs do): the busy window at the cadence above, then a cycle every
``on_call_every_h`` hours in the on-call hours and every ``night_every_h`` hours at night
(:meth:`RolloutPlan.quiet_hours`).

Field contracts are enforced from day 1 (they are the ingest itself; there is no contract-free mode to
compare against). Planted world events: the bulk import, the schema drift, the amount edited after the accept
stage (``world_events``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RolloutPlan:
    sla_day: int = 4
    review_day: int = 3
    flag_10_day: int = 8
    flag_50_day: int = 15
    steward_capacity: int = 40
    baseline_cadence_min: int = 18  # the seed's baseline sync lag: 18 min
    #: first and last hour (UTC) in which the owners are on call (from ``sla_day``)
    on_call_hours: tuple[int, int] = (8, 18)
    #: hours between quiet cycles (the world changes nothing) in the on-call hours, and at night
    on_call_every_h: int = 2
    night_every_h: int = 4
    #: planted events: day -> event name (see :class:`crmhub.simulate.world.World`)
    world_events: dict[int, str] = field(default_factory=lambda: {2: "bulk_import", 5: "schema_drift",
                                                                  9: "amount_after_accept"})

    def cadence_min(self, day: int, map_cadence_min: int = 5) -> int:
        """Minutes between CDC cycles on ``day``: the baseline batch cadence, then the map's SLA schedule."""
        return map_cadence_min if day >= self.sla_day else self.baseline_cadence_min

    def flag_rollout(self, day: int) -> int:
        """Outreach flag rollout % on ``day`` (0: flag off)."""
        if day >= self.flag_50_day:
            return 50
        return 10 if day >= self.flag_10_day else 0

    def outreach_control_trigger(self, day: int) -> bool:
        """Whether RevOps triggers the automations for the control list on ``day`` (the 10 % flag day)."""
        return day == self.flag_10_day

    def outreach_promotable(self, day: int) -> bool:
        """Whether RevOps promotes automations whose control send it has checked (from the 10 % flag day)."""
        return day >= self.flag_10_day

    def steward_decisions(self, day: int) -> int:
        return self.steward_capacity if day >= self.review_day else 0

    def owners_close_incidents(self, day: int) -> bool:
        return day >= self.sla_day

    def health_enforced(self, day: int) -> bool:
        """Whether ``crmhub_health``'s cycle (scores against the map's per-connector targets, incidents,
        freezes) runs on ``day``: from the day the SLAs are wired."""
        return day >= self.sla_day

    def on_call(self, day: int, hour: int) -> bool:
        """Whether the owners look at the warehouse at ``hour`` o'clock on ``day``."""
        return self.owners_close_incidents(day) and self.on_call_hours[0] <= hour <= self.on_call_hours[1]

    def quiet_hours(self) -> list[int]:
        """Hours of the day with a sync cycle besides the busy window: every ``on_call_every_h`` hours in
        the on-call hours (from their first), every ``night_every_h`` hours at night (from midnight)."""
        first, last = self.on_call_hours
        return sorted([h for h in range(first, last + 1) if (h - first) % self.on_call_every_h == 0] +
                      [h for h in range(24) if h % self.night_every_h == 0 and not first <= h <= last])

    def scaled(self, days: int) -> RolloutPlan:
        """The same plan squeezed into a shorter run (``--days 3`` keeps every stage, one day each)."""
        if days >= 21:
            return self
        f = days / 21
        return RolloutPlan(sla_day=max(2, round(self.sla_day * f)), review_day=max(2, round(self.review_day * f)),
                           flag_10_day=max(2, round(self.flag_10_day * f)),
                           flag_50_day=max(3, round(self.flag_50_day * f)), steward_capacity=self.steward_capacity,
                           baseline_cadence_min=self.baseline_cadence_min, on_call_hours=self.on_call_hours,
                           on_call_every_h=self.on_call_every_h, night_every_h=self.night_every_h, world_events=_squeeze(self.world_events, f, days))

    def describe(self) -> list[str]:
        first, last = self.on_call_hours
        return [f"days 1–{self.sla_day - 1}: baseline (CDC every {self.baseline_cadence_min} min, health not "
                "enforced, no incident closeout, flags off)",
                f"day {self.sla_day}: SLAs wired (health scored against each connector's own map targets, CDC on the "
                f"map's schedule); owners on call {first:02d}:00–{last:02d}:00 close incidents with proof and IR "
                "enters the fund administrator's LPs the CRM lacks",
                f"syncs around the clock: the busy window, then every {self.on_call_every_h} h "
                f"{first:02d}:00–{last:02d}:00 and every {self.night_every_h} h at night",
                f"day {self.review_day}: steward reviews up to {self.steward_capacity} clusters a day",
                f"day {self.flag_10_day}: outreach flags at 10 %, RevOps sends the automations to the control list "
                f"and promotes them once checked; day {self.flag_50_day}: 50 %",
                "world events: " + ", ".join(f"day {d} {e}" for d, e in sorted(self.world_events.items()))]


def _squeeze(events: dict[int, str], f: float, days: int) -> dict[int, str]:
    """Events moved to ``round(day * f)``, one per day, in order (those that do not fit are dropped)."""
    out: dict[int, str] = {}
    last = 0
    for day, event in sorted(events.items()):
        new = max(last + 1, round(day * f))
        if new > days:
            break
        out[new] = event
        last = new
    return out
