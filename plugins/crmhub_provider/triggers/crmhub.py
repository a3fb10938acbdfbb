"""Triggers for crmhub: async waits that run in the triggerer and read crmhub's own warehouse."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseEventTrigger, BaseTrigger, TriggerEvent

from crmhub_provider.hooks import WAREHOUSE_CONN_ID


class IntegrationHealthTrigger(BaseTrigger):
    """Poll connectors' Integration_Health until every one is >= ``block_below``, then fire ``success``.

    Reads ``ops.sync_runs`` with psycopg's ``AsyncConnection`` using the same window query as the core
    (``crmhub.health.score.WINDOW_SQL``). The warehouse URL is resolved here from the connection id, so no
    credentials are serialized. While blocked it keeps polling; the sensor's ``timeout`` ends the wait.
    After ``max_consecutive_errors`` failed polls in a row (warehouse unreachable) it fires ``error``.

    :param connectors: connector names to gate on.
    :param targets: ``{connector: {"target_latency_s": float, "target_lag_min": float}}`` from the map.
    :param block_below: a score under this blocks (default 70).
    :param warn_below: a passing score under this is logged as a warning (default 90).
    :param crmhub_conn_id: Airflow connection id of the warehouse.
    :param poke_interval: seconds between polls.
    :param max_consecutive_errors: failed polls in a row before giving up with an ``error`` event.
    """

    def __init__(
        self,
        *,
        connectors: list[str],
        targets: dict[str, dict[str, float]],
        block_below: float | None = None,
        warn_below: float | None = None,
        crmhub_conn_id: str = WAREHOUSE_CONN_ID,
        poke_interval: float = 60.0,
        max_consecutive_errors: int = 5,
    ) -> None:
        from crmhub.health.score import BLOCK_BELOW, HEALTHY_MIN

        super().__init__()
        block_below = BLOCK_BELOW if block_below is None else block_below
        warn_below = HEALTHY_MIN if warn_below is None else warn_below
        if not connectors:
            raise ValueError("IntegrationHealthTrigger needs at least one connector")
        missing = [c for c in connectors if c not in targets]
        if missing:
            raise ValueError(f"no targets for connector(s) {missing}; pass targets for each of {list(connectors)}")
        if block_below > warn_below:
            raise ValueError(f"block_below ({block_below}) must not exceed warn_below ({warn_below})")
        if poke_interval < 0:
            raise ValueError(f"poke_interval must be >= 0, got {poke_interval}")
        self.connectors = list(connectors)
        self.targets = {c: {k: float(v) for k, v in targets[c].items()} for c in self.connectors}
        self.block_below = float(block_below)
        self.warn_below = float(warn_below)
        self.crmhub_conn_id = crmhub_conn_id
        self.poke_interval = float(poke_interval)
        self.max_consecutive_errors = int(max_consecutive_errors)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "crmhub_provider.triggers.crmhub.IntegrationHealthTrigger",
            {
                "connectors": self.connectors,
                "targets": self.targets,
                "block_below": self.block_below,
                "warn_below": self.warn_below,
                "crmhub_conn_id": self.crmhub_conn_id,
                "poke_interval": self.poke_interval,
                "max_consecutive_errors": self.max_consecutive_errors,
            },
        )

    async def _evaluate(self, url: str) -> dict:
        import psycopg
        from psycopg.rows import dict_row

        from crmhub.health.score import WINDOW_SQL, gate, health_from_window, window_params

        results = []
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            now = (await (await conn.execute("SELECT now()")).fetchone())[0]
            cur = conn.cursor(row_factory=dict_row)
            for name in self.connectors:
                target = self.targets[name]
                await cur.execute(WINDOW_SQL, window_params(name, target["target_lag_min"], now))
                row = await cur.fetchone()
                results.append(health_from_window(row, connector=name, now=now, **target))
        return gate(results, block_below=self.block_below, warn_below=self.warn_below)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        import psycopg

        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        url = await CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id).awarehouse_url()
        errors = 0
        while True:
            try:
                verdict = await self._evaluate(url)
            except (psycopg.Error, OSError) as exc:
                errors += 1
                self.log.warning("health poll failed (%s/%s): %s", errors, self.max_consecutive_errors, exc)
                if errors >= self.max_consecutive_errors:
                    yield TriggerEvent({"status": "error", "message": f"warehouse unreachable: {exc}"})
                    return
                await asyncio.sleep(self.poke_interval)
                continue
            errors = 0
            for line in verdict["explain"]:
                self.log.info("%s", line)
            if verdict["passed"]:
                yield TriggerEvent({"status": "success", **verdict})
                return
            self.log.info("blocked by %s; next poll in %ss", ", ".join(verdict["blocked"]), self.poke_interval)
            await asyncio.sleep(self.poke_interval)


class CrmWebhookEventsTrigger(BaseEventTrigger):
    """Fire when new CRM webhook notifications are stored in ``ops.webhook_events`` (an AssetWatcher trigger).

    Webhooks are notifications, not truth: the event only wakes ``crmhub_cdc``, which re-reads the
    referenced records from the CRM. Each fire covers the events received after the previous fire
    (tracked in memory), so a burst of webhooks wakes the DAG once per poll, not once per event.

    :param crmhub_conn_id: Airflow connection id of the warehouse.
    :param source: webhook source name (default ``crm``).
    :param poke_interval: seconds between polls.
    """

    def __init__(self, *, crmhub_conn_id: str = WAREHOUSE_CONN_ID, source: str = "crm",
                 poke_interval: float = 15.0) -> None:
        super().__init__()
        if poke_interval <= 0:
            raise ValueError(f"poke_interval must be > 0, got {poke_interval}")
        self.crmhub_conn_id = crmhub_conn_id
        self.source = source
        self.poke_interval = float(poke_interval)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "crmhub_provider.triggers.crmhub.CrmWebhookEventsTrigger",
            {"crmhub_conn_id": self.crmhub_conn_id, "source": self.source, "poke_interval": self.poke_interval},
        )

    async def _pending_since(self, url: str, after) -> tuple[int, Any]:
        import psycopg

        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            cur = await conn.execute(
                """SELECT count(*), max(received_at) FROM ops.webhook_events
                   WHERE source = %s AND sync_status = 'pending' AND (%s::timestamptz IS NULL OR received_at > %s)""",
                (self.source, after, after),
            )
            return await cur.fetchone()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        import psycopg

        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        url = await CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id).awarehouse_url()
        after = None
        while True:
            try:
                count, newest = await self._pending_since(url, after)
            except (psycopg.Error, OSError) as exc:
                self.log.warning("webhook poll failed: %s", exc)
                count, newest = 0, None
            if count:
                after = newest
                yield TriggerEvent({"status": "success", "pending": count, "newest": newest.isoformat()})
            await asyncio.sleep(self.poke_interval)


class IdentityConfidenceTrigger(BaseTrigger):
    """Poll the identity gate (``crmhub.identity.gate``) until the records meet the floor, then fire ``success``.

    :param kind: ``contact`` or ``org``.
    :param crmhub_ids: the records a downstream task will touch, or None for the scope form.
    :param floor: Identity_Confidence floor (default: the hold threshold of ``crmhub.identity.holds``).
    :param max_held_pct: scope form: largest share of held live records that still passes.
    :param max_age_minutes: scope form: the last resolution run must be this recent.
    :param crmhub_conn_id: Airflow connection id of the warehouse.
    :param poke_interval: seconds between polls.
    """

    def __init__(self, *, kind: str, crmhub_ids: list[str] | None = None, floor: float | None = None,
                 max_held_pct: float = 0.0, max_age_minutes: float | None = None,
                 crmhub_conn_id: str = WAREHOUSE_CONN_ID, poke_interval: float = 60.0) -> None:
        super().__init__()
        from crmhub.identity import gate
        from crmhub.identity.holds import HOLD_THRESHOLD

        gate.query(kind, crmhub_ids)  # validates kind
        if poke_interval < 0:
            raise ValueError(f"poke_interval must be >= 0, got {poke_interval}")
        self.kind = kind
        self.crmhub_ids = list(crmhub_ids) if crmhub_ids else None
        self.floor = HOLD_THRESHOLD if floor is None else float(floor)
        self.max_held_pct = float(max_held_pct)
        self.max_age_minutes = max_age_minutes
        self.crmhub_conn_id = crmhub_conn_id
        self.poke_interval = float(poke_interval)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            "crmhub_provider.triggers.crmhub.IdentityConfidenceTrigger",
            {"kind": self.kind, "crmhub_ids": self.crmhub_ids, "floor": self.floor,
             "max_held_pct": self.max_held_pct, "max_age_minutes": self.max_age_minutes,
             "crmhub_conn_id": self.crmhub_conn_id, "poke_interval": self.poke_interval},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        import psycopg

        from crmhub.identity import gate
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        url = await CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id).awarehouse_url()
        sql, params = gate.query(self.kind, self.crmhub_ids)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    rows = await (await conn.execute(sql, params)).fetchall()
            except (psycopg.Error, OSError) as exc:
                yield TriggerEvent({"status": "error", "message": f"warehouse unreachable: {exc}"})
                return
            result = gate.verdict(self.kind, rows, crmhub_ids=self.crmhub_ids, floor=self.floor,
                                  max_held_pct=self.max_held_pct, max_age_minutes=self.max_age_minutes)
            self.log.info("identity gate (%s): %s", self.kind, result["reason"])
            if result["passed"]:
                yield TriggerEvent({"status": "success", **result})
                return
            await asyncio.sleep(self.poke_interval)
