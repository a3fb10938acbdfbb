"""An incident is resolved when the warehouse shows its cause fixed: the owners' proofs (``crmhub.ops.closeout``),
used by the demo's closeout and the simulation's owners alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from crmhub.health import causes, incidents
from crmhub.health.segments import audit_segments
from crmhub.ops.closeout import owner_closeout
from crmhub.simulate.owners import owners_review

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _review(kind: str, conn, imap, proof_dir) -> None:
    if kind == "demo":
        owner_closeout(conn, proof_dir)        # the demo: the default map
    else:
        owners_review(conn, imap, proof_dir)


def _incident(conn, trigger: str) -> dict:
    return conn.execute("SELECT incident_id, recovered_at, resolved_at, resolved_by, proof FROM ops.incidents "
                        "WHERE trigger = %s", (trigger,)).fetchone()


def _sla_row(conn, week: str, connector: str, field: str, met_rate: float) -> None:
    conn.execute("INSERT INTO ops.sla_results (week_start, sla, connector, field, freshness_min, runs, runs_met, "
                 "met_rate_pct, met, owner) VALUES (%s, 'billing_to_crm', %s, %s, 360, 100, %s, %s, %s, 'dana.kim') "
                 "ON CONFLICT (week_start, sla, connector, field) DO UPDATE SET runs_met = EXCLUDED.runs_met, "
                 "met_rate_pct = EXCLUDED.met_rate_pct, met = EXCLUDED.met",
                 (week, connector, field, int(met_rate), met_rate, met_rate >= 95))


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_an_sla_incident_is_resolved_with_the_weeks_rates_once_every_field_meets_target(db, imap, tmp_path, review):
    with psycopg.connect(db) as conn:
        _sla_row(conn, "2026-11-23", "billing_invoices", "invoice_status", 73.0)
        _sla_row(conn, "2026-11-23", "sync:company_invoice_status", "invoice_status", 99.0)
        causes.sync_cause_incidents(conn, imap, now=NOW)
        _review(review, conn, imap, tmp_path)
        assert _incident(conn, "sla")[2] is None               # still missed: no proof, stays open
        _sla_row(conn, "2026-11-23", "billing_invoices", "invoice_status", 96.0)
        causes.sync_cause_incidents(conn, imap, now=NOW + timedelta(hours=1))
        _review(review, conn, imap, tmp_path)
        _id, recovered, resolved, by, proof = _incident(conn, "sla")
        assert recovered == NOW + timedelta(hours=1) and resolved is not None and by == "dana.kim"
        text = Path(proof).read_text(encoding="utf-8")
        assert "billing_invoices.invoice_status: 96.0 %" in text and "week of 2026-11-23" in text
        assert incidents.mttr(conn)["resolved"] == 1           # it counts in MTTR now


def _change(conn, table, row_id, field, system, lag_min, at) -> None:
    conn.execute("INSERT INTO core.change_log (core_table, crmhub_id, field, new_value, source_system, source_ts, "
                 "changed_at) VALUES (%s, %s, %s, 'v', %s, %s, %s)",
                 (table, row_id, field, system, at - timedelta(minutes=lag_min), at))


def _entity(conn, entity_type: str, country: str):
    return conn.execute("INSERT INTO core.entity (entity_type, name, country, owner, source_system) VALUES (%s, 'x', "
                        "%s, 'p', 's') RETURNING crmhub_id", (entity_type, country)).fetchone()[0]


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_a_segment_latency_incident_is_resolved_once_every_segment_of_the_system_is_under_sla(
        db, imap, tmp_path, review):
    """Every segment of the source system counts, also one that left the audit's top segments (which alone
    would never show the system fixed, nor a slow small segment of it)."""
    last_week, this_week = NOW - timedelta(days=7), NOW - timedelta(hours=1)
    with psycopg.connect(db) as conn:
        lp_de, gp_us, lp_fr = _entity(conn, "lp", "DE"), _entity(conn, "gp", "US"), _entity(conn, "lp", "FR")
        for _ in range(3):                        # last week: the fund administrator's lp/DE names 500 min late
            _change(conn, "entity", lp_de, "name", "fund_admin", 500, last_week)
        audit_segments(conn, imap, last_week.date())
        causes.sync_cause_incidents(conn, imap, now=last_week)
        for _ in range(3):                        # this week on time (90 min, SLA 6 h), but gp/US one 500 min late
            _change(conn, "entity", lp_de, "name", "fund_admin", 90, this_week)
        _change(conn, "entity", gp_us, "name", "fund_admin", 500, this_week)
        for _ in range(10):                       # the CDP's segment is this week's top one
            _change(conn, "entity", lp_fr, "name", "cdp", 5, this_week)
        audit_segments(conn, imap, this_week.date(), top_n=1)
        causes.sync_cause_incidents(conn, imap, now=this_week)
        _review(review, conn, imap, tmp_path)
        _id, recovered, resolved, _by, _proof = _incident(conn, "segment_latency")
        assert recovered == this_week and resolved is None    # the audit no longer shows it; gp/US is still late
        for _ in range(3):
            _change(conn, "entity", gp_us, "name", "fund_admin", 10, this_week)
        _review(review, conn, imap, tmp_path)
        _id, _rec, resolved, by, proof = _incident(conn, "segment_latency")
    assert resolved is not None and by == imap.systems["fund_admin"]["owner"]
    text = Path(proof).read_text()
    assert "gp/US entity.name: median 10.0 min (SLA 360 min, 4 changes)" in text
    assert "lp/DE entity.name: median 90.0 min (SLA 360 min, 3 changes)" in text
