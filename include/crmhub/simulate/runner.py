"""Run the DAGs' task functions day by day on the simulation clock against the demo's services.

Each simulated day (UTC) runs, in the DAGs' order and with the DAGs' own task functions (the ones the
operators in ``plugins/crmhub_provider/operators`` call, with the same arguments):

* 09:00 the day's planted event, if any (:class:`RolloutPlan.world_events`);
* two sync cycles from 10:00, ``cadence`` minutes apart (the plan: the baseline batch cadence, then the map's
  SLA schedule). Before each, the world makes its changes in the ``cadence`` minutes before the cycle. A
  cycle is ``crmhub_ingest`` (day 1's first cycle: every connector in full) or ``crmhub_cdc`` (due connectors,
  webhooks), then ``crmhub_identity`` (orgs, contacts), ``crmhub_health`` (cycle, SLA results, segment
  audit, retry queue, incident metrics), ``crmhub_reverse_etl`` (health gate, due syncs) and
  ``crmhub_outreach`` (health gate inside the engine; flags from the plan's stage);
* 09:30 and 17:00 the owners' review (from the plan's SLA day): incidents with proof closed
  (``crmhub.ops.closeout``), frozen connectors released by their owner; 16:00 the steward's review decisions;
* 23:30 ``crmhub_reconciliation`` for the day.

Airflow's scheduler is not in the loop: ``airflow dags test`` costs ~20 s per DAG run, so 21 days × 6 DAGs ×
2 cycles would take hours on 2 cores; the task functions are what those DAG runs execute.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from crmhub import clock
from crmhub.simulate.plan import RolloutPlan

log = logging.getLogger(__name__)

#: Day 1 of the simulation: the day after the demo data's "as of" (2026-11-01).
START = date(2026, 11, 2)
STEWARD = "sim.steward"


@dataclass
class DayTiming:
    day: int
    date: date
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@dataclass
class SimulationResult:
    start: date
    end: date
    days: list[DayTiming]
    plan: RolloutPlan
    world_counts: dict[str, int]
    report: Path | None = None
    seconds: float = 0.0

    @property
    def seconds_per_day(self) -> float:
        return sum(d.seconds for d in self.days) / max(1, len(self.days))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class _Tasks:
    """The DAG tasks, as the operators call them, with the demo services' access."""

    def __init__(self, url: str, services, data_dir: Path, imap, bootstrap: Path) -> None:
        from crmhub.demo_services import CRM_TOKEN
        from crmhub.ingest.tasks import SourceAccess
        from crmhub.outreach import SmtpSettings
        from crmhub.outreach.tasks import UnleashAccess

        self.url, self.imap, self.services = url, imap, services
        self._access = {"csv": SourceAccess(data_dir=data_dir),
                        "rest": SourceAccess(base_url=services.crm.url, token=CRM_TOKEN),
                        "postgres": SourceAccess(url=_billing_url(url))}
        self.unleash = UnleashAccess(bootstrap=bootstrap)
        self.smtp = SmtpSettings(host="127.0.0.1", port=services.mail.port, from_addr="ir@firm.example")
        self.failures: list[str] = []

    def access(self, name: str):
        return self._access[self.imap.connector(name).source["kind"]]

    def _safe(self, what: str, fn, *args, **kwargs):
        """A failed task is recorded (as Airflow would mark it failed) and the day goes on."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - a task failure is an outcome of the simulation
            log.warning("%s failed: %s", what, exc)
            self.failures.append(f"{what}: {type(exc).__name__}: {str(exc)[:200]}")
            return None

    def ingest_all(self) -> None:
        from crmhub.ingest.tasks import ingest_connector, plan_connectors

        plan = plan_connectors(None, imap=self.imap)
        for name in plan["critical"] + plan["default"]:
            self._safe(f"crmhub_ingest.{name}", ingest_connector, self.url, name, self.access(name), imap=self.imap)

    def cdc(self) -> None:
        from crmhub.cdc.tasks import cdc_sync, plan_cdc, webhook_connector, webhook_sync

        plan = plan_cdc(self.url, imap=self.imap, now=clock.now())
        for name in plan["critical"] + plan["default"]:
            self._safe(f"crmhub_cdc.{name}", cdc_sync, self.url, name, self.access(name), imap=self.imap)
        self._safe("crmhub_cdc.webhooks", webhook_sync, self.url, self.access(webhook_connector(self.imap)),
                   imap=self.imap, source="crm")

    def identity(self) -> None:
        from crmhub.identity.store import run_resolution

        for kind in ("org", "contact"):
            self._safe(f"crmhub_identity.{kind}", run_resolution, self.url, kind)

    def health(self) -> None:
        from crmhub.health import tasks

        self._safe("crmhub_health.cycle", tasks.health_cycle, self.url)
        for step in ("sla_results", "segment_audit"):
            self._safe(f"crmhub_health.{step}", getattr(tasks, step), self.url)
        self._safe("crmhub_health.drain_retry_queue", tasks.drain_retry_queue, self.url,
                   access_for=lambda connector: self._access[connector.source["kind"]])
        self._safe("crmhub_health.incident_metrics", tasks.incident_metrics, self.url)

    def _gate(self, connectors: list[str]) -> bool:
        from crmhub.health.score import connector_health, connector_targets, gate
        from crmhub.warehouse import connect

        targets = connector_targets(self.imap, connectors)
        with connect(self.url) as conn:
            results = [connector_health(conn, name, **targets[name]) for name in connectors]
        return gate(results)["passed"]

    def reverse_etl(self) -> None:
        from crmhub.reverse_etl.tasks import plan_syncs, push_sync

        crm = [c.name for c in self.imap.connectors if c.system == "crm"]
        if not self._gate(crm):   # IntegrationHealthSensor(systems=["crm"])
            self.failures.append("crmhub_reverse_etl: health gate closed (CRM connectors blocked)")
            return
        plan = plan_syncs(self.url, "due", imap=self.imap, now=clock.now())
        for name in plan["critical"] + plan["default"]:
            self._safe(f"crmhub_reverse_etl.{name}", push_sync, self.url, name, self.services.crm.url,
                       self._access["rest"].token, imap=self.imap)

    def outreach(self) -> None:
        from crmhub.outreach.tasks import run_automations

        self._safe("crmhub_outreach", run_automations, self.url, self.unleash, self.smtp)

    def steward(self, capacity: int) -> int:
        """The steward decides up to ``capacity`` pending clusters, weakest link first: approves a cluster whose
        weakest link scores >= 0.85, rejects the rest (a person's quick rule, recorded with who)."""
        from crmhub.identity import review

        done = 0
        for cluster in review.list_clusters(self.url, status="pending", limit=capacity):
            decide = review.approve if cluster["score_min"] >= 0.85 else review.reject
            if self._safe(f"steward.{cluster['cluster_id']}", decide, self.url, cluster["cluster_id"], by=STEWARD,
                          note="crmhub simulate: steward's daily review") is not None:
                done += 1
        return done

    def closeout(self, proof_dir: Path) -> None:
        from crmhub.ops.closeout import owner_closeout
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            self._safe("owners.closeout", owner_closeout, conn, proof_dir)
            self._release_frozen(conn)

    def _release_frozen(self, conn) -> None:
        """Each frozen connector's owner releases it after the day's review (``crmhub connector unfreeze``);
        the health cycle freezes it again if it is still blocked."""
        from crmhub.sync.connector_state import unfreeze

        for (name,) in conn.execute("SELECT connector FROM ops.connector_state WHERE frozen").fetchall():
            owner = self.imap.connector(name).owner if name in {c.name for c in self.imap.connectors} else None
            self._safe(f"owners.unfreeze.{name}", unfreeze, conn, name, by=owner or "sim.owner",
                       reason="crmhub simulate: owner released after the daily review")
            conn.commit()

    def reconcile(self, day: date) -> None:
        from crmhub.reconcile import run_reconciliation

        self._safe("crmhub_reconciliation", run_reconciliation, self.url, day.isoformat(), self.imap)


def _billing_url(warehouse_url: str) -> str:
    """The billing database ``start_demo_services`` creates next to the warehouse (same server, db ``billing``)."""
    base = warehouse_url.split("?", 1)
    return base[0].rsplit("/", 1)[0] + "/billing" + (f"?{base[1]}" if len(base) > 1 else "")


def _timed(steps: dict[str, float], name: str, fn, *args) -> object:
    t0 = time.monotonic()
    try:
        return fn(*args)
    finally:
        steps[name] = steps.get(name, 0.0) + time.monotonic() - t0


def simulate(url: str, *, days: int = 21, seed: int = 42, scale: int = 1, out: Path | None = None,
             work_dir: Path, plan: RolloutPlan | None = None, progress=print) -> SimulationResult:
    """Simulate ``days`` days on the warehouse at ``url`` (migrated here; it should be empty) and write the
    report to ``out`` (default ``<work_dir>/simulation.html``)."""
    from crmhub.config import load_integration_map
    from crmhub.demo_data import generate
    from crmhub.demo_services import simulate_crm_activity, start_demo_services
    from crmhub.simulate.report import write_simulation_report
    from crmhub.simulate.world import World
    from crmhub.warehouse import upgrade

    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    plan = plan or RolloutPlan().scaled(days)
    started = time.monotonic()
    clock.set_offset(None)
    upgrade(url)   # real time: migrations never run on the simulated clock
    imap = load_integration_map()
    work_dir.mkdir(parents=True, exist_ok=True)
    data_dir = work_dir / "data"
    generate(data_dir, seed=seed, scale=scale)
    bootstrap = work_dir / "unleash-bootstrap.json"
    _flags(bootstrap, 0)
    clock.travel_to(_at(START, 8))
    services = start_demo_services(url, data_dir)
    timings: list[DayTiming] = []
    world = None
    try:
        tasks = _Tasks(url, services, data_dir, imap, bootstrap)
        world = World(crm_url=services.crm.url, crm_token=tasks._access["rest"].token,
                      billing_url=tasks._access["postgres"].url, data_dir=data_dir, seed=seed, scale=scale)
        world.set_faults()
        for n in range(1, days + 1):
            day = START + timedelta(days=n - 1)
            t0 = time.monotonic()
            steps: dict[str, float] = {}
            tasks.failures = []
            _flags(bootstrap, plan.flag_rollout(n))
            event = plan.world_events.get(n)
            if event:
                clock.travel_to(_at(day, 9))
                if event == "bulk_import":
                    _timed(steps, "world", lambda: simulate_crm_activity(services, data_dir, genuine=0))
                elif event == "schema_drift":
                    _timed(steps, "world", world.schema_drift)
                elif event == "amount_after_accept":
                    _timed(steps, "world", world.amount_after_accept)
            if plan.owners_close_incidents(n):   # the on-call owners' morning review, before the first sync
                clock.travel_to(_at(day, 9, 30))
                _timed(steps, "closeout", tasks.closeout, work_dir / "proofs")
            cadence = plan.cadence_min(n)
            for cycle in range(2):
                at = _at(day, 10) + timedelta(minutes=cadence * cycle)
                _timed(steps, "world", world.play_before, at, cadence)
                clock.travel_to(at)
                if n == 1 and cycle == 0:
                    _timed(steps, "ingest", tasks.ingest_all)
                else:
                    _timed(steps, "cdc", tasks.cdc)
                for name in ("identity", "health", "reverse_etl", "outreach"):
                    _timed(steps, name, getattr(tasks, name))
            if plan.steward_decisions(n):
                clock.travel_to(_at(day, 16))
                _timed(steps, "steward", tasks.steward, plan.steward_decisions(n))
            if plan.owners_close_incidents(n):
                clock.travel_to(_at(day, 17))
                _timed(steps, "closeout", tasks.closeout, work_dir / "proofs")
            clock.travel_to(_at(day, 23, 30))
            _timed(steps, "reconciliation", tasks.reconcile, day)
            timing = DayTiming(n, day, time.monotonic() - t0, steps, list(tasks.failures))
            timings.append(timing)
            progress(f"day {n:2d} {day}  {timing.seconds:5.1f}s  "
                     + " ".join(f"{k}={v:.1f}" for k, v in steps.items())
                     + (f"  ({len(timing.failures)} task failure(s))" if timing.failures else ""))
    finally:
        clock.set_offset(None)
        if world is not None:
            world.close()
        services.stop()
    end = START + timedelta(days=days - 1)
    result = SimulationResult(START, end, timings, plan, dict(world.counts) if world else {})
    result.report = write_simulation_report(url, out or work_dir / "simulation.html", result, imap)
    result.seconds = time.monotonic() - started
    return result


def _flags(path: Path, rollout: int) -> None:
    """The Unleash bootstrap the outreach tasks read: every outreach flag at ``rollout`` % (0: off)."""
    from crmhub.demo_services import write_demo_bootstrap

    write_demo_bootstrap(path, rollout=max(rollout, 0))
    if rollout == 0:
        data = json.loads(path.read_text(encoding="utf-8"))
        for feature in data["features"]:
            feature["enabled"] = False
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
