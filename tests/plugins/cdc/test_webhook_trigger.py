"""CrmWebhookEventsTrigger (the AssetWatcher of crmhub_cdc) fires once per burst of new webhook events."""

import asyncio

import psycopg
import pytest

pytestmark = pytest.mark.airflow



def _event(url, event_id):
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO ops.webhook_events (event_id, source, subscription_type, object_id, payload) "
                     "VALUES (%s, 'crm', 'contact.propertyChange', '5', '{}')", (event_id,))


def test_serialization_and_validation():
    from airflow.triggers.base import BaseEventTrigger

    from crmhub_provider.triggers.crmhub import CrmWebhookEventsTrigger

    trigger = CrmWebhookEventsTrigger(poke_interval=3)
    assert isinstance(trigger, BaseEventTrigger)
    assert trigger.serialize() == ("crmhub_provider.triggers.crmhub.CrmWebhookEventsTrigger",
                                   {"crmhub_conn_id": "crmhub_warehouse", "source": "crm", "poke_interval": 3.0})
    with pytest.raises(ValueError, match="poke_interval"):
        CrmWebhookEventsTrigger(poke_interval=0)


def test_fires_for_new_events_only(warehouse_conn):
    from crmhub_provider.triggers.crmhub import CrmWebhookEventsTrigger

    async def scenario():
        gen = CrmWebhookEventsTrigger(poke_interval=0.05).run()
        first = asyncio.ensure_future(gen.__anext__())
        await asyncio.sleep(0.2)
        assert not first.done()  # nothing pending
        _event(warehouse_conn, "e1")
        _event(warehouse_conn, "e2")
        event = await asyncio.wait_for(first, 5)
        second = asyncio.ensure_future(gen.__anext__())
        await asyncio.sleep(0.3)
        assert not second.done()  # the same events do not fire again
        _event(warehouse_conn, "e3")
        again = await asyncio.wait_for(second, 5)
        await gen.aclose()
        return event, again

    event, again = asyncio.run(scenario())
    assert event.payload["pending"] == 2 and again.payload["pending"] == 1
