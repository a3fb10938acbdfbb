import asyncio
from datetime import UTC, datetime

import psycopg
import pytest
from airflow.sdk.bases.operator import TRIGGER_FAIL_REPR, TriggerFailureReason
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout, AirflowSkipException, TaskDeferred
from health_support import add_run

from crmhub_provider.sensors.crmhub import IntegrationHealthSensor
from crmhub_provider.triggers.crmhub import IntegrationHealthTrigger

pytestmark = pytest.mark.airflow


def _run(url, connector, **cols):
    with psycopg.connect(url) as conn:
        add_run(conn, connector, minutes_ago=1, now=datetime.now(UTC), **cols)


def _sensor(**kwargs):
    kwargs.setdefault("poke_interval", 0.05)
    kwargs.setdefault("connectors", ["crm_contacts"])
    return IntegrationHealthSensor(task_id="gate", **kwargs)


class TestIntegrationHealthSensor:
    def test_poke_blocks_under_70_and_logs_inputs(self, warehouse_conn, caplog, capsys):
        _run(warehouse_conn, "crm_contacts", records_total=990, records_failed=6, api_calls=10,
             latency_s_total=20.0, lag_min_p95=12.0)  # the seed example: 35
        sensor = _sensor()
        with caplog.at_level("INFO"):
            assert sensor.poke({}) is False
        assert sensor.last_verdict["blocked"] == ["crm_contacts"]
        assert sensor.last_verdict["results"]["crm_contacts"]["score"] == pytest.approx(35.0)
        logged = caplog.text + capsys.readouterr().out  # Airflow's structlog may print instead of propagating
        assert "pulled down by: error 0.60 % (-30.0), latency 2.00s/2.5s (-20.0), lag 12.0/20 min (-15.0)" in logged

    def test_poke_passes_with_warning_between_70_and_90(self, warehouse_conn, caplog, capsys):
        _run(warehouse_conn, "crm_contacts", records_total=100, lag_min_p95=16.0)  # 80
        with caplog.at_level("INFO"):
            assert _sensor().poke({}) is True
        assert "degraded (passing, under 90" in caplog.text + capsys.readouterr().out

    def test_non_deferrable_execute_returns_verdict(self, warehouse_conn):
        _run(warehouse_conn, "crm_contacts", records_total=100, lag_min_p95=1.0)
        verdict = _sensor(deferrable=False).execute({})
        assert verdict["passed"] and verdict["results"]["crm_contacts"]["status"] == "healthy"

    def test_non_deferrable_times_out_or_skips(self, warehouse_conn):
        with pytest.raises(AirflowSensorTimeout):
            _sensor(deferrable=False, timeout=0.1).execute({})
        with pytest.raises(AirflowSkipException):
            _sensor(deferrable=False, timeout=0.1, soft_fail=True).execute({})

    def test_deferrable_passes_at_once_without_deferring(self, warehouse_conn):
        _run(warehouse_conn, "crm_contacts", records_total=100, lag_min_p95=1.0)
        assert _sensor(deferrable=True).execute({})["passed"] is True

    def test_defers_then_resumes_through_the_trigger(self, warehouse_conn):
        sensor = _sensor(deferrable=True, timeout=600, connectors=["crm_contacts", "cdp_events"])
        _run(warehouse_conn, "crm_contacts", records_total=100, lag_min_p95=1.0)  # cdp_events never ran: blocks
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute({})
        exc = deferred.value
        assert isinstance(exc.trigger, IntegrationHealthTrigger) and exc.method_name == "execute_complete"
        assert exc.timeout.total_seconds() == 600
        classpath, kwargs = exc.trigger.serialize()
        assert kwargs["connectors"] == ["crm_contacts", "cdp_events"]
        assert kwargs["targets"]["cdp_events"] == {"target_latency_s": 2.5, "target_lag_min": 60.0}
        _run(warehouse_conn, "cdp_events", records_total=100, lag_min_p95=1.0)
        trigger = IntegrationHealthTrigger(**kwargs)  # as the triggerer re-creates it
        event = asyncio.run(asyncio.wait_for(trigger.run().asend(None), timeout=10))
        result = sensor.resume_execution("execute_complete", {"event": event.payload}, {})
        assert result["passed"] is True and set(result["results"]) == {"crm_contacts", "cdp_events"}

    def test_execute_complete_raises_on_error_event(self):
        with pytest.raises(AirflowException, match="warehouse unreachable"):
            _sensor().execute_complete({}, {"status": "error", "message": "warehouse unreachable: boom"})
        with pytest.raises(AirflowSkipException):
            _sensor(soft_fail=True).resume_execution(
                "execute_complete", {"event": {"status": "error", "message": "x"}}, {})

    def test_deferral_timeout_fails_or_skips(self):
        kwargs = {"error": TriggerFailureReason.TRIGGER_TIMEOUT}
        with pytest.raises(AirflowSensorTimeout):
            _sensor().resume_execution(TRIGGER_FAIL_REPR, kwargs, {})
        with pytest.raises(AirflowSkipException):
            _sensor(soft_fail=True).resume_execution(TRIGGER_FAIL_REPR, kwargs, {})

    def test_unknown_connector_and_bad_thresholds(self, warehouse_conn):
        with pytest.raises(KeyError, match="unknown connector"):
            IntegrationHealthSensor(task_id="g", connectors="nope").poke({})
        with pytest.raises(ValueError, match="block_below"):
            IntegrationHealthSensor(task_id="g", connectors="crm_contacts", block_below=95)
