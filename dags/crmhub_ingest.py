"""crmhub_ingest: land every source of the integration map, grade it against its contracts, upsert core.

One mapped task per connector; each emits nothing itself, the final task emits an Asset per core table
that received rows, so crmhub_identity and others run when data lands. Connectors marked
``critical: true`` in the map run in the ``crmhub_critical`` pool first. Logic: ``crmhub.ingest``; tasks:
``crmhub_provider.operators.crmhub``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag

from crmhub_provider.assets import CHANGE_LOG_ASSET, CORE_ASSETS
from crmhub_provider.defaults import CRITICAL, dag_failure_callback, task_defaults
from crmhub_provider.operators.crmhub import ConnectorPlanOperator, ConnectorSyncOperator, LoadPublishOperator


@dag(
    dag_id="crmhub_ingest",
    schedule="*/30 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["crmhub", "ingest"],
    doc_md=__doc__,
    default_args=task_defaults(owner="lena.vogel"),
    on_failure_callback=dag_failure_callback(),
    params={
        "connectors": Param([], type="array", items={"type": "string"},
                            description="Only these connectors (default: every connector in the integration map)."),
    },
)
def crmhub_ingest():
    plan_critical = ConnectorPlanOperator(task_id="plan_critical", group="critical", mode="ingest")
    plan = ConnectorPlanOperator(task_id="plan", group="default", mode="ingest")
    critical = ConnectorSyncOperator.partial(task_id="ingest_critical", mode="ingest", **CRITICAL).expand(
        connector=plan_critical.output)
    default = ConnectorSyncOperator.partial(task_id="ingest_connector", mode="ingest").expand(connector=plan.output)
    LoadPublishOperator(task_id="publish", summaries=[critical.output, default.output],
                        outlets=[*CORE_ASSETS.values(), CHANGE_LOG_ASSET])


crmhub_ingest()
