import math
from datetime import timedelta

import psycopg
import pytest
import yaml
from health_support import NOW, add_run

from crmhub import settings
from crmhub.config import validate_integration_map
from crmhub.health.score import (
    connector_health,
    gate,
    integration_health,
    latest_snapshots,
    record_snapshot,
    window_minutes,
)


class TestFormula:
    def test_seed_example_is_35_and_blocked(self):
        r = integration_health(0.6, 2.0, 2.5, 12, 20)
        assert r.score == pytest.approx(35.0)
        assert r.status == "blocked"
        assert (r.error_penalty, r.latency_penalty, r.lag_penalty) == pytest.approx((30.0, 20.0, 15.0))
        assert [name for name, _ in r.pulled_down_by()] == ["error_rate", "latency", "lag"]
        assert "error 0.60 % (-30.0)" in r.explain()

    def test_perfect_is_100(self):
        r = integration_health(0, 0, 2.5, 0, 20)
        assert r.score == 100 and r.status == "healthy" and r.pulled_down_by() == []

    @pytest.mark.parametrize(("lag_min", "score", "status"), [
        (8.0, 90.0, "healthy"), (8.1, 89.875, "degraded"), (24.0, 70.0, "degraded"), (24.1, 69.875, "blocked"),
    ])
    def test_threshold_boundaries(self, lag_min, score, status):
        # only the lag term: lag/20 * 25 points; exactly 90 is healthy, exactly 70 is degraded (not blocked)
        r = integration_health(0, 0, 2.5, lag_min, 20)
        assert r.score == pytest.approx(score) and r.status == status

    def test_floor_at_zero(self):
        r = integration_health(5, 10, 2.5, 100, 20)
        assert r.score == 0.0 and r.status == "blocked"
        assert r.error_penalty == 250

    @pytest.mark.parametrize("args", [(-0.1, 1, 2.5, 1, 20), (0, -1, 2.5, 1, 20), (0, 1, 2.5, -1, 20),
                                      (math.nan, 1, 2.5, 1, 20)])
    def test_negative_inputs_rejected(self, args):
        with pytest.raises(ValueError, match="must be a number >= 0"):
            integration_health(*args)

    @pytest.mark.parametrize("args", [(0, 1, 0, 1, 20), (0, 1, 2.5, 1, 0), (0, 1, -2.5, 1, 20)])
    def test_zero_or_negative_targets_rejected(self, args):
        with pytest.raises(ValueError, match="must be > 0"):
            integration_health(*args)

    def test_map_validator_rejects_zero_target(self):
        data = yaml.safe_load(settings.integration_map_path().read_text())
        data["connectors"][0]["sla"]["target_lag_min"] = 0
        data["connectors"][1]["sla"]["target_latency_s"] = 0
        problems = validate_integration_map(data)
        assert any("connectors[0]" in p or "fundadmin_lp_contacts" in p for p in problems), problems
        assert len([p for p in problems if "0 is less than or equal to the minimum of 0" in p]) == 2, problems


class TestWindow:
    T = {"target_latency_s": 2.5, "target_lag_min": 20}

    def test_window_length(self):
        assert window_minutes(20) == 60 and window_minutes(360) == 720

    def test_inputs_from_runs(self, db):
        with psycopg.connect(db) as conn:
            # in the 60-min window: 1000 records + 100 calls, 5 failed records + 1 api error -> 0.5454 %
            add_run(conn, "c", minutes_ago=10, records_total=600, records_failed=5, api_calls=60, api_errors=1,
                    latency_s_total=120.0, lag_min_p95=12.0)
            add_run(conn, "c", minutes_ago=40, records_total=400, api_calls=40, latency_s_total=80.0, lag_min_p95=8.0)
            # outside the window: ignored (would be terrible)
            add_run(conn, "c", minutes_ago=90, records_total=10, records_failed=10, api_calls=1, api_errors=1,
                    latency_s_total=100.0, lag_min_p95=500.0)
            # other connector: ignored
            add_run(conn, "other", minutes_ago=5, records_total=10, records_failed=10)
            r = connector_health(conn, "c", now=NOW, **self.T)
        assert r.runs == 2
        assert r.error_rate_pct == pytest.approx(100 * 6 / 1100)
        assert r.avg_latency_s == pytest.approx(2.0)
        assert r.sync_lag_min == pytest.approx(12.0)
        assert r.score == pytest.approx(100 - 600 / 11 * 50 / 100 * 1 - 20 - 15)
        assert r.status == "blocked"

    def test_file_source_latency_per_run_and_running_rows_ignored(self, db):
        with psycopg.connect(db) as conn:
            add_run(conn, "f", minutes_ago=5, records_total=100, latency_s_total=1.0, lag_min_p95=2)
            add_run(conn, "f", minutes_ago=35, records_total=100, latency_s_total=3.0, lag_min_p95=4)
            conn.execute("INSERT INTO ops.sync_runs (connector, kind, started_at, status, records_failed) "
                         "VALUES ('f', 'ingest', %s, 'running', 50)", (NOW - timedelta(minutes=1),))
            r = connector_health(conn, "f", now=NOW, **self.T)
        assert r.runs == 2 and r.error_rate_pct == 0
        assert r.avg_latency_s == pytest.approx(2.0)  # (1+3)/2 runs, no API calls
        assert r.sync_lag_min == 4 and r.score == pytest.approx(100 - 20 - 5)

    def test_failed_run_without_counts_is_an_error(self, db):
        with psycopg.connect(db) as conn:
            add_run(conn, "x", minutes_ago=5, status="failed")
            add_run(conn, "x", minutes_ago=15, records_total=99)
            r = connector_health(conn, "x", now=NOW, **self.T)
        assert r.error_rate_pct == pytest.approx(1.0)  # 1 failed op of 100
        assert r.detail["failed_runs"] == 1

    def test_staleness_counts_once_over_target(self, db):
        with psycopg.connect(db) as conn:
            # last good run 50 min ago, a failed run 5 min ago with lag info: staleness 50 > 20 -> lag 50
            add_run(conn, "s", minutes_ago=50, records_total=10, lag_min_p95=3)
            add_run(conn, "s", minutes_ago=5, status="failed", records_total=10, records_failed=10)
            r = connector_health(conn, "s", now=NOW, **self.T)
            assert r.sync_lag_min == pytest.approx(50.0)
            # last good run 15 min ago: under the 20-min target, so schedule gaps cost nothing
            add_run(conn, "t", minutes_ago=15, records_total=10, lag_min_p95=3)
            r2 = connector_health(conn, "t", now=NOW, **self.T)
            assert r2.sync_lag_min == 3 and r2.score == pytest.approx(100 - 3.75)

    def test_backfill_runs_do_not_count(self, db):
        """A backfill (historic records, operator-run) neither dilutes the live sync's errors, nor hides its
        staleness, nor pages with the age of old records."""
        with psycopg.connect(db) as conn:
            add_run(conn, "b", minutes_ago=50, kind="cdc", records_total=100, records_failed=1, lag_min_p95=3)
            add_run(conn, "b", minutes_ago=30, kind="cdc", status="failed")
            before = connector_health(conn, "b", now=NOW, **self.T)
            add_run(conn, "b", minutes_ago=5, kind="backfill", records_total=100_000, api_calls=1000,
                    latency_s_total=4000.0)
            add_run(conn, "b", minutes_ago=10, kind="backfill", status="failed", lag_min_p95=500_000.0)
            after = connector_health(conn, "b", now=NOW, **self.T)
            add_run(conn, "only_backfilled", minutes_ago=5, kind="backfill", records_total=10, lag_min_p95=9e5)
            only = connector_health(conn, "only_backfilled", now=NOW, **self.T)
        assert before.sync_lag_min == pytest.approx(50.0)  # stale: last good run 50 min ago
        assert before.error_rate_pct == pytest.approx(100 * 2 / 101)
        assert (after.score, after.sync_lag_min, after.error_rate_pct, after.avg_latency_s, after.runs) == (
            before.score, before.sync_lag_min, before.error_rate_pct, before.avg_latency_s, before.runs)
        assert after.detail["failed_runs"] == 1
        assert only.status == "unknown"  # no live sync yet: nothing to score, no incident

    def test_no_runs_in_window_is_blocked(self, db):
        with psycopg.connect(db) as conn:
            add_run(conn, "q", minutes_ago=70, records_total=10, lag_min_p95=1)
            r = connector_health(conn, "q", now=NOW, **self.T)
        assert r.runs == 0 and r.status == "blocked"
        assert r.sync_lag_min == pytest.approx(70) and r.score <= 50
        assert r.detail["reason"] == "no finished run in the window"

    def test_never_ran_is_unknown_and_blocks_gate(self, db):
        with psycopg.connect(db) as conn:
            r = connector_health(conn, "never", now=NOW, **self.T)
            ok = integration_health(0, 0, 2.5, 0, 20, connector="ok")
        assert r.score is None and r.status == "unknown" and not r.passing
        verdict = gate([r, ok])
        assert verdict["passed"] is False and verdict["blocked"] == ["never"]
        assert gate([ok])["passed"] is True

    def test_gate_warns_between_70_and_90(self):
        mid = integration_health(0, 0, 2.5, 16, 20, connector="mid")  # 80
        verdict = gate([mid])
        assert verdict["passed"] and verdict["warned"] == ["mid"] and verdict["blocked"] == []

    def test_snapshot_roundtrip(self, db):
        with psycopg.connect(db) as conn:
            add_run(conn, "c", minutes_ago=5, records_total=100, api_calls=10, latency_s_total=10.0, lag_min_p95=5)
            r = connector_health(conn, "c", now=NOW, **self.T)
            record_snapshot(conn, r, taken_at=NOW)
            record_snapshot(conn, integration_health(1, 0, 2.5, 0, 20, connector="c"), taken_at=NOW + timedelta(minutes=5))
            snaps = latest_snapshots(conn)
        assert len(snaps) == 1 and snaps[0]["score"] == 50 and snaps[0]["error_penalty"] == 50
