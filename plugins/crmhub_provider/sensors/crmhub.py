"""Sensors for crmhub: gate downstream automation on the warehouse's view of integration health."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import conf
from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowException
from airflow.triggers.base import BaseTrigger

from crmhub_provider.hooks import WAREHOUSE_CONN_ID
from crmhub_provider.triggers.crmhub import IdentityConfidenceTrigger, IntegrationHealthTrigger

if TYPE_CHECKING:
    from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook


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
    :param systems: instead of ``connectors``: every connector of these systems of the map, resolved when the
        task runs (not when the DAG is parsed), e.g. ``["crm"]`` for the CRM reverse ETL writes to.
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
        connectors: str | list[str] | None = None,
        systems: list[str] | None = None,
        block_below: float | None = None,
        warn_below: float | None = None,
        crmhub_conn_id: str = WAREHOUSE_CONN_ID,
        targets: dict[str, dict[str, float]] | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poke_interval: float = 60,
        **kwargs: Any,
    ) -> None:
        super().__init__(poke_interval=poke_interval, **kwargs)
        self.block_below = block_below
        self.warn_below = warn_below
        if block_below is not None or warn_below is not None:
            self._thresholds()  # a bad explicit threshold fails when the DAG is parsed
        self.connectors = [connectors] if isinstance(connectors, str) else list(connectors or ())
        self.systems = list(systems or ())
        if not self.connectors and not self.systems:
            raise ValueError("IntegrationHealthSensor needs at least one connector (connectors=) or system (systems=)")
        self.crmhub_conn_id = crmhub_conn_id
        self.targets = targets
        self.deferrable = deferrable
        self.last_verdict: dict | None = None

    @cached_property
    def hook(self) -> CrmHubWarehouseHook:
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id)

    def _thresholds(self) -> None:
        """The defaults (``crmhub.health.score``) are resolved when the task runs: importing the scorer pulls
        psycopg, which costs DAG parse time."""
        from crmhub.health.score import BLOCK_BELOW, HEALTHY_MIN

        self.block_below = BLOCK_BELOW if self.block_below is None else self.block_below
        self.warn_below = HEALTHY_MIN if self.warn_below is None else self.warn_below
        if self.block_below > self.warn_below:
            raise ValueError(f"block_below ({self.block_below}) must not exceed warn_below ({self.warn_below})")

    def _targets(self) -> dict[str, dict[str, float]]:
        self._thresholds()
        from crmhub.config import load_integration_map
        from crmhub.health.score import connector_targets

        if self.systems and not self.connectors:  # resolved at run time: the map is not read at parse time
            imap = load_integration_map()
            self.connectors = [c.name for c in imap.connectors if c.system in self.systems]
            if not self.connectors:
                raise ValueError(f"no connector of system(s) {', '.join(self.systems)} in {imap.path}")
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
        from crmhub.health.score import connector_health, gate
        from crmhub.warehouse.connection import connect

        targets = self._targets()
        with connect(self.hook.warehouse_url()) as conn:
            results = [connector_health(conn, name, **targets[name]) for name in self.connectors]
        verdict = gate(results, block_below=self.block_below, warn_below=self.warn_below)
        self._log_verdict(verdict)
        self.last_verdict = verdict
        return verdict["passed"]

    def _trigger(self) -> IntegrationHealthTrigger:
        targets = self._targets()  # first: resolves ``systems`` into connectors
        return IntegrationHealthTrigger(
            connectors=self.connectors,
            targets=targets,
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
    :param floor: confidence floor (default: the hold threshold of ``crmhub.identity.holds``, read when the
        sensor runs so parsing the DAG stays cheap).
    :param max_held_pct: scope form: largest share (%) of held live records that passes (default 0).
    :param max_age_minutes: scope form: the last resolution run must be this recent (default: any age).
    :param crmhub_conn_id: Airflow connection id of the warehouse.
    :param deferrable: defer to the triggerer (default from ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = ("crmhub_ids",)

    def __init__(self, *, kind: str, crmhub_ids: list[str] | None = None, floor: float | None = None,
                 max_held_pct: float = 0.0, max_age_minutes: float | None = None,
                 crmhub_conn_id: str = WAREHOUSE_CONN_ID,
                 deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
                 poke_interval: float = 60, **kwargs: Any) -> None:
        super().__init__(poke_interval=poke_interval, **kwargs)
        # ``kind`` is checked by the gate's query when the sensor runs: importing ``crmhub.identity`` here
        # would load pandas and cost ~1 s of DAG parse time
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
        from crmhub.identity.holds import HOLD_THRESHOLD
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        floor = HOLD_THRESHOLD if self.floor is None else self.floor
        self.last_verdict = check(CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id).warehouse_url(), self.kind,
                                  crmhub_ids=self.crmhub_ids or None, floor=floor,
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
