import asyncio
import importlib
import json
from datetime import UTC, datetime

import psycopg
import pytest
from health_support import add_run

from crmhub_provider.triggers.crmhub import IntegrationHealthTrigger

pytestmark = pytest.mark.airflow

TEST_CONN_ID = "crmhub_warehouse"
TARGETS = {"crm_contacts": {"target_latency_s": 2.5, "target_lag_min": 20.0},
           "cdp_events": {"target_latency_s": 2.5, "target_lag_min": 60.0}}


@pytest.fixture
def trigger():
    return IntegrationHealthTrigger(connectors=["crm_contacts", "cdp_events"], targets=TARGETS,
                                    crmhub_conn_id=TEST_CONN_ID, poke_interval=0.05)


def _now():
    return datetime.now(UTC)


def _healthy(url, connector):
    with psycopg.connect(url) as conn:
        add_run(conn, connector, minutes_ago=1, now=_now(), records_total=500, api_calls=10, latency_s_total=5.0,
                lag_min_p95=1.0)


class TestIntegrationHealthTrigger:
    def test_serialization(self, trigger):
        classpath, kwargs = trigger.serialize()
        assert classpath == "crmhub_provider.triggers.crmhub.IntegrationHealthTrigger"
        assert kwargs == {
            "connectors": ["crm_contacts", "cdp_events"],
            "targets": TARGETS,
            "block_below": 70.0,
            "warn_below": 90.0,
            "crmhub_conn_id": TEST_CONN_ID,
            "poke_interval": 0.05,
            "max_consecutive_errors": 5,
        }
        module, _, name = classpath.rpartition(".")
        cls = getattr(importlib.import_module(module), name)  # what the triggerer does with the classpath
        assert cls(**kwargs).serialize() == (classpath, kwargs)
        json.dumps(kwargs)  # JSON-safe

    def test_validates_arguments(self):
        with pytest.raises(ValueError, match="no targets"):
            IntegrationHealthTrigger(connectors=["x"], targets={})
        with pytest.raises(ValueError, match="block_below"):
            IntegrationHealthTrigger(connectors=["crm_contacts"], targets=TARGETS, block_below=95)

    @pytest.mark.asyncio
    async def test_fires_success_when_all_pass(self, warehouse_conn, trigger):
        _healthy(warehouse_conn, "crm_contacts")
        _healthy(warehouse_conn, "cdp_events")
        event = await asyncio.wait_for(trigger.run().asend(None), timeout=10)
        assert event.payload["status"] == "success" and event.payload["blocked"] == []
        assert event.payload["results"]["crm_contacts"]["score"] == pytest.approx(100 - 5 - 1.25)

    @pytest.mark.asyncio
    async def test_keeps_polling_while_blocked_then_passes(self, warehouse_conn, trigger):
        _healthy(warehouse_conn, "crm_contacts")
        with psycopg.connect(warehouse_conn) as conn:  # cdp_events: 1 % errors -> 50 - ... blocked
            add_run(conn, "cdp_events", minutes_ago=1, now=_now(), records_total=1000, records_failed=10)
        task = asyncio.ensure_future(trigger.run().asend(None))
        await asyncio.sleep(0.5)
        assert not task.done()  # still polling: blocked under 70
        with psycopg.connect(warehouse_conn) as conn:  # the bad run is corrected by a re-run
            conn.execute("DELETE FROM ops.sync_runs WHERE connector = 'cdp_events'")
        _healthy(warehouse_conn, "cdp_events")
        event = await asyncio.wait_for(task, timeout=10)
        assert event.payload["status"] == "success"

    @pytest.mark.asyncio
    async def test_blocked_times_out(self, warehouse_conn, trigger):
        _healthy(warehouse_conn, "crm_contacts")  # cdp_events never ran: unknown blocks
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(trigger.run().asend(None), timeout=0.5)

    @pytest.mark.asyncio
    async def test_unreachable_warehouse_fires_error(self, monkeypatch):
        monkeypatch.setenv("AIRFLOW_CONN_CRMHUB_WAREHOUSE", '{"conn_type": "postgres", "host": "127.0.0.1", '
                           '"port": 5432, "login": "postgres", "schema": "crmhub_no_such_db"}')
        trig = IntegrationHealthTrigger(connectors=["crm_contacts"], targets=TARGETS, poke_interval=0.01,
                                        max_consecutive_errors=2)
        event = await asyncio.wait_for(trig.run().asend(None), timeout=10)
        assert event.payload["status"] == "error" and "crmhub_no_such_db" in event.payload["message"]
