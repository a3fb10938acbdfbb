"""An incident is resolved when the warehouse shows its cause fixed: the owners' proofs (``crmhub.ops.closeout``),
used by the demo's closeout and the simulation's owners alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from crmhub.health import causes, incidents
from crmhub.health.segments import ALL_FIELDS
from crmhub.ops.closeout import owner_closeout
from crmhub.simulate.owners import owners_review

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
OVER_SLA = "rerun/backfill and page the owner (median lag over SLA)"


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


@pytest.mark.parametrize("review", ["demo", "simulation"])
def test_a_segment_latency_incident_is_resolved_once_the_latest_audit_has_the_system_under_sla(
        db, imap, tmp_path, review):
    audit = ("INSERT INTO ops.segment_latency (week_start, entity_type, country, source_system, field, changes, "
             "median_lag_min, sla, sla_min, sla_met_pct, action) VALUES (%s, 'lp', 'DE', %s, %s, 40, %s, "
             "'fund_admin_to_crm', 360, 50, %s)")
    with psycopg.connect(db) as conn:
        conn.execute(audit, ("2026-11-16", "fund_admin", "contact.email", 500, OVER_SLA))
        conn.execute(audit, ("2026-11-16", "fund_admin", ALL_FIELDS, 500, OVER_SLA))
        causes.sync_cause_incidents(conn, imap, now=NOW)
        # the next week's audit has the CDP's segments only: nothing shown about the fund administrator's
        conn.execute(audit, ("2026-11-23", "cdp", "interaction.intent_score", 10, "pass"))
        causes.sync_cause_incidents(conn, imap, now=NOW + timedelta(hours=1))
        _review(review, conn, imap, tmp_path)
        _id, recovered, resolved, _by, _proof = _incident(conn, "segment_latency")
        assert recovered is not None and resolved is None
        conn.execute(audit, ("2026-11-23", "fund_admin", "contact.email", 90, "pass"))
        _review(review, conn, imap, tmp_path)
        _id, _rec, resolved, by, proof = _incident(conn, "segment_latency")
        assert resolved is not None and by == imap.systems["fund_admin"]["owner"]
        assert "lp/DE contact.email: median 90.0 min (SLA 360 min, 40 changes) -> pass" in Path(proof).read_text()
