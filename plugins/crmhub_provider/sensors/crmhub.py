"""Sensors for crmhub: gate downstream automation on the warehouse's view of integration health."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import Any

from airflow.providers.common.compat.sdk import conf
from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowException
from airflow.triggers.base import BaseTrigger

from crmhub.config import load_integration_map
from crmhub.health.score import BLOCK_BELOW, HEALTHY_MIN, connector_health, connector_targets, gate
from crmhub.identity.holds import HOLD_THRESHOLD
from crmhub.warehouse.connection import connect
from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook
from crmhub_provider.triggers.crmhub import IdentityConfidenceTrigger, IntegrationHealthTrigger


class _DeferrableGateSensor(BaseSensorOperator):
    """The deferrable handshake both gates share: poke once; if blocked, defer to :meth:`_trigger`.

    Subclasses set ``deferrable`` and ``last_verdict`` (in ``poke``) and build their trigger.
    """

    deferrable: bool
    last_verdict: dict | None

    def _trigger(self) -> BaseTrigger:
        raise NotImplementedError

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            super().execute(context)
            return self.last_verdict
        if self.poke(context):
            return self.last_verdict
        self.defer(trigger=self._trigger(), method_name="execute_complete", timeout=timedelta(seconds=self.timeout))


class IntegrationHealthSensor(_DeferrableGateSensor):
    """Wait until every given connector's Integration_Health is >= ``block_below`` (default 70).

    A score under ``warn_below`` (default 90) but not under ``block_below`` passes with a warning; an
    unknown score (the connector never ran) blocks. Each poke logs the score and the inputs that pulled
    it down. In deferrable mode the sensor pokes once, then defers to :class:`IntegrationHealthTrigger`
    (the triggerer polls the warehouse with psycopg's async connection) and resumes in
    :meth:`execute_complete`, which raises when the trigger reports an error. ``timeout`` ends the wait
    (``AirflowSensorTimeout``, or a skip with ``soft_fail=True``).

    Give this task ``retries >= 1``: under the real scheduler a deferrable task was once marked FAILED by a
    race between the worker's late success report and the trigger event (apache/airflow 66374/71580/72716).

    Targets (``target_latency_s``, ``target_lag_min``) come from the integration map
    (``$CRMHUB_INTEGRATION_MAP`` or ``config/integration_map.yaml``) unless ``targets`` is given.

    :param connectors: a connector name or a list of them (templated).
    :param block_below: scores under this block (default 70).
    :param warn_below: passing scores under this are logged as warnings (default 90).
    :param crmhub_conn_id: Airflow connection id of the warehouse (default ``crmhub_warehouse``).
    :param targets: ``{connector: {"target_latency_s", "target_lag_min"}}``; default: from the map.
    :param deferrable: defer to the triggerer instead of holding a worker slot (default from
        ``[operators] default_deferrable``).
    :param poke_interval: seconds between checks (default 60).
    :param timeout: seconds before giving up (``BaseSensorOperator``); with ``soft_fail=True`` the task is
        skipped instead of failed.
    """

    template_fields: Sequence[str] = ("connectors",)

    def __init__(
        self,
        *,
        connectors: str | list[str],
        block_below: float = BLOCK_BELOW,
        warn_below: float = HEALTHY_MIN,
        crmhub_conn_id: str = CrmHubWarehouseHook.default_conn_name,
        targets: dict[str, dict[str, float]] | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: float = 60,
        **kwargs: Any,
    ) -> None:
        super().__init__(poke_interval=poke_interval, **kwargs)
        if block_below > warn_below:
            raise ValueError(f"block_below ({block_below}) must not exceed warn_below ({warn_below})")
        self.connectors = [connectors] if isinstance(connectors, str) else list(connectors)
        if not self.connectors:
            raise ValueError("IntegrationHealthSensor needs at least one connector")
        self.block_below = block_below
        self.warn_below = warn_below
        self.crmhub_conn_id = crmhub_conn_id
        self.targets = targets
        self.deferrable = deferrable
        self.last_verdict: dict | None = None

    @cached_property
    def hook(self) -> CrmHubWarehouseHook:
        return CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id)

    def _targets(self) -> dict[str, dict[str, float]]:
        if self.targets is None:  # read the map once per task run, not on every poke
            self.targets = connector_targets(load_integration_map(), self.connectors)
        return {c: dict(self.targets[c]) for c in self.connectors}

    def _log_verdict(self, verdict: dict) -> None:
        for line in verdict["explain"]:
            self.log.info("%s", line)
        if verdict["warned"]:
            self.log.warning("degraded (passing, under %s): %s", self.warn_below, ", ".join(verdict["warned"]))
        if verdict["blocked"]:
            self.log.info("blocked (under %s): %s", self.block_below, ", ".join(verdict["blocked"]))

    def poke(self, context: Any) -> bool:
        targets = self._targets()
        with connect(self.hook.warehouse_url()) as conn:
            results = [connector_health(conn, name, **targets[name]) for name in self.connectors]
        verdict = gate(results, block_below=self.block_below, warn_below=self.warn_below)
        self._log_verdict(verdict)
        self.last_verdict = verdict
        return verdict["passed"]

    def _trigger(self) -> IntegrationHealthTrigger:
        return IntegrationHealthTrigger(
            connectors=self.connectors,
            targets=self._targets(),
            block_below=self.block_below,
            warn_below=self.warn_below,
            crmhub_conn_id=self.crmhub_conn_id,
            poke_interval=self.poke_interval,
        )

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict:
        """Resume after the trigger fired; raise unless every connector passed."""
        if event.get("status") != "success":
            raise AirflowException(f"integration health gate failed: {event.get('message', event)}")
        self._log_verdict(event)
        return {k: event[k] for k in ("passed", "blocked", "warned", "results")}


class IdentityConfidenceSensor(_DeferrableGateSensor):
    """Wait until the records a downstream task will touch meet the Identity_Confidence floor (60).

    With ``crmhub_ids`` (templated, e.g. from XCom): every record must score >= ``floor`` and have no open
    identity hold. Without ids: identity resolution of ``kind`` must have run (within ``max_age_minutes``)
    and at most ``max_held_pct`` % of live records may be held. Held records are never released by this
    sensor: there is no override; only enrichment and a new resolution run lift a hold. Deferrable through
    :class:`IdentityConfidenceTrigger`; on ``timeout`` the task fails, or is skipped with ``soft_fail=True``.
    Give it ``retries >= 1`` (see :class:`IntegrationHealthSensor`).

    :param kind: ``contact`` or ``org``.
    :param crmhub_ids: records to check (templated); None for the scope form.
    :param floor: confidence floor (default 60).
    :param max_held_pct: scope form: largest share (%) of held live records that passes (default 0).
    :param max_age_minutes: scope form: the last resolution run must be this recent (default: any age).
    :param crmhub_conn_id: Airflow connection id of the warehouse.
    :param deferrable: defer to the triggerer (default from ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = ("crmhub_ids",)

    def __init__(self, *, kind: str, crmhub_ids: list[str] | None = None, floor: float = HOLD_THRESHOLD,
                 max_held_pct: float = 0.0, max_age_minutes: float | None = None,
                 crmhub_conn_id: str = CrmHubWarehouseHook.default_conn_name,
                 deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
                 poke_interval: float = 60, **kwargs: Any) -> None:
        super().__init__(poke_interval=poke_interval, **kwargs)
        from crmhub.identity.gate import query

        query(kind, None)  # validates kind early, with the valid values in the message
        self.kind = kind
        self.crmhub_ids = crmhub_ids
        self.floor = floor
        self.max_held_pct = max_held_pct
        self.max_age_minutes = max_age_minutes
        self.crmhub_conn_id = crmhub_conn_id
        self.deferrable = deferrable
        self.last_verdict: dict | None = None

    def poke(self, context: Any) -> bool:
        from crmhub.identity.gate import check

        self.last_verdict = check(CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id).warehouse_url(), self.kind,
                                  crmhub_ids=self.crmhub_ids or None, floor=self.floor,
                                  max_held_pct=self.max_held_pct, max_age_minutes=self.max_age_minutes)
        self.log.info("identity gate (%s): %s", self.kind, self.last_verdict["reason"])
        return self.last_verdict["passed"]

    def _trigger(self) -> IdentityConfidenceTrigger:
        return IdentityConfidenceTrigger(kind=self.kind, crmhub_ids=self.crmhub_ids or None, floor=self.floor,
                                         max_held_pct=self.max_held_pct, max_age_minutes=self.max_age_minutes,
                                         crmhub_conn_id=self.crmhub_conn_id, poke_interval=self.poke_interval)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict:
        if event.get("status") != "success":
            raise AirflowException(f"identity confidence gate failed: {event.get('message', event)}")
        self.log.info("identity gate (%s): %s", self.kind, event.get("reason"))
        return event
