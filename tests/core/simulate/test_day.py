"""One simulated day's sync cycles: the busy window at the plan's cadence, and quiet cycles around the clock."""

from datetime import UTC, datetime, timedelta

from crmhub.simulate.plan import RolloutPlan
from crmhub.simulate.runner import START, WINDOW_MIN, day_cycles


def _at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    d = START + timedelta(days=day_offset)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=UTC)


def test_a_day_runs_from_8_to_8_with_the_busy_window_at_the_plans_cadence():
    plan = RolloutPlan()
    cycles = day_cycles(START + timedelta(days=4), 5, plan)
    times = [at for at, _busy in cycles]
    assert times == sorted(times) and times[0] == _at(4, 8) and times[-1] == _at(5, 4)
    busy = [at for at, is_busy in cycles if is_busy]
    assert busy[0] == _at(4, 10) and busy[-1] == _at(4, 10) + timedelta(minutes=WINDOW_MIN)
    assert all(b - a == timedelta(minutes=5) for a, b in zip(busy, busy[1:], strict=False))
    quiet = [at for at, is_busy in cycles if not is_busy]
    # every 2 hours while the owners are on call (outside the busy window), every 4 hours at night
    assert quiet == [_at(4, 8), *[_at(4, h) for h in (12, 14, 16, 18, 20)], _at(5, 0), _at(5, 4)]
    # never more than 4 hours without a sync
    assert max(b - a for a, b in zip(times, times[1:], strict=False)) <= timedelta(hours=4)


def test_the_baseline_keeps_its_batch_cadence_and_the_last_day_ends_at_midnight():
    plan = RolloutPlan()
    cycles = day_cycles(START, 1, plan, last=True)
    busy = [at for at, is_busy in cycles if is_busy]
    assert busy == [_at(0, 10, m) for m in range(0, WINDOW_MIN + 1, 18)]
    assert max(at for at, _busy in cycles) == _at(0, 20)


def test_owners_look_for_evidence_after_releasing_and_catching_up():
    """The runbook's order at a review: release the frozen connector, run the catch-up load, then resolve the
    incident with the health measured after it (before, the evidence was looked for first, so an incident
    whose connector the review released waited for the next review)."""
    from crmhub.simulate.runner import _owners_review

    calls = []

    class Tasks:
        def open_incident(self, connector, trigger):
            return False

        def __getattr__(self, name):
            return lambda *a, **k: calls.append(name)

    _owners_review({}, Tasks(), world=None, proof_dir=None)
    assert calls == ["enter_missing_lps", "fund_admin_fixes", "release", "catch_up", "closeout"]


def test_the_run_drops_its_replication_slot_on_the_billing_database(db, imap, billing_source):
    """The billing database outlives a simulation's warehouse; a slot left there holds WAL until the server
    invalidates it (one held 71 GB on a shared server and filled its disk)."""
    import psycopg

    from crmhub.cdc.tasks import cdc_sync
    from crmhub.ingest.tasks import SourceAccess
    from crmhub.simulate.runner import _drop_billing_slots

    billing = billing_source
    cdc_sync(db, "billing_invoices", SourceAccess(url=billing), imap=imap)  # the run's CDC made a slot
    count = "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"
    with psycopg.connect(billing) as conn:
        assert conn.execute(count).fetchone()[0] == 1
    _drop_billing_slots(db, imap, billing)
    with psycopg.connect(billing) as conn:
        assert conn.execute(count).fetchone()[0] == 0


def test_financeops_fixes_the_late_postings_once_the_billing_sla_incident_is_open(billing_source, tmp_path):
    """The world's billing system stamps 30 % of its changes 3-30 h before they reach the table (the SLA met
    rate's ceiling is ~73 % while it does). crmhub's ``sla`` incident on billing_to_crm pages FinanceOps; at
    the owners' review they have changes posted when made, as the CDP's owner fixes its drifted export."""
    from datetime import timedelta

    import psycopg

    from crmhub import clock
    from crmhub.simulate.runner import _owners_review
    from crmhub.simulate.world import BILLING_SLA, World

    with psycopg.connect(billing_source) as conn:
        for i in range(40):
            conn.execute("INSERT INTO billing.invoices (invoice_id, invoice_status, updated_at) "
                         "VALUES (%s, 'draft', now() - interval '40 days')", (f"inv{i}",))
    world = World(crm_url="http://127.0.0.1:9", crm_token="t", billing_url=billing_source, data_dir=tmp_path, seed=5)

    def late_rows(n: int) -> int:
        world.billing_changes(n)
        with psycopg.connect(billing_source) as conn:
            return conn.execute("SELECT count(*) FROM billing.invoices WHERE updated_at > now() - interval '40 days' "
                                "AND updated_at < %s", (clock.now() - timedelta(hours=2),)).fetchone()[0]

    class Tasks:
        def __init__(self, open_incidents):
            self.open_incidents = open_incidents

        def open_incident(self, connector, trigger):
            return (connector, trigger) in self.open_incidents

        def __getattr__(self, name):
            return lambda *a, **k: None

    try:
        assert late_rows(40) > 0
        _owners_review({}, Tasks(set()), world=world, proof_dir=None)   # no incident: nobody told FinanceOps
        assert world.late_share > 0
        _owners_review({}, Tasks({(BILLING_SLA, "sla")}), world=world, proof_dir=None)
        with psycopg.connect(billing_source) as conn:
            conn.execute("UPDATE billing.invoices SET updated_at = now() - interval '50 days'")
        assert world.late_share == 0 and late_rows(40) == 0
        assert world.counts["billing_lateness_fixed"] == 1
    finally:
        world.close()


def test_the_simulations_ingest_and_catch_up_run_the_ingest_operators_full_sync(monkeypatch, imap, tmp_path):
    """crmhub_ingest's operator runs ``full_sync`` (the load, then the CRM deals' associations); the simulation
    runs the same function, so its deals have their companies (a bare ``ingest_connector`` left
    ``core.deal_association`` empty and the missing-fields alert at 100 %)."""
    from types import SimpleNamespace

    import crmhub.cdc.tasks
    import crmhub.ingest.tasks
    from crmhub.simulate.runner import _Tasks

    ran: list[str] = []
    monkeypatch.setattr(crmhub.cdc.tasks, "full_sync", lambda url, name, access, imap: ran.append(name))
    monkeypatch.setattr(crmhub.ingest.tasks, "ingest_connector", lambda *a, **k: ran.append("bare"))
    services = SimpleNamespace(crm=SimpleNamespace(url="http://127.0.0.1:9"), mail=SimpleNamespace(port=25))
    tasks = _Tasks("postgresql://127.0.0.1/none", services, tmp_path, imap, tmp_path / "flags.json")
    tasks.ingest_all()
    assert "crm_deals" in ran and "bare" not in ran
    ran.clear()
    tasks.released = ["crm_deals"]
    tasks.catch_up()
    assert ran == ["crm_deals"] and tasks.failures == []
