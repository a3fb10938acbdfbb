"""An incident is resolved when the warehouse shows its cause fixed: the owners' proofs (``crmhub.ops.closeout``),
used by the demo's closeout and the simulation's owners alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from health_support import add_run

from crmhub import clock
from crmhub.health import causes, incidents, sla
from crmhub.health.segments import audit_segments
from crmhub.ops.closeout import owner_closeout
from crmhub.simulate.owners import owners_review

#: A Wednesday noon; the warehouse clock is pinned to it where a test reads it (``clock.simulated``).
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _review(kind: str, conn, imap, proof_dir) -> None:
    if kind == "demo":
        owner_closeout(conn, proof_dir)        # the demo: the default map
    else:
        owners_review(conn, imap, proof_dir)


def _incident(conn, trigger: str) -> dict:
    return conn.execute("SELECT incident_id, recovered_at, resolved_at, resolved_by, proof FROM ops.incidents "
                        "WHERE trigger = %s", (trigger,)).fetchone()


def _billing_run(conn, finished: datetime, lag_min: float) -> None:
    """A ``billing_invoices`` run (SLA ``billing_to_crm``: 6 h) that finished at ``finished`` with ``lag_min``."""
    add_run(conn, "billing_invoices", minutes_ago=0, now=finished, lag_min_max=lag_min)


def _sla_incidents(conn) -> list[tuple]:
    return conn.execute("SELECT recovered_at IS NOT NULL, resolved_at IS NOT NULL FROM ops.incidents "
                        "WHERE trigger = 'sla' ORDER BY incident_id").fetchall()


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_an_sla_incident_is_fixed_by_on_time_runs_while_the_weeks_rate_stays_under_target(db, imap, tmp_path, review):
    """The incident is the SLA missed now: late runs open it, the next RECOVERY_RUNS runs on time fix it (the
    week's rate, the KPI, stays under target); the same breach is not opened again, a new late run is."""
    # a resolution is stamped with the warehouse's clock, and only a run after it is a new late run: the clock is
    # pinned to NOW (a Wednesday), so every run falls in one ISO week whatever the wall clock (run at real time
    # within an hour after Monday 00:00 UTC, they spanned two weeks)
    t0 = NOW - timedelta(minutes=60)
    week = t0.date()
    with clock.simulated(NOW), psycopg.connect(db) as conn:
        _billing_run(conn, t0, 20.0)
        _billing_run(conn, t0 + timedelta(minutes=5), 500.0)             # late: 500 min > 6 h
        sla.compute_sla_results(conn, imap, week)
        causes.sync_cause_incidents(conn, imap, now=t0 + timedelta(minutes=6))
        _review(review, conn, imap, tmp_path)
        assert _sla_incidents(conn) == [(False, False)]                  # missed now: no proof, stays open
        for i in range(causes.RECOVERY_RUNS - 1):
            _billing_run(conn, t0 + timedelta(minutes=10 + 5 * i), 30.0)
        causes.sync_cause_incidents(conn, imap, now=t0 + timedelta(minutes=30))
        _review(review, conn, imap, tmp_path)
        assert _sla_incidents(conn) == [(False, False)]                  # one run short of the evidence
        _billing_run(conn, t0 + timedelta(minutes=40), 30.0)
        rows = {(r["connector"], r["field"]): r for r in sla.compute_sla_results(conn, imap, week)}
        assert not rows[("billing_invoices", "invoice_status")]["met"]    # the week: 4 of 5 runs, 80 % < 95 %
        causes.sync_cause_incidents(conn, imap, now=t0 + timedelta(minutes=45))
        _review(review, conn, imap, tmp_path)
        assert _sla_incidents(conn) == [(True, True)]
        _id, recovered, _res, by, proof = _incident(conn, "sla")
        assert recovered == t0 + timedelta(minutes=45) and by == "dana.kim"
        text = Path(proof).read_text(encoding="utf-8")
        assert "billing_invoices.invoice_status: 80.0 % (4/5 runs), target 95 %" in text
        runs = text.split(f"last {causes.RECOVERY_RUNS} runs of billing_invoices.invoice_status:\n")[1].splitlines()
        assert all(line.endswith("lag 30 min: on time") for line in runs[:causes.RECOVERY_RUNS])
        # later cycles that week: the week's rate is still under target, the breach is not opened again
        causes.sync_cause_incidents(conn, imap, now=t0 + timedelta(minutes=50))
        _review(review, conn, imap, tmp_path)
        assert _sla_incidents(conn) == [(True, True)]
        assert incidents.mttr(conn)["resolved"] == 1
        # a new late run after the close is a new breach
        _billing_run(conn, clock.now(), 700.0)
        causes.sync_cause_incidents(conn, imap, now=t0 + timedelta(minutes=55))
        assert _sla_incidents(conn) == [(True, True), (False, False)]


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_an_sla_incident_is_resolved_once_the_weeks_rate_is_back_at_target(db, imap, tmp_path, review):
    t0 = NOW - timedelta(minutes=60)
    with clock.simulated(NOW), psycopg.connect(db) as conn:
        _billing_run(conn, t0, 500.0)
        sla.compute_sla_results(conn, imap, t0.date())
        causes.sync_cause_incidents(conn, imap, now=t0)
        for i in range(20):                  # 20 of 21 on time: 95.2 %, the SLA met for the week
            _billing_run(conn, t0 - timedelta(minutes=1 + i), 30.0)
        sla.compute_sla_results(conn, imap, t0.date())
        _review(review, conn, imap, tmp_path)
        assert _sla_incidents(conn) == [(False, True)]
        assert "billing_invoices.invoice_status: 95.2 % (20/21 runs)" in Path(_incident(conn, "sla")[4]).read_text()


def _change(conn, table, row_id, field, system, lag_min, at) -> None:
    conn.execute("INSERT INTO core.change_log (core_table, crmhub_id, field, new_value, source_system, source_ts, "
                 "changed_at) VALUES (%s, %s, %s, 'v', %s, %s, %s)",
                 (table, row_id, field, system, at - timedelta(minutes=lag_min), at))


def _entity(conn, entity_type: str, country: str):
    return conn.execute("INSERT INTO core.entity (entity_type, name, country, owner, source_system) VALUES (%s, 'x', "
                        "%s, 'p', 's') RETURNING crmhub_id", (entity_type, country)).fetchone()[0]



def _segment_incidents(conn) -> list[tuple]:
    return conn.execute("SELECT recovered_at IS NOT NULL, resolved_at IS NOT NULL FROM ops.incidents "
                        "WHERE trigger = 'segment_latency' ORDER BY incident_id").fetchall()


def _fund_admin_sync(conn, entity, lag_min: float, at: datetime) -> None:
    """A ``fundadmin_lp_contacts`` run (system ``fund_admin``, SLA 6 h) from ``at`` - 1 min to ``at`` + 1 min that
    writes one change of ``entity``'s name ``lag_min`` after the source made it."""
    _change(conn, "entity", entity, "name", "fund_admin", lag_min, at)
    add_run(conn, "fundadmin_lp_contacts", minutes_ago=0, now=at + timedelta(minutes=1), duration_min=2)


def _late_tuesday(conn, imap):
    """Tuesday: the fund administrator's lp/DE names 500 min late (SLA 6 h); the audit flags the system."""
    lp_de = _entity(conn, "lp", "DE")
    tuesday = NOW - timedelta(days=1)
    for i in range(7):
        _change(conn, "entity", lp_de, "name", "fund_admin", 500, tuesday + timedelta(minutes=i))
    audit_segments(conn, imap, tuesday.date())
    causes.sync_cause_incidents(conn, imap, now=tuesday + timedelta(minutes=10))
    return lp_de


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_a_segment_latency_incident_is_fixed_mid_week_by_on_time_runs_while_the_weeks_median_stays_over(
        db, imap, tmp_path, review):
    """The incident is the segments late now: the audit's week median over the SLA and a late change written by
    the system's last RECOVERY_RUNS runs open it, those runs without one fix it (the week's median, the audit's,
    stays over the SLA until the next week); the same breach is not opened again, a new late change is."""
    n = causes.RECOVERY_RUNS
    with psycopg.connect(db) as conn:
        lp_de = _late_tuesday(conn, imap)
        _review(review, conn, imap, tmp_path)
        assert _segment_incidents(conn) == [(False, False)]
        for i in range(n - 1):                    # fixed on Wednesday: on time (90 min), one run short
            _fund_admin_sync(conn, lp_de, 90, NOW + timedelta(minutes=10 * i))
        audit_segments(conn, imap, NOW.date())
        causes.sync_cause_incidents(conn, imap, now=NOW + timedelta(minutes=25))
        _review(review, conn, imap, tmp_path)
        assert _segment_incidents(conn) == [(False, False)]
        _fund_admin_sync(conn, lp_de, 90, NOW + timedelta(minutes=10 * (n - 1)))
        week = {r["field"]: r for r in audit_segments(conn, imap, NOW.date())}
        assert week["entity.name"]["median_lag_min"] == 500.0         # 7 of 10 changes late: the week's median over
        causes.sync_cause_incidents(conn, imap, now=NOW + timedelta(minutes=35))
        _review(review, conn, imap, tmp_path)
        assert _segment_incidents(conn) == [(True, True)]
        _id, recovered, _res, by, proof = _incident(conn, "segment_latency")
        assert recovered == NOW + timedelta(minutes=35) and by == imap.systems["fund_admin"]["owner"]
        text = Path(proof).read_text(encoding="utf-8")
        assert "lp/DE entity.name: median 500.0 min (SLA 360 min, 10 changes)" in text
        assert "lp/DE entity.name since 2026-11-25 11:59: 3 change(s), lag at most 90 min: on time" in text
        # later cycles that week: the audit still shows the week's median over, the breach is not opened again
        causes.sync_cause_incidents(conn, imap, now=NOW + timedelta(minutes=40))
        assert _segment_incidents(conn) == [(True, True)]
        assert incidents.mttr(conn)["resolved"] == 1
        # a new late change is a new breach
        _fund_admin_sync(conn, lp_de, 700, NOW + timedelta(minutes=50))
        causes.sync_cause_incidents(conn, imap, now=NOW + timedelta(minutes=55))
        assert _segment_incidents(conn) == [(True, True), (False, False)]


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_a_segment_latency_incident_not_fixed_stays_open_and_names_what_is_still_late(db, imap, tmp_path, review):
    with psycopg.connect(db) as conn:
        lp_de = _late_tuesday(conn, imap)
        for i, lag in enumerate((90, 90, 480)):          # three runs, the last one writes a late change
            _fund_admin_sync(conn, lp_de, lag, NOW + timedelta(minutes=10 * i))
        audit_segments(conn, imap, NOW.date())
        causes.sync_cause_incidents(conn, imap, now=NOW + timedelta(minutes=30))
        _review(review, conn, imap, tmp_path)
        assert _segment_incidents(conn) == [(False, False)]
        values = conn.execute("SELECT values FROM ops.incidents WHERE trigger = 'segment_latency'").fetchone()[0]
    assert "late now" in values["error"] and f"by its last {causes.RECOVERY_RUNS} runs" in values["error"]
    assert [(r["entity_type"], r["country"], r["field"], r["late_changes"], r["last_late_lag_min"])
            for r in values["late"]] == [("lp", "DE", "entity.name", 1, 480.0)]
    assert values["late"][0]["last_late_at"].startswith("2026-11-25T12:20")


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_a_segment_latency_incident_is_resolved_once_every_segment_of_the_system_is_fixed(
        db, imap, tmp_path, review):
    """Every segment of the source system counts, also one that left the audit's top segments (which alone
    would never show the system fixed, nor a slow small segment of it): the incident does not recover while it
    is late."""
    last_week, this_week = NOW - timedelta(days=7), NOW - timedelta(hours=1)
    with psycopg.connect(db) as conn:
        lp_de, gp_us, lp_fr = _entity(conn, "lp", "DE"), _entity(conn, "gp", "US"), _entity(conn, "lp", "FR")
        for i in range(3):                        # last week: the fund administrator's lp/DE names 500 min late
            _change(conn, "entity", lp_de, "name", "fund_admin", 500, last_week + timedelta(minutes=i))
        audit_segments(conn, imap, last_week.date())
        causes.sync_cause_incidents(conn, imap, now=last_week)
        for i in range(3):                        # this week on time (90 min, SLA 6 h), but gp/US one 500 min late
            _change(conn, "entity", lp_de, "name", "fund_admin", 90, this_week + timedelta(minutes=i))
        _change(conn, "entity", gp_us, "name", "fund_admin", 500, this_week)
        for _ in range(10):                       # the CDP's segment is this week's top one
            _change(conn, "entity", lp_fr, "name", "cdp", 5, this_week)
        audit_segments(conn, imap, this_week.date(), top_n=1)
        causes.sync_cause_incidents(conn, imap, now=this_week)
        _review(review, conn, imap, tmp_path)
        _id, recovered, resolved, _by, _proof = _incident(conn, "segment_latency")
        assert recovered is None and resolved is None    # the audit no longer shows it; gp/US is still late now
        for i in range(3):
            _fund_admin_sync(conn, gp_us, 10, this_week + timedelta(minutes=5 + 5 * i))
        causes.sync_cause_incidents(conn, imap, now=this_week + timedelta(minutes=20))
        _review(review, conn, imap, tmp_path)
        _id, recovered, resolved, by, proof = _incident(conn, "segment_latency")
    assert recovered == this_week + timedelta(minutes=20)
    assert resolved is not None and by == imap.systems["fund_admin"]["owner"]
    text = Path(proof).read_text()
    assert "gp/US entity.name: median 10.0 min (SLA 360 min, 4 changes)" in text
    assert "lp/DE entity.name: median 90.0 min (SLA 360 min, 3 changes)" in text
