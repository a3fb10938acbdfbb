from datetime import date, timedelta

import psycopg
import pytest
from health_support import NOW

from crmhub.health.segments import (
    ALL_FIELDS,
    MIN_CHANGES_FOR_DELTA,
    action_for,
    audit_segments,
    freshness_delta,
)


def _entity(conn, entity_type, country):
    return conn.execute(
        "INSERT INTO core.entity (entity_type, name, country, owner, source_system) VALUES (%s, 'x', %s, 'p', 's') "
        "RETURNING crmhub_id", (entity_type, country)).fetchone()[0]


def _contact(conn, entity_id, country=None):
    return conn.execute(
        "INSERT INTO core.contact (entity_id, country, owner, source_system) VALUES (%s, %s, 'p', 's') "
        "RETURNING crmhub_id", (entity_id, country)).fetchone()[0]


def _change(conn, table, row_id, field, system, lag_min, at):
    conn.execute(
        "INSERT INTO core.change_log (core_table, crmhub_id, field, new_value, source_system, source_ts, changed_at) "
        "VALUES (%s, %s, %s, 'v', %s, %s, %s)", (table, row_id, field, system, at - timedelta(minutes=lag_min), at))


def test_segment_audit_median_sla_and_delta(db, imap):
    with psycopg.connect(db) as conn:
        lp_de = _entity(conn, "lp", "DE")
        gp_us = _entity(conn, "gp", "US")
        c_fr = _contact(conn, lp_de, "FR")   # contact's own country wins
        c_de = _contact(conn, lp_de)         # falls back to the entity's country
        this_week = NOW - timedelta(hours=1)
        last_week = this_week - timedelta(days=7)
        # lp/FR/cdp contact.intent: lags 10, 20, 30, 90 (x 8) -> median 25, SLA 1h met 75 %
        for lag in (10, 20, 30, 90) * 8:
            _change(conn, "contact", c_fr, "intent_score", "cdp", lag, this_week)
        # last week's median for the same segment x field (30 changes): 20 -> delta 25 %
        for lag in (10, 20, 30) * 10:
            _change(conn, "contact", c_fr, "intent_score", "cdp", lag, last_week)
        # lp/DE/fund_admin contact.email: 2 h lags, SLA 6 h -> pass, no previous week
        for _ in range(3):
            _change(conn, "contact", c_de, "email", "fund_admin", 120, this_week)
        # gp/US/billing entity.name: median 400 min > 6 h -> rerun
        for lag in (400, 410):
            _change(conn, "entity", gp_us, "name", "billing", lag, this_week)
        # crm has no SLA with from=crm
        _change(conn, "entity", gp_us, "domain", "crm", 5, this_week)
        rows = audit_segments(conn, imap, NOW.date(), top_n=5)
        stored = conn.execute("SELECT count(*) FROM ops.segment_latency WHERE week_start = '2026-11-23'").fetchone()[0]
    by = {(r["entity_type"], r["country"], r["source_system"], r["field"]): r for r in rows}
    assert stored == len(rows) == 8   # 4 segments: the segment's own row and its one field's row
    assert by[("gp", "US", "billing", "*")]["changes"] == 2 and by[("lp", "FR", "cdp", "*")]["changes"] == 32
    cdp = by[("lp", "FR", "cdp", "contact.intent_score")]
    assert cdp["week_start"] == date(2026, 11, 23) and cdp["changes"] == 32
    assert cdp["median_lag_min"] == pytest.approx(25.0) and cdp["sla"] == "cdp_to_crm" and cdp["sla_min"] == 60
    assert cdp["sla_met_pct"] == pytest.approx(75.0)
    assert cdp["prev_median_lag_min"] == pytest.approx(20.0) and cdp["freshness_delta_pct"] == pytest.approx(25.0)
    assert cdp["action"].startswith("investigate tail latency")
    fa = by[("lp", "DE", "fund_admin", "contact.email")]
    assert fa["action"] == "pass" and fa["freshness_delta_pct"] is None and fa["sla_met_pct"] == 100
    assert by[("gp", "US", "billing", "entity.name")]["action"].startswith("rerun/backfill")
    crm = by[("gp", "US", "crm", "entity.domain")]
    assert crm["sla"] is None and crm["sla_met_pct"] is None and crm["action"] == "define an SLA for source crm"


def test_no_delta_from_a_handful_of_changes(db, imap):
    """3 changes last week (median 5 min) against 40 this week (median 600 min): a swing of 11 900 % that
    measures one week's few changes, not the segment; no delta, and the row says why."""
    with psycopg.connect(db) as conn:
        c = _contact(conn, _entity(conn, "lp", "DE"))
        this_week = NOW - timedelta(hours=1)
        for _ in range(3):
            _change(conn, "contact", c, "email", "fund_admin", 5, this_week - timedelta(days=7))
        for _ in range(MIN_CHANGES_FOR_DELTA + 10):
            _change(conn, "contact", c, "email", "fund_admin", 600, this_week)
        rows = audit_segments(conn, imap, NOW.date(), top_n=5)
    (row,) = [r for r in rows if r["field"] == "contact.email"]
    assert row["changes"] == MIN_CHANGES_FOR_DELTA + 10 and row["prev_median_lag_min"] == pytest.approx(5.0)
    assert row["freshness_delta_pct"] is None
    assert row["action"].startswith("rerun/backfill")   # the median over SLA still asks for a rerun
    assert freshness_delta(600.0, 5.0, 40, MIN_CHANGES_FOR_DELTA) == pytest.approx(11900.0)
    assert freshness_delta(600.0, 5.0, 40, MIN_CHANGES_FOR_DELTA - 1) is None
    assert action_for({"source_system": "cdp", "sla_min": 60.0, "median_lag_min": 20.0, "sla_met_pct": 99.0,
                       "changes": 4, "prev_changes": 3, "prev_median_lag_min": 2.0,
                       "freshness_delta_pct": None}).startswith("pass (too few changes to compare weeks: 4 this")


def test_top_n_keeps_biggest_segments(db, imap):
    with psycopg.connect(db) as conn:
        at = NOW - timedelta(hours=1)
        for i, country in enumerate(["DE", "FR", "US"]):
            e = _entity(conn, "lp", country)
            for _ in range(i + 1):
                _change(conn, "entity", e, "name", "cdp", 5, at)
        rows = audit_segments(conn, imap, NOW.date(), top_n=2)
    assert sorted(r["country"] for r in rows if r["field"] == ALL_FIELDS) == ["FR", "US"]


def test_a_rerun_in_the_same_week_replaces_the_weeks_rows(db, imap):
    """A segment in the top 2 on Tuesday that later in the week is not must not keep Tuesday's row (the KPI
    reads every row of the latest week)."""
    with psycopg.connect(db) as conn:
        at = NOW - timedelta(hours=1)
        entities = {country: _entity(conn, "lp", country) for country in ("DE", "FR", "US")}
        for country, n in (("DE", 3), ("FR", 2), ("US", 1)):
            for _ in range(n):
                _change(conn, "entity", entities[country], "name", "cdp", 5, at)
        audit_segments(conn, imap, NOW.date(), top_n=2)
        for _ in range(5):
            _change(conn, "entity", entities["US"], "name", "cdp", 5, at)
        audit_segments(conn, imap, NOW.date(), top_n=2)
        stored = conn.execute("SELECT DISTINCT country FROM ops.segment_latency ORDER BY 1").fetchall()
    assert stored == [("DE",), ("US",)]


def test_a_segment_is_compared_over_all_its_changes(db, imap):
    """The seed runs "weekly latency deltas on top segments": a segment with 40 changes a week spread over
    four fields gets a delta of its own median, although no field alone has enough changes to compare."""
    with psycopg.connect(db) as conn:
        c = _contact(conn, _entity(conn, "lp", "US"))
        this_week = NOW - timedelta(hours=1)
        for field in ("email", "phone", "title", "first_name"):
            for lag in (2, 3, 4, 5, 6) * 2:
                _change(conn, "contact", c, field, "cdp", lag, this_week - timedelta(days=7))
                _change(conn, "contact", c, field, "cdp", lag + 1, this_week)
        rows = audit_segments(conn, imap, NOW.date(), top_n=5)
        kpi = conn.execute("SELECT max(freshness_delta_pct) FROM ops.segment_latency WHERE field = '*'").fetchone()[0]
    seg = next(r for r in rows if r["field"] == ALL_FIELDS)
    assert seg["changes"] == seg["prev_changes"] == 40
    assert seg["median_lag_min"] == pytest.approx(5.0) and seg["prev_median_lag_min"] == pytest.approx(4.0)
    assert seg["freshness_delta_pct"] == pytest.approx(25.0) and float(kpi) == pytest.approx(25.0)
    assert all(r["freshness_delta_pct"] is None for r in rows if r["field"] != ALL_FIELDS)


def test_action_rules():
    from crmhub.health.segments import action_for

    base = {"source_system": "cdp", "sla_min": 60.0, "median_lag_min": 20.0, "sla_met_pct": 99.0}
    assert action_for({**base, "freshness_delta_pct": 14.9}) == "pass"
    assert action_for({**base, "freshness_delta_pct": 40.0}).startswith("watch: median lag swung 40 %")
    assert action_for({**base, "median_lag_min": 61.0}).startswith("rerun/backfill")
