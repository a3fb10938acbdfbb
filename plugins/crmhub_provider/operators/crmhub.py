"""Operators for crmhub: parameters, a lazily made hook, and ``execute`` calling one core function.

Every operator here is a :class:`CrmHubBaseOperator`. It names the map item it works on (``crmhub_item``: a
connector, reverse-ETL sync, reconciliation rule or automation) so the failure notifier pages that item's
owner (``crmhub_subject``), and it runs :meth:`CrmHubBaseOperator.skip_reason` before ``execute``: the one
place where a run-wide rule (go-live mode, freeze-all) may skip the task with a reason shown in Airflow.

Run-time choices (``dry_run``, which connectors...) come from the operator's argument or, when that is None,
from the DAG run's ``params`` of the same name, so a DAG's form drives its tasks without any code in the DAG.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowSkipException

from crmhub_provider.hooks import WAREHOUSE_CONN_ID

if TYPE_CHECKING:
    from crmhub.config import IntegrationMap
    from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook
    from crmhub_provider.hooks.http import CrmHubCrmHook


class CrmHubBaseOperator(BaseOperator):
    """What every crmhub operator shares: the warehouse hook, the map, the item it runs, the skip check.

    :param crmhub_conn_id: Airflow connection id of the warehouse (default ``crmhub_warehouse``).
    """

    #: Kind of map item the operator runs (``connector``, ``sync``, ``rule``, ``automation``), or None.
    item_kind: str | None = None
    #: Attribute holding the name of the one map item the operator runs (also its mapped tasks' label), or None.
    item_attr: str | None = None
    #: Incident subject when the operator runs no single map item (a system of the map).
    default_subject = "warehouse"
    ui_color = "#e8f1fb"

    def __init__(self, *, crmhub_conn_id: str = WAREHOUSE_CONN_ID, **kwargs: Any) -> None:
        if self.item_attr:
            kwargs.setdefault("map_index_template", f"{{{{ task.{self.item_attr} }}}}")
        super().__init__(**kwargs)
        self.crmhub_conn_id = crmhub_conn_id

    @cached_property
    def hook(self) -> CrmHubWarehouseHook:
        from crmhub_provider.hooks.crmhub import CrmHubWarehouseHook

        return CrmHubWarehouseHook(crmhub_conn_id=self.crmhub_conn_id)

    @cached_property
    def imap(self) -> IntegrationMap:
        """The integration map, loaded (and validated) when a task first needs it, never at parse time."""
        from crmhub.config import load_integration_map

        return load_integration_map()

    @property
    def crmhub_item(self) -> tuple[str, str] | None:
        """``(kind, name)`` of the map item this task runs, or None."""
        name = self.item_name
        return (self.item_kind, name) if self.item_kind and name else None

    @property
    def item_name(self) -> str | None:
        return getattr(self, self.item_attr) if self.item_attr else None

    @property
    def crmhub_subject(self) -> str:
        """What a failure of this task is about, as the map names it (its owner is paged)."""
        item = self.crmhub_item
        return item[1] if item else self.default_subject

    def skip_reason(self, context: Any) -> str | None:
        """Why this task must not run now (None: run it): everything frozen, or go-live mode and the item is
        not ``critical`` (``crmhub.ops.golive.suspension_reason``). Only connectors, syncs and automations
        are suspended; dry runs always run."""
        item = self.crmhub_item
        if item is None or item[0] not in ("connector", "sync", "automation"):
            return None
        if self.param(context, "dry_run", getattr(self, "dry_run", None)):
            return None
        from crmhub.ops.golive import suspension_reason
        from crmhub.warehouse import connect

        with connect(self.hook.warehouse_url()) as conn:
            return suspension_reason(conn, self.imap, *item)

    def pre_execute(self, context: Any) -> None:
        reason = self.skip_reason(context)
        if reason:
            self.log.info("skipped: %s", reason)
            raise AirflowSkipException(reason)

    @staticmethod
    def param(context: Any, name: str, value: Any) -> Any:
        """``value``, or the DAG run's param ``name`` when ``value`` is None."""
        return value if value is not None else (context.get("params") or {}).get(name)


# -- ingest and CDC ---------------------------------------------------------------------------------------


class ConnectorPlanOperator(CrmHubBaseOperator):
    """Which connectors of one criticality ``group`` a run loads (each group is mapped in its own pool).

    :param group: ``critical`` (connectors marked ``critical: true``) or ``default`` (the others).
    :param mode: ``ingest`` (``connectors``, default every connector) or ``cdc`` (connectors whose
        ``sla.schedule`` is due since their last sync).
    :param connectors: ingest only: these connectors; None: the run's ``connectors`` param (templated).
    """

    template_fields: Sequence[str] = ("connectors",)

    def __init__(self, *, group: str, mode: str = "ingest", connectors: list[str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in ("ingest", "cdc"):
            raise ValueError(f"mode must be 'ingest' or 'cdc', not {mode!r}")
        self.group = _group(group)
        self.mode = mode
        self.connectors = connectors

    def execute(self, context: Any) -> list[str]:
        if self.mode == "cdc":
            from crmhub.cdc.tasks import plan_cdc

            return plan_cdc(self.hook.warehouse_url(), imap=self.imap)[self.group]
        from crmhub.ingest.tasks import plan_connectors

        return plan_connectors(self.param(context, "connectors", self.connectors), imap=self.imap)[self.group]


class ConnectorSyncOperator(CrmHubBaseOperator):
    """Load one connector: a full ingest run, or an incremental CDC sync (watermark + lookback / logical decoding).

    :param connector: connector name from the map (templated; mapped over by the DAGs).
    :param mode: ``ingest`` or ``cdc``.
    """

    template_fields: Sequence[str] = ("connector",)
    item_kind = "connector"
    item_attr = "connector"

    def __init__(self, *, connector: str, mode: str = "ingest", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in ("ingest", "cdc"):
            raise ValueError(f"mode must be 'ingest' or 'cdc', not {mode!r}")
        self.connector = connector
        self.mode = mode

    def execute(self, context: Any) -> dict:
        from crmhub.cdc.tasks import cdc_sync, full_sync
        from crmhub_provider.hooks.crmhub import source_access

        run = cdc_sync if self.mode == "cdc" else full_sync   # full_sync: ingest_connector (+ deal associations)
        access = source_access(self.imap.connector(self.connector))
        return run(self.hook.warehouse_url(), self.connector, access, imap=self.imap)


class CrmWebhookSyncOperator(CrmHubBaseOperator):
    """Re-read the records that pending webhook events of ``source`` point at (the notification is not truth).

    :param source: system whose webhooks are processed (default ``crm``); its REST connector's connection is used.
    """

    item_kind = "connector"

    def __init__(self, *, source: str = "crm", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source

    @property
    def item_name(self) -> str | None:
        from crmhub.cdc.tasks import webhook_connector

        return webhook_connector(self.imap, self.source)

    def execute(self, context: Any) -> dict:
        from crmhub.cdc.tasks import webhook_sync
        from crmhub_provider.hooks.crmhub import source_access

        access = source_access(self.imap.connector(self.item_name))
        return webhook_sync(self.hook.warehouse_url(), access, imap=self.imap, source=self.source)


class LoadPublishOperator(CrmHubBaseOperator):
    """Sum what the connector tasks of a run loaded and put it on the run's Asset events (one per core table
    in ``outlets`` named ``crmhub.core.<table>``, and ``crmhub.core.change_log``).

    :param summaries: the connector tasks' results: an XComArg, or a list of them (templated).
    """

    template_fields: Sequence[str] = ("summaries",)

    def __init__(self, *, summaries: Any, **kwargs: Any) -> None:
        kwargs.setdefault("trigger_rule", "none_failed")
        super().__init__(**kwargs)
        self.summaries = summaries

    def execute(self, context: Any) -> dict:
        from crmhub.ingest.tasks import publish_summary

        report = publish_summary(_flatten(self.summaries))
        events = context["outlet_events"]
        for asset in self.outlets:
            table = asset.name.rsplit(".", 1)[-1]
            events[asset].extra = ({"connectors": report["connectors"]} if table == "change_log"
                                   else {"rows_loaded": report["rows_loaded"].get(table, 0)})
        return report


# -- backfill --------------------------------------------------------------------------------------------


class _BackfillBase(CrmHubBaseOperator):
    """A backfill task: its item is the connector named by the run's ``source`` param, so a failure pages the
    owner of the connector backfilled."""

    item_kind = "connector"

    @property
    def item_name(self) -> str | None:
        return getattr(self, "_source", None)

    def pre_execute(self, context: Any) -> None:
        self._source = context["params"]["source"]
        super().pre_execute(context)


class BackfillPlanOperator(_BackfillBase):
    """Register a backfill (idempotent) and return its chunks still to run; from the run's params ``source``,
    ``start``, ``end``, ``chunk_hours``, ``dry_run``."""

    def execute(self, context: Any) -> list[dict]:
        from crmhub.cdc.tasks import backfill_range

        p = context["params"]
        return backfill_range(self.hook.warehouse_url(), p["source"], p["start"], p["end"], p["chunk_hours"],
                              dry_run=bool(p["dry_run"]), imap=self.imap)


class BackfillChunkOperator(_BackfillBase):
    """Load one planned backfill chunk of the run's ``source`` (skipped when already done).

    :param chunk: one chunk from :class:`BackfillPlanOperator` (templated; mapped over).
    """

    template_fields: Sequence[str] = ("chunk",)

    def __init__(self, *, chunk: dict, **kwargs: Any) -> None:
        kwargs.setdefault("map_index_template", "{{ task.chunk.start }} .. {{ task.chunk.end }}")
        super().__init__(**kwargs)
        self.chunk = chunk

    def execute(self, context: Any) -> dict:
        from crmhub.cdc.tasks import run_backfill_chunk
        from crmhub_provider.hooks.crmhub import source_access

        p = context["params"]
        access = source_access(self.imap.connector(p["source"]))
        return run_backfill_chunk(self.hook.warehouse_url(), p["source"], access, self.chunk,
                                  dry_run=bool(p["dry_run"]), imap=self.imap)


# -- identity and health ---------------------------------------------------------------------------------


class IdentityResolutionOperator(CrmHubBaseOperator):
    """Resolve ``kind`` (``org`` or ``contact``) records into canonical clusters (``crmhub.identity``).

    :param kind: ``org`` or ``contact``.
    """

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if kind not in ("org", "contact"):
            raise ValueError(f"kind must be 'org' or 'contact', not {kind!r}")
        self.kind = kind

    def execute(self, context: Any) -> dict:
        from crmhub.identity.store import run_resolution

        return run_resolution(self.hook.warehouse_url(), self.kind).as_dict()


class HealthOperator(CrmHubBaseOperator):
    """One step of ``crmhub_health`` (``crmhub.health.tasks``): ``cycle`` (scores, incidents, actions, pages),
    ``sla_results``, ``segment_audit``, ``incident_metrics``, ``drain_retry_queue``, ``go_live``; or
    ``weekly_dashboard`` (``crmhub.kpi.tasks``: the data-health report, written once per ISO week).

    :param step: which step.
    """

    STEPS = ("cycle", "sla_results", "segment_audit", "incident_metrics", "drain_retry_queue", "go_live",
             "weekly_dashboard")

    def __init__(self, *, step: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if step not in self.STEPS:
            raise ValueError(f"unknown health step {step!r}; valid: {', '.join(self.STEPS)}")
        self.step = step

    def execute(self, context: Any) -> dict:
        from crmhub.health import tasks

        if self.step == "cycle":
            from crmhub_provider.alerting import alert_notifier

            notifier = alert_notifier()
            return tasks.health_cycle(self.hook.warehouse_url(), notify=notifier.send_payload if notifier else None)
        if self.step == "drain_retry_queue":
            from crmhub_provider.hooks.crmhub import source_access

            return tasks.drain_retry_queue(self.hook.warehouse_url(), access_for=source_access)
        if self.step == "go_live":   # the DAG's go_live_hours param (> 0) starts go-live mode
            from crmhub.ops.golive import start_go_live_at

            hours = float(self.param(context, "go_live_hours", None) or 0)
            return start_go_live_at(self.hook.warehouse_url(), hours, by=self.param(context, "go_live_by", None))
        if self.step == "weekly_dashboard":
            from crmhub.kpi.tasks import weekly_dashboard

            return weekly_dashboard(self.hook.warehouse_url(), imap=self.imap)
        return getattr(tasks, self.step)(self.hook.warehouse_url())


class SecurityOperator(CrmHubBaseOperator):
    """A periodic security job of ``crmhub_health`` (``crmhub.security.tasks``): ``audit`` (weekly permissions
    audit into ``ops.security_findings``) or ``retention`` (daily purge by the map's retention policy). Each
    runs its job only when its interval has passed, so the task can run every health cycle.

    :param step: ``audit`` or ``retention``.
    """

    STEPS = {"audit": "weekly_security_audit", "retention": "daily_retention"}

    def __init__(self, *, step: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if step not in self.STEPS:
            raise ValueError(f"unknown security step {step!r}; valid: {', '.join(self.STEPS)}")
        self.step = step

    def execute(self, context: Any) -> dict:
        from crmhub.security import tasks

        return getattr(tasks, self.STEPS[self.step])(self.hook.warehouse_url(), self.imap)


# -- reconciliation --------------------------------------------------------------------------------------


class ReconciliationOperator(CrmHubBaseOperator):
    """Reconcile the run's logical date (as of its end) and page each breached rule's owner with the report.

    :param rules: only these rule names (default all).
    """

    template_fields: Sequence[str] = ("rules",)

    def __init__(self, *, rules: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rules = rules

    def execute(self, context: Any) -> dict:
        from crmhub.reconcile import run_reconciliation
        from crmhub_provider.alerting import alert_notifier

        logical = context.get("logical_date") or context["data_interval_end"]
        result = run_reconciliation(self.hook.warehouse_url(), logical.date().isoformat(), self.imap,
                                    rules=self.rules)
        notifier = alert_notifier()
        for payload in result["notifications"] if notifier else ():
            notifier.send_payload(payload)
        return {"breached": result["breached"], "paged": len(result["notifications"]) if notifier else 0,
                "report": result["report"]}


# -- reverse ETL -----------------------------------------------------------------------------------------


class ReverseEtlPlanOperator(CrmHubBaseOperator):
    """The syncs of one criticality ``group`` in this run: ``due`` ones (each sync's own ``schedule``), ``all``,
    or one.

    :param group: ``critical`` or ``default``.
    :param choice: ``due``, ``all`` or a sync name; None: the run's ``sync`` param (templated).
    """

    template_fields: Sequence[str] = ("choice",)

    def __init__(self, *, group: str, choice: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group = _group(group)
        self.choice = choice

    def execute(self, context: Any) -> list[str]:
        from crmhub.reverse_etl.tasks import plan_syncs

        return plan_syncs(self.hook.warehouse_url(), self.param(context, "sync", self.choice) or "due",
                          imap=self.imap)[self.group]


class ReverseEtlSyncOperator(CrmHubBaseOperator):
    """Push one reverse-ETL sync to its destination (diff-based, batched, rate limited, idempotent).

    :param sync: sync name from the map (templated; mapped over).
    :param dry_run: None: the run's ``dry_run`` param.
    :param full_resync: None: the run's ``full_resync`` param.
    :param crm_conn_id: the CRM's HTTP connection.
    """

    template_fields: Sequence[str] = ("sync",)
    item_kind = "sync"
    item_attr = "sync"

    def __init__(self, *, sync: str, dry_run: bool | None = None, full_resync: bool | None = None,
                 crm_conn_id: str = "crmhub_crm", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sync = sync
        self.dry_run = dry_run
        self.full_resync = full_resync
        self.crm_conn_id = crm_conn_id

    @cached_property
    def crm_hook(self) -> CrmHubCrmHook:
        from crmhub_provider.hooks.http import CrmHubCrmHook

        return CrmHubCrmHook(self.crm_conn_id)

    def execute(self, context: Any) -> dict:
        from crmhub.reverse_etl.tasks import push_sync

        return push_sync(self.hook.warehouse_url(), self.sync, self.crm_hook.api_base_url(), self.crm_hook.token(),
                         dry_run=bool(self.param(context, "dry_run", self.dry_run)),
                         full_resync=bool(self.param(context, "full_resync", self.full_resync)), imap=self.imap,
                         timeout=self.crm_hook.timeout, verify=self.crm_hook.verify)


# -- outreach --------------------------------------------------------------------------------------------


class OutreachPlanOperator(CrmHubBaseOperator):
    """The automations of one criticality ``group`` in this run (``automations``, default all).

    :param group: ``critical`` or ``default``.
    :param automations: None: the run's ``automations`` param (templated).
    """

    template_fields: Sequence[str] = ("automations",)

    def __init__(self, *, group: str, automations: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.group = _group(group)
        self.automations = automations

    def execute(self, context: Any) -> list[str]:
        from crmhub.outreach.tasks import plan_automations

        return plan_automations(self.param(context, "automations", self.automations) or None)[self.group]


class _OutreachBase(CrmHubBaseOperator):
    def __init__(self, *, smtp_conn_id: str = "crmhub_smtp", unleash_conn_id: str = "crmhub_unleash",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.smtp_conn_id = smtp_conn_id
        self.unleash_conn_id = unleash_conn_id

    def channels(self):
        from crmhub_provider.hooks.crmhub import smtp_settings, unleash_access

        return unleash_access(self.unleash_conn_id), smtp_settings(self.smtp_conn_id)


class OutreachAutomationOperator(_OutreachBase):
    """Run one automation through the engine's rails (pause, bulk guard, holds, suppression, flag, cap, outbox).

    :param automation: automation name from the map (templated; mapped over).
    :param dry_run: None: the run's ``dry_run`` param.
    """

    template_fields: Sequence[str] = ("automation",)
    item_kind = "automation"
    item_attr = "automation"

    def __init__(self, *, automation: str, dry_run: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.automation = automation
        self.dry_run = dry_run

    def execute(self, context: Any) -> dict:
        from crmhub.outreach.tasks import run_automation

        unleash, smtp = self.channels()
        return run_automation(self.hook.warehouse_url(), unleash, smtp, self.automation,
                              dry_run=bool(self.param(context, "dry_run", self.dry_run)))


class _AfterHumanStep(CrmHubBaseOperator):
    """Parameters of a task that follows a human-in-the-loop step: the automation tasks' ``results`` and the
    ``approval`` (the ApprovalOperator's output, naming who decided); both templated."""

    template_fields: Sequence[str] = ("results", "approval")

    def __init__(self, *, results: Any, approval: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.results = results
        self.approval = approval


class OutreachApprovedSendOperator(_AfterHumanStep, _OutreachBase):
    """After a human approved in the Airflow UI: send what the capped automations held back, recording the
    approver (the send passes the health gate again).

    :param results: the automation tasks' results: an XComArg or a list of them (templated).
    :param approval: the ApprovalOperator's result (its output XComArg; names who approved) (templated).
    """

    def execute(self, context: Any) -> list[dict]:
        from crmhub.outreach.tasks import approved_sends

        unleash, smtp = self.channels()
        return approved_sends(self.hook.warehouse_url(), unleash, smtp, _flatten(self.results), self.approval)


class OutreachPromoteOperator(_AfterHumanStep, CrmHubBaseOperator):
    """After a human confirmed what the control list received: promote those automations to their flag
    rollout, recording who confirmed.

    :param results: the automation tasks' results: an XComArg or a list of them (templated).
    :param approval: the confirming ApprovalOperator's result (templated).
    """

    def execute(self, context: Any) -> list[dict]:
        from crmhub.outreach.tasks import promote_after_control

        return promote_after_control(self.hook.warehouse_url(), _flatten(self.results), self.approval)


def _group(group: str) -> str:
    if group not in ("critical", "default"):
        raise ValueError(f"group must be 'critical' or 'default', not {group!r}")
    return group


def _flatten(values: Any) -> list[dict]:
    """The results of one or more (mapped) tasks as one list (a skipped, empty group gives None)."""
    if values is None:
        return []
    if isinstance(values, dict):
        return [values]
    return [item for value in values for item in _flatten(value)]
