"""Run the DAGs' task functions day by day on the simulation clock against the demo's services.

Each simulated day (UTC, 08:00 to 08:00 the next morning) runs, in the DAGs' order and with the DAGs' own
task functions (the ones the operators in ``plugins/crmhub_provider/operators`` call, with the same arguments),
sync cycles around the clock (:func:`day_cycles`):

* the busy window, 10:00 to 10:00 + ``WINDOW_MIN``: a cycle every ``cadence`` minutes (the plan: the baseline
  batch cadence, then the map's SLA schedule); before each, the world makes its share of the day's changes in
  the ``cadence`` minutes before it (09:58: the day's planted event, if any). ``crmhub_identity``,
  ``crmhub_reverse_etl`` and ``crmhub_outreach`` follow at most every 15 simulated minutes;
* quiet cycles, when the world changes nothing: every hour in the plan's on-call hours, every
  ``night_every_h`` hours at night. ``crmhub_identity`` and ``crmhub_outreach`` (triggered by the core and
  change-log Assets) only after a cycle that loaded rows; ``crmhub_reverse_etl`` when a sync is due;
* a cycle is ``crmhub_ingest`` when its half-hourly schedule is due (every connector; drop files load only this
  way), ``crmhub_cdc`` (due REST/PostgreSQL connectors, webhooks), ``crmhub_health``'s cycle (from the plan's
  SLA day: scores against the map's per-connector targets, incidents, freezes) and its retry queue;
* after every cycle on the hour in the on-call hours (from the SLA day), the owners' review
  (``crmhub.simulate.owners``): incidents resolved when the warehouse shows the evidence, frozen connectors
  released and caught up by their owner, the CDP's drifted export fixed, the billing system's late postings
  fixed by FinanceOps once the billing SLA's incident is open; at the day's first review IR enters the
  LP contacts the last reconciliation found missing in the CRM and the fund administrator re-sends, corrected,
  its rows for the CRM's LPs its file lacks; from the plan's 10 % flag day RevOps promotes the outreach
  automations whose control send it checked (on that day it triggers them for the control list first);
* after the busy window: SLA results, segment audit, MTTR; 16:00 the steward's review decisions (plan
  capacity); 23:30 ``crmhub_reconciliation`` for the day.

Airflow's scheduler is not in the loop: ``airflow dags test`` costs ~20 s per DAG run, so 21 days of
5-minute cycles would take days on 2 cores; the task functions are what those DAG runs execute. Outside the
busy window the DAGs' 5-minute runs are sampled (hourly, or every few hours at night): the world changes nothing
then, and ``crmhub_health`` scores right after each sampled cycle's syncs, as the 5-minute DAG would find them.
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
#: Minutes of the day's busy window, in which the world makes the day's changes (syncs run around the clock).
WINDOW_MIN = 45
#: Minutes after a quiet cycle that wrote to the CRM (reverse ETL pushes, IR's entries) at which the CRM's
#: webhooks have triggered crmhub_cdc (its Asset schedule) and the next crmhub_health cycle has run.
FOLLOW_UP_MIN = 5
#: crmhub_ingest's schedule (dags/crmhub_ingest.py): every connector, files included, each half hour.
INGEST_SCHEDULE = "*/30 * * * *"
#: the hour the steward decides the day's review clusters, and the time of the day's reconciliation
STEWARD_AT = (16, 0)
RECONCILE_AT = (23, 30)


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
    notes: list[str] = field(default_factory=list)   # run notes for the report (not KPIs)

    @property
    def seconds_per_day(self) -> float:
        return sum(d.seconds for d in self.days) / max(1, len(self.days))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


class _Tasks:
    """The DAG tasks, as the operators call them, with the demo services' access."""

    def __init__(self, url: str, services, data_dir: Path, imap, bootstrap: Path, seed: int = 0) -> None:
        from crmhub.demo_services import CRM_TOKEN
        from crmhub.ingest.tasks import SourceAccess
        from crmhub.outreach import SmtpSettings
        from crmhub.outreach.tasks import UnleashAccess

        self.url, self.imap, self.services = url, imap, services
        self.data_dir, self.seed = data_dir, seed   # the steward reads the world's truth there
        self._access = {"csv": SourceAccess(data_dir=data_dir),
                        "rest": SourceAccess(base_url=services.crm.url, token=CRM_TOKEN),
                        "postgres": SourceAccess(url=_billing_url(url))}
        self.unleash = UnleashAccess(bootstrap=bootstrap)
        self.smtp = SmtpSettings(host="127.0.0.1", port=services.mail.port, from_addr="ir@firm.example")
        self.failures: list[str] = []
        self.last_ingest = None
        self.released: list[str] = []
        self.crm_writes = 0      # records the cycle wrote to the CRM (reverse ETL, IR)
        self.lp_run = 0          # the last reconciliation run IR worked through
        self.fa_run = 0          # the last reconciliation run the fund administrator worked through

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

    def ingest_due(self) -> bool:
        """``crmhub_ingest`` runs when its schedule (``INGEST_SCHEDULE``) had a tick since its last run."""
        from crmhub.cdc.schedule import is_due

        if is_due(INGEST_SCHEDULE, self.last_ingest, clock.now()):
            self.last_ingest = clock.now()
            self.ingest_all()
            return True
        return False

    def ingest_all(self) -> None:
        from crmhub.cdc.tasks import full_sync
        from crmhub.ingest.tasks import plan_connectors

        plan = plan_connectors(None, imap=self.imap)
        for name in plan["critical"] + plan["default"]:   # full_sync: the ingest operator's (+ deal associations)
            self._safe(f"crmhub_ingest.{name}", full_sync, self.url, name, self.access(name), imap=self.imap)

    def last_change(self) -> int:
        """The newest ``core.change_log`` id: a load that changed core moved it (the core Assets' events)."""
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            return conn.execute("SELECT coalesce(max(change_id), 0) FROM core.change_log").fetchone()[0]

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

    def health_cycle(self) -> None:
        """``crmhub_health``'s 5-minute steps: scores/incidents/freezes, then the retry queue."""
        from crmhub.health import tasks

        self._safe("crmhub_health.cycle", tasks.health_cycle, self.url)
        self.drain_retry_queue()

    def drain_retry_queue(self) -> None:
        from crmhub.health import tasks

        self._safe("crmhub_health.drain_retry_queue", tasks.drain_retry_queue, self.url,
                   access_for=lambda connector: self._access[connector.source["kind"]])

    def health_daily(self) -> None:
        """``crmhub_health``'s week-level steps (SLA results, segment audit, MTTR): the same functions the DAG
        runs every 5 minutes; their result only changes with the day's data, so once at the window's end."""
        from crmhub.health import tasks

        for step in ("sla_results", "segment_audit"):
            self._safe(f"crmhub_health.{step}", getattr(tasks, step), self.url)
        self._safe("crmhub_health.incident_metrics", tasks.incident_metrics, self.url)

    def open_incident(self, connector: str, trigger: str) -> bool:
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            return conn.execute("SELECT 1 FROM ops.incidents WHERE connector = %s AND trigger = %s "
                                "AND resolved_at IS NULL", (connector, trigger)).fetchone() is not None

    def catch_up(self) -> None:
        """The runbook's step after a release: load each released connector in full now (batches are truth)."""
        from crmhub.cdc.tasks import full_sync

        for name in self.released:
            self._safe(f"owners.catch_up.{name}", full_sync, self.url, name, self.access(name), imap=self.imap)
        self.released = []

    def _gate(self, connectors: list[str]) -> bool:
        from crmhub.health.score import connector_health, connector_targets, gate
        from crmhub.warehouse import connect

        targets = connector_targets(self.imap, connectors)
        with connect(self.url) as conn:
            results = [connector_health(conn, name, **targets[name]) for name in connectors]
        return gate(results)["passed"]

    def reverse_etl(self) -> None:
        from crmhub.reverse_etl.tasks import plan_syncs, push_sync

        plan = plan_syncs(self.url, "due", imap=self.imap, now=clock.now())
        if not plan["critical"] + plan["default"]:
            return   # no sync due: the run's push tasks would map over nothing
        crm = [c.name for c in self.imap.connectors if c.system == "crm"]
        if not self._gate(crm):   # IntegrationHealthSensor(systems=["crm"])
            self.failures.append("crmhub_reverse_etl: health gate closed (CRM connectors blocked)")
            return
        for name in plan["critical"] + plan["default"]:
            done = self._safe(f"crmhub_reverse_etl.{name}", push_sync, self.url, name, self.services.crm.url,
                              self._access["rest"].token, imap=self.imap)
            self.crm_writes += int((done or {}).get("records_sent") or 0)

    def outreach(self) -> None:
        from crmhub.outreach.tasks import run_automations

        self._safe("crmhub_outreach", run_automations, self.url, self.unleash, self.smtp)

    def steward(self, capacity: int) -> int:
        """The steward decides up to ``capacity`` pending clusters, weakest link first, as a person with the
        evidence does (:mod:`crmhub.simulate.steward`: the world's truth at a stated accuracy)."""
        from crmhub.simulate import steward

        truth = steward.Truth.load(self.data_dir)   # read each day: the world adds to it
        return sum(steward.review(self.url, truth, capacity, by=STEWARD, seed=self.seed, safe=self._safe).values())

    def release(self) -> None:
        from crmhub.simulate.owners import release_frozen
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            self.released = self._safe("owners.release", release_frozen, conn, self.imap) or []

    def closeout(self, proof_dir: Path) -> None:
        from crmhub.simulate.owners import owners_review
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            self._safe("owners.review", owners_review, conn, self.imap, proof_dir)

    def promote_outreach(self) -> None:
        """RevOps promotes the automations whose control send it checked (``owners.REVOPS``, recorded)."""
        from crmhub.simulate.owners import promote_checked_automations
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            self._safe("revops.promote_outreach", promote_checked_automations, conn, self.imap)

    def enter_missing_lps(self, world) -> int:
        """IR enters in the CRM the fund administrator's LP contacts the last reconciliation found missing."""
        from crmhub.simulate.owners import lps_missing_in_crm
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            found = self._safe("owners.lps_missing_in_crm", lps_missing_in_crm, conn, self.imap, self.lp_run)
        if not found:
            return 0
        self.lp_run, records = found
        entered = self._safe("ir.enter_lp_contacts", world.enter_lp_contacts, records) or 0
        self.crm_writes += entered
        return entered

    def fund_admin_fixes(self, world) -> int:
        """The fund administrator re-sends, corrected, its rows for the CRM's LPs the last reconciliation found
        missing in its file (the rule's incident reaches it through the rule's owner)."""
        from crmhub.simulate.owners import lps_missing_at_fund_admin
        from crmhub.warehouse import connect

        with connect(self.url) as conn:
            found = self._safe("owners.lps_missing_at_fund_admin", lps_missing_at_fund_admin, conn, self.imap,
                               self.fa_run)
        if not found:
            return 0
        self.fa_run, records = found
        return self._safe("fund_admin.corrections", world.fund_admin_corrections, records) or 0

    def reconcile(self, day: date) -> None:
        from crmhub.reconcile import run_reconciliation

        self._safe("crmhub_reconciliation", run_reconciliation, self.url, day.isoformat(), self.imap)


def _billing_url(warehouse_url: str) -> str:
    """The billing database ``start_demo_services`` creates next to the warehouse (same server, db ``billing``)."""
    base = warehouse_url.split("?", 1)
    return base[0].rsplit("/", 1)[0] + "/billing" + (f"?{base[1]}" if len(base) > 1 else "")


def _timed(steps: dict[str, float], name: str, fn, *args, **kwargs) -> object:
    t0 = time.monotonic()
    try:
        return fn(*args, **kwargs)
    finally:
        steps[name] = steps.get(name, 0.0) + time.monotonic() - t0


def simulate(url: str, *, days: int = 21, seed: int = 42, scale: int = 1, out: Path | None = None,
             work_dir: Path, plan: RolloutPlan | None = None, api_error_rate: float | None = None,
             progress=print) -> SimulationResult:
    """Simulate ``days`` days on the warehouse at ``url`` (migrated here; it should be empty) and write the
    report to ``out`` (default ``<work_dir>/simulation.html``)."""
    from crmhub.config import load_integration_map
    from crmhub.demo_data import generate
    from crmhub.demo_services import start_demo_services
    from crmhub.simulate.report import write_simulation_report
    from crmhub.simulate.steward import truth_note
    from crmhub.simulate.world import BASELINE_API_ERROR_RATE, World
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
        tasks = _Tasks(url, services, data_dir, imap, bootstrap, seed)
        world = World(crm_url=services.crm.url, crm_token=tasks._access["rest"].token,
                      billing_url=tasks._access["postgres"].url, data_dir=data_dir, seed=seed, scale=scale)
        world.set_faults(BASELINE_API_ERROR_RATE if api_error_rate is None else api_error_rate)
        for n in range(1, days + 1):
            timing = _play_day(n, plan, tasks, world, services, data_dir, bootstrap, work_dir / "proofs",
                               last=n == days)
            timings.append(timing)
            progress(f"day {n:2d} {timing.date}  {timing.seconds:5.1f}s  "
                     + " ".join(f"{k}={v:.1f}" for k, v in timing.steps.items())
                     + (f"  ({len(timing.failures)} task failure(s))" if timing.failures else ""))
    finally:
        clock.set_offset(None)
        if world is not None:
            world.close()
        try:
            _drop_billing_slots(url, imap, services.billing_url)
        finally:
            services.stop()
    end = START + timedelta(days=days - 1)
    result = SimulationResult(START, end, timings, plan, dict(world.counts) if world else {})
    result.notes.append(truth_note(url, data_dir))
    result.report = write_simulation_report(url, out or work_dir / "simulation.html", result, imap)
    result.seconds = time.monotonic() - started
    return result


def _drop_billing_slots(url: str, imap, billing_url: str | None) -> None:
    """This run's replication slots on the billing database: the warehouse stops reading when the run ends,
    and the billing database outlives it (an unread slot once held 71 GB of WAL on a shared server)."""
    from crmhub.ingest.tasks import drop_slot

    if not billing_url:
        return
    for connector in (c for c in imap.connectors if c.kind == "postgres"):
        drop_slot(url, connector, billing_url)


def _ingest_ticks(cycles: list[datetime]) -> list[datetime]:
    """The cycles at which crmhub_ingest is due (its schedule had a tick since the previous one that ran)."""
    from crmhub.cdc.schedule import is_due

    out, last = [], None
    for at in cycles:
        if last is None or is_due(INGEST_SCHEDULE, last, at):
            out.append(at)
            last = at
    return out


def day_cycles(day: date, n: int, plan: RolloutPlan, *, last: bool = False) -> list[tuple[datetime, bool]]:
    """The sync cycles of simulated day ``n`` (08:00 to 08:00 the next morning), ``(time, busy)`` in order:
    every ``cadence`` minutes through the busy window (10:00 + ``WINDOW_MIN``), where the world changes, and a
    quiet cycle at each of the plan's :meth:`~RolloutPlan.quiet_hours` outside it (those before 08:00 belong
    to the next morning; the last day stops at midnight)."""
    cadence = plan.cadence_min(n)
    busy = [_at(day, 10) + timedelta(minutes=m) for m in range(0, WINDOW_MIN + 1, cadence)]
    first = plan.on_call_hours[0]
    quiet = [_at(day, h) if h >= first else _at(day + timedelta(days=1), h) for h in plan.quiet_hours()
             if not (last and h < first)]
    quiet = [at for at in quiet if not busy[0] <= at <= busy[-1]]
    return sorted([(at, True) for at in busy] + [(at, False) for at in quiet])


def _play_day(n: int, plan: RolloutPlan, tasks: _Tasks, world, services, data_dir: Path, bootstrap: Path,
              proof_dir: Path, *, last: bool = False) -> DayTiming:
    day = START + timedelta(days=n - 1)
    t0 = time.monotonic()
    steps: dict[str, float] = {}
    tasks.failures = []
    _flags(bootstrap, plan.flag_rollout(n))
    cycles = day_cycles(day, n, plan, last=last)
    busy = [at for at, is_busy in cycles if is_busy]
    ticks = _ingest_ticks(busy)
    reconciled = False
    last_downstream = None
    for at, is_busy in cycles:
        if not reconciled and at > _at(day, *RECONCILE_AT):
            _reconcile(steps, tasks, day)
            reconciled = True
        if is_busy and at == busy[0]:
            _planted_event(n, plan, steps, world, services, data_dir, at, tasks.imap.stages["accept_stage"])
            if plan.outreach_control_trigger(n):
                clock.travel_to(at - timedelta(minutes=1))
                _timed(steps, "world", world.mark_control_contact_interested)
        if is_busy:
            files = 1.0 / len(ticks) if at in ticks else 0.0
            cadence = plan.cadence_min(n)
            _timed(steps, "world", world.play_before, at, cadence, cadence / (WINDOW_MIN + cadence), files=files)
        changed = tasks.last_change()
        clock.travel_to(at)
        tasks.crm_writes = 0
        _sync_cycle(steps, tasks, n, plan, first_of_run=n == 1 and tasks.last_ingest is None)
        # identity and outreach follow the core/change-log Assets, reverse ETL wakes every 15 min: in the busy
        # window at most once per 15 simulated minutes; in a quiet cycle identity and outreach only when the
        # cycle changed core, reverse ETL for the syncs due on their own schedule
        if is_busy:
            if last_downstream is None or at - last_downstream >= timedelta(minutes=15) or at == busy[-1]:
                last_downstream = at
                _downstream(steps, tasks)
            if at == busy[-1]:
                _timed(steps, "health", tasks.health_daily)
        else:
            _downstream(steps, tasks, changed_since=changed)
        if at.minute == 0 and at.date() == day and plan.on_call(n, at.hour):
            _owners_review(steps, tasks, world, proof_dir)
            if plan.outreach_promotable(n):
                _timed(steps, "review", tasks.promote_outreach)
        if (at.hour, at.minute) == STEWARD_AT and at.date() == day and plan.steward_decisions(n):
            _timed(steps, "steward", tasks.steward, plan.steward_decisions(n))
        if not is_busy and tasks.crm_writes:   # the CRM's webhooks trigger crmhub_cdc for what was written
            clock.travel_to(at + timedelta(minutes=FOLLOW_UP_MIN))
            changed = tasks.last_change()
            _sync_cycle(steps, tasks, n, plan, ingest=False)
            _downstream(steps, tasks, changed_since=changed, reverse_etl=False)
    if not reconciled:
        _reconcile(steps, tasks, day)
    return DayTiming(n, day, time.monotonic() - t0, steps, list(tasks.failures))


def _sync_cycle(steps: dict, tasks: _Tasks, n: int, plan: RolloutPlan, *, ingest: bool = True,
                first_of_run: bool = False) -> None:
    """One 5-minute tick: crmhub_ingest when due (file drops only come this way), crmhub_cdc, then
    crmhub_health's cycle (from the SLA day: scores, incidents, freezes) and its retry queue."""
    if ingest:
        _timed(steps, "ingest", tasks.ingest_due)
    if not first_of_run:   # the run's very first ingest has just loaded everything
        _timed(steps, "cdc", tasks.cdc)
    if plan.health_enforced(n):   # crmhub_health every 5 min (in Airflow) once the SLAs are wired
        _timed(steps, "health", tasks.health_cycle)
    else:
        _timed(steps, "health", tasks.drain_retry_queue)


def _downstream(steps: dict, tasks: _Tasks, *, changed_since: int | None = None, reverse_etl: bool = True) -> None:
    """crmhub_identity and crmhub_outreach (when core changed after ``changed_since``, if given), then
    crmhub_reverse_etl (its syncs due on their own schedules; the health gate first when one is due)."""
    if changed_since is None or tasks.last_change() > changed_since:
        _timed(steps, "identity", tasks.identity)
        _timed(steps, "outreach", tasks.outreach)
    if reverse_etl:
        _timed(steps, "reverse_etl", tasks.reverse_etl)


def _planted_event(n: int, plan: RolloutPlan, steps: dict, world, services, data_dir: Path, first_busy: datetime,
                   accept_stage: str):
    from crmhub.demo_services import simulate_crm_activity

    event = plan.world_events.get(n)
    if not event:
        return
    clock.travel_to(first_busy - timedelta(minutes=2))   # inside the business window, just before its first sync
    def bulk_import() -> None:
        simulate_crm_activity(services, data_dir, genuine=0)
        world.refresh_contacts()   # the world's IR sees who the import marked interested

    def amount_after_accept() -> None:
        world.amount_after_accept(accept_stage)

    play = {"bulk_import": bulk_import,
            "schema_drift": world.schema_drift, "amount_after_accept": amount_after_accept}[event]
    _timed(steps, "world", play)


def _owners_review(steps: dict, tasks: _Tasks, world, proof_dir: Path) -> None:
    """The on-call owners' look at the warehouse right after a cycle: the CDP's owner has a drifted export
    fixed, FinanceOps (paged by the billing SLA's ``sla`` incident) has the billing system post changes when
    they are made, IR enters the LPs the last reconciliation found missing in the CRM (once per
    reconciliation run), the fund administrator re-sends its rows for the CRM's LPs missing in its file (once
    per reconciliation run), frozen connectors are released and caught up (the runbook's full load), then
    incidents with evidence are resolved."""
    from crmhub.simulate.world import BILLING_SLA

    if tasks.open_incident("cdp_events", "schema_drift"):
        _timed(steps, "world", world.fix_schema_drift)
    if tasks.open_incident(BILLING_SLA, "sla"):
        _timed(steps, "world", world.fix_billing_lateness)
    _timed(steps, "review", tasks.enter_missing_lps, world)
    _timed(steps, "review", tasks.fund_admin_fixes, world)
    _timed(steps, "review", tasks.release)
    _timed(steps, "review", tasks.catch_up)
    _timed(steps, "review", tasks.closeout, proof_dir)


def _reconcile(steps: dict, tasks: _Tasks, day: date) -> None:
    clock.travel_to(_at(day, *RECONCILE_AT))
    _timed(steps, "reconciliation", tasks.reconcile, day)


def _flags(path: Path, rollout: int) -> None:
    """The Unleash bootstrap the outreach tasks read: every outreach flag at ``rollout`` % (0: off)."""
    from crmhub.demo_services import write_demo_bootstrap

    write_demo_bootstrap(path, rollout=max(rollout, 0))
    if rollout == 0:
        data = json.loads(path.read_text(encoding="utf-8"))
        for feature in data["features"]:
            feature["enabled"] = False
        path.write_text(json.dumps(data, indent=2), encoding="utf-8")
