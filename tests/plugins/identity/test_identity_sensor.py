"""IdentityConfidenceSensor defers to IdentityConfidenceTrigger, whose async loop polls the real warehouse."""

import asyncio
import uuid

import psycopg
import pytest

pytestmark = pytest.mark.airflow



def _contact(url, confidence):
    cid = str(uuid.uuid4())
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO core.contact (crmhub_id, owner, confidence, source_system) "
                     "VALUES (%s, 'sam.ortiz', %s, 'crm')", (cid, confidence))
    return cid


def test_serialization():
    from crmhub_provider.triggers.crmhub import IdentityConfidenceTrigger

    trigger = IdentityConfidenceTrigger(kind="contact", crmhub_ids=["a"], poke_interval=5)
    assert trigger.serialize() == (
        "crmhub_provider.triggers.crmhub.IdentityConfidenceTrigger",
        {"kind": "contact", "crmhub_ids": ["a"], "floor": 60.0, "max_held_pct": 0.0, "max_age_minutes": None,
         "crmhub_conn_id": "crmhub_warehouse", "poke_interval": 5.0},
    )
    with pytest.raises(ValueError, match="kind must be one of"):
        IdentityConfidenceTrigger(kind="people")


def test_trigger_waits_for_enrichment_then_fires(warehouse_conn):
    from crmhub_provider.triggers.crmhub import IdentityConfidenceTrigger

    cid = _contact(warehouse_conn, 45)

    async def scenario():
        trigger = IdentityConfidenceTrigger(kind="contact", crmhub_ids=[cid], poke_interval=0.05)
        task = asyncio.ensure_future(trigger.run().__anext__())
        await asyncio.sleep(0.3)
        assert not task.done()  # held below 60: keeps polling, no override
        with psycopg.connect(warehouse_conn) as conn:  # enrichment raised the score
            conn.execute("UPDATE core.contact SET confidence = 72 WHERE crmhub_id = %s", (cid,))
        return await asyncio.wait_for(task, 5)

    event = asyncio.run(scenario())
    assert event.payload["status"] == "success" and event.payload["passed"]


def test_sensor_pokes_then_defers_and_resumes(warehouse_conn):
    from airflow.sdk.exceptions import TaskDeferred

    from crmhub_provider.sensors.crmhub import IdentityConfidenceSensor
    from crmhub_provider.triggers.crmhub import IdentityConfidenceTrigger

    ok, low = _contact(warehouse_conn, 90), _contact(warehouse_conn, 30)
    passing = IdentityConfidenceSensor(task_id="g1", kind="contact", crmhub_ids=[ok], deferrable=True, timeout=60)
    assert passing.execute({})["passed"]
    blocked = IdentityConfidenceSensor(task_id="g2", kind="contact", crmhub_ids=[ok, low], deferrable=True, timeout=60)
    with pytest.raises(TaskDeferred) as deferred:
        blocked.execute({})
    assert isinstance(deferred.value.trigger, IdentityConfidenceTrigger)
    assert deferred.value.method_name == "execute_complete"
    assert blocked.execute_complete({}, {"status": "success", "reason": "ok"})["status"] == "success"
    with pytest.raises(Exception, match="identity confidence gate failed"):
        blocked.execute_complete({}, {"status": "error", "message": "warehouse unreachable"})


def test_sensor_checks_kind_when_it_runs_not_when_the_dag_is_parsed(warehouse_conn):
    from crmhub_provider.sensors.crmhub import IdentityConfidenceSensor

    sensor = IdentityConfidenceSensor(task_id="g", kind="people")  # parsing stays free of crmhub.identity
    with pytest.raises(ValueError, match="kind must be one of"):
        sensor.poke({})
